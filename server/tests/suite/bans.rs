//! Bans (Clerk's `banUser`): a banned user signs in on no path — password,
//! email code, reset, passkey, a sign-in finished before the ban, a token
//! for a session held before it — and is told so only after proving a
//! factor; an unban lets them in again.

use crate::common::authenticator::Authenticator;
use crate::common::*;
use serde_json::{json, Value};

const EMAIL: &str = "banned@example.com";

/// The server as browsers reach it by name: WebAuthn needs a domain.
fn by_name(s: &Server) -> Client {
    Client::new_for(&s.base.replace("127.0.0.1", "localhost"))
}

fn run_cli(s: &Server, args: &[&str]) -> Value {
    let out = cli(s, args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn first_factor(c: &mut Client, strategy: &str, code: &str) -> Resp {
    c.api("sign_in/attempt_first_factor", &[("strategy", strategy), ("code", code)]).await
}

fn banned(r: &Resp) {
    assert_eq!((r.status, r.code()), (403, "user_banned"), "{}", r.text);
}

#[tokio::test]
async fn a_banned_user_signs_in_on_no_path() {
    let s = start(Opts::default().with("MFA_EMAIL_CODE_SIGN_IN", "1"));
    user(&s, EMAIL, false, false, false).await;

    // Before the ban: a browser session, a native app's session, a sign-in
    // proven but not yet finalized; then a passkey.
    let mut browser = by_name(&s);
    let mut auth = Authenticator::new(&browser.base);
    assert_eq!(browser.password(EMAIL, PASSWORD).await.status_field(), "complete");
    assert_eq!(browser.api("sign_in/finalize", &[]).await.status, 200);
    let mut native = Native::new(&s);
    let r = native.post("/client/sign_ins", json!({ "identifier": EMAIL, "password": PASSWORD })).await;
    let sid = r.body["created_session_id"].as_str().unwrap_or_else(|| panic!("{}", r.text)).to_string();
    let tokens = format!("/client/sessions/{sid}/tokens");
    assert_eq!(native.post(&tokens, Value::Null).await.status, 200);
    let mut racing = by_name(&s);
    assert_eq!(racing.password(EMAIL, PASSWORD).await.status_field(), "complete");
    let r = browser.api("user/passkeys", &[]).await;
    let answer = auth.create(r.body["nonce"].as_str().unwrap());
    let r = browser.api("user/passkeys/finish", &[("public_key_credential", &answer), ("name", "laptop")]).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let ban = run_cli(&s, &["--json", "user", "ban", EMAIL]);
    assert_eq!((ban["banned"].as_bool(), ban["sessions_ended"].as_u64()), (Some(true), Some(2)), "{ban}");
    assert_eq!(run_cli(&s, &["--json", "user", "show", EMAIL])["banned"], true);

    // The sessions held are gone, for pages and tokens alike.
    assert_eq!(browser.session_email().await, None);
    assert_eq!(browser.api("session/token", &[]).await.status, 401);
    assert_eq!(native.post(&tokens, Value::Null).await.status, 401);
    assert_eq!(native.get("/me").await.code(), "signed_out");
    // A sign-in proven before the ban makes no session after it.
    banned(&racing.api("sign_in/finalize", &[]).await);
    assert_eq!(racing.session_email().await, None);

    // Password: a wrong one is answered as for anyone (nothing told); the
    // right one, with the ban.
    let wrong = by_name(&s).password(EMAIL, "not the password at all").await;
    let stranger = by_name(&s).password("nobody@example.com", "not the password at all").await;
    assert_eq!((wrong.status, wrong.code()), (stranger.status, stranger.code()));
    banned(&by_name(&s).password(EMAIL, PASSWORD).await);
    let r = Native::new(&s).post("/client/sign_ins", json!({ "identifier": EMAIL, "password": PASSWORD })).await;
    banned(&r);

    // An emailed code: sent as to anyone, refused once right.
    let mut c = by_name(&s);
    let n = outbox_count(&s, EMAIL).await + 1;
    let r = c.api("sign_in/create", &[("identifier", EMAIL), ("strategy", "email_code")]).await;
    assert_eq!(r.status_field(), "needs_first_factor", "{}", r.text);
    banned(&first_factor(&mut c, "email_code", &nth_email_code(&s, EMAIL, n).await).await);

    // Forgot password: no new password for a banned user.
    let mut c = by_name(&s);
    let n = outbox_count(&s, EMAIL).await + 1;
    let r = c.api("sign_in/create", &[("identifier", EMAIL), ("strategy", "reset_password_email_code")]).await;
    assert_eq!(r.status_field(), "needs_first_factor", "{}", r.text);
    let code = nth_email_code(&s, EMAIL, n).await;
    banned(&first_factor(&mut c, "reset_password_email_code", &code).await);

    // A passkey.
    let mut c = by_name(&s);
    let r = c.api("sign_in/passkey", &[]).await;
    let answer = auth.get(r.body["passkey_challenge"]["nonce"].as_str().unwrap(), 0);
    banned(
        &c.api("sign_in/attempt_first_factor", &[("strategy", "passkey"), ("public_key_credential", &answer)]).await,
    );

    // Unbanned: sign-in works again; the ended sessions stay ended.
    assert_eq!(run_cli(&s, &["--json", "user", "unban", EMAIL])["banned"], false);
    let mut c = by_name(&s);
    let r = c.api("sign_in/passkey", &[]).await;
    let answer = auth.get(r.body["passkey_challenge"]["nonce"].as_str().unwrap(), 0);
    let r = c.api("sign_in/attempt_first_factor", &[("strategy", "passkey"), ("public_key_credential", &answer)]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.session_email().await.as_deref(), Some(EMAIL));
    assert_eq!(browser.session_email().await, None);

    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "200"]).stdout).unwrap();
    for e in ["user.banned", "user.unbanned", "sign_in.refused_banned"] {
        assert!(audit.contains(e), "{e} not audited: {audit}");
    }
}
