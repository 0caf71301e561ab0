//! Recovery over HTTP against the real server: forgot password, sign-in by
//! email code, unlock, password changes, the `reset-password` task and the
//! operator's commands — each with its refusals and its attacks.

use crate::common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn create(c: &mut Client, email: &str, strategy: &str) -> Resp {
    c.api("sign_in/create", &[("identifier", email), ("strategy", strategy)]).await
}

async fn first_factor(c: &mut Client, strategy: &str, code: &str) -> Resp {
    c.api("sign_in/attempt_first_factor", &[("strategy", strategy), ("code", code)]).await
}

/// Signs in with the password (and TOTP when `secret` is given), finalized.
async fn signed_in(c: &mut Client, email: &str, password: &str, secret: Option<&str>) {
    let r = c.password(email, password).await;
    assert_eq!(r.status, 200, "{}", r.text);
    if let Some(secret) = secret {
        let r = c.verify("totp", &totp_at(secret, unix())).await;
        assert_eq!(r.status_field(), "complete", "{}", r.text);
    }
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A forgot-password flow up to `needs_new_password`: answers the code used.
async fn reset_code_ok(s: &Server, c: &mut Client, email: &str, n: usize) -> String {
    let r = create(c, email, "reset_password_email_code").await;
    assert_eq!((r.status, r.status_field()), (200, "needs_first_factor"), "{}", r.text);
    let code = nth_email_code(s, email, n).await;
    let r = first_factor(c, "reset_password_email_code", &code).await;
    assert_eq!(r.status_field(), "needs_new_password", "{}", r.text);
    code
}

#[tokio::test]
async fn a_reset_with_mfa_still_asks_the_second_factor_and_ends_other_sessions() {
    let s = start(Opts::default());
    let u = user(&s, "forgot@example.com", false, true, false).await;
    let secret = u["totp_secret"].as_str().unwrap().to_string();
    let mut other = Client::new(&s);
    signed_in(&mut other, "forgot@example.com", PASSWORD, Some(&secret)).await;

    let mut c = Client::new(&s);
    let r = create(&mut c, "Forgot@Example.com", "reset_password_email_code").await;
    assert_eq!(r.status_field(), "needs_first_factor", "{}", r.text);
    assert_eq!(r.body["identifier"], "forgot@example.com");
    let firsts: Vec<&str> =
        r.body["supported_first_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
    assert_eq!(firsts, ["reset_password_email_code"], "email_code is off here");
    assert_eq!(r.body["email_code"]["strategy"], "reset_password_email_code");
    assert_eq!(r.body["email_code"]["safe_identifier"], "f•••@example.com");
    assert!(r.body["supported_second_factors"].as_array().unwrap().is_empty(), "nothing of the user shows yet");

    let code = nth_email_code(&s, "forgot@example.com", 1).await;
    let r = first_factor(&mut c, "reset_password_email_code", "000000").await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"));
    // Nothing past the code before it: no new password, no finalize, no TOTP.
    let r = c.api("sign_in/reset_password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!((r.status, r.code()), (409, "sign_in_invalid_state"), "{}", r.text);
    let r = c.verify("totp", &totp_at(&secret, unix())).await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"), "{}", r.text);
    let r = first_factor(&mut c, "reset_password_email_code", &code).await;
    assert_eq!(r.status_field(), "needs_new_password", "{}", r.text);
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.code(), "sign_in_invalid_state");

    // The sign-up policy, and not the old password.
    let r = c.api("sign_in/reset_password", &[("password", "password")]).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_password_pwned", "password"), "{}", r.text);
    let r = c.api("sign_in/reset_password", &[("password", PASSWORD)]).await;
    assert_eq!((r.status, r.code()), (422, "form_new_password_matches_current"), "{}", r.text);
    let r = c.api("sign_in/reset_password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status_field(), "needs_second_factor", "a reset never bypasses MFA: {}", r.text);
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.code(), "sign_in_invalid_state", "no session before the second factor");
    let r = c.verify("totp", &totp_at(&secret, unix() + 30)).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.session_email().await.as_deref(), Some("forgot@example.com"));

    // Other sessions ended (the default), the old password is gone, a notice went out.
    assert_eq!(other.session_email().await, None, "the other session survived the reset");
    let r = Client::new(&s).password("forgot@example.com", PASSWORD).await;
    assert_eq!(r.code(), "form_password_incorrect");
    let r = Client::new(&s).password("forgot@example.com", NEW_PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor");
    for _ in 0..100 {
        if outbox_to(&s, "forgot@example.com").await.is_some_and(|m| m["body"].as_str().unwrap().contains("password")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let notice = outbox_to(&s, "forgot@example.com").await.unwrap();
    assert!(notice["body"].as_str().unwrap().contains("a new password was set"), "{notice}");
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "100"]).stdout).unwrap();
    assert!(audit.contains("\"password.reset\"") && audit.contains("sessions_ended=1"), "{audit}");
    assert!(!audit.contains(&code), "codes never reach the audit trail");
}

#[tokio::test]
async fn a_reset_without_mfa_completes_and_may_keep_other_sessions() {
    let s = start(Opts::default());
    user(&s, "plain@example.com", false, false, false).await;
    let mut other = Client::new(&s);
    signed_in(&mut other, "plain@example.com", PASSWORD, None).await;
    let mut c = Client::new(&s);
    reset_code_ok(&s, &mut c, "plain@example.com", 1).await;
    let r =
        c.api("sign_in/reset_password", &[("password", NEW_PASSWORD), ("sign_out_of_other_sessions", "false")]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(other.session_email().await.as_deref(), Some("plain@example.com"), "kept, as asked");
}

#[tokio::test]
async fn a_reset_code_works_once_and_only_for_its_attempt() {
    let s = start(Opts::default());
    user(&s, "once@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let r = create(&mut c, "once@example.com", "reset_password_email_code").await;
    assert_eq!(r.status, 200);
    let code = nth_email_code(&s, "once@example.com", 1).await;
    let mut replay = c.fork();
    assert_eq!(first_factor(&mut c, "reset_password_email_code", &code).await.status_field(), "needs_new_password");
    let r = first_factor(&mut replay, "reset_password_email_code", &code).await;
    assert_eq!((r.status, r.code()), (409, "sign_in_invalid_state"), "{}", r.text);
    // Another attempt (another browser) cannot use it either.
    let mut other = Client::new(&s);
    create(&mut other, "once@example.com", "").await;
    let r = first_factor(&mut other, "reset_password_email_code", &code).await;
    assert_eq!((r.status, r.code()), (400, "verification_missing"), "{}", r.text);
    let r = other.api("sign_in/prepare_first_factor", &[("strategy", "reset_password_email_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = first_factor(&mut other, "reset_password_email_code", &code).await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"), "{}", r.text);
}

#[tokio::test]
async fn wrong_reset_codes_count_toward_the_lockout() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "5"));
    user(&s, "guess@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    create(&mut c, "guess@example.com", "reset_password_email_code").await;
    for _ in 0..4 {
        let r = first_factor(&mut c, "reset_password_email_code", "000000").await;
        assert_eq!(r.code(), "form_code_incorrect", "{}", r.text);
    }
    // The code's own cap is 5; a fifth wrong try also reaches the account's 5.
    let r = first_factor(&mut c, "reset_password_email_code", "000000").await;
    assert_eq!(r.code(), "verification_failed", "{}", r.text);
    let r = Client::new(&s).password("guess@example.com", PASSWORD).await;
    assert_eq!((r.status, r.code()), (403, "user_locked"), "{}", r.text);
    let left = r.body["errors"][0]["meta"]["lockout_expires_in_seconds"].as_u64().unwrap();
    assert!((3500..=3600).contains(&left), "{left}");
    assert_eq!(r.headers["retry-after"].to_str().unwrap(), left.to_string());
}

/// The body with the address and masked address taken out.
fn shape(r: &Resp, email: &str) -> String {
    let masked = format!("{}•••@", &email[..1]);
    let mut v = r.body.clone();
    // Each attempt's own id (a hash of its token): random, not telling.
    if v.get("id").is_some() {
        v["id"] = "ID".into();
    }
    v.to_string().replace(email, "EMAIL").replace(&masked, "MASKED@")
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_steps_answers_and_timing() {
    // A resend window far longer than a round: under load (the PostgreSQL
    // pass, two wrong codes hashed) a 1 s window could close before the
    // resend below, for one client and not the other.
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000").with("MFA_RESEND_AFTER", "60"));
    user(&s, "known@example.com", false, false, false).await;
    let (mut known, mut unknown) = (vec![], vec![]);
    // Nine rounds and one resend: within the hourly cap of ten emails per address.
    for i in 0..9 {
        let nobody = format!("k{i}nobody@example.com");
        let mut a = Client::new(&s);
        let mut b = Client::new(&s);
        // Each goes first in turn: the first of a round may find colder
        // connections, and that is no difference between the two.
        let (ra, rb) = if i % 2 == 0 {
            let ra = timed(&mut known, create(&mut a, "known@example.com", "reset_password_email_code")).await;
            (ra, timed(&mut unknown, create(&mut b, &nobody, "reset_password_email_code")).await)
        } else {
            let rb = timed(&mut unknown, create(&mut b, &nobody, "reset_password_email_code")).await;
            (timed(&mut known, create(&mut a, "known@example.com", "reset_password_email_code")).await, rb)
        };
        assert_eq!(ra.status, rb.status);
        // Masked alike: the first letter differs by design, so compare shapes.
        let strip = |r: &Resp, e: &str| {
            shape(r, e).replace(r#""sent_at":"#, "").chars().filter(|c| !c.is_ascii_digit()).collect::<String>()
        };
        assert_eq!(strip(&ra, "known@example.com"), strip(&rb, &nobody));
        let names =
            |r: &Resp| r.set_cookies().iter().map(|c| c.split('=').next().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(names(&ra), names(&rb));
        let wa = first_factor(&mut a, "reset_password_email_code", "000000").await;
        let wb = first_factor(&mut b, "reset_password_email_code", "000000").await;
        assert_eq!((wa.status, &wa.body), (wb.status, &wb.body));
        if i == 0 {
            let sa = a.api("sign_in/prepare_first_factor", &[("strategy", "reset_password_email_code")]).await;
            let sb = b.api("sign_in/prepare_first_factor", &[("strategy", "reset_password_email_code")]).await;
            assert_eq!((sa.status, sa.code()), (sb.status, sb.code()), "the resend interval holds alike");
        }
        assert_eq!(outbox_count(&s, &nobody).await, 0, "an unknown address is sent nothing");
    }
    let (k, u) = (median(known), median(unknown));
    let ratio = k.as_secs_f64() / u.as_secs_f64();
    eprintln!("median reset start: known {k:?}, unknown {u:?}, ratio {ratio:.2}");
    // Both are a few milliseconds, which the PostgreSQL pass's load can
    // double for one of nine rounds; what would tell an account (a hash,
    // a send before the answer) costs ten times as much.
    assert!((0.4..2.5).contains(&ratio), "known {k:?} vs unknown {u:?}");
}

/// Awaits `f`, noting how long it took in `into`.
async fn timed<T>(into: &mut Vec<Duration>, f: impl std::future::Future<Output = T>) -> T {
    let t = Instant::now();
    let out = f.await;
    into.push(t.elapsed());
    out
}

#[tokio::test]
async fn an_email_code_stands_for_the_password_only_where_enabled() {
    let off = start(Opts::default());
    user(&off, "nocode@example.com", false, false, false).await;
    let r = Client::new(&off).api("sign_in", &[]).await;
    assert_eq!(r.body["supported_first_factors"][0]["strategy"], "reset_password_email_code");
    let listed: Vec<&str> =
        r.body["supported_first_factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
    assert_eq!(listed, ["reset_password_email_code", "passkey"], "no email code, and passkeys on by default");
    let r = create(&mut Client::new(&off), "nocode@example.com", "email_code").await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"), "{}", r.text);

    let s = start(Opts::default().with("MFA_EMAIL_CODE_SIGN_IN", "1"));
    user(&s, "bycode@example.com", false, false, false).await;
    let u = user(&s, "bycode-mfa@example.com", false, true, false).await;
    let mut c = Client::new(&s);
    let r = create(&mut c, "bycode@example.com", "email_code").await;
    assert_eq!(r.body["email_code"]["strategy"], "email_code", "{}", r.text);
    let code = nth_email_code(&s, "bycode@example.com", 1).await;
    let r = first_factor(&mut c, "email_code", &code).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.session_email().await.as_deref(), Some("bycode@example.com"));

    // With a second factor, it is still asked.
    let mut m = Client::new(&s);
    create(&mut m, "bycode-mfa@example.com", "email_code").await;
    let code = nth_email_code(&s, "bycode-mfa@example.com", 1).await;
    let r = first_factor(&mut m, "email_code", &code).await;
    assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
    assert_eq!(m.api("sign_in/finalize", &[]).await.code(), "sign_in_invalid_state");
    let r = m.verify("totp", &totp_at(u["totp_secret"].as_str().unwrap(), unix())).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
}

#[tokio::test]
async fn an_unlock_lets_only_the_browser_that_proved_the_email_try_again() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "5"));
    user(&s, "locked@example.com", false, false, false).await;
    let mut attacker = Client::new(&s);
    for _ in 0..5 {
        attacker.password("locked@example.com", "guess guess guess").await;
    }
    let mut owner = Client::new(&s);
    let r = owner.password("locked@example.com", PASSWORD).await;
    assert_eq!(r.code(), "user_locked", "{}", r.text);
    // Nothing to unlock on an account that is not locked.
    user(&s, "free@example.com", false, false, false).await;
    let r = create(&mut Client::new(&s), "free@example.com", "unlock_email_code").await;
    assert_eq!((r.status, r.code()), (409, "sign_in_invalid_state"), "{}", r.text);

    let r = create(&mut owner, "locked@example.com", "unlock_email_code").await;
    assert_eq!(r.body["email_code"]["strategy"], "unlock_email_code", "{}", r.text);
    let code = nth_email_code(&s, "locked@example.com", 1).await;
    // The attacker cannot use the owner's code on their own attempt.
    create(&mut attacker, "locked@example.com", "").await;
    let r = first_factor(&mut attacker, "unlock_email_code", &code).await;
    assert_eq!(r.code(), "verification_missing", "{}", r.text);
    let r = first_factor(&mut owner, "unlock_email_code", &code).await;
    assert_eq!((r.status, r.status_field()), (200, "needs_identifier"), "{}", r.text);
    assert_eq!(r.body["identifier"], "locked@example.com");
    // The unlock is the verified first factor: the page says so.
    let v = &r.body["first_factor_verification"];
    assert_eq!(
        (v["strategy"].as_str(), v["status"].as_str()),
        (Some("unlock_email_code"), Some("verified")),
        "{}",
        r.text
    );

    // The owner's browser signs in; every other client is still locked out.
    let r = owner.password("locked@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let r = attacker.password("locked@example.com", PASSWORD).await;
    assert_eq!(r.code(), "user_locked", "the lock stays for the attacker");
    let r = Client::new(&s).password("locked@example.com", PASSWORD).await;
    assert_eq!(r.code(), "user_locked", "and for any new client");
    // The owner's own tries count on their own: five wrong lock them again.
    let mut again = Client::new(&s);
    again.cookies = owner.cookies.clone();
    for _ in 0..5 {
        again.password("locked@example.com", "wrong again wrong").await;
    }
    assert_eq!(again.password("locked@example.com", PASSWORD).await.code(), "user_locked");
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "200"]).stdout).unwrap();
    assert!(audit.contains("\"user.unlocked\""), "{audit}");
}

