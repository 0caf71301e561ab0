//! The `/v1` API as native clients and other web origins use it: the
//! client token in `Authorization` (rotated in every answer), the whole MFA
//! sign-in, sign-up and client trust over it, refusals without the token,
//! the Origin + Authorization conflict, CORS, device names.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

const EMAIL: &str = "native@example.com";

/// The id Clerk's user gives its email address (`user_x` → `idn_email_x`).
fn proto_email_id(user_id: &str) -> String {
    format!("idn_email_{}", user_id.trim_start_matches("user_"))
}

/// The password step of the seed's native listings.
async fn password(n: &mut Native, email: &str) -> Resp {
    n.post("/client/sign_ins", json!({ "identifier": email, "password": PASSWORD })).await
}

#[tokio::test]
async fn the_seeds_native_sign_in_runs_over_a_client_token() {
    let s = start(Opts::default());
    user(&s, EMAIL, true, false, false).await;
    let mut n = Native::new(&s);
    let r = password(&mut n, EMAIL).await;
    assert_eq!((r.status, r.status_field()), (200, "needs_second_factor"), "{}", r.text);
    assert_eq!(r.body["object"], "sign_in_attempt");
    let id = r.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sia_"), "{id}");
    assert_eq!(r.body["supported_second_factors"][0]["strategy"], "phone_code");
    // The phone's id, as Clerk's SDKs pass it back to prepare_second_factor.
    let phone_id = r.body["supported_second_factors"][0]["phone_number_id"].as_str().unwrap_or("");
    assert!(phone_id.starts_with("idn_phone_"), "{}", r.text);
    assert_eq!(r.body["supported_second_factors"][0]["primary"], true);
    // How each factor stands: the password verified the first, nothing the second yet.
    let verification = |r: &Resp, which: &str| (r.body[which]["status"].clone(), r.body[which]["strategy"].clone());
    assert_eq!(verification(&r, "first_factor_verification"), (json!("verified"), json!("password")));
    assert!(r.body["second_factor_verification"].is_null(), "{}", r.text);
    let first = n.token.clone().expect("a client token in the answer");
    assert!(first.starts_with("ct_"), "{first}");

    // signIn.sendMfaPhoneCode()
    let r = n.post(&format!("/client/sign_ins/{id}/prepare_second_factor"), json!({ "strategy": "phone_code" })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(verification(&r, "second_factor_verification"), (json!("unverified"), json!("phone_code")));
    assert_ne!(n.token.as_deref(), Some(first.as_str()), "rotated in every answer");
    let code = last_sms_code(&s).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = n
        .post(
            &format!("/client/sign_ins/{id}/attempt_second_factor"),
            json!({ "strategy": "phone_code", "code": wrong }),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "form_code_incorrect"));

    // signIn.verifyMfaCode(code, type: .phoneCode): complete, and the session exists.
    let r = n
        .post(
            &format!("/client/sign_ins/{id}/attempt_second_factor"),
            json!({ "strategy": "phone_code", "code": code }),
        )
        .await;
    assert_eq!((r.status, r.status_field()), (200, "complete"), "{}", r.text);
    assert_eq!(verification(&r, "first_factor_verification"), (json!("verified"), json!("password")));
    assert_eq!(verification(&r, "second_factor_verification"), (json!("verified"), json!("phone_code")));
    let sid = r.body["created_session_id"].as_str().expect("created_session_id").to_string();

    let r = n.get("/client").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["object"].as_str(), r.body["last_active_session_id"].as_str()),
        (Some("client"), Some(sid.as_str()))
    );
    assert_eq!(r.body["sessions"][0]["status"], "active");
    assert_eq!(r.body["sessions"][0]["email"], EMAIL);
    assert!(r.body["sign_in"].is_null(), "the attempt became the session");
    let r = n.get("/me").await;
    assert_eq!((r.status, r.body["email"].as_str(), r.body["object"].as_str()), (200, Some(EMAIL), Some("user")));

    // A session token for the app's backend, for this session only.
    let r = n.post(&format!("/client/sessions/{sid}/tokens"), json!(null)).await;
    assert_eq!((r.status, r.body["object"].as_str()), (200, Some("token")), "{}", r.text);
    assert_eq!(r.body["jwt"].as_str().unwrap().split('.').count(), 3);
    let r = n.post("/client/sessions/sess_other/tokens", json!(null)).await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));

    // Signed out: the token held before stays useless.
    let before = n.token.clone();
    let r = n.post(&format!("/client/sessions/{sid}/end"), json!(null)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["sessions"].as_array().unwrap().is_empty());
    let mut replay = Native::new(&s);
    replay.token = before;
    assert_eq!(replay.get("/me").await.code(), "signed_out");
}

