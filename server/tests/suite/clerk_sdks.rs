//! Clerk's published SDKs, unchanged, against the real server (on SQLite,
//! or PostgreSQL with `TEST_DB=postgres`): the Node tests of
//! `end2end/clerk` (`@clerk/expo`'s own instance over the React Native
//! bundle of `@clerk/clerk-js`; `kit.cjs` says how it is made).

use crate::common::*;
use std::process::Command;

/// Runs `files` of `end2end/clerk` with Node's test runner (each file in a
/// process of its own: a fresh app) against `s`, with `env` set.
fn node_tests(s: &Server, files: &[&str], env: &[(&str, &str)]) {
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
        .envs(env.iter().copied())
        .output()
        .expect("node (scripts/setup.sh installs Clerk's SDKs into end2end/node_modules)");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let logs = s.logs.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(out.status.success(), "{stdout}\n{stderr}\n--- the server's log\n{logs}");
}

#[tokio::test]
async fn the_seeds_expo_listing_runs_on_clerks_own_sdk() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    node_tests(&s, &["expo-seed.test.cjs"], &[]);
}

#[tokio::test]
async fn the_classic_api_sets_the_session_active_and_signs_out() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    node_tests(&s, &["expo-classic.test.cjs"], &[]);
}

#[tokio::test]
async fn client_trust_and_sign_up_with_an_emailed_code() {
    let s = start(Opts::default().with("MFA_CLIENT_TRUST", "1"));
    node_tests(&s, &["expo-trust-sign-up.test.cjs"], &[]);
}

/// The SDK keeps the token of whichever answer arrives last: a client read
/// answered before the second factor but delivered after it leaves the app
/// signed in (`expo-race.test.cjs` holds that answer back).
#[tokio::test]
async fn a_late_answer_does_not_sign_the_app_out() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    node_tests(&s, &["expo-race.test.cjs"], &[]);
}

/// `@clerk/backend` verifies this server's RS256 tokens: with the PEM that
/// `mfa-signin keys pem` prints (Clerk's `jwtKey`), with the JWKS at
/// `/v1/jwks`, and in `authenticateRequest` with `authorizedParties`. The
/// web page's token is one our own page gets (its `azp` is our origin).
#[tokio::test]
async fn clerks_backend_sdk_verifies_the_session_tokens() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    let out = cli(&s, &["keys", "pem"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pem = String::from_utf8(out.stdout).unwrap();
    let secret = user(&s, "web@example.com", false, true, false).await["totp_secret"].as_str().unwrap().to_string();
    let mut page = Client::new(&s);
    page.headers.push(("origin", s.base.clone()));
    assert_eq!(page.password("web@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(page.verify("totp", &totp_at(&secret, unix())).await.status_field(), "complete");
    assert_eq!(page.api("sign_in/finalize", &[]).await.status, 200);
    let r = page.api("session/token", &[]).await;
    let web_token = r.body["jwt"].as_str().unwrap().to_string();
    node_tests(
        &s,
        &["backend.test.cjs"],
        &[("MFA_JWT_KEY", &pem), ("MFA_WEB_TOKEN", &web_token), ("MFA_WEB_ORIGIN", &s.base)],
    );
}

#[tokio::test]
async fn clerks_backend_sdk_reads_the_users_with_a_secret_key() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "5"));
    let (id, secret) = crate::backend::api_key(&s, "node");
    let (revoked_id, revoked) = crate::backend::api_key(&s, "gone");
    assert!(cli(&s, &["api-keys", "revoke", &revoked_id]).status.success());
    node_tests(&s, &["backend-api.test.cjs"], &[("MFA_API_KEY", &secret), ("MFA_REVOKED_KEY", &revoked)]);
    // Every call and every change, in the key's name.
    let audit: serde_json::Value =
        serde_json::from_slice(&cli(&s, &["audit", "--limit", "500"]).stdout).expect("the audit trail as JSON");
    let by_key = |event: &str| {
        audit.as_array().unwrap().iter().any(|e| {
            e["event"] == event && e["user_agent"].as_str().is_some_and(|a| a == format!("api-key {id} (node)"))
        })
    };
    let events = ["api.call", "user.created", "password.changed", "user.locked", "user.unlocked", "user.mfa_reset"];
    let events = events.into_iter().chain(["user.deleted", "user.banned", "user.unbanned"]);
    for event in events.chain(["session.revoked"]) {
        assert!(by_key(event), "{event} in the key's name: {audit}");
    }
}

#[tokio::test]
async fn clerks_verify_webhook_and_standardwebhooks_verify_every_delivery() {
    let s = start(Opts::default().with("MFA_WEBHOOKS_ALLOW_PRIVATE", "1"));
    let (_, secret) = crate::backend::api_key(&s, "webhooks");
    node_tests(&s, &["webhooks.test.cjs"], &[("MFA_API_KEY", &secret)]);
}
