//! Sign-up with email verification, client trust on new devices, test mode
//! and the settings file, over HTTP against the real server.

use crate::common::*;

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn sign_up(c: &mut Client, email: &str, password: &str) -> Resp {
    c.api("sign_up/password", &[("email_address", email), ("password", password)]).await
}

#[tokio::test]
async fn sign_up_verifies_the_email_then_signs_in() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let r = c.api("sign_up", &[]).await;
    assert_eq!((r.status, r.status_field()), (200, "abandoned"));

    let r = sign_up(&mut c, "New.User@Example.com", NEW_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.status_field(), "missing_requirements");
    assert_eq!(r.body["email_address"], "new.user@example.com");
    assert_eq!(r.body["unverified_fields"][0], "email_address");
    assert!(r.body["email_code_sent_at"].is_i64());
    assert!(c.cookies.contains_key("sign_up") && c.cookies.contains_key("client"));
    // No account before the code.
    assert_eq!(Client::new(&s).password("new.user@example.com", NEW_PASSWORD).await.code(), "form_password_incorrect");

    let code = email_code(&s, "new.user@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = c.api("sign_up/verify_email_code", &[("code", wrong)]).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_code_incorrect", "code"));
    let r = c.api("sign_up/finalize", &[]).await;
    assert_eq!(r.code(), "sign_in_invalid_state", "no session before the code");

    let r = c.api("sign_up/verify_email_code", &[("code", &code)]).await;
    assert_eq!((r.status, r.status_field()), (200, "complete"), "{}", r.text);
    let r = c.api("sign_up/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.session_email().await.as_deref(), Some("new.user@example.com"));
    // Single use: the sign-up is gone.
    assert_eq!(c.api("sign_up/finalize", &[]).await.code(), "sign_up_not_found");

    // The new account signs in with its password.
    let mut other = Client::new(&s);
    assert_eq!(other.password("new.user@example.com", NEW_PASSWORD).await.status_field(), "complete");
}

#[tokio::test]
async fn password_policy_gives_the_reason() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    let mut c = Client::new(&s);
    let cases = [
        ("short", "form_password_length_too_short"),
        ("password123", "form_password_pwned"),
        ("iloveyou", "form_password_pwned"),
        ("policy@example.com!", "form_password_not_strong_enough"),
        ("", "form_param_missing"),
    ];
    for (pw, code) in cases {
        let r = sign_up(&mut c, "policy@example.com", pw).await;
        assert_eq!((r.status, r.code(), r.param()), (422, code, "password"), "{pw:?}: {}", r.text);
        assert!(!r.body["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    let r = sign_up(&mut c, "policy@example.com", &"x".repeat(257)).await;
    assert_eq!(r.code(), "form_password_length_too_long");
    assert_eq!(r.body["errors"][0]["meta"]["max_length"], 256, "{}", r.text);
    let r = sign_up(&mut c, "not-an-email", NEW_PASSWORD).await;
    assert_eq!((r.code(), r.param()), ("form_param_format_invalid", "email_address"));
    // 256 characters are fine; 8 are enough when MFA is required (the default)...
    assert_eq!(sign_up(&mut c, "long@example.com", &"y".repeat(256)).await.status, 200);
    assert_eq!(sign_up(&mut c, "eight@example.com", "8 chars!").await.status, 200);
    // ...and 15 are needed without it.
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "false"));
    let r = sign_up(&mut Client::new(&s), "eight@example.com", "8 chars!").await;
    assert_eq!(r.code(), "form_password_length_too_short");
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("15"));
    // The bound rides the meta too, for a client that words it itself.
    assert_eq!(r.body["errors"][0]["meta"]["min_length"], 15, "{}", r.text);
}

