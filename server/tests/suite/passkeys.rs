//! Passkeys over HTTP with a software authenticator: added on the security
//! page, signing in alone or as the second factor, and every refusal
//! (replays, clones, another user's key, lockout); trusted devices revoked.

use crate::common::authenticator::Authenticator;
use crate::common::*;

/// The server as browsers reach it by name: WebAuthn needs a domain.
pub(crate) fn by_name(s: &Server) -> Client {
    Client::new_for(&s.base.replace("127.0.0.1", "localhost"))
}

pub(crate) async fn signed_in(c: &mut Client, email: &str) {
    let r = c.password(email, PASSWORD).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
}

/// Adds a passkey from `auth` in `c`'s (recent) session; answers the body.
pub(crate) async fn add_passkey(c: &mut Client, auth: &mut Authenticator, name: &str) -> serde_json::Value {
    let r = c.api("user/passkeys", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let answer = auth.create(r.body["nonce"].as_str().unwrap());
    let r = c.api("user/passkeys/finish", &[("public_key_credential", &answer), ("name", name)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// A passkey sign-in's challenge (its options JSON), on a fresh attempt.
pub(crate) async fn challenge(c: &mut Client) -> String {
    let r = c.api("sign_in/passkey", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.status_field(), "needs_first_factor");
    assert_eq!(r.body["supported_first_factors"][0]["strategy"], "passkey");
    let nonce = r.body["passkey_challenge"]["nonce"].as_str().unwrap().to_string();
    pending_passkey(&r, "first_factor_verification", &nonce);
    nonce
}

/// The verification awaiting the passkey carries the options' `publicKey`
/// as its `nonce`, the way Clerk's SDKs read them.
fn pending_passkey(r: &Resp, which: &str, options: &str) {
    let v = &r.body[which];
    assert_eq!((v["status"].as_str(), v["strategy"].as_str()), (Some("unverified"), Some("passkey")), "{}", r.text);
    let public_key: serde_json::Value = serde_json::from_str(v["nonce"].as_str().unwrap_or("")).unwrap();
    let options: serde_json::Value = serde_json::from_str(options).unwrap();
    assert_eq!(public_key, options["publicKey"]);
    assert!(public_key["challenge"].is_string(), "{public_key}");
}

pub(crate) async fn answer_first(c: &mut Client, answer: &str) -> Resp {
    c.api("sign_in/attempt_first_factor", &[("strategy", "passkey"), ("public_key_credential", answer)]).await
}

#[tokio::test]
async fn a_passkey_added_on_the_security_page_signs_in_alone() {
    let s = start(Opts::default());
    user(&s, "pk@example.com", false, false, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "pk@example.com").await;
    let body = add_passkey(&mut c, &mut auth, "  Work laptop ").await;
    let keys = &body["user"]["passkeys"];
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["name"], "Work laptop");
    assert!(keys[0]["id"].as_str().unwrap().starts_with("pk_"));
    assert!(keys[0]["last_used_at"].is_null());
    assert_eq!(body["backup_codes"].as_array().unwrap().len(), 10, "the first factor makes backup codes");
    // The same credential cannot be added twice (nor to another account).
    let r = c.api("user/passkeys", &[]).await;
    let opts: serde_json::Value = serde_json::from_str(r.body["nonce"].as_str().unwrap()).unwrap();
    assert_eq!(opts["publicKey"]["excludeCredentials"].as_array().unwrap().len(), 1);
    c.api("session/sign_out", &[]).await;

    // A new browser: no email, no password.
    let mut b = by_name(&s);
    let nonce = challenge(&mut b).await;
    let opts: serde_json::Value = serde_json::from_str(&nonce).unwrap();
    assert_eq!(opts["publicKey"]["userVerification"], "required");
    assert!(opts.get("mediation").is_none(), "a dialog, not autofill");
    let answer = auth.get(&nonce, 0);
    let r = answer_first(&mut b, &answer).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    // Both factors at once, as Clerk records a passkey sign-in.
    assert_eq!(r.body["first_factor_verification"]["status"], "verified");
    assert_eq!(r.body["first_factor_verification"]["strategy"], "passkey");
    assert!(r.body["second_factor_verification"].is_null(), "{}", r.text);
    let r = b.api("sign_in/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(b.session_email().await.as_deref(), Some("pk@example.com"));
    // It counts as both factors: the session token says so.
    let r = b.api("session/token", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let user = b.api("user", &[]).await;
    assert!(user.body["passkeys"][0]["last_used_at"].is_i64(), "{}", user.text);

    // The autofill flow asks for conditional mediation.
    let r = by_name(&s).api("sign_in/passkey", &[("flow", "autofill")]).await;
    let opts: serde_json::Value = serde_json::from_str(r.body["passkey_challenge"]["nonce"].as_str().unwrap()).unwrap();
    assert_eq!(opts["mediation"], "conditional");
}

#[tokio::test]
async fn a_passkey_is_a_second_factor_after_the_password() {
    let s = start(Opts::default());
    user(&s, "pk2@example.com", false, false, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "pk2@example.com").await;
    add_passkey(&mut c, &mut auth, "").await;
    c.api("session/sign_out", &[]).await;

    let mut b = by_name(&s);
    let r = b.password("pk2@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
    let listed: Vec<&str> = r.body["supported_second_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["passkey", "backup_code"]);
    // A code path cannot stand in for it.
    assert_eq!(b.verify("totp", "123456").await.code(), "strategy_for_user_invalid");
    let r = b.api("sign_in/prepare_second_factor", &[("strategy", "passkey")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let nonce = r.body["passkey_challenge"]["nonce"].as_str().unwrap().to_string();
    pending_passkey(&r, "second_factor_verification", &nonce);
    assert_eq!(r.body["first_factor_verification"]["strategy"], "password");
    let answer = auth.get(&nonce, 0);
    let r =
        b.api("sign_in/attempt_second_factor", &[("strategy", "passkey"), ("public_key_credential", &answer)]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(r.body["second_factor_verification"]["status"], "verified");
    assert_eq!(r.body["second_factor_verification"]["strategy"], "passkey");
    assert_eq!(b.api("sign_in/finalize", &[]).await.status, 200);
    // Named after the browser it was made in when no name was typed (this
    // client sends no user agent).
    let user = b.api("user", &[]).await;
    assert_eq!(user.body["passkeys"][0]["name"], "Passkey", "{}", user.text);
}

#[tokio::test]
async fn replayed_cloned_and_foreign_answers_are_refused() {
    let s = start(Opts::default());
    user(&s, "pk3@example.com", false, false, false).await;
    user(&s, "other@example.com", false, false, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "pk3@example.com").await;
    add_passkey(&mut c, &mut auth, "Mine").await;
    let mut o = by_name(&s);
    let mut theirs = Authenticator::new(&o.base);
    signed_in(&mut o, "other@example.com").await;
    add_passkey(&mut o, &mut theirs, "Theirs").await;

    // A replay: the challenge was used up by the first answer.
    let mut b = by_name(&s);
    let nonce = challenge(&mut b).await;
    let answer = auth.get(&nonce, 0);
    assert_eq!(answer_first(&mut b, &answer).await.status_field(), "complete");
    let mut thief = by_name(&s);
    challenge(&mut thief).await;
    let r = answer_first(&mut thief, &answer).await;
    assert_eq!((r.status, r.code()), (422, "passkey_invalid"), "{}", r.text);

    // A clone: its counter lags behind the one the server saw.
    let mut b = by_name(&s);
    let nonce = challenge(&mut b).await;
    let r = answer_first(&mut b, &auth.get_with_counter(&nonce, 0, 1)).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "passkey_invalid", "public_key_credential"), "{}", r.text);
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "100"]).stdout).unwrap();
    assert!(audit.contains("passkey.cloned"), "{audit}");

    // Another user's passkey cannot be this user's second factor.
    let mut b = by_name(&s);
    b.password("pk3@example.com", PASSWORD).await;
    let r = b.api("sign_in/prepare_second_factor", &[("strategy", "passkey")]).await;
    let nonce = r.body["passkey_challenge"]["nonce"].as_str().unwrap().to_string();
    let r = b
        .api(
            "sign_in/attempt_second_factor",
            &[("strategy", "passkey"), ("public_key_credential", &theirs.get(&nonce, 0))],
        )
        .await;
    assert_eq!(r.code(), "passkey_invalid", "{}", r.text);

    // Garbage, and nothing at all.
    let mut b = by_name(&s);
    challenge(&mut b).await;
    assert_eq!(answer_first(&mut b, "{not json").await.code(), "passkey_invalid");
    let r = answer_first(&mut b, "").await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "public_key_credential"));
}

#[tokio::test]
async fn passkey_tries_count_toward_the_lockout() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "5"));
    user(&s, "pk4@example.com", false, false, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "pk4@example.com").await;
    add_passkey(&mut c, &mut auth, "Key").await;
    let mut b = by_name(&s);
    let nonce = challenge(&mut b).await;
    assert_eq!(answer_first(&mut b, &auth.get(&nonce, 0)).await.status_field(), "complete", "the counter is 1 now");
    for _ in 0..5 {
        let mut b = by_name(&s);
        let nonce = challenge(&mut b).await;
        // A stale counter: a wrong answer from the right key.
        let r = answer_first(&mut b, &auth.get_with_counter(&nonce, 0, 1)).await;
        assert_eq!(r.code(), "passkey_invalid", "{}", r.text);
    }
    let mut b = by_name(&s);
    let nonce = challenge(&mut b).await;
    let r = answer_first(&mut b, &auth.get(&nonce, 0)).await;
    assert_eq!((r.status, r.code()), (403, "user_locked"), "a right answer waits out the lock: {}", r.text);
}