/// Clerk's SDKs keep the client token of whichever answer arrives last. A
/// read that overlapped a sign-in step and answered late hands the app a
/// token from before the step: it names the same client, signed in, and
/// every later call sees the session. Ten times over, in sequence and
/// truly concurrent.
#[tokio::test]
async fn a_late_answer_to_an_overlapping_read_leaves_the_client_signed_in() {
    let s = start(Opts::default());
    for round in 0..10 {
        // A user per round: a TOTP code is taken once.
        let email = format!("race{round}@example.com");
        let secret = user(&s, &email, false, true, false).await["totp_secret"].as_str().unwrap().to_string();
        let mut n = Native::new(&s);
        let r = password(&mut n, &email).await;
        assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_string();
        // The read goes out with the token of the moment; its answer is held.
        let mut read = Native::new(&s);
        read.token = n.token.clone();
        let step = format!("/client/sign_ins/{id}/attempt_second_factor");
        let code = totp_at(&secret, unix());
        let body = json!({ "strategy": "totp", "code": code });
        let (held, done) = if round % 2 == 0 {
            let held = read.get("/client").await;
            (held, n.post(&step, body).await)
        } else {
            let (held, done) = tokio::join!(read.get("/client"), n.post(&step, body));
            (held, done)
        };
        assert_eq!(held.status, 200, "{}", held.text);
        assert_eq!(done.status_field(), "complete", "round {round}: {}", done.text);
        let sid = done.body["created_session_id"].as_str().unwrap().to_string();
        // The late answer's token is the one the app keeps.
        n.token = read.token.clone();
        let r = n.get("/client").await;
        assert_eq!(r.body["last_active_session_id"].as_str(), Some(sid.as_str()), "round {round}: {}", r.text);
        assert_eq!(n.get("/me").await.status, 200);
        let r = n.post(&format!("/client/sessions/{sid}/tokens"), json!(null)).await;
        assert_eq!(r.body["object"], "token", "{}", r.text);
        // Signing out with either token signs out both.
        let mut other = Native::new(&s);
        other.token = read.token.clone();
        assert_eq!(other.post(&format!("/client/sessions/{sid}/end"), json!(null)).await.status, 200);
        assert_eq!(n.get("/me").await.code(), "signed_out");
    }
}

/// Clerk's browser SDK with a development key asks for a "dev browser" and
/// sends it in every URL (`__clerk_db_jwt`) instead of keeping cookies: in
/// development it names a client as a client token does; outside it there
/// is none, and the parameter carries nothing.
#[tokio::test]
async fn a_dev_browser_carries_its_client_in_the_url_in_development_only() {
    let app = "http://app.test";
    let s = start(Opts::default().with("MFA_ALLOWED_ORIGINS", app));
    user(&s, EMAIL, false, false, false).await;
    let http = reqwest::Client::new();
    let r = http.post(format!("{}/v1/dev_browser", s.base)).header("origin", app).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("ct_") && body["object"] == "dev_browser", "{body}");
    let url = |path: &str| format!("{}/v1{path}?__clerk_db_jwt={id}", s.base);
    let creds = json!({ "identifier": EMAIL, "password": PASSWORD });
    let r = http.post(url("/client/sign_ins")).header("origin", app).json(&creds).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("set-cookie").is_none(), "the client is in the URL, not in cookies");
    assert_eq!(r.headers()["access-control-allow-origin"], app);
    let signed: serde_json::Value = r.json().await.unwrap();
    assert_eq!(signed["status"], "complete", "{signed}");
    let me: serde_json::Value = http.get(url("/me")).header("origin", app).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["email"], EMAIL, "{me}");
    let r = http.get(format!("{}/v1/me", s.base)).header("origin", app).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401, "without it, this browser has no session");

    let prod = start(Opts { dev: false, ..Opts::default() });
    let mut c = Client::new(&prod);
    let r = c.raw(|h, base| h.post(format!("{base}/v1/dev_browser"))).await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));
    let r = c.raw(|h, base| h.get(format!("{base}/v1/me?__clerk_db_jwt={id}"))).await;
    assert_eq!(r.status, 401, "the parameter is no token outside development");
}