#[tokio::test]
async fn an_existing_email_sees_the_same_step_and_nothing_changes() {
    let s = start(Opts::default());
    user(&s, "taken@example.com", false, false, false).await;
    let mut fresh = Client::new(&s);
    let mut taken = Client::new(&s);
    let a = sign_up(&mut fresh, "free@example.com", NEW_PASSWORD).await;
    let b = sign_up(&mut taken, "taken@example.com", NEW_PASSWORD).await;
    assert_eq!((a.status, b.status), (200, 200));
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        v["email_address"] = "".into();
        v["email_code_sent_at"] = 0.into();
        v["id"] = "".into();
        v
    };
    assert_eq!(strip(&a.body), strip(&b.body), "same answer for a new and an existing address");

    // The owner is told, with a link to sign in; no code is in it.
    let notice = outbox_to(&s, "taken@example.com").await.expect("a notice");
    let body = notice["body"].as_str().unwrap();
    assert!(body.contains("already have one") && body.contains("/sign-in"), "{body}");
    assert!(six_digits(body).is_none());
    // No code completes it, and the account keeps its password.
    for code in ["000000", "123456", "424242"] {
        let r = taken.api("sign_up/verify_email_code", &[("code", code)]).await;
        assert_eq!(r.code(), "form_code_incorrect");
    }
    assert_eq!(Client::new(&s).password("taken@example.com", PASSWORD).await.status_field(), "complete");
    assert_eq!(Client::new(&s).password("taken@example.com", NEW_PASSWORD).await.code(), "form_password_incorrect");
}

#[tokio::test]
async fn sign_up_codes_lock_after_five_tries_and_resends_wait() {
    let s = start(Opts::default().with("MFA_RESEND_AFTER", "3"));
    let mut c = Client::new(&s);
    sign_up(&mut c, "codes@example.com", NEW_PASSWORD).await;
    let first = email_code(&s, "codes@example.com").await;
    // The first send after the password step is answered with the code it
    // sent (as Clerk's guides expect), and sends no other.
    let r = c.api("sign_up/send_email_code", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(outbox_count(&s, "codes@example.com").await, 1);
    // Five wrong tries void the code, even for the right one after.
    let wrong = if first == "000000" { "111111" } else { "000000" };
    assert_eq!(c.api("sign_up/verify_email_code", &[("code", wrong)]).await.code(), "form_code_incorrect");
    // Once tried, a resend waits its interval.
    let r = c.api("sign_up/send_email_code", &[]).await;
    assert_eq!((r.status, r.code()), (429, "verification_code_too_many_requests"));
    for _ in 0..3 {
        assert_eq!(c.api("sign_up/verify_email_code", &[("code", wrong)]).await.code(), "form_code_incorrect");
    }
    assert_eq!(c.api("sign_up/verify_email_code", &[("code", wrong)]).await.code(), "verification_failed");
    assert_eq!(c.api("sign_up/verify_email_code", &[("code", &first)]).await.code(), "verification_failed");
    // A resend after the interval replaces it, and a code expires: clock
    // moves in crates/domain/tests/use_cases.rs (`a_resent_code_replaces_the_old_one`,
    // `a_lock_lasts_its_time_exactly_and_a_sign_up_code_expires`).
}

#[tokio::test]
async fn sign_up_without_javascript() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let form = |c: &Client, path: &str, body: &[(&str, &str)]| {
        let url = format!("{}/api/{path}", c.base);
        let body: Vec<(String, String)> = body.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |http: &reqwest::Client, _: &str| http.post(url).header("accept", "text/html").form(&body)
    };
    let r = c
        .raw(form(&c, "sign_up/password", &[("email_address", "nojs-up@example.com"), ("password", NEW_PASSWORD)]))
        .await;
    assert!(r.status == 302 || r.status == 303, "{} {}", r.status, r.text);
    let page = c.get("/sign-up").await;
    assert!(page.text.contains("Check your email"), "{}", page.text);
    let code = email_code(&s, "nojs-up@example.com").await;
    let r = c.raw(form(&c, "sign_up/verify_email_code", &[("code", &code)])).await;
    assert_eq!(r.headers.get("location").and_then(|v| v.to_str().ok()), Some("/"));
    assert_eq!(c.session_email().await.as_deref(), Some("nojs-up@example.com"));
}

