//! Several stateless server nodes on one database (PostgreSQL in production;
//! run with TEST_DB=postgres). Nothing lives in a node's memory: a sign-in
//! moves between nodes, and limits hold across them.

use crate::common::*;

#[tokio::test]
async fn a_sign_in_started_on_one_node_finishes_on_another() {
    // A resend interval no slow machine crosses between two requests.
    let opts = || Opts::default().with("MFA_RESEND_AFTER", "30");
    let a = start(opts());
    let b = start_with_db(opts(), &a.db_url);
    user(&a, "two@example.com", true, true, false).await;

    let mut on_a = Client::new(&a);
    assert_eq!(on_a.password("two@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let mut on_b = on_a.fork_to(&b.base);
    assert_eq!(on_b.api("sign_in", &[]).await.status_field(), "needs_second_factor");
    let r = on_b.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = last_sms_code(&a).await;
    // A resend right away is refused on the other node too.
    let mut back_on_a = on_b.fork_to(&a.base);
    let r = back_on_a.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.code(), "verification_code_too_many_requests");
    assert_eq!(on_b.verify("phone_code", &code).await.status_field(), "complete");
    let mut finish_on_a = on_b.fork_to(&a.base);
    assert_eq!(finish_on_a.api("sign_in/finalize", &[]).await.status, 200);
    // The session works on both nodes; signing out on one ends it on both.
    assert_eq!(finish_on_a.session_email().await.as_deref(), Some("two@example.com"));
    let mut session_on_b = finish_on_a.fork_to(&b.base);
    assert_eq!(session_on_b.session_email().await.as_deref(), Some("two@example.com"));
    session_on_b.api("session/sign_out", &[]).await;
    let mut stale_on_a = finish_on_a.fork_to(&a.base);
    assert_eq!(stale_on_a.session_email().await, None);
}

#[tokio::test]
async fn lockout_and_rate_limits_hold_across_nodes() {
    let a = start(Opts::default());
    let b = start_with_db(Opts::default(), &a.db_url);
    user(&a, "lk@example.com", false, true, false).await;
    let (mut ca, mut cb) = (Client::new(&a), Client::new(&b));
    for _ in 0..5 {
        assert_eq!(ca.password("lk@example.com", "wrong").await.code(), "form_password_incorrect");
        assert_eq!(cb.password("lk@example.com", "wrong").await.code(), "form_password_incorrect");
    }
    assert_eq!(ca.password("lk@example.com", PASSWORD).await.code(), "user_locked");
    assert_eq!(cb.password("lk@example.com", PASSWORD).await.code(), "user_locked");

    let limited = Opts::default().with("MFA_RATE_CREATE", "5");
    let a = start(limited);
    let b = start_with_db(Opts::default().with("MFA_RATE_CREATE", "5"), &a.db_url);
    let (mut ca, mut cb) = (Client::new(&a), Client::new(&b));
    for i in 0..3 {
        assert_eq!(ca.password(&format!("r{i}@example.com"), "wrong").await.status, 422);
    }
    for i in 3..5 {
        assert_eq!(cb.password(&format!("r{i}@example.com"), "wrong").await.status, 422);
    }
    assert_eq!(ca.password("r5@example.com", "wrong").await.code(), "too_many_requests");
    assert_eq!(cb.password("r6@example.com", "wrong").await.code(), "too_many_requests");
}

#[tokio::test]
async fn every_node_signs_tokens_the_other_nodes_publish_the_keys_of() {
    let a = start(Opts::default());
    let b = start_with_db(Opts::default(), &a.db_url);
    user(&a, "nodes@example.com", false, false, false).await;
    let mut on_a = Client::new(&a);
    assert_eq!(on_a.password("nodes@example.com", PASSWORD).await.status_field(), "complete");
    assert_eq!(on_a.api("sign_in/finalize", &[]).await.status, 200);
    let mut on_b = on_a.fork_to(&b.base);
    let from_a = on_a.api("session/token", &[]).await.body["jwt"].as_str().unwrap().to_string();
    let from_b = on_b.api("session/token", &[]).await.body["jwt"].as_str().unwrap().to_string();
    // Each node's JWKS verifies the other's token (the issuer is the origin
    // the browser used, so each verifier is pointed at its node).
    let b_keys: proto::Jwks =
        reqwest::get(format!("{}/.well-known/jwks.json", b.base)).await.unwrap().json().await.unwrap();
    let a_keys: proto::Jwks =
        reqwest::get(format!("{}/.well-known/jwks.json", a.base)).await.unwrap().json().await.unwrap();
    let a_claims = verify::Verifier::new(&a.base).with_keys(&b_keys).verify_cached(&from_a).await.unwrap();
    let b_claims = verify::Verifier::new(&b.base).with_keys(&a_keys).verify_cached(&from_b).await.unwrap();
    assert_eq!((a_claims.sub, a_claims.sid), (b_claims.sub, b_claims.sid), "one session, one user");
}