/// A client token made before the client's state moved to the database
/// (it held the tokens themselves) still carries its session; the answer
/// gives the new kind.
#[tokio::test]
async fn a_client_token_from_before_the_upgrade_keeps_its_session() {
    let s = start(Opts::default());
    user(&s, EMAIL, false, false, false).await;
    let mut page = Client::new(&s);
    assert_eq!(page.password(EMAIL, PASSWORD).await.status_field(), "complete");
    assert_eq!(page.api("sign_in/finalize", &[]).await.status, 200);
    let session = page.cookies["session"].clone();
    let keys = domain::secrets::SecretBox::from_hex(TEST_KEY).unwrap();
    let legacy = domain::request::client_token::seal_legacy(&keys, &[(domain::request::Jar::Session, &session)]);
    let mut n = Native::new(&s);
    n.token = legacy.clone();
    let r = n.get("/me").await;
    assert_eq!((r.status, r.body["email"].as_str()), (200, Some(EMAIL)), "{}", r.text);
    let upgraded = n.token.clone().unwrap();
    assert_ne!(Some(&upgraded), legacy.as_ref(), "the answer carries the new kind");
    assert_eq!(n.get("/me").await.status, 200, "and it names the same session");
}

#[tokio::test]
async fn the_authenticator_app_variant_and_form_bodies() {
    let s = start(Opts::default());
    let u = user(&s, EMAIL, false, true, false).await;
    let mut n = Native::new(&s);
    // Clerk's SDKs send forms: the same endpoint takes one.
    let r = n.http_form("/client/sign_ins", &[("identifier", EMAIL), ("password", PASSWORD)]).await;
    assert_eq!((r.status, r.status_field()), (200, "needs_second_factor"), "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let code = totp_at(u["totp_secret"].as_str().unwrap(), unix());
    let r = n
        .post(&format!("/client/sign_ins/{id}/attempt_second_factor"), json!({ "strategy": "totp", "code": code }))
        .await;
    assert_eq!((r.status, r.status_field()), (200, "complete"), "{}", r.text);
    assert!(r.body["created_session_id"].is_string());
    // A body that is neither: a 400 in the API's shape.
    let r =
        n.raw(|h, url| h.post(url("/client/sign_ins")).header("content-type", "text/plain").body("identifier")).await;
    assert_eq!((r.status, r.code()), (400, "request_invalid"));
}

#[tokio::test]
async fn every_endpoint_refuses_a_client_without_its_token() {
    let s = start(Opts::default());
    let mut n = Native::new(&s);
    let x = "sia_0123456789abcdef01234567";
    let cases: &[(Method, &str, u16, &str)] = &[
        (Method::GET, "/client/sign_ins/ID", 404, "sign_in_not_found"),
        (Method::POST, "/client/sign_ins/ID/prepare_first_factor", 404, "sign_in_not_found"),
        (Method::POST, "/client/sign_ins/ID/attempt_first_factor", 404, "sign_in_not_found"),
        (Method::POST, "/client/sign_ins/ID/reset_password", 404, "sign_in_not_found"),
        (Method::POST, "/client/sign_ins/ID/prepare_second_factor", 404, "sign_in_not_found"),
        (Method::POST, "/client/sign_ins/ID/attempt_second_factor", 404, "sign_in_not_found"),
        (Method::GET, "/client/sign_ups/ID", 404, "sign_up_not_found"),
        (Method::POST, "/client/sign_ups/ID/prepare_verification", 404, "sign_up_not_found"),
        (Method::POST, "/client/sign_ups/ID/attempt_verification", 404, "sign_up_not_found"),
        (Method::POST, "/client/sessions/ID/tokens", 404, "resource_not_found"),
        (Method::POST, "/client/sessions/ID/end", 404, "resource_not_found"),
        (Method::GET, "/me", 401, "signed_out"),
        (Method::POST, "/me/reverify", 401, "signed_out"),
        (Method::POST, "/me/totp", 401, "signed_out"),
        (Method::DELETE, "/me/totp", 401, "signed_out"),
        (Method::POST, "/me/totp/attempt_verification", 401, "signed_out"),
        (Method::POST, "/me/phone_numbers", 401, "signed_out"),
        (Method::DELETE, "/me/phone_numbers", 401, "signed_out"),
        (Method::POST, "/me/phone_numbers/attempt_verification", 401, "signed_out"),
        (Method::POST, "/me/default_second_factor", 401, "signed_out"),
        (Method::POST, "/me/backup_codes", 401, "signed_out"),
        (Method::DELETE, "/me/backup_codes", 401, "signed_out"),
        (Method::POST, "/me/change_password", 401, "signed_out"),
        (Method::GET, "/me/sessions/active", 401, "signed_out"),
        (Method::POST, "/me/sessions/ID/revoke", 401, "signed_out"),
        (Method::POST, "/me/sessions/revoke_others", 401, "signed_out"),
    ];
    let body = json!({ "strategy": "password", "code": "123456", "password": PASSWORD, "new_password": "x" });
    for (m, path, status, code) in cases {
        let r = n.call(m.clone(), &path.replace("ID", x), body.clone()).await;
        assert_eq!((r.status, r.code()), (*status, *code), "{m} {path}: {}", r.text);
    }
    // The other client's sign-in is not ours to read or drive.
    user(&s, EMAIL, true, false, false).await;
    let mut owner = Native::new(&s);
    let id = password(&mut owner, EMAIL).await.body["id"].as_str().unwrap().to_string();
    let mut other = Native::new(&s);
    password(&mut other, "nobody@example.com").await;
    assert_eq!(other.get(&format!("/client/sign_ins/{id}")).await.code(), "sign_in_not_found");
    let r =
        other.post(&format!("/client/sign_ins/{id}/prepare_second_factor"), json!({ "strategy": "phone_code" })).await;
    assert_eq!(r.code(), "sign_in_not_found");
    assert_eq!(owner.get(&format!("/client/sign_ins/{id}")).await.status_field(), "needs_second_factor");
    // A token that is not ours: refused, not taken for a new client.
    let mut forged = Native::new(&s);
    forged.token = Some(format!("ct_{}", "ab".repeat(60)));
    let r = forged.get("/client").await;
    assert_eq!((r.status, r.code()), (401, "authorization_invalid"));
    // Unknown /v1 paths answer in the API's shape.
    let r = n.get("/nothing/here").await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));
}