// ---------- client trust ----------

fn trusting() -> Opts {
    Opts::default().with("MFA_CLIENT_TRUST", "1")
}

#[tokio::test]
async fn a_new_client_proves_itself_by_email_then_is_trusted() {
    let s = start(trusting());
    user(&s, "trust@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let r = c.password("trust@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_client_trust", "{}", r.text);
    assert_eq!(r.body["email_code"]["safe_identifier"], "t•••@example.com");
    assert!(r.body["email_code"]["sent_at"].is_i64());
    assert_eq!(c.api("sign_in/finalize", &[]).await.code(), "sign_in_invalid_state");
    // Other strategies cannot stand in for the email code.
    assert_eq!(c.verify("totp", "123456").await.code(), "strategy_for_user_invalid");
    let code = email_code(&s, "trust@example.com").await;
    let r = c.verify("email_code", &code).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    c.api("session/sign_out", &[]).await;

    // The same browser next time: password only.
    let r = c.password("trust@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    // Another browser: the email code again.
    let r = Client::new(&s).password("trust@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_client_trust");
}

#[tokio::test]
async fn client_trust_codes_resend_and_count_toward_lockout() {
    let s = start(trusting().with("MFA_LOCKOUT_THRESHOLD", "5").with("MFA_RESEND_AFTER", "1"));
    user(&s, "trust2@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    c.password("trust2@example.com", PASSWORD).await;
    let first = email_code(&s, "trust2@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "email_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second = email_code(&s, "trust2@example.com").await;
    if first != second {
        assert_eq!(c.verify("email_code", &first).await.code(), "form_code_incorrect", "the resend replaced it");
    }
    let wrong = if second == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        c.verify("email_code", wrong).await;
    }
    // Five failures in all (four here, with the replaced code's, or three):
    // the account locks, even for the right code.
    let r = c.verify("email_code", wrong).await;
    let r = if r.code() == "user_locked" { r } else { c.verify("email_code", &second).await };
    assert_eq!(r.code(), "user_locked", "{}", r.text);
}

#[tokio::test]
async fn mfa_wins_and_the_setting_turns_trust_off() {
    let s = start(trusting());
    let u = user(&s, "both@example.com", false, true, false).await;
    let mut c = Client::new(&s);
    let r = c.password("both@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor");
    assert!(outbox_to(&s, "both@example.com").await.is_none(), "no email code when MFA applies");
    assert_eq!(c.verify("email_code", "123456").await.code(), "strategy_for_user_invalid");
    let code = totp_at(u["totp_secret"].as_str().unwrap(), unix());
    assert_eq!(c.verify("totp", &code).await.status_field(), "complete");

    let s = start(Opts::default());
    user(&s, "off@example.com", false, false, false).await;
    assert_eq!(Client::new(&s).password("off@example.com", PASSWORD).await.status_field(), "complete");
}

#[tokio::test]
async fn a_new_account_trusts_the_browser_it_signed_up_in() {
    let s = start(trusting());
    let mut c = Client::new(&s);
    sign_up(&mut c, "fresh@example.com", NEW_PASSWORD).await;
    let code = email_code(&s, "fresh@example.com").await;
    c.api("sign_up/verify_email_code", &[("code", &code)]).await;
    assert_eq!(c.api("sign_up/finalize", &[]).await.status, 200);
    c.api("session/sign_out", &[]).await;
    assert_eq!(c.password("fresh@example.com", NEW_PASSWORD).await.status_field(), "complete");
    assert_eq!(Client::new(&s).password("fresh@example.com", NEW_PASSWORD).await.status_field(), "needs_client_trust");
}

// ---------- test mode ----------

#[tokio::test]
async fn test_mode_sends_nothing_and_accepts_424242() {
    let s = start(trusting().with("MFA_TEST_MODE", "1"));
    let mut c = Client::new(&s);
    let r = sign_up(&mut c, "jane+clerk_test@example.com", NEW_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(outbox_to(&s, "jane+clerk_test@example.com").await.is_none(), "no message");
    let r = c.api("sign_up/verify_email_code", &[("code", "424242")]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);

    // A reserved phone number: no SMS, 424242 works.
    let spec = serde_json::json!({ "email": "phone+t@example.com", "password": PASSWORD, "phone": "+12015550142" });
    let r = reqwest::Client::new().post(format!("{}/dev/users", s.base)).json(&spec).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let mut c = Client::new(&s);
    assert_eq!(c.password("phone+t@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await.status, 200);
    assert!(outbox_to(&s, "+12015550142").await.is_none());
    assert_eq!(c.verify("phone_code", "424242").await.status_field(), "complete");

    // Ordinary addresses still get real codes, and 424242 is not one.
    let mut c = Client::new(&s);
    sign_up(&mut c, "real@example.com", NEW_PASSWORD).await;
    let code = email_code(&s, "real@example.com").await;
    if code != "424242" {
        assert_eq!(c.api("sign_up/verify_email_code", &[("code", "424242")]).await.code(), "form_code_incorrect");
    }
}

#[tokio::test]
async fn test_mode_is_refused_outside_development() {
    let out = std::process::Command::new(BIN)
        .env("MFA_TEST_MODE", "1")
        .env("MFA_SECRET_KEY", TEST_KEY)
        .env_remove("MFA_DEV")
        .args(["--database-url", "sqlite::memory:", "outbox"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("test_mode"));
}

// ---------- settings file ----------

fn run_with_settings(text: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("mfa-settings-{}-{}", std::process::id(), text.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("settings.toml");
    std::fs::write(&path, text).unwrap();
    std::process::Command::new(BIN)
        .env("MFA_SECRET_KEY", TEST_KEY)
        .env("MFA_SETTINGS", &path)
        .env_remove("MFA_DEV")
        .args(["--database-url", "sqlite::memory:", "outbox"])
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_bad_settings_file_stops_start_up_naming_the_key() {
    for (text, key) in [
        ("[codes]\nttl = 300\nlifetime = 5\n", "lifetime"),
        ("[lockout]\nthreshold = \"ten\"\n", "lockout.threshold"),
        ("[email]\ntls = \"ssl\"\n", "email.tls"),
        ("client_trust = maybe\n", "client_trust"),
        // Yellow on white: buttons' and links' text could not be read.
        ("[branding]\naccent = \"#ffff00\"\n", "branding.accent"),
        // A template may not set the token's own claims, nor name unknown data.
        ("[session_token.claims]\nsub = \"user_x\"\n", "session_token.claims"),
        ("[session_token.claims]\nx = \"{{user.private_metadata}}\"\n", "user.private_metadata"),
    ] {
        let out = run_with_settings(text);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text:?} was accepted");
        assert!(err.contains(key), "{text:?}: {err}");
    }
    // The shipped file is valid.
    let out = run_with_settings(&std::fs::read_to_string(workspace().join("settings.toml")).unwrap());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn the_settings_file_configures_the_instance() {
    let dir = std::env::temp_dir().join(format!("mfa-settings-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("settings.toml");
    std::fs::write(&path, "client_trust = true\n[second_factors]\ntotp = false\n").unwrap();
    // The file, not the harness's default, decides client trust here.
    let mut opts = Opts::default().with("MFA_SETTINGS", path.to_str().unwrap());
    opts.env.retain(|(k, _)| *k != "MFA_CLIENT_TRUST");
    let s = start(opts);
    // TOTP is off: a user who also has a phone is offered the phone only.
    user(&s, "conf@example.com", true, true, false).await;
    let r = Client::new(&s).password("conf@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
    let offered: Vec<(&str, &str)> = r.body["supported_second_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["strategy"].as_str().unwrap(), f["safe_identifier"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(offered, [("phone_code", "+1 ••• ••• 0123")], "{}", r.text);
    // Client trust is on: a user without a second factor proves a new client.
    user(&s, "plain@example.com", false, false, false).await;
    let r = Client::new(&s).password("plain@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_client_trust", "{}", r.text);
}
