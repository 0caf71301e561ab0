//! The Host header is the attacker's: links in emails, texted codes' domain
//! line, the token issuer and forward auth's redirect never come from it,
//! a production server answers only for its own hosts, and a Host that is
//! no host at all is a 400, not a 5xx.

use crate::common::*;
use serde_json::Value;
use std::time::Duration;

const ORIGIN: &str = "https://auth.example.test";

/// The production outbox (read with the admin CLI), once it holds `n`
/// messages: some are sent after the answer.
async fn outbox(s: &Server, n: usize) -> Vec<Value> {
    for _ in 0..250 {
        let out = cli(s, &["outbox", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let msgs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        if msgs.len() >= n {
            return msgs;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {n} messages in the outbox");
}

fn body(m: &Value) -> &str {
    m["body"].as_str().unwrap()
}

#[tokio::test]
async fn production_refuses_to_start_without_its_origin() {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env("MFA_SECRET_KEY", TEST_KEY).env_remove("MFA_DEV").env_remove("MFA_ORIGIN").env_remove("MFA_ALLOWED_HOSTS");
    let out = cmd.args(["--database-url", "sqlite::memory:", "serve", "--addr", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success(), "started without an origin");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MFA_ORIGIN") && err.contains("allowed_hosts"), "{err}");
}

/// Production with `MFA_ORIGIN`: a forged Host is refused before any route,
/// and every link made for a listed Host is the configured origin's.
#[tokio::test]
async fn a_forged_host_never_reaches_a_link() {
    let s = start(Opts { dev: false, ..Opts::default() }.with("MFA_ORIGIN", ORIGIN));
    let out =
        cli(&s, &["user", "create", "--email", "owner@example.com", "--password", PASSWORD, "--phone", "+15555550123"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sign_up = [("email_address", "owner@example.com"), ("password", "another long passphrase")];

    // A sign-up with the owner's address, asked for as evil.example.
    let mut evil = Client::new(&s);
    evil.headers = vec![("host", "evil.example".into())];
    let r = evil.api("sign_up/password", &sign_up).await;
    assert_eq!((r.status, r.code()), (421, "host_invalid"), "{}", r.text);
    for path in ["/v1/forward_auth", "/.well-known/openid-configuration", "/sign-in"] {
        assert_eq!(evil.get(path).await.status, 421, "{path}");
    }
    let r = evil.password("owner@example.com", PASSWORD).await;
    assert_eq!(r.status, 421);
    assert!(evil.cookies.is_empty());

    // The same, for a host it serves: the link is the origin's.
    let mut c = Client::new(&s);
    assert_eq!(c.api("sign_up/password", &sign_up).await.status, 200);
    let msgs = outbox(&s, 1).await;
    assert_eq!(msgs.len(), 1, "only the served request mailed: {msgs:?}");
    assert_eq!(msgs[0]["recipient"], "owner@example.com");
    assert!(body(&msgs[0]).contains(&format!("{ORIGIN}/sign-in")), "{}", body(&msgs[0]));
    assert!(!body(&msgs[0]).contains("127.0.0.1"), "{}", body(&msgs[0]));

    // A texted code's domain-bound line names the origin's host.
    let mut c = Client::new(&s);
    assert_eq!(c.password("owner@example.com", PASSWORD).await.status, 200);
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sms = outbox(&s, 2).await.into_iter().find(|m| m["channel"] == "sms").expect("an SMS");
    assert!(body(&sms).trim_end().rsplit('\n').next().unwrap().starts_with("@auth.example.test #"), "{}", body(&sms));

    // Forward auth and the token issuer.
    let r = c.get("/v1/forward_auth").await;
    let to = r.headers["x-auth-redirect"].to_str().unwrap();
    assert!(to.starts_with(&format!("{ORIGIN}/sign-in")), "{to}");
    let r = c.get("/.well-known/openid-configuration").await;
    assert_eq!(r.body["issuer"], ORIGIN);
}

/// Production without an origin but with `allowed_hosts`: links use the
/// listed name a request came by; any other name is refused.
#[tokio::test]
async fn without_an_origin_only_listed_hosts_are_served() {
    let s = start(Opts { dev: false, ..Opts::default() }.with("MFA_ALLOWED_HOSTS", "auth.example.test, 127.0.0.1"));
    let port = s.base.rsplit(':').next().unwrap().to_string();
    let mut c = Client::new(&s);
    c.headers = vec![("host", format!("auth.example.test:{port}"))];
    let r = c.get("/.well-known/openid-configuration").await;
    assert_eq!(r.body["issuer"], format!("https://auth.example.test:{port}"), "{}", r.text);
    for host in ["evil.example", "auth.example.test.evil.example", "evil.example:443"] {
        c.headers = vec![("host", host.into())];
        let r = c.get("/.well-known/openid-configuration").await;
        assert_eq!((r.status, r.code()), (421, "host_invalid"), "{host}");
    }
    // The health check links nowhere: probes may ask by any name.
    assert_eq!(c.get("/healthz").await.status, 200);
}

/// A Host that is no host gets a 400 on every route, never a 5xx.
#[tokio::test]
async fn a_malformed_host_is_a_bad_request() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    for host in ["", "ex ample", "a,b", "ex%61mple", "[zz]", "a:b:c", "x/y"] {
        c.headers = vec![("host", host.into())];
        for path in ["/api/sign_in/passkey", "/api/user/passkeys", "/v1/client/sign_ins"] {
            let r = c.raw(|h, b| h.post(format!("{b}{path}")).form(&[("strategy", "passkey")])).await;
            assert_eq!((r.status, r.code()), (400, "host_invalid"), "Host {host:?} {path}: {}", r.text);
        }
        assert_eq!(c.get("/sign-in").await.status, 400, "Host {host:?}");
    }
}