#[tokio::test]
async fn a_token_never_rides_with_an_origin_and_cors_admits_only_the_allowed_origins() {
    let app = "http://app.example.test:5173";
    let s = start(Opts::default().with("MFA_ALLOWED_ORIGINS", app));
    user(&s, EMAIL, false, false, false).await;
    let mut n = Native::new(&s);
    password(&mut n, EMAIL).await;
    let token = n.token.clone().unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/v1/client", s.base);
    for origin in [app, "https://evil.example"] {
        let r = http.get(&url).header("origin", origin).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{origin}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "origin_authorization_headers_conflict");
    }
    let r = http.get(format!("{url}?_is_native=1")).header("origin", app).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "the native flag counts as a token");

    // Preflight: the allowed origin may send credentials; another may not.
    let pre = |origin: &str| {
        http.request(Method::OPTIONS, format!("{}/v1/client/sign_ins", s.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let r = pre(app).await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], app);
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert!(r.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    let r = pre("https://evil.example").await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // The allowed origin's page signs in with the browser's cookies.
    let mut page = Client::new(&s);
    page.headers = vec![("origin", app.into()), ("sec-fetch-site", "same-site".into())];
    let r = page
        .raw(|h, base| {
            h.post(format!("{base}/v1/client/sign_ins")).json(&json!({ "identifier": EMAIL, "password": PASSWORD }))
        })
        .await;
    assert_eq!((r.status, r.status_field()), (200, "complete"), "{}", r.text);
    assert_eq!(r.headers["access-control-allow-origin"], app);
    assert!(page.cookies.contains_key("session"), "cookies, not a client token");
    assert!(r.headers.get("authorization").is_none());
    let r = page.raw(|h, base| h.get(format!("{base}/v1/me"))).await;
    assert_eq!((r.status, r.body["email"].as_str()), (200, Some(EMAIL)));
    // Another origin's page is refused, and learns nothing.
    let mut evil = page.fork();
    evil.headers = vec![("origin", "https://evil.example".into()), ("sec-fetch-site", "cross-site".into())];
    let r = evil.raw(|h, base| h.post(format!("{base}/v1/me/sessions/revoke_others"))).await;
    assert_eq!((r.status, r.code()), (403, "origin_invalid"));
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn client_trust_over_a_client_token_as_clerks_guide_writes_it() {
    let s = start(Opts::default().with("MFA_CLIENT_TRUST", "1").with("MFA_RESEND_AFTER", "30"));
    user(&s, EMAIL, false, false, false).await;
    let mut n = Native::new(&s);
    let r = password(&mut n, EMAIL).await;
    assert_eq!(r.status_field(), "needs_client_trust", "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let factors = r.body["supported_second_factors"].as_array().unwrap();
    let trust = factors.iter().find(|f| f["strategy"] == "email_code").expect("listed, as in Clerk");
    assert_eq!(trust["primary"], true);
    let email_id = trust["email_address_id"].as_str().unwrap_or("").to_string();
    assert!(email_id.starts_with("idn_email_"), "{trust}");
    // The code went with the password step: awaiting its answer.
    assert_eq!(r.body["second_factor_verification"]["status"], "unverified", "{}", r.text);
    assert_eq!(r.body["second_factor_verification"]["strategy"], "email_code");
    let sent = nth_email_code(&s, EMAIL, 1).await;
    // signIn.mfa.sendEmailCode() right after the password: answered, no second email.
    let r = n.post(&format!("/client/sign_ins/{id}/prepare_second_factor"), json!({ "strategy": "email_code" })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(outbox_count(&s, EMAIL).await, 1);
    let r = n
        .post(
            &format!("/client/sign_ins/{id}/attempt_second_factor"),
            json!({ "strategy": "email_code", "code": sent }),
        )
        .await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(r.body["second_factor_verification"]["status"], "verified", "{}", r.text);
    let sid = r.body["created_session_id"].as_str().unwrap().to_string();
    // The id names the account's address, as Clerk's user lists it.
    let me = n.get("/me").await;
    assert_eq!(email_id, proto_email_id(me.body["id"].as_str().unwrap_or("")));
    n.post(&format!("/client/sessions/{sid}/end"), json!(null)).await;
    // The token keys client trust, as the cookie does: no code this time.
    assert_eq!(password(&mut n, EMAIL).await.status_field(), "complete");
    // A client without it proves itself again.
    assert_eq!(password(&mut Native::new(&s), EMAIL).await.status_field(), "needs_client_trust");
}

#[tokio::test]
async fn sign_up_over_a_client_token_and_the_device_it_names() {
    let s = start(Opts::default().with("MFA_RESEND_AFTER", "30"));
    let mut n = Native::new(&s);
    n.headers = vec![("x-device-model", "Pixel 8".into()), ("user-agent", "okhttp/4.12.0".into())];
    let email = "new.native@example.com";
    let r = n.post("/client/sign_ups", json!({ "email_address": email, "password": PASSWORD })).await;
    assert_eq!((r.status, r.status_field()), (200, "missing_requirements"), "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sua_") && r.body["object"] == "sign_up_attempt", "{}", r.text);
    assert_eq!(r.body["verifications"]["email_address"]["status"], "unverified", "{}", r.text);
    assert!(r.body["created_user_id"].is_null());
    // The first send after the password step is answered with the code it sent.
    let r = n.post(&format!("/client/sign_ups/{id}/prepare_verification"), json!({ "strategy": "email_code" })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(outbox_count(&s, email).await, 1);
    let code = email_code(&s, email).await;
    let r = n
        .post(&format!("/client/sign_ups/{id}/attempt_verification"), json!({ "strategy": "phone_code", "code": code }))
        .await;
    assert_eq!((r.status, r.code()), (400, "strategy_for_user_invalid"));
    let r = n
        .post(&format!("/client/sign_ups/{id}/attempt_verification"), json!({ "strategy": "email_code", "code": code }))
        .await;
    assert_eq!((r.status, r.status_field()), (200, "complete"), "{}", r.text);
    assert!(r.body["created_session_id"].is_string());
    assert_eq!(r.body["verifications"]["email_address"]["status"], "verified", "{}", r.text);
    assert_eq!(r.body["created_user_id"], n.get("/me").await.body["id"]);
    let r = n.get("/me/sessions/active").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body[0]["device"], json!({ "native": "android", "model": "Pixel 8" }), "{}", r.text);
    // Without a model, the native stack is named.
    let mut other = Native::new(&s);
    other.headers = vec![("user-agent", "okhttp/4.12.0".into())];
    let r = other.post("/client/sign_ins", json!({ "identifier": email, "password": PASSWORD })).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let r = n.get("/me/sessions/active").await;
    let devices: Vec<&Value> = r.body.as_array().unwrap().iter().map(|s| &s["device"]).collect();
    assert!(devices.contains(&&json!({ "native": "android", "model": "Pixel 8" })), "{devices:?}");
    assert!(devices.contains(&&json!({ "native": "android" })), "{devices:?}");
}

#[tokio::test]
async fn the_openapi_document_describes_both_transports_and_every_code() {
    let s = start(Opts::default());
    let r = reqwest::get(format!("{}/v1/openapi.json", s.base)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["client_token"]["scheme"], "bearer");
    assert_eq!(schemes["cookies"]["in"], "cookie");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{}", paths.len());
    assert!(paths["/v1/client/sign_ins/{id}/attempt_second_factor"]["post"]["responses"]["422"].is_object());
    // Every operation, whatever its method, documents the shared refusals.
    let mut ops = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses") else { continue };
            ops += 1;
            for status in ["400", "401", "429"] {
                assert!(responses[status].is_object(), "{method} {path} documents {status}");
            }
        }
    }
    assert!(ops > paths.len(), "{ops} operations");
    let text = doc.to_string();
    for f in proto::Fault::examples() {
        assert!(text.contains(&format!("\"{}\"", f.code())), "{} is documented", f.code());
    }
    assert!(text.contains("origin_authorization_headers_conflict"));
}

/// CORS follows the routes: a page on an allowed origin passes the
/// preflight of every operation the OpenAPI document lists, with its
/// method (PATCH included: renaming a passkey).
#[tokio::test]
async fn every_documented_operation_passes_its_preflight() {
    let app = "https://app.example";
    let s = start(Opts::default().with("MFA_ALLOWED_ORIGINS", app));
    let doc: serde_json::Value =
        reqwest::get(format!("{}/v1/openapi.json", s.base)).await.unwrap().json().await.unwrap();
    let http = reqwest::Client::new();
    let mut methods = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if !["GET", "POST", "PATCH", "PUT", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            let url = format!("{}{}", s.base, path.replace("{id}", "x"));
            let r = http
                .request(Method::OPTIONS, &url)
                .header("origin", app)
                .header("access-control-request-method", &method)
                .header("access-control-request-headers", "content-type")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 204, "{method} {path}");
            let allowed = r.headers()["access-control-allow-methods"].to_str().unwrap();
            assert!(allowed.split(", ").any(|m| m == method), "{method} {path}: {allowed}");
            methods.insert(method);
        }
    }
    assert!(methods.contains("PATCH"), "the document has a PATCH operation: {methods:?}");
}

