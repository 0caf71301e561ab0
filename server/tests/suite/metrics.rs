//! `/metrics`: off by default, on its own address when asked, in a format
//! Prometheus' own checker accepts, and moved by a real MFA sign-in.

use crate::common::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// The sum of the samples of `name` whose labels include every one of
/// `labels` (`key="value"`), if there is one.
fn sample(scrape: &str, name: &str, labels: &[&str]) -> Option<f64> {
    let values: Vec<f64> = scrape
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let bare = series.split('{').next()?;
            (bare == name && labels.iter().all(|want| series.contains(want))).then(|| value.parse().ok())?
        })
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

async fn scrape(s: &Server) -> String {
    let at = s.metrics.as_ref().expect("the server serves metrics");
    let r = reqwest::get(at).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    r.text().await.unwrap()
}

/// `promtool check metrics` (Debian's prometheus package, installed by
/// scripts/setup.sh) on a scrape: the format and naming lints.
fn promtool(scrape: &str) {
    let mut p = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (scripts/setup.sh installs Debian's prometheus package)");
    p.stdin.take().unwrap().write_all(scrape.as_bytes()).unwrap();
    let out = p.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.trim().is_empty(), "promtool: {said}\n{scrape}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mfa_sign_in_moves_the_counters_and_promtool_accepts_the_scrape() {
    // Off unless asked.
    let off = start(Opts::default());
    assert!(off.metrics.is_none());
    let s = start(Opts::default().with("MFA_METRICS_ADDR", "127.0.0.1:0"));
    // Never on the public address.
    assert_eq!(reqwest::get(format!("{}/metrics", s.base)).await.unwrap().status(), 404);
    let before = scrape(&s).await;
    assert_eq!(sample(&before, "mfa_sign_in_attempts_total", &[]), None);

    let email = "counted@example.com";
    let u = user(&s, email, false, true, true).await;
    let secret = u["totp_secret"].as_str().unwrap().to_string();
    let mut wrong = Client::new(&s);
    assert_ne!(wrong.password(email, "not the password at all").await.status, 200);
    let mut c = Client::new(&s);
    c.password(email, PASSWORD).await;
    let code = totp_at(&secret, unix());
    let bad = if code == "000000" { "111111" } else { "000000" };
    assert_ne!(c.verify("totp", bad).await.status_field(), "complete");
    assert_eq!(c.verify("totp", &code).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.api("session/token", &[]).await.status, 200);

    // A texted code, to the development outbox.
    user(&s, "texted@example.com", true, false, false).await;
    let mut t = Client::new(&s);
    t.password("texted@example.com", PASSWORD).await;
    assert_eq!(t.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await.status, 200);

    let after = scrape(&s).await;
    let n = |name: &str, labels: &[&str]| {
        sample(&after, name, labels).unwrap_or_else(|| panic!("{name} {labels:?}\n{after}"))
    };
    assert_eq!(n("mfa_sign_in_attempts_total", &[r#"strategy="password""#, r#"outcome="ok""#]), 2.0);
    assert_eq!(n("mfa_sign_in_attempts_total", &[r#"strategy="password""#, r#"outcome="failed""#]), 1.0);
    assert_eq!(n("mfa_second_factor_verifications_total", &[r#"strategy="totp""#, r#"result="failed""#]), 1.0);
    assert_eq!(n("mfa_second_factor_verifications_total", &[r#"strategy="totp""#, r#"result="ok""#]), 1.0);
    assert_eq!(n("mfa_sessions_created_total", &[]), 1.0);
    assert_eq!(n("mfa_deliveries_total", &[r#"channel="sms""#, r#"result="outbox""#]), 1.0);
    assert!(n("mfa_session_tokens_issued_total", &[]) >= 1.0);
    assert_eq!(n("mfa_sessions_active", &[]), 1.0);
    assert_eq!(n("mfa_webhook_backlog", &[]), 0.0);
    assert!(n("mfa_db_pool_connections", &[r#"state="idle""#]) >= 0.0);
    // Two passwords checked (and the user's made): argon2id timed.
    assert!(n("mfa_password_hash_duration_seconds_count", &[r#"op="verify""#]) >= 2.0);
    // Requests by route pattern: both passwords posted.
    assert!(
        n("mfa_http_request_duration_seconds_count", &[r#"route="/api/sign_in/password""#, r#"method="POST""#]) >= 2.0
    );
    // A label never carries an address, a user or a path a request made up.
    for secret in [email, "127.0.0.1", &code, &secret] {
        assert!(!after.contains(secret), "{secret} is in the metrics");
    }
    promtool(&after);

    // Ten wrong codes lock the account: a lockout, then refusals.
    let mut l = Client::new(&s);
    l.password(email, PASSWORD).await;
    for _ in 0..12 {
        l.verify("totp", bad).await;
    }
    let locked = scrape(&s).await;
    assert!(sample(&locked, "mfa_lockouts_total", &[]).is_some_and(|v| v >= 1.0), "{locked}");
    assert!(
        sample(&locked, "mfa_sign_in_refusals_total", &[r#"reason="locked""#]).is_some_and(|v| v >= 1.0),
        "{locked}"
    );
    promtool(&locked);
}
