//! Clerk's published SDKs, unchanged, against the real server (on SQLite,
//! or PostgreSQL with `TEST_DB=postgres`): the Node tests of
//! `end2end/clerk` (`@clerk/expo`'s own instance over the React Native
//! bundle of `@clerk/clerk-js`; `kit.cjs` says how it is made).

use crate::common::*;
use std::process::Command;

/// Runs `files` of `end2end/clerk` with Node's test runner (each file in a
/// process of its own: a fresh app) against `s`.
fn node_tests(s: &Server, files: &[&str]) {
    let out = Command::new("node")
        .current_dir(workspace().join("end2end"))
        // Clerk's SDK keeps timers running: exit when the tests end. A step
        // that hangs fails after a minute instead of holding the suite.
        .args([
            "--conditions=react-native",
            "--test",
            "--test-force-exit",
            "--test-timeout=60000",
            "--test-reporter=spec",
        ])
        .args(files.iter().map(|f| format!("clerk/{f}")))
        .env("MFA_BASE", &s.base)
        .output()
        .expect("node (scripts/setup.sh installs Clerk's SDKs into end2end/node_modules)");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let logs = s.logs.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(out.status.success(), "{stdout}\n{stderr}\n--- the server's log\n{logs}");
}

#[tokio::test]
async fn the_seeds_expo_listing_runs_on_clerks_own_sdk() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    node_tests(&s, &["expo-seed.test.cjs"]);
}

#[tokio::test]
async fn the_classic_api_sets_the_session_active_and_signs_out() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    node_tests(&s, &["expo-classic.test.cjs"]);
}

#[tokio::test]
async fn client_trust_and_sign_up_with_an_emailed_code() {
    let s = start(Opts::default().with("MFA_CLIENT_TRUST", "1"));
    node_tests(&s, &["expo-trust-sign-up.test.cjs"]);
}