#[tokio::test]
async fn passkeys_are_removed_but_the_last_factor_stays_when_required() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    let u = user(&s, "pk5@example.com", false, true, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    c.password("pk5@example.com", PASSWORD).await;
    let code = totp_at(u["totp_secret"].as_str().unwrap(), unix());
    assert_eq!(c.verify("totp", &code).await.status_field(), "complete");
    c.api("sign_in/finalize", &[]).await;
    let body = add_passkey(&mut c, &mut auth, "Key").await;
    assert!(body["backup_codes"].as_array().unwrap().is_empty(), "not the first factor");
    let id = body["user"]["passkeys"][0]["id"].as_str().unwrap().to_string();
    let r = c.api("user/passkeys/rename", &[("id", &id), ("name", "Phone")]).await;
    assert_eq!(r.body["passkeys"][0]["name"], "Phone", "{}", r.text);
    // A name is required, and said to be (not as an email address).
    let r = c.api("user/passkeys/rename", &[("id", &id), ("name", "  ")]).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "name"), "{}", r.text);
    assert_eq!(r.body["errors"][0]["message"], "Enter a name.");
    assert_eq!(c.api("user/remove", &[("strategy", "totp")]).await.status, 200, "the passkey remains");
    let r = c.api("user/passkeys/remove", &[("id", &id)]).await;
    assert_eq!((r.status, r.code()), (422, "mfa_required"), "{}", r.text);
    let r = c.api("user/passkeys/remove", &[("id", "pk_nope")]).await;
    assert_eq!((r.status, r.code()), (404, "passkey_not_found"));
}

