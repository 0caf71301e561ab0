//! The sign-in flow over HTTP against the real server on SQLite.

use crate::common::*;

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let s = start(Opts::default());
    user(&s, "ann@example.com", false, true, false).await;
    let mut c = Client::new(&s);

    let wrong = c.password("ann@example.com", "not the password").await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_eq!(wrong.code(), "form_password_incorrect");
    assert_eq!(wrong.param(), "password");

    let unknown = c.password("nobody@example.com", "not the password").await;
    assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
    assert!(c.cookies.is_empty(), "no attempt is created by a failure");

    // Case and spaces in the email do not matter.
    let ok = c.password("  ANN@Example.com ", PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.status_field(), "needs_second_factor");
    assert_eq!(ok.body["identifier"], "ann@example.com");
}

#[tokio::test]
async fn field_errors_for_missing_and_malformed_input() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let r = c.password("", "x").await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "identifier"));
    let r = c.password("not-an-email", "x").await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_format_invalid", "identifier"));
    let r = c.password("a@b.c", "").await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "password"));
    // Fields absent altogether are the same as empty.
    let r = c.api("sign_in/password", &[]).await;
    assert_eq!((r.status, r.code()), (422, "form_param_missing"));
    // A body the decoder cannot read: 400, never 500.
    let r = c
        .raw(|h, b| {
            h.post(format!("{b}/api/sign_in/password"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body("identifier=%ZZ&&&password[=")
        })
        .await;
    assert!(r.status == 400 || r.status == 422, "{} {}", r.status, r.text);
    // Unknown strategy.
    let r = c.verify("carrier_pigeon", "123456").await;
    assert_eq!((r.status, r.code()), (422, "form_param_missing"));
    // Oversized body.
    let big = "x".repeat(64 * 1024);
    let r = c.api("sign_in/password", &[("identifier", "a@b.c"), ("password", &big)]).await;
    assert_eq!((r.status, r.code()), (413, "request_too_large"));
}

#[tokio::test]
async fn sms_code_wrong_resent_and_right() {
    // 3 s: "too soon" must hold across two requests on a slow machine.
    let s = start(Opts::default().with("MFA_RESEND_AFTER", "3"));
    user(&s, "sam@example.com", true, false, false).await;
    let mut c = Client::new(&s);
    let r = c.password("sam@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor");
    assert_eq!(r.body["supported_second_factors"][0]["strategy"], "phone_code");
    assert_eq!(r.body["supported_second_factors"][0]["safe_identifier"], "+1 ••• ••• 0123");

    // Verifying before any code was sent.
    let r = c.verify("phone_code", "123456").await;
    assert_eq!((r.status, r.code()), (400, "verification_missing"));

    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["phone_code_sent_at"].is_i64());
    let first = last_sms_code(&s).await;
    assert_eq!(first.len(), 6);
    // Its last line binds it to this site (WebOTP, phones' code autofill).
    let sms = outbox_to(&s, "+15555550123").await.unwrap();
    assert_eq!(sms["body"].as_str().unwrap().lines().last(), Some(format!("@127.0.0.1 #{first}").as_str()));

    // Resend too soon: 429 with Retry-After.
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!((r.status, r.code()), (429, "verification_code_too_many_requests"));
    assert!(r.headers.get("retry-after").is_some());

    let wrong = if first == "000000" { "111111" } else { "000000" };
    let r = c.verify("phone_code", wrong).await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_code_incorrect", "code"));

    // A resend after the interval replaces the code: a clock move in
    // crates/domain/tests/use_cases.rs (`a_resent_code_replaces_the_old_one`).
    let r = c.verify("phone_code", &first).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.status_field(), "complete");

    // Single use: the attempt is complete, the code cannot be used again.
    let r = c.verify("phone_code", &first).await;
    assert_eq!((r.status, r.code()), (409, "sign_in_invalid_state"));

    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.session_email().await.as_deref(), Some("sam@example.com"));
}

// The code's expiry over time: `an_sms_code_waits_its_resend_interval_and_dies_at_its_ttl`
// in crates/domain/tests/use_cases.rs, on a fixed clock.

