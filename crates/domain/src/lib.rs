//! The domain, free of web and IO: what a sign-in is and how it moves
//! (`flow`), credentials (`secrets`), rules (`policy`), the instance's
//! settings, and the ports the outer crates implement: `store::Store`,
//! `mail::Sender`, `clock::Clock`.

pub mod admin;
pub mod audit;
pub mod brand;
pub mod claims;
pub mod clock;
pub mod flow;
pub mod import;
pub mod mail;
pub mod metadata;
pub mod metrics;
pub mod passkey;
pub mod policy;
pub mod request;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod store;
pub mod tokens;
pub mod users;
pub mod webhooks;