#[tokio::test]
async fn passkeys_need_a_domain_and_an_instance_that_allows_them() {
    let s = start(Opts::default());
    let r = Client::new(&s).api("sign_in/passkey", &[]).await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"), "by IP: {}", r.text);
    let s = start(Opts::default().with("MFA_PASSKEY_SIGN_IN", "0").with("MFA_PASSKEY_MANAGE", "0"));
    user(&s, "pk6@example.com", false, false, false).await;
    let mut c = by_name(&s);
    assert_eq!(c.api("sign_in/passkey", &[]).await.code(), "strategy_for_user_invalid");
    let r = c.api("sign_in", &[]).await;
    assert!(!r.text.contains("passkey"), "not offered: {}", r.text);
    signed_in(&mut c, "pk6@example.com").await;
    assert_eq!(c.api("user/passkeys", &[]).await.code(), "strategy_for_user_invalid");
}

#[tokio::test]
async fn a_revoked_trusted_device_proves_itself_again() {
    let s = start(Opts::default().with("MFA_CLIENT_TRUST", "1"));
    user(&s, "dev@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    c.headers.push(("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0".into()));
    assert_eq!(c.password("dev@example.com", PASSWORD).await.status_field(), "needs_client_trust");
    let code = email_code(&s, "dev@example.com").await;
    assert_eq!(c.verify("email_code", &code).await.status_field(), "complete");
    c.api("sign_in/finalize", &[]).await;
    let r = c.api("trusted_devices", &[]).await;
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", r.text);
    let chrome = serde_json::json!({ "browser": "chrome", "os": "linux" });
    assert_eq!((&list[0]["device"], list[0]["current"].as_bool()), (&chrome, Some(true)));
    assert_eq!(list[0]["ip"], "127.0.0.1");
    let id = list[0]["id"].as_str().unwrap().to_string();
    let r = c.api("trusted_devices/revoke", &[("id", &id)]).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0), "{}", r.text);
    let r = c.api("trusted_devices/revoke", &[("id", &id)]).await;
    assert_eq!(r.status, 404);
    c.api("session/sign_out", &[]).await;
    let r = c.password("dev@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_client_trust", "the code is asked again: {}", r.text);
}