#[tokio::test]
async fn sms_code_dies_after_five_wrong_tries() {
    let s = start(Opts::default());
    user(&s, "five@example.com", true, false, false).await;
    let mut c = Client::new(&s);
    c.password("five@example.com", PASSWORD).await;
    c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    let code = last_sms_code(&s).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut codes = vec![];
    for _ in 0..5 {
        codes.push(c.verify("phone_code", wrong).await.code().to_string());
    }
    assert_eq!(codes[..4], ["form_code_incorrect"; 4]);
    assert_eq!(codes[4], "verification_failed");
    let r = c.verify("phone_code", &code).await;
    assert_eq!((r.status, r.code()), (400, "verification_failed"), "the right code is void too");
}

#[tokio::test]
async fn totp_right_wrong_and_replayed() {
    let s = start(Opts::default());
    let u = user(&s, "tia@example.com", false, true, false).await;
    let secret = u["totp_secret"].as_str().unwrap().to_string();
    let mut c = Client::new(&s);
    let r = c.password("tia@example.com", PASSWORD).await;
    assert_eq!(r.body["supported_second_factors"][0]["strategy"], "totp");

    let now = unix();
    let right = totp_at(&secret, now);
    let wrong = totp_at(&secret, now + 600);
    let r = c.verify("totp", &wrong).await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"));
    let r = c.verify("totp", "abc").await;
    assert_eq!(r.code(), "form_code_incorrect");
    let r = c.verify("totp", &right).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    c.api("sign_in/finalize", &[]).await;
    c.api("session/sign_out", &[]).await;

    // The same code in a new sign-in (same 30 s step): a replay.
    let mut c2 = Client::new(&s);
    c2.password("tia@example.com", PASSWORD).await;
    let r = c2.verify("totp", &right).await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"), "replayed TOTP accepted");
    // The code of an earlier step is refused too, even if within drift.
    let r = c2.verify("totp", &totp_at(&secret, now - 30)).await;
    assert_eq!(r.code(), "form_code_incorrect");
}

