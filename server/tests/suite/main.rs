//! The HTTP suites against the real binary, as one test binary: one link
//! instead of six on two cores, and one pool of test threads, so that one
//! suite's waits overlap another's work.

// A test harness: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod account;
mod attacker;
mod backend;
mod bans;
mod branding;
mod clerk_sdks;
mod delivery;
mod deploy;
mod host;
mod http;
mod imports;
mod languages;
mod lifecycle;
mod metrics;
mod native;
mod native_client;
mod nodes;
mod passkeys;
mod recovery;
mod sign_up;
mod tokens;
mod upgrade;
mod webhooks;