#[tokio::test]
async fn a_pending_session_does_its_setup_mfa_task_over_v1() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1"));
    user(&s, EMAIL, false, false, false).await;
    let mut n = Native::new(&s);
    let r = password(&mut n, EMAIL).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let sid = r.body["created_session_id"].as_str().unwrap().to_string();
    let client = n.get("/client").await;
    let session = &client.body["sessions"][0];
    assert_eq!((session["status"].as_str(), session["current_task"].as_str()), (Some("pending"), Some("setup-mfa")));
    // Signed out for everything but the task.
    assert_eq!(n.get("/me/sessions/active").await.code(), "signed_out");
    let setup = n.post("/me/totp", json!(null)).await;
    assert_eq!(setup.status, 200, "{}", setup.text);
    let code = totp_at(setup.body["secret"].as_str().unwrap(), unix());
    let r = n.post("/me/totp/attempt_verification", json!({ "code": code })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["backup_codes"].as_array().map(Vec::len), Some(10));
    let client = n.get("/client").await;
    assert_eq!(client.body["sessions"][0]["status"], "active");
    assert_eq!(client.body["sessions"][0]["id"], sid.as_str());
    assert_eq!(n.get("/me/sessions/active").await.status, 200);
}

/// The calls Clerk's own SDKs make that are not in the seed's listings:
/// `@clerk/expo`'s empty `Authorization` on its first call, the
/// environment it loads (and touches, as a tunnelled `PATCH`), the session
/// touched on `setActive`, `DELETE` tunnelled through `POST ?_method=`, and a
/// trailing slash.
#[tokio::test]
async fn the_calls_clerks_sdks_make_are_understood() {
    let s = start(Opts::default().with("MFA_REQUIRE_MFA", "1").with("MFA_APP_NAME", "Acme"));
    let u = user(&s, EMAIL, true, true, false).await;
    let mut n = Native::new(&s);
    let r = n.raw(|h, url| h.get(url("/environment")).header("authorization", "")).await;
    assert_eq!((r.status, r.body["object"].as_str()), (200, Some("environment")), "{}", r.text);
    assert!(n.token.is_none(), "nothing to keep yet: no client is made for a read");
    let env = &r.body;
    assert_eq!(env["auth_config"]["single_session_mode"], true);
    assert_eq!(env["display_config"]["application_name"], "Acme");
    assert_eq!(env["display_config"]["instance_environment_type"], "development");
    assert_eq!(env["display_config"]["sign_in_url"], format!("{}/sign-in", s.base));
    let attrs = &env["user_settings"]["attributes"];
    assert_eq!(attrs["authenticator_app"]["second_factors"], json!(["totp"]));
    assert_eq!(attrs["phone_number"]["used_for_second_factor"], true);
    assert_eq!(attrs["password"]["required"], true);
    assert_eq!(attrs["username"]["enabled"], false);
    assert_eq!(env["user_settings"]["sign_in"]["second_factor"], json!({ "required": true, "enabled": true }));
    assert_eq!(env["user_settings"]["password_settings"]["min_length"], 8);
    let r = n.raw(|h, url| h.post(url("/environment?_method=PATCH"))).await;
    assert_eq!((r.status, r.body["object"].as_str()), (200, Some("environment")), "{}", r.text);

    let r = password(&mut n, EMAIL).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let code = totp_at(u["totp_secret"].as_str().unwrap(), unix());
    let r = n
        .post(&format!("/client/sign_ins/{id}/attempt_second_factor"), json!({ "strategy": "totp", "code": code }))
        .await;
    let sid = r.body["created_session_id"].as_str().expect("complete").to_string();
    let r = n.post(&format!("/client/sessions/{sid}/touch"), json!(null)).await;
    assert_eq!(
        (r.status, r.body["object"].as_str(), r.body["id"].as_str()),
        (200, Some("session"), Some(sid.as_str()))
    );
    let r = n.post("/client/sessions/sess_0123456789abcdef01234567/touch", json!(null)).await;
    assert_eq!((r.status, r.code()), (404, "resource_not_found"));

    // `user.disableTOTP()`: a DELETE, tunnelled. It removes the app (it
    // used to start a new enrolment).
    let r = n.raw(|h, url| h.post(url("/me/totp?_method=DELETE"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let factors: Vec<&str> =
        r.body["factors"].as_array().unwrap().iter().map(|f| f["strategy"].as_str().unwrap()).collect();
    assert_eq!(factors, ["phone_code"]);
    // A trailing slash is the same path.
    let r = n.raw(|h, url| h.post(url("/me/backup_codes/"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["backup_codes"].as_array().is_some_and(|a| !a.is_empty()), "{}", r.text);
}

/// Clerk's SDKs say which API version they speak; they get Clerk's shapes
/// (resources in `{ response, client }`, the session with its user, times
/// in milliseconds, tokens and the environment bare). Everyone else gets
/// ours, unchanged.
#[tokio::test]
async fn clerks_sdks_get_clerks_shapes_and_everyone_else_ours() {
    let s = start(Opts::default());
    let u = user(&s, EMAIL, false, true, false).await;
    let mut n = Native::new(&s);
    let clerk = |p: &str| format!("{p}?__clerk_api_version=2025-11-10&_clerk_js_version=6.40.0");
    let r = n.post(&clerk("/client/sign_ins"), json!({ "identifier": EMAIL, "password": PASSWORD })).await;
    assert_eq!(r.body["response"]["status"], "needs_second_factor", "{}", r.text);
    assert_eq!(r.body["client"]["object"], "client");
    assert_eq!(r.body["client"]["sign_in"]["id"], r.body["response"]["id"]);
    assert!(r.body["client"]["id"].as_str().unwrap().starts_with("client_"));
    let id = r.body["response"]["id"].as_str().unwrap().to_string();
    let code = totp_at(u["totp_secret"].as_str().unwrap(), unix());
    let r = n
        .post(
            &clerk(&format!("/client/sign_ins/{id}/attempt_second_factor")),
            json!({ "strategy": "totp", "code": code }),
        )
        .await;
    assert_eq!(r.body["response"]["status"], "complete", "{}", r.text);
    let session = &r.body["client"]["sessions"][0];
    assert_eq!(session["id"], r.body["response"]["created_session_id"]);
    assert_eq!(session["user"]["email_addresses"][0]["email_address"], EMAIL);
    assert!(session["user"]["id"].as_str().unwrap().starts_with("user_"));
    assert!(session["created_at"].as_i64().unwrap() > 1_000_000_000_000, "milliseconds");
    assert_eq!(r.body["client"]["last_active_session_id"], session["id"]);
    let sid = session["id"].as_str().unwrap().to_string();
    // A read: wrapped, without the client; a token: bare.
    let r = n.get(&clerk("/me")).await;
    assert_eq!((r.body["response"]["object"].as_str(), r.body["client"].is_null()), (Some("user"), true), "{}", r.text);
    assert_eq!(r.body["response"]["totp_enabled"], true);
    let r = n.post(&clerk(&format!("/client/sessions/{sid}/tokens")), json!(null)).await;
    assert_eq!(r.body["object"], "token", "{}", r.text);
    // Ours, unchanged: the resource itself.
    let r = n.get("/me").await;
    assert_eq!((r.body["object"].as_str(), r.body["email"].as_str()), (Some("user"), Some(EMAIL)));
    // Clerk's sign-out: DELETE /v1/client/sessions.
    let r = n.call(Method::DELETE, &clerk("/client/sessions"), json!(null)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["response"]["sessions"], json!([]));
    assert_eq!(n.get("/me").await.code(), "signed_out");
}
