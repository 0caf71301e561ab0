//! Session tasks, managing second factors, and sessions, over HTTP against the
//! real server — each endpoint, including its refusals.

use crate::common::*;
use serde_json::{json, Value};

fn mfa_required() -> Opts {
    Opts::default().with("MFA_REQUIRE_MFA", "1")
}

/// Signs in (password only) and finalizes; answers the finalize body.
async fn signed_in(c: &mut Client, email: &str) -> Resp {
    let r = c.password(email, PASSWORD).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// Enrols an authenticator app; answers (secret, the code used, response).
async fn enrol_totp(c: &mut Client) -> (String, String, Resp) {
    let r = c.api("user/totp", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    assert!(r.body["uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    assert!(r.body["qr_svg"].as_str().unwrap().contains("<svg"));
    let code = totp_at(&secret, unix());
    let r = c.api("user/totp/verify", &[("code", &code)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    (secret, code, r)
}

fn strategies(user: &Value) -> Vec<String> {
    user["factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_user_without_mfa_gets_a_pending_session_until_setup() {
    let s = start(mfa_required());
    user(&s, "task@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let r = signed_in(&mut c, "task@example.com").await;
    assert_eq!(r.body["current_task"], "setup-mfa");
    assert_eq!(r.body["redirect_url"], "/tasks/setup-mfa");
    // Pending counts as signed out everywhere but the task.
    assert_eq!(c.session_email().await, None);
    for path in ["sessions", "sessions/revoke_others", "user/backup_codes", "user/default", "user/remove"] {
        let r = c.api(path, &[("strategy", "totp")]).await;
        assert_eq!((r.status, r.code()), (401, "signed_out"), "{path}: {}", r.text);
    }
    let page = c.get("/").await;
    assert!(!page.text.contains("signed-in-email"), "home does not show a pending user as signed in");
    let to = page.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(to == "/tasks/setup-mfa" || page.text.contains("/tasks/setup-mfa"), "home sends it to its task");
    let r = c.api("user", &[]).await;
    assert_eq!(r.body["task"], "setup-mfa");
    assert_eq!(r.body["factors"], serde_json::json!([]));

    // Enrolling an authenticator app finishes the task, with backup codes.
    let wrong = c.api("user/totp/verify", &[("code", "000000")]).await;
    assert_eq!(wrong.code(), "verification_missing", "no enrolment started");
    let (secret, used, r) = enrol_totp(&mut c).await;
    assert_eq!(r.body["user"]["task"], Value::Null);
    assert_eq!(r.body["backup_codes"].as_array().unwrap().len(), 10);
    assert_eq!(c.session_email().await.as_deref(), Some("task@example.com"));
    // The enrolment code cannot be used again to sign in.
    c.api("session/sign_out", &[]).await;
    let mut d = Client::new(&s);
    assert_eq!(d.password("task@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(d.verify("totp", &used).await.code(), "form_code_incorrect", "a replay of the enrolment code");
    // The next step's code (within the ±1 step drift) works.
    assert_eq!(d.verify("totp", &totp_at(&secret, unix() + 30)).await.status_field(), "complete");
    let r = d.api("sign_in/finalize", &[]).await;
    assert_eq!(r.body["current_task"], Value::Null);
    assert_eq!(d.session_email().await.as_deref(), Some("task@example.com"));
}

#[tokio::test]
async fn a_new_sign_up_is_sent_to_setup_mfa_and_can_enrol_a_phone() {
    let s = start(mfa_required());
    let mut c = Client::new(&s);
    c.api("sign_up/password", &[("email_address", "up@example.com"), ("password", "a brand new passphrase")]).await;
    let code = email_code(&s, "up@example.com").await;
    c.api("sign_up/verify_email_code", &[("code", &code)]).await;
    let r = c.api("sign_up/finalize", &[]).await;
    assert_eq!(r.body["current_task"], "setup-mfa", "{}", r.text);
    assert_eq!(c.session_email().await, None);

    let r = c.api("user/phone", &[("phone_number", "12345")]).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_format_invalid", "phone_number"));
    let r = c.api("user/phone/verify", &[("code", "123456")]).await;
    assert_eq!(r.code(), "verification_missing");
    let r = c.api("user/phone", &[("phone_number", "+1 555 555 0177")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["pending_phone"], "+1 ••• ••• 0177");
    let sms = outbox_to(&s, "+15555550177").await.expect("an SMS");
    let code = six_digits(sms["body"].as_str().unwrap()).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(c.api("user/phone/verify", &[("code", wrong)]).await.code(), "form_code_incorrect");
    let r = c.api("user/phone/verify", &[("code", &code)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(strategies(&r.body["user"]), ["phone_code"]);
    assert_eq!(r.body["backup_codes"].as_array().unwrap().len(), 10);
    assert_eq!(c.session_email().await.as_deref(), Some("up@example.com"));
}

#[tokio::test]
async fn changes_need_a_recent_reverification() {
    let s = start(Opts::default().with("MFA_REVERIFICATION", "2"));
    let u = user(&s, "rv@example.com", false, true, true).await;
    let mut c = Client::new(&s);
    c.password("rv@example.com", PASSWORD).await;
    c.verify("totp", &totp_at(u["totp_secret"].as_str().unwrap(), unix())).await;
    c.api("sign_in/finalize", &[]).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(c.api("user", &[]).await.body["needs_reverification"], true);
    for (path, field) in [
        ("user/totp", ("", "")),
        ("user/backup_codes", ("", "")),
        ("user/phone", ("phone_number", "+15555550188")),
        ("user/default", ("strategy", "totp")),
        ("user/remove", ("strategy", "backup_code")),
    ] {
        let r = c.api(path, &[field]).await;
        assert_eq!((r.status, r.code()), (403, "session_reverification_required"), "{path}: {}", r.text);
    }
    // A wrong password does not do; the right one does, and counts toward lockout when wrong.
    let r = c.api("user/reverify", &[("strategy", "password"), ("password", "not it")]).await;
    assert_eq!((r.code(), r.param()), ("form_password_incorrect", "password"));
    let r = c.api("user/reverify", &[("strategy", "password"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["needs_reverification"], false);
    let r = c.api("user/backup_codes", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The window's end for each method (a backup code once, the app): clock
    // moves in crates/domain/tests/use_cases.rs
    // (`changes_need_a_reverification_within_its_window`).
}

#[tokio::test]
async fn regenerating_backup_codes_voids_the_old_ones() {
    let s = start(Opts::default());
    let u = user(&s, "bc@example.com", false, true, true).await;
    let old: Vec<String> = serde_json::from_value(u["backup_codes"].clone()).unwrap();
    let mut c = Client::new(&s);
    c.password("bc@example.com", PASSWORD).await;
    c.verify("backup_code", &old[0]).await;
    c.api("sign_in/finalize", &[]).await;
    let r = c.api("user/backup_codes", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new: Vec<String> = serde_json::from_value(r.body["backup_codes"].clone()).unwrap();
    assert_eq!(new.len(), 10);
    assert_eq!(r.body["user"]["backup_codes_remaining"], 10);
    // Told by email.
    let notice = outbox_to(&s, "bc@example.com").await.expect("a notice");
    assert!(notice["body"].as_str().unwrap().contains("new backup codes"));
    let mut d = Client::new(&s);
    d.password("bc@example.com", PASSWORD).await;
    assert_eq!(d.verify("backup_code", &old[1]).await.code(), "form_code_incorrect");
    assert_eq!(d.verify("backup_code", &new[0]).await.status_field(), "complete");
}

#[tokio::test]
async fn factors_can_be_added_made_default_and_removed() {
    let s = start(mfa_required());
    let u = user(&s, "f@example.com", false, true, true).await;
    let mut c = Client::new(&s);
    c.password("f@example.com", PASSWORD).await;
    c.verify("totp", &totp_at(u["totp_secret"].as_str().unwrap(), unix())).await;
    c.api("sign_in/finalize", &[]).await;
    // The last factor cannot go while MFA is required.
    let r = c.api("user/remove", &[("strategy", "totp")]).await;
    assert_eq!((r.status, r.code()), (422, "mfa_required"), "{}", r.text);
    assert_eq!(c.api("user/default", &[("strategy", "phone_code")]).await.code(), "strategy_for_user_invalid");
    // Add a phone, make it the default: sign-in offers it first.
    c.api("user/phone", &[("phone_number", "+15555550166")]).await;
    let sms = outbox_to(&s, "+15555550166").await.unwrap();
    let code = six_digits(sms["body"].as_str().unwrap()).unwrap();
    let r = c.api("user/phone/verify", &[("code", &code)]).await;
    assert_eq!(strategies(&r.body["user"]), ["totp", "phone_code"]);
    assert_eq!(r.body["backup_codes"], serde_json::json!([]), "not the first factor: no new codes");
    let r = c.api("user/default", &[("strategy", "phone_code")]).await;
    assert_eq!(strategies(&r.body), ["phone_code", "totp"]);
    assert_eq!(r.body["factors"][0]["default"], true);
    let r = Client::new(&s).password("f@example.com", PASSWORD).await;
    assert_eq!(r.body["supported_second_factors"][0]["strategy"], "phone_code");
    // Now TOTP may go; the default stays the phone.
    let r = c.api("user/remove", &[("strategy", "totp")]).await;
    assert_eq!(strategies(&r.body), ["phone_code"]);
    assert!(outbox_to(&s, "f@example.com").await.unwrap()["body"].as_str().unwrap().contains("removed"));
}

#[tokio::test]
async fn removing_the_last_factor_takes_the_backup_codes_when_mfa_is_optional() {
    let s = start(Opts::default());
    let u = user(&s, "last@example.com", false, true, true).await;
    let mut c = Client::new(&s);
    c.password("last@example.com", PASSWORD).await;
    c.verify("totp", &totp_at(u["totp_secret"].as_str().unwrap(), unix())).await;
    c.api("sign_in/finalize", &[]).await;
    let r = c.api("user/remove", &[("strategy", "totp")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["factors"], serde_json::json!([]));
    assert_eq!(r.body["backup_codes_remaining"], 0);
    assert_eq!(c.api("user/backup_codes", &[]).await.code(), "backup_codes_not_available");
    assert_eq!(Client::new(&s).password("last@example.com", PASSWORD).await.status_field(), "complete");
}

#[tokio::test]
async fn sessions_are_listed_and_revoked() {
    let s = start(Opts::default());
    user(&s, "ses@example.com", false, false, false).await;
    user(&s, "other@example.com", false, false, false).await;
    let mut a = Client::new(&s);
    let mut b = Client::new(&s);
    b.headers = vec![("user-agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1".into())];
    signed_in(&mut a, "ses@example.com").await;
    signed_in(&mut b, "ses@example.com").await;
    let r = a.api("sessions", &[]).await;
    let list = r.body.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{}", r.text);
    assert_eq!(list.iter().filter(|x| x["current"] == true).count(), 1);
    let phone = list.iter().find(|x| x["device"] == json!({ "browser": "safari", "os": "ios" })).expect("b's device");
    assert_eq!(phone["current"], false);
    assert!(phone["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    // Another user cannot end it, nor can a made-up id.
    let mut o = Client::new(&s);
    signed_in(&mut o, "other@example.com").await;
    let id = phone["id"].as_str().unwrap();
    assert_eq!(o.api("sessions/revoke", &[("id", id)]).await.code(), "resource_not_found");
    assert_eq!(a.api("sessions/revoke", &[("id", "nope")]).await.code(), "resource_not_found");
    assert_eq!(b.session_email().await.as_deref(), Some("ses@example.com"));
    // Revoked: b is signed out on the server.
    let r = a.api("sessions/revoke", &[("id", id)]).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(b.session_email().await, None);
    // Everywhere else.
    let mut c2 = Client::new(&s);
    let mut c3 = Client::new(&s);
    signed_in(&mut c2, "ses@example.com").await;
    signed_in(&mut c3, "ses@example.com").await;
    let r = a.api("sessions/revoke_others", &[]).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(c2.session_email().await, None);
    assert_eq!(c3.session_email().await, None);
    assert_eq!(a.session_email().await.as_deref(), Some("ses@example.com"));
    // Signed out: every account endpoint refuses; `user` answers null.
    let mut nobody = Client::new(&s);
    let paths = account_paths();
    assert_eq!(paths.len(), 19);
    for path in paths {
        let r = nobody.api(path, &[("strategy", "password"), ("password", PASSWORD), ("code", "123456")]).await;
        assert_eq!((r.status, r.code()), (401, "signed_out"), "{path}: {}", r.text);
    }
    assert_eq!(nobody.api("user", &[]).await.body, Value::Null);
}

/// "Download my data": the profile, factors, sessions and the account's
/// audit trail, never a secret. "Delete my account": after a recent
/// re-verification the account and all it holds go, the session ends,
/// and the audit row says who did it; `/v1` answers Clerk's deleted object.
#[tokio::test]
async fn a_user_downloads_their_data_and_deletes_their_account() {
    let s = start(Opts::default().with("MFA_REVERIFICATION", "2"));
    let made = user(&s, "leaving@example.com", false, true, true).await;
    let secret = made["totp_secret"].as_str().unwrap();
    let mut c = Client::new(&s);
    c.password("leaving@example.com", PASSWORD).await;
    assert_eq!(c.verify("totp", &totp_at(secret, unix())).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);

    let r = c.raw(|h, base| h.get(format!("{base}/v1/me/data"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["user"]["email"], "leaving@example.com");
    assert_eq!(r.body["user"]["factors"][0]["strategy"], "totp");
    assert_eq!(r.body["sessions"].as_array().unwrap().len(), 1);
    let events: Vec<&str> = r.body["audit"].as_array().unwrap().iter().filter_map(|a| a["event"].as_str()).collect();
    assert!(events.contains(&"sign_in.second_factor_ok"), "{events:?}");
    for secret in [secret, "$argon2id$", "code_hash"] {
        assert!(!r.text.contains(secret), "{secret} in {}", r.text);
    }

    // The re-verification window (2 s) has passed: deleting asks for it.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = c.api("user/delete", &[]).await;
    assert_eq!(r.code(), "session_reverification_required", "{}", r.text);
    let r = c.api("user/reverify", &[("strategy", "password"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = c.api("user/delete", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.session_email().await, None, "signed out");
    let mut again = Client::new(&s);
    assert_eq!(again.password("leaving@example.com", PASSWORD).await.code(), "form_password_incorrect");
    let audit = String::from_utf8(cli(&s, &["--json", "audit", "--limit", "5"]).stdout).unwrap();
    assert!(audit.contains("deleted by the user"), "{audit}");

    // Over /v1, Clerk's `user.delete()`.
    user(&s, "second@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    assert_eq!(c.password("second@example.com", PASSWORD).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    let id = c.api("session", &[]).await.body["user_id"].clone();
    let r = c.raw(|h, base| h.delete(format!("{base}/v1/me"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!((r.body["object"].as_str(), r.body["deleted"].as_bool()), (Some("user"), Some(true)), "{}", r.text);
    assert_eq!(r.body["id"], id);
    assert_eq!(c.session_email().await, None);
}

/// The codes a page shows between `<code>` tags in its backup-code list.
fn shown_codes(html: &str) -> Vec<String> {
    let Some((_, list)) = html.split_once(r#"data-testid="backup-codes""#) else { return vec![] };
    let list = list.split("</ul>").next().unwrap_or("");
    list.split("<code>").skip(1).filter_map(|c| c.split_once("</code>").map(|(code, _)| code.to_string())).collect()
}

/// Without JavaScript, new backup codes ride the redirect in the flash
/// cookie, sealed: the page after the post shows them once, only to the
/// session that made them, and is never cached.
#[tokio::test]
async fn codes_made_by_a_form_post_are_shown_once_to_their_session() {
    let s = start(Opts::default());
    let u = user(&s, "once@example.com", false, true, true).await;
    let mut c = Client::new(&s);
    c.password("once@example.com", PASSWORD).await;
    c.verify("totp", &totp_at(u["totp_secret"].as_str().unwrap(), unix())).await;
    c.api("sign_in/finalize", &[]).await;
    let r = c
        .raw(|h, b| {
            h.post(format!("{b}/api/user/backup_codes"))
                .header("accept", "text/html")
                .header("referer", format!("{b}/account/security?new_codes=1"))
        })
        .await;
    assert_eq!(r.status, 302, "{}", r.text);
    // Not back to the question: to the page.
    assert_eq!(r.headers["location"], "/account/security");
    let set = r.set_cookies().into_iter().find(|c| c.starts_with("flash=")).expect("a flash cookie");
    let flash = set.split(';').next().unwrap().strip_prefix("flash=").unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("Max-Age=60"), "{set}");

    let page = c.get("/account/security").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["cache-control"], "no-store");
    let codes = shown_codes(&page.text);
    assert_eq!(codes.len(), 10, "{}", page.text);
    for code in &codes {
        assert!(!flash.contains(code.as_str()), "sealed: no code in the cookie");
    }
    assert!(page.text.contains("New backup codes made"), "said");
    // Once: a reload shows none.
    assert!(shown_codes(&c.get("/account/security").await.text).is_empty());

    // They are the account's codes; another session replaying the cookie sees nothing.
    let mut d = Client::new(&s);
    d.password("once@example.com", PASSWORD).await;
    assert_eq!(d.verify("backup_code", &codes[0]).await.status_field(), "complete");
    d.api("sign_in/finalize", &[]).await;
    d.cookies.insert("flash".into(), flash.clone());
    let other = d.get("/account/security").await;
    assert_eq!(other.status, 200);
    assert!(shown_codes(&other.text).is_empty(), "{}", other.text);
    assert!(!other.text.contains(codes[1].as_str()));
    // Nor does the same session once signed out and in again.
    c.api("session/sign_out", &[]).await;
    c.password("once@example.com", PASSWORD).await;
    c.verify("backup_code", &codes[1]).await;
    c.api("sign_in/finalize", &[]).await;
    c.cookies.insert("flash".into(), flash);
    assert!(shown_codes(&c.get("/account/security").await.text).is_empty());
}