#[tokio::test]
async fn backup_codes_single_use_and_only_with_another_factor() {
    let s = start(Opts::default());
    let u = user(&s, "bo@example.com", false, true, true).await;
    let codes: Vec<String> =
        u["backup_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert!(codes.len() >= 10);

    let mut c = Client::new(&s);
    let r = c.password("bo@example.com", PASSWORD).await;
    let strategies: Vec<&str> = r.body["supported_second_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(strategies, ["totp", "backup_code"]);
    let r = c.verify("backup_code", "aaaa-bbbb-cccc").await;
    assert_eq!(r.code(), "form_code_incorrect");
    // Typed in upper case without dashes: still the code.
    let typed = codes[0].to_uppercase().replace('-', "");
    let r = c.verify("backup_code", &typed).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    c.api("sign_in/finalize", &[]).await;
    c.api("session/sign_out", &[]).await;

    let mut c = Client::new(&s);
    c.password("bo@example.com", PASSWORD).await;
    let r = c.verify("backup_code", &codes[0]).await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"), "reused backup code accepted");
    // The form sends a backup code in its own field, beside an empty code.
    let r = c
        .api("sign_in/attempt_second_factor", &[("strategy", "backup_code"), ("code", ""), ("backup_code", &codes[1])])
        .await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);

    // Backup codes alone are not a second factor.
    user(&s, "only@example.com", false, false, true).await;
    let mut c = Client::new(&s);
    let r = c.password("only@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "complete");
    let r = c.verify("backup_code", &codes[2]).await;
    assert_eq!((r.status, r.code()), (400, "backup_codes_not_available"));
}

#[tokio::test]
async fn finalize_once_then_sign_out_ends_the_session_on_the_server() {
    let s = start(Opts::default());
    user(&s, "fin@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    assert_eq!(c.session_email().await, None);
    let r = c.password("fin@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "complete");
    let attempt_cookie = c.cookies.get("sign_in").cloned().unwrap();

    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["redirect_url"], "/");
    assert!(!c.cookies.contains_key("sign_in"), "attempt cookie cleared");
    let session = c.cookies.get("session").cloned().unwrap();
    assert!(session.len() >= 32, "session token of at least 128 bits");
    assert_eq!(c.session_email().await.as_deref(), Some("fin@example.com"));

    // The finished attempt cannot be replayed.
    let mut replay = Client::new(&s);
    replay.cookies.insert("sign_in".into(), attempt_cookie);
    let r = replay.api("sign_in/finalize", &[]).await;
    assert_eq!((r.status, r.code()), (404, "sign_in_not_found"));

    // Signing in again while signed in.
    let r = c.password("fin@example.com", PASSWORD).await;
    assert_eq!((r.status, r.code()), (400, "session_exists"));

    let r = c.api("session/sign_out", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.session_email().await, None);
    // The old token is dead on the server, not just forgotten by the client.
    let mut stolen = Client::new(&s);
    stolen.cookies.insert("session".into(), session);
    assert_eq!(stolen.session_email().await, None);

    // A new sign-in gets a new session token.
    c.password("fin@example.com", PASSWORD).await;
    c.api("sign_in/finalize", &[]).await;
    assert_ne!(c.cookies.get("session"), stolen.cookies.get("session"));
}

#[tokio::test]
async fn steps_out_of_order_are_refused() {
    let s = start(Opts::default());
    let u = user(&s, "ord@example.com", false, true, false).await;
    let mut c = Client::new(&s);
    // Nothing started.
    let r = c.verify("totp", "123456").await;
    assert_eq!((r.status, r.code()), (404, "sign_in_not_found"));
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!((r.status, r.code()), (404, "sign_in_not_found"));

    c.password("ord@example.com", PASSWORD).await;
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!((r.status, r.code()), (409, "sign_in_invalid_state"), "finalize before MFA");
    let r = c.api("session", &[]).await;
    assert!(r.body.is_null(), "no session before MFA: {}", r.text);
    // A strategy the user does not have.
    let r = c.verify("phone_code", "123456").await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"));
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"));
    // A second password step on the same attempt starts over.
    let r = c.password("ord@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor");
    let secret = u["totp_secret"].as_str().unwrap();
    let r = c.verify("totp", &totp_at(secret, unix())).await;
    assert_eq!(r.status_field(), "complete");

    // Reset abandons the attempt.
    let r = c.api("sign_in/reset", &[]).await;
    assert_eq!(r.status_field(), "needs_identifier");
    let r = c.api("sign_in/finalize", &[]).await;
    assert_eq!(r.code(), "sign_in_not_found");
}

#[tokio::test]
async fn reload_mid_flow_stays_on_the_verify_step() {
    let s = start(Opts::default());
    user(&s, "rel@example.com", false, true, false).await;
    let mut c = Client::new(&s);
    let page = c.get("/sign-in").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<h1>Sign in to My App</h1>"), "{}", page.text);

    c.password("rel@example.com", PASSWORD).await;
    let r = c.api("sign_in", &[]).await;
    assert_eq!(r.status_field(), "needs_second_factor");
    let page = c.get("/sign-in").await;
    assert!(page.text.contains("Verify your account"), "server-rendered verify step");
    assert!(page.text.contains("autocomplete=\"one-time-code\""));
    assert!(page.text.contains("inputmode=\"numeric\""));

    // Home redirects to sign-in while signed out.
    let home = c.get("/").await;
    assert!(home.status == 302 || home.status == 303 || home.status == 307, "{}", home.status);
}

#[tokio::test]
async fn plain_form_posts_work_without_javascript() {
    let s = start(Opts::default());
    user(&s, "nojs@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let referer = format!("{}/sign-in", s.base);
    let form = |pw: &'static str, referer: String| {
        move |h: &reqwest::Client, b: &str| {
            h.post(format!("{b}/api/sign_in/password"))
                .header("accept", "text/html,application/xhtml+xml")
                .header("referer", referer)
                .form(&[("identifier", "nojs@example.com"), ("password", pw)])
        }
    };
    // Posted from a page whose URL still carries an earlier post's error.
    let stale = format!("{referer}?__path=%2Fapi%2Fsign_in%2Fpassword&__err=stale");
    let r = c.raw(form("wrong password", stale)).await;
    assert_eq!(r.status, 302, "{}", r.text);
    // One error state per post: it rides in a cookie, the URL stays clean.
    assert_eq!(r.headers["location"].to_str().unwrap(), referer);
    assert!(r.set_cookies().iter().any(|c| c.starts_with("flash=") && c.contains("HttpOnly")), "{:?}", r.set_cookies());
    // The page the browser lands on shows the error under the password
    // field, with the email typed, once.
    let page = c.get("/sign-in").await;
    assert!(page.text.contains("Email address or password is incorrect."), "{}", page.text);
    assert!(page.text.contains(r#"value="nojs@example.com""#), "{}", page.text);
    assert!(!page.text.contains("stale"));
    assert!(page.set_cookies().iter().any(|c| c.starts_with("flash=;") && c.contains("Max-Age=0")));
    let reload = c.get("/sign-in").await;
    assert!(!reload.text.contains("is incorrect"), "the error is gone on reload");
    assert!(!reload.text.contains(r#"value="nojs@example.com""#));

    let r = c.raw(form(PASSWORD, referer.clone())).await;
    assert_eq!(r.status, 302);
    assert_eq!(r.headers["location"], "/", "finalized on the server, sent home");
    assert_eq!(c.session_email().await.as_deref(), Some("nojs@example.com"));
    let home = c.get("/").await;
    assert!(home.text.contains("nojs@example.com"), "{}", home.text);
}

/// The `<input …>` tag of `html` that contains `needle`.
fn input_tag<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html.find(needle).unwrap_or_else(|| panic!("no {needle} in {html}"));
    let start = html[..at].rfind("<input").unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[tokio::test]
async fn an_empty_form_gets_every_field_error_and_a_failed_post_keeps_its_method() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let r = c.password("", "").await;
    assert_eq!((r.status, r.codes()), (422, vec!["form_param_missing"; 2]), "{}", r.text);
    let fields: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().filter_map(|e| e["meta"]["param_name"].as_str()).collect();
    assert_eq!(fields, ["identifier", "password"]);
    let r = c.api("sign_up/password", &[("email_address", " "), ("password", "")]).await;
    assert_eq!(r.codes(), vec!["form_param_missing"; 2], "{}", r.text);
    let r = c.password("someone@example.com", "").await;
    assert_eq!(r.codes(), vec!["form_param_missing"], "a filled field gets no error");
    // `/v1` too, as Clerk's SDKs send it (a form) and as JSON.
    let mut n = Native::new(&s);
    let r = n.http_form("/client/sign_ins", &[("identifier", ""), ("password", "")]).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().filter_map(|e| e["meta"]["param_name"].as_str()).collect();
    assert_eq!((r.status, r.codes(), fields), (422, vec!["form_param_missing"; 2], vec!["identifier", "password"]));
    let r = n.post("/client/sign_ups", serde_json::json!({ "email_address": "", "password": "" })).await;
    let fields: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().filter_map(|e| e["meta"]["param_name"].as_str()).collect();
    assert_eq!((r.status, fields), (422, vec!["email_address", "password"]), "{}", r.text);
    let r = n.post("/client/sign_ins", serde_json::json!({ "identifier": "a@example.com", "password": "" })).await;
    assert_eq!((r.codes(), r.param()), (vec!["form_param_missing"], "password"), "{}", r.text);

    // Without JavaScript, a wrong backup code comes back with the backup
    // code still chosen, its field shown by the stylesheet.
    user(&s, "keep@example.com", false, true, true).await;
    let mut c = Client::new(&s);
    c.password("keep@example.com", PASSWORD).await;
    let referer = format!("{}/sign-in", s.base);
    let r = c
        .raw(|h, b| {
            h.post(format!("{b}/api/sign_in/attempt_second_factor"))
                .header("accept", "text/html")
                .header("referer", referer)
                .form(&[("strategy", "backup_code"), ("code", ""), ("backup_code", "aaaa-bbbb")])
        })
        .await;
    assert_eq!(r.status, 302, "{}", r.text);
    let page = c.get("/sign-in").await;
    assert!(page.text.contains("Incorrect code."), "{}", page.text);
    assert!(input_tag(&page.text, r#"value="backup_code""#).contains("checked"), "{}", page.text);
    assert!(!input_tag(&page.text, r#"value="totp""#).contains("checked"));
    let reload = c.get("/sign-in").await;
    assert!(input_tag(&reload.text, r#"value="totp""#).contains("checked"), "the default again on reload");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let s = start(Opts::default());
    user(&s, "x@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    c.headers = vec![("origin", "https://evil.example".into())];
    let r = c.password("x@example.com", PASSWORD).await;
    assert_eq!((r.status, r.code()), (403, "origin_invalid"));
    c.headers = vec![("sec-fetch-site", "cross-site".into())];
    let r = c.password("x@example.com", PASSWORD).await;
    assert_eq!(r.status, 403);
    assert!(c.cookies.is_empty());
    // Every endpoint, sign-up included.
    for path in API_PATHS {
        let r = c.api(path, &[("email_address", "x2@example.com"), ("password", "a brand new passphrase")]).await;
        assert_eq!((r.status, r.code()), (403, "origin_invalid"), "{path}");
    }
    assert!(c.cookies.is_empty());
    let host = s.base.trim_start_matches("http://").to_string();
    c.headers = vec![("origin", s.base.clone()), ("sec-fetch-site", "same-origin".into()), ("host", host)];
    let r = c.password("x@example.com", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn production_cookies_are_host_prefixed_and_dev_pages_absent() {
    let s = start(Opts { dev: false, ..Opts::default() });
    // No /dev/users in production: create the user with the admin CLI.
    let out = cli(
        &s,
        &["user", "create", "--email", "p@example.com", "--password", PASSWORD, "--totp", "--backup-codes", "--json"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["backup_codes"].as_array().unwrap().len(), 10);
    assert!(created["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"));

    let mut c = Client::new(&s);
    let r = c.password("p@example.com", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let set = r.set_cookies();
    let attempt = set.iter().find(|c| c.starts_with("__Host-sign_in=")).expect("__Host- cookie");
    for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(attempt.contains(attr), "{attempt} lacks {attr}");
    }
    assert!(!attempt.contains("Domain="));
    let r =
        c.api("sign_up/password", &[("email_address", "p2@example.com"), ("password", "a brand new passphrase")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let both = [set.clone(), r.set_cookies()].concat();
    for name in ["__Host-sign_up=", "__Host-client="] {
        let cookie = both.iter().find(|c| c.starts_with(name)).unwrap_or_else(|| panic!("{name} in {both:?}"));
        for attr in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
            assert!(cookie.contains(attr), "{cookie} lacks {attr}");
        }
    }
    let r = c.get("/dev/outbox").await;
    assert_eq!(r.status, 404);
    let r = c.raw(|h, b| h.post(format!("{b}/dev/users")).json(&serde_json::json!({}))).await;
    assert!(r.status == 404 || r.status == 405, "{}", r.status);
}

#[tokio::test]
async fn outbox_is_readable_from_the_cli_and_the_dev_page() {
    let s = start(Opts::default());
    user(&s, "ob@example.com", true, false, false).await;
    let mut c = Client::new(&s);
    c.password("ob@example.com", PASSWORD).await;
    c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    let code = last_sms_code(&s).await;
    let page = c.get("/dev/outbox").await;
    assert!(page.text.contains(&code) && page.text.contains("+15555550123"));
    let out = cli(&s, &["outbox"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&code), "{text}");
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_with_a_fresh_nonce() {
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let mut nonces = vec![];
    for path in ["/sign-in", "/sign-up", "/no-such-page"] {
        let page = c.get(path).await;
        let csp = page.headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
        let csp = csp.unwrap_or_else(|| panic!("{path}: no CSP"));
        for want in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(csp.contains(want), "{path}: {want} missing from {csp}");
        }
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{path}: {csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_string();
        assert!(nonce.len() >= 22, "{nonce}");
        // Every script on the page carries it.
        let scripts = page.text.matches("<script").count();
        assert!(scripts > 0, "{path}: no scripts");
        assert_eq!(page.text.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}: {}", page.text);
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per response");
    // API answers carry the policy too.
    let r = c.api("sign_in", &[]).await;
    assert!(r.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

/// "444 579" as authenticator apps show it, `444-579`, full-width digits.
fn spaced(code: &str) -> String {
    format!("{} {}", &code[..3], &code[3..])
}

#[tokio::test]
async fn codes_typed_with_spaces_dashes_or_full_width_digits_are_accepted() {
    let s = start(Opts::default());
    // TOTP at sign-in, grouped as the app shows it.
    let u = user(&s, "spaced@example.com", true, true, true).await;
    let mut c = Client::new(&s);
    c.password("spaced@example.com", PASSWORD).await;
    let r = c.verify("totp", &spaced(&totp_at(u["totp_secret"].as_str().unwrap(), unix()))).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    // The SMS code with a dash.
    let mut c = Client::new(&s);
    c.password("spaced@example.com", PASSWORD).await;
    c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    let code = last_sms_code(&s).await;
    let r = c.verify("phone_code", &format!("{}-{}", &code[..3], &code[3..])).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    // A backup code in capitals with spaces for its dashes.
    let backup = u["backup_codes"][0].as_str().unwrap().replace('-', " ").to_uppercase();
    let mut c = Client::new(&s);
    c.password("spaced@example.com", PASSWORD).await;
    assert_eq!(c.verify("backup_code", &backup).await.status_field(), "complete");
    // The sign-up's email code in full-width digits (an East Asian keyboard).
    let mut c = Client::new(&s);
    c.api("sign_up/password", &[("email_address", "wide@example.com"), ("password", PASSWORD)]).await;
    let code = email_code(&s, "wide@example.com").await;
    let wide: String = code.chars().map(|d| char::from_u32('０' as u32 + d.to_digit(10).unwrap()).unwrap()).collect();
    let r = c.api("sign_up/verify_email_code", &[("code", &wide)]).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    // Enrolment: the new app's first code, grouped.
    c.api("sign_up/finalize", &[]).await;
    let setup = c.api("user/totp", &[]).await;
    let secret = setup.body["secret"].as_str().unwrap().to_string();
    let r = c.api("user/totp/verify", &[("code", &spaced(&totp_at(&secret, unix())))]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Nothing but grouping: the field is empty, not a wrong try.
    let mut c = Client::new(&s);
    c.password("spaced@example.com", PASSWORD).await;
    let r = c.verify("totp", " - ").await;
    assert_eq!((r.status, r.code(), r.param()), (422, "form_param_missing", "code"));
}

#[tokio::test]
async fn the_404_page_has_a_title() {
    let s = start(Opts::default());
    let r = Client::new(&s).get("/no/such/page").await;
    assert_eq!(r.status, 404);
    let title = r.text.split("<title>").nth(1).and_then(|t| t.split("</title>").next());
    assert!(title.is_some_and(|t| t.contains("Page not found")), "{}", &r.text[..r.text.len().min(600)]);
}

/// The suite's list of endpoints is the app's: the server functions the app
/// registers are exactly `API_PATHS`, so the fuzzing, origin and signed-out
/// checks that walk the list miss none.
#[test]
fn the_path_list_is_the_registered_server_functions() {
    // Naming the app links it, and with it its server functions.
    let _ = app::shell;
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.strip_prefix("/api/").unwrap_or(path).to_string())
        .collect();
    registered.sort();
    let mut listed: Vec<String> = API_PATHS.iter().map(|p| p.to_string()).collect();
    listed.sort();
    assert_eq!(registered, listed);
}