/// A TOTP code that is none of the three the server accepts now.
fn wrong_totp(secret: &str) -> String {
    let now = unix();
    let near = [totp_at(secret, now - 30), totp_at(secret, now), totp_at(secret, now + 30)];
    ["000000", "111111", "222222", "333333"].into_iter().find(|c| !near.iter().any(|n| n == c)).unwrap().into()
}

/// With the password and the mailbox but not the authenticator: each unlock
/// from a new browser gives that browser a lockout count of its own, but
/// not more guesses at the second factor. The account takes two lockouts'
/// worth of wrong codes per lock period, from all its clients together.
#[tokio::test]
async fn unlocks_do_not_multiply_the_second_factors_guesses() {
    const EMAIL: &str = "budget@example.com";
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "5"));
    let secret = user(&s, EMAIL, false, true, false).await["totp_secret"].as_str().unwrap().to_string();
    let (mut wrong, mut unlocks) = (0, 0);
    for round in 0..4 {
        let mut c = Client::new(&s);
        if round > 0 {
            let r = create(&mut c, EMAIL, "unlock_email_code").await;
            assert_eq!(r.status, 200, "{}", r.text);
            unlocks += 1;
            let code = nth_email_code(&s, EMAIL, unlocks).await;
            let r = first_factor(&mut c, "unlock_email_code", &code).await;
            assert_eq!(r.status_field(), "needs_identifier", "{}", r.text);
        }
        let r = c.password(EMAIL, PASSWORD).await;
        assert_eq!(r.status_field(), "needs_second_factor", "round {round}: {}", r.text);
        loop {
            let r = c.verify("totp", &wrong_totp(&secret)).await;
            match r.code() {
                "form_code_incorrect" => wrong += 1,
                "user_locked" => break,
                other => panic!("round {round}: {other}: {}", r.text),
            }
        }
    }
    assert_eq!(unlocks, 3);
    assert_eq!(wrong, 10, "wrong second-factor codes checked in one lock period, across {unlocks} unlocks");
    // The operator's unlock lifts the spent budget as well.
    run_cli(&s, &["user", "unlock", EMAIL, "--json"]);
    let mut c = Client::new(&s);
    c.password(EMAIL, PASSWORD).await;
    let r = c.verify("totp", &totp_at(&secret, unix())).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
}

/// A pending session may take its task's steps only: a `reset-password`
/// session enrols nothing (an authenticator added there would replace the
/// owner's), a `setup-mfa` one changes no password; over `/api` and `/v1`.
#[tokio::test]
async fn a_pending_session_takes_only_its_tasks_steps() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    let mut secrets = vec![];
    for email in ["pending@example.com", "pending-native@example.com"] {
        secrets.push(user(&s, email, false, true, false).await["totp_secret"].as_str().unwrap().to_string());
        run_cli(&s, &["user", "mark-compromised", email, "--json"]);
    }
    let mut c = Client::new(&s);
    signed_in(&mut c, "pending@example.com", PASSWORD, Some(&secrets[0])).await;
    assert_eq!(c.api("user", &[]).await.body["task"], "reset-password");
    let enrol: [(&str, &[(&str, &str)]); 5] = [
        ("user/totp", &[]),
        ("user/phone", &[("phone_number", "+15555550199")]),
        ("user/passkeys", &[]),
        ("user/backup_codes", &[]),
        ("user/default", &[("strategy", "totp")]),
    ];
    for (path, form) in enrol {
        let r = c.api(path, form).await;
        assert_eq!((r.status, r.code()), (401, "signed_out"), "{path}: {}", r.text);
    }
    // Its own step works.
    let r = c.api("user/password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!((r.status, &r.body["task"]), (200, &Value::Null), "{}", r.text);

    // The same over /v1, from a native client.
    let mut n = Native::new(&s);
    let r = n
        .post(
            "/client/sign_ins",
            serde_json::json!({ "identifier": "pending-native@example.com", "password": PASSWORD }),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let code = totp_at(&secrets[1], unix());
    let r = n
        .post(
            &format!("/client/sign_ins/{id}/attempt_second_factor"),
            serde_json::json!({ "strategy": "totp", "code": code }),
        )
        .await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(n.get("/me").await.body["task"], "reset-password");
    for (path, body) in [
        ("/me/totp", serde_json::json!({})),
        ("/me/phone_numbers", serde_json::json!({ "phone_number": "+15555550199" })),
        ("/me/passkeys", serde_json::json!({})),
        ("/me/backup_codes", serde_json::json!({})),
    ] {
        let r = n.post(path, body).await;
        assert_eq!((r.status, r.code()), (401, "signed_out"), "{path}: {}", r.text);
    }

    // A `setup-mfa` session enrols, but changes no password.
    user(&s, "nofactor@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    signed_in(&mut c, "nofactor@example.com", PASSWORD, None).await;
    assert_eq!(c.api("user", &[]).await.body["task"], "setup-mfa");
    let r = c.api("user/password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!((r.status, r.code()), (401, "signed_out"), "{}", r.text);
    assert_eq!(c.api("user/totp", &[]).await.status, 200);
}

#[tokio::test]
async fn a_password_change_needs_reverification_and_ends_other_sessions() {
    let s = start(Opts::default().with("MFA_REVERIFICATION", "3"));
    user(&s, "change@example.com", false, false, false).await;
    let (mut c, mut other) = (Client::new(&s), Client::new(&s));
    signed_in(&mut c, "change@example.com", PASSWORD, None).await;
    signed_in(&mut other, "change@example.com", PASSWORD, None).await;
    let r = c.api("user/password", &[("password", "short")]).await;
    assert_eq!((r.status, r.code()), (422, "form_password_length_too_short"), "{}", r.text);
    let r = c.api("user/password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.session_email().await.as_deref(), Some("change@example.com"), "this session stays");
    assert_eq!(other.session_email().await, None, "the other ended");
    assert_eq!(Client::new(&s).password("change@example.com", PASSWORD).await.code(), "form_password_incorrect");

    // Past the window: the change, and ending a session, need a re-verification.
    let mut third = Client::new(&s);
    signed_in(&mut third, "change@example.com", NEW_PASSWORD, None).await;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let r = c.api("user/password", &[("password", "yet another passphrase")]).await;
    assert_eq!((r.status, r.code()), (403, "session_reverification_required"), "{}", r.text);
    let list = c.api("sessions", &[]).await;
    let id = list.body.as_array().unwrap().iter().find(|x| x["current"] == false).unwrap()["id"].clone();
    let r = c.api("sessions/revoke", &[("id", id.as_str().unwrap())]).await;
    assert_eq!((r.status, r.code()), (403, "session_reverification_required"), "{}", r.text);
    let r = c.api("sessions/revoke_others", &[]).await;
    assert_eq!(r.code(), "session_reverification_required");
    let r = c.api("user/reverify", &[("strategy", "password"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.api("sessions/revoke", &[("id", id.as_str().unwrap())]).await.status, 200);
    assert_eq!(third.session_email().await, None);
}

#[tokio::test]
async fn a_compromised_password_gets_the_reset_password_task() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    let u = user(&s, "pwned@example.com", false, true, false).await;
    let secret = u["totp_secret"].as_str().unwrap().to_string();
    let out = cli(&s, &["user", "mark-compromised", "pwned@example.com", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut c = Client::new(&s);
    c.password("pwned@example.com", PASSWORD).await;
    c.verify("totp", &totp_at(&secret, unix())).await;
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.body["current_task"], "reset-password", "{}", r.text);
    assert_eq!(r.body["redirect_url"], "/tasks/reset-password");
    assert_eq!(c.session_email().await, None, "pending: signed out everywhere but its task");
    assert_eq!(c.api("sessions", &[]).await.code(), "signed_out");
    let r = c.api("user", &[]).await;
    assert_eq!(r.body["task"], "reset-password");
    let r = c.api("user/password", &[("password", PASSWORD)]).await;
    assert_eq!(r.code(), "form_new_password_matches_current", "{}", r.text);
    let r = c.api("user/password", &[("password", NEW_PASSWORD)]).await;
    assert_eq!((r.status, &r.body["task"]), (200, &Value::Null), "{}", r.text);
    assert_eq!(c.session_email().await.as_deref(), Some("pwned@example.com"));
    let show: Value =
        serde_json::from_slice(&cli(&s, &["user", "show", "pwned@example.com", "--json"]).stdout).unwrap();
    assert_eq!(show["password_compromised"], false);
}

fn run_cli(s: &Server, args: &[&str]) -> Value {
    let out = cli(s, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[tokio::test]
async fn the_operators_commands_work_and_are_audited() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1").with("MFA_LOCKOUT_THRESHOLD", "5"));
    let u = user(&s, "op@example.com", true, true, true).await;
    let secret = u["totp_secret"].as_str().unwrap().to_string();
    let list = run_cli(&s, &["user", "list", "--json"]);
    let me = list.as_array().unwrap().iter().find(|x| x["email"] == "op@example.com").unwrap();
    assert_eq!(me["factors"], serde_json::json!(["totp", "phone_code"]));
    assert!(!list.to_string().contains("argon2"), "no secrets listed");

    // Unlock: a locked account signs in again, from anywhere.
    for _ in 0..5 {
        Client::new(&s).password("op@example.com", "not the password at all").await;
    }
    assert!(run_cli(&s, &["user", "show", "op@example.com", "--json"])["locked_until"].is_number());
    run_cli(&s, &["user", "unlock", "op@example.com", "--json"]);
    let mut c = Client::new(&s);
    assert_eq!(c.password("op@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    c.verify("totp", &totp_at(&secret, unix())).await;
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);

    // Sign-out ends the session.
    assert_eq!(run_cli(&s, &["user", "sign-out", "op@example.com", "--json"])["sessions_ended"], 1);
    assert_eq!(c.session_email().await, None);

    // Lock: the right password is refused until an unlock.
    assert!(run_cli(&s, &["user", "lock", "op@example.com", "--minutes", "5", "--json"])["locked_until"].is_number());
    assert_eq!(Client::new(&s).password("op@example.com", PASSWORD).await.code(), "user_locked");
    run_cli(&s, &["user", "unlock", "op@example.com", "--json"]);
    assert_eq!(Client::new(&s).password("op@example.com", PASSWORD).await.status_field(), "needs_second_factor");

    // Set-password applies the policy, then works.
    let out = cli(&s, &["user", "set-password", "op@example.com", "--password", "password"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("breached"), "{}", String::from_utf8_lossy(&out.stderr));
    run_cli(&s, &["user", "set-password", "op@example.com", "--password", NEW_PASSWORD, "--json"]);
    assert_eq!(Client::new(&s).password("op@example.com", PASSWORD).await.code(), "form_password_incorrect");

    // Reset-MFA: no factors left; the next sign-in gets `setup-mfa`.
    run_cli(&s, &["user", "reset-mfa", "op@example.com", "--json"]);
    let show = run_cli(&s, &["user", "show", "op@example.com", "--json"]);
    assert_eq!((show["factors"].as_array().unwrap().len(), &show["backup_codes_left"]), (0, &serde_json::json!(0)));
    let mut c = Client::new(&s);
    assert_eq!(c.password("op@example.com", NEW_PASSWORD).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.body["current_task"], "setup-mfa");

    // Delete: gone, and the trail of all of it stays.
    run_cli(&s, &["user", "delete", "op@example.com", "--json"]);
    assert_eq!(c.api("user", &[]).await.body, Value::Null, "the pending session went with the user");
    assert_eq!(Client::new(&s).password("op@example.com", NEW_PASSWORD).await.code(), "form_password_incorrect");
    assert!(!cli(&s, &["user", "show", "op@example.com"]).status.success());
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "200"]).stdout).unwrap();
    for e in ["admin unlock", "admin sign-out", "admin set-password", "admin reset-mfa", "admin delete"] {
        assert!(audit.contains(e), "{e} not audited: {audit}");
    }
}

#[tokio::test]
async fn the_forms_work_without_javascript() {
    let s = start(Opts::default());
    user(&s, "nojs@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let form = |c: &Client, path: &str, body: &[(&str, &str)]| {
        let (base, body) =
            (c.base.clone(), body.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>());
        let path = path.to_string();
        move |http: &reqwest::Client, _: &str| {
            http.post(format!("{base}/api/{path}"))
                .header("accept", "text/html")
                .header("referer", format!("{base}/sign-in/forgot-password"))
                .form(&body)
        }
    };
    let f =
        form(&c, "sign_in/create", &[("identifier", "nojs@example.com"), ("strategy", "reset_password_email_code")]);
    let r = c.raw(f).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (302, "/sign-in"), "{}", r.text);
    let page = c.get("/sign-in").await;
    assert!(page.text.contains("Reset your password") && page.text.contains("n•••@example.com"), "{}", page.text);
    let code = nth_email_code(&s, "nojs@example.com", 1).await;
    let f = form(&c, "sign_in/attempt_first_factor", &[("strategy", "reset_password_email_code"), ("code", &code)]);
    assert_eq!(c.raw(f).await.status, 302);
    assert!(c.get("/sign-in").await.text.contains("Choose a new password"));
    // An unticked "sign out of other sessions" box sends nothing: keep them.
    let f = form(&c, "sign_in/reset_password", &[("password", NEW_PASSWORD)]);
    let r = c.raw(f).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (302, "/"), "finalized: {}", r.text);
    assert_eq!(c.session_email().await.as_deref(), Some("nojs@example.com"));
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "100"]).stdout).unwrap();
    assert!(audit.contains("sessions_ended=0"), "{audit}");
}

#[tokio::test]
async fn emailed_codes_are_capped_per_address_known_or_not() {
    let s = start(Opts::default());
    user(&s, "bomb@example.com", false, false, false).await;
    for email in ["bomb@example.com", "nobody-bomb@example.com"] {
        for i in 0..10 {
            let r = create(&mut Client::new(&s), email, "reset_password_email_code").await;
            assert_eq!(r.status, 200, "{email} #{i}: {}", r.text);
        }
        let r = create(&mut Client::new(&s), email, "reset_password_email_code").await;
        assert_eq!((r.status, r.code()), (429, "too_many_requests"), "{email}: {}", r.text);
    }
}
