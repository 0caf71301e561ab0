//! The Backend API (`/backend/v1`): secret keys made, listed and revoked
//! with the CLI; only a live key opens it, and neither credential works on
//! the other API. `@clerk/backend` itself calls it in `clerk_sdks`.

use crate::common::*;
use serde_json::json;

/// A new key from the CLI: (id, secret).
pub fn api_key(s: &Server, name: &str) -> (String, String) {
    let out = cli(s, &["--json", "api-keys", "create", "--name", name]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["id"].as_str().unwrap().to_string(), v["secret_key"].as_str().unwrap().to_string())
}

pub(crate) async fn users(s: &Server, auth: Option<&str>) -> (u16, serde_json::Value) {
    let mut r = reqwest::Client::new().get(format!("{}/backend/v1/users", s.base));
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn only_a_live_secret_key_opens_the_backend_api() {
    let s = start(Opts::default());
    user(&s, "someone@example.com", false, false, false).await;
    let (id, secret) = api_key(&s, "billing service");
    assert!(id.starts_with("ak_") && secret.starts_with("sk_live_"), "{id} {secret}");

    let (status, body) = users(&s, Some(&format!("Bearer {secret}"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["email_addresses"][0]["email_address"], "someone@example.com");

    // Nothing, a made-up key, a client token, a session's cookie: refused.
    let mut native = Native::new(&s);
    native
        .post("/client/sign_ins", serde_json::json!({ "identifier": "someone@example.com", "password": PASSWORD }))
        .await;
    let client_token = format!("Bearer {}", native.token.clone().unwrap());
    for auth in [None, Some("Bearer sk_live_0000"), Some(client_token.as_str()), Some("")] {
        let (status, body) = users(&s, auth).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (401, Some("api_key_invalid")), "{auth:?}");
    }
    let mut c = Client::new(&s);
    assert_eq!(c.password("someone@example.com", PASSWORD).await.status_field(), "complete");
    let r = c.get("/backend/v1/users").await;
    assert_eq!(r.status, 401, "a session's cookie is not a key");

    // The key is no client token on the Frontend API.
    let r = reqwest::Client::new()
        .get(format!("{}/v1/me", s.base))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Listed with its last use, never with the key; revoked, refused.
    let list = String::from_utf8(cli(&s, &["--json", "api-keys", "list"]).stdout).unwrap();
    assert!(!list.contains(&secret) && !list.contains(&secret[8..]), "{list}");
    let keys: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!((keys[0]["name"].as_str(), keys[0]["last_used_at"].is_i64()), (Some("billing service"), true));
    assert!(cli(&s, &["api-keys", "revoke", &id]).status.success());
    let (status, _) = users(&s, Some(&format!("Bearer {secret}"))).await;
    assert_eq!(status, 401);
    assert!(!cli(&s, &["api-keys", "revoke", &id]).status.success(), "once");
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "20"]).stdout).unwrap();
    assert!(audit.contains("api_key.created") && audit.contains("api_key.revoked"), "{audit}");
}

#[tokio::test]
async fn wrong_keys_are_rate_limited_per_ip() {
    let s = start(Opts::default().with("MFA_RATE_VERIFY", "3"));
    let (_, secret) = api_key(&s, "ok");
    for _ in 0..3 {
        assert_eq!(users(&s, Some("Bearer sk_live_wrong")).await.0, 401);
    }
    let (status, body) = users(&s, Some("Bearer sk_live_wrong")).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (429, Some("too_many_requests")), "{body}");
    // Guesses never lock out the key's holder (behind the same NAT, say).
    assert_eq!(users(&s, Some(&format!("Bearer {secret}"))).await.0, 200);
}

#[tokio::test]
async fn sessions_from_before_the_upgrade_get_their_ids_when_a_server_starts() {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let s = start(Opts::default());
    user(&s, "old@example.com", false, false, false).await;
    let mut n = Native::new(&s);
    let r =
        n.post("/client/sign_ins", serde_json::json!({ "identifier": "old@example.com", "password": PASSWORD })).await;
    let sid = r.body["created_session_id"].as_str().expect("a session").to_string();
    // As a session made before the ids were stored.
    let mut db = sqlx::AnyConnection::connect(&s.db_url).await.unwrap();
    sqlx::query("UPDATE sessions SET public_id = NULL").execute(&mut db).await.unwrap();
    drop(db);
    let (_, secret) = api_key(&s, "ops");
    let revoke = async |base: &str| {
        let r = reqwest::Client::new()
            .post(format!("{base}/backend/v1/sessions/{sid}/revoke"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap_or_default())
    };
    assert_eq!(revoke(&s.base).await.0, 404, "not findable by its id yet");
    let upgraded = start_with_db(Opts::default(), &s.db_url);
    let (status, body) = revoke(&upgraded.base).await;
    assert_eq!(
        (status, body["status"].as_str(), body["id"].as_str()),
        (200, Some("revoked"), Some(sid.as_str())),
        "{body}"
    );
    assert_eq!(n.get("/me").await.code(), "signed_out");
}

#[tokio::test]
async fn the_audit_trail_is_read_by_user_and_event() {
    let s = start(Opts::default());
    user(&s, "traced@example.com", false, false, false).await;
    user(&s, "other@example.com", false, false, false).await;
    for email in ["traced@example.com", "other@example.com"] {
        assert_eq!(Client::new(&s).password(email, PASSWORD).await.status_field(), "complete");
    }
    let (id, secret) = api_key(&s, "auditor");
    let get = async |path: &str| {
        let r = reqwest::Client::new().get(format!("{}{path}", s.base)).bearer_auth(&secret).send().await.unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap_or_default())
    };
    let (_, users) = get("/backend/v1/users?email_address=traced@example.com").await;
    let user_id = users[0]["id"].as_str().unwrap().to_string();

    let (status, page) = get(&format!("/backend/v1/audit_logs?user_id={user_id}&event=sign_in.password_ok")).await;
    assert_eq!((status, page["total_count"].as_i64()), (200, Some(1)), "{page}");
    let row = &page["data"][0];
    assert_eq!((row["event"].as_str(), row["user_id"].as_str()), (Some("sign_in.password_ok"), Some(user_id.as_str())));
    assert_eq!(row["identifier"], "traced@example.com");
    assert!(row["at"].as_i64().unwrap() > 1_700_000_000_000, "milliseconds: {row}");

    let (_, everyone) = get("/backend/v1/audit_logs?event=sign_in.password_ok").await;
    assert_eq!(everyone["total_count"], 2);
    // Paged, newest first; the key's own calls are there in its name.
    let (_, first) = get("/backend/v1/audit_logs?limit=1").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    assert!(first["total_count"].as_i64().unwrap() > 2);
    let (_, calls) = get("/backend/v1/audit_logs?event=api.call").await;
    let agent = format!("api-key {id} (auditor)");
    assert!(calls["data"].as_array().unwrap().iter().all(|c| c["user_agent"] == agent.as_str()), "{calls}");
    assert_eq!(calls["data"][0]["detail"], "GET /backend/v1/audit_logs", "newest first");
}

#[tokio::test]
async fn the_user_writes_only_their_unsafe_metadata() {
    use reqwest::Method;
    let s = start(Opts::default());
    user(&s, "meta@example.com", false, false, false).await;
    let mut n = Native::new(&s);
    let r = n.patch_me(json!({ "unsafe_metadata": { "a": 1 } })).await;
    assert_eq!(r.status, 401, "signed out");
    n.post("/client/sign_ins", json!({ "identifier": "meta@example.com", "password": PASSWORD })).await;

    // Replaced (PATCH /me), then merged (PATCH /me/metadata), as an object or its text.
    let r = n.patch_me(json!({ "unsafe_metadata": { "a": 1, "b": { "c": 2 } } })).await;
    assert_eq!((r.status, &r.body["unsafe_metadata"]), (200, &json!({ "a": 1, "b": { "c": 2 } })), "{}", r.text);
    let r = n.call(Method::PATCH, "/me/metadata", json!({ "unsafe_metadata": r#"{"b":{"d":3},"a":null}"# })).await;
    assert_eq!(r.body["unsafe_metadata"], json!({ "b": { "c": 2, "d": 3 } }), "{}", r.text);
    let r = n.patch_me(json!({ "unsafe_metadata": { "z": true } })).await;
    assert_eq!(r.body["unsafe_metadata"], json!({ "z": true }));

    // Nothing else: not the public object, not past the limit, not a list.
    let r = n.patch_me(json!({ "public_metadata": { "role": "admin" } })).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = n.patch_me(json!({ "unsafe_metadata": { "big": "x".repeat(9000) } })).await;
    assert_eq!((r.status, r.code()), (422, "metadata_invalid"));
    let r = n.patch_me(json!({ "unsafe_metadata": [1, 2] })).await;
    assert_eq!((r.status, r.code()), (422, "metadata_invalid"));
    let r = n.get("/me").await;
    assert_eq!((&r.body["unsafe_metadata"], &r.body["public_metadata"]), (&json!({ "z": true }), &json!({})));
    let audit = String::from_utf8(cli(&s, &["audit", "--limit", "50"]).stdout).unwrap();
    assert!(audit.contains("user.updated"), "{audit}");
}

#[tokio::test]
async fn the_backend_api_is_described_by_its_openapi_document() {
    let s = start(Opts::default());
    // Read without a key: it holds no data.
    let r = reqwest::get(format!("{}/backend/v1/openapi.json", s.base)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for p in [
        "/backend/v1/users",
        "/backend/v1/users/count",
        "/backend/v1/users/{id}",
        "/backend/v1/users/{id}/ban",
        "/backend/v1/users/{id}/unban",
        "/backend/v1/users/{id}/lock",
        "/backend/v1/users/{id}/unlock",
        "/backend/v1/users/{id}/mfa",
        "/backend/v1/users/{id}/metadata",
        "/backend/v1/sessions",
        "/backend/v1/sessions/{id}/revoke",
        "/backend/v1/audit_logs",
    ] {
        assert!(paths.contains(&p), "{p} missing: {paths:?}");
    }
    assert!(doc["paths"]["/backend/v1/users/{id}/metadata"]["put"].is_object(), "replace, beside merge");
    assert_eq!(doc["security"][0]["secret_key"], json!([]));
    let unauthorized = &doc["paths"]["/backend/v1/users"]["get"]["responses"]["401"];
    assert!(unauthorized.is_object(), "a missing key's 401 is documented");
    assert!(doc["components"]["schemas"]["BackendUser"].is_object());
}

/// Two accounts moved to one address at once: one gets it, the other is
/// told it is taken (never a 5xx, never two accounts with one address).
#[tokio::test]
async fn two_accounts_moved_to_one_address_at_once_one_gets_it() {
    let s = start(Opts::default());
    let (_, secret) = api_key(&s, "mover");
    let mut ids = vec![];
    for n in 0..8 {
        user(&s, &format!("mover-{n}@example.com"), false, false, false).await;
        let r = reqwest::Client::new()
            .get(format!("{}/backend/v1/users?email_address=mover-{n}@example.com", s.base))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        ids.push(body[0]["id"].as_str().unwrap().to_string());
    }
    let moves = ids.iter().map(|id| {
        let body = json!({ "user_id": id, "email_address": "wanted@example.com", "verified": true, "primary": true });
        reqwest::Client::new()
            .post(format!("{}/backend/v1/email_addresses", s.base))
            .bearer_auth(&secret)
            .json(&body)
            .send()
    });
    let mut won = 0;
    for r in futures_join(moves).await {
        let r = r.unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        match status {
            200 => won += 1,
            422 => assert_eq!(body["errors"][0]["code"], "form_identifier_exists", "{body}"),
            _ => panic!("{status} {body}"),
        }
    }
    assert_eq!(won, 1);
    let r = reqwest::Client::new()
        .get(format!("{}/backend/v1/users?email_address=wanted@example.com", s.base))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<serde_json::Value>().await.unwrap().as_array().unwrap().len(), 1);
}

/// Runs the futures at once (the tests have no futures crate).
async fn futures_join<F>(fs: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = vec![];
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn the_cli_moves_an_account_to_a_new_address() {
    let s = start(Opts::default());
    user(&s, "old@example.com", false, false, false).await;
    user(&s, "other@example.com", false, false, false).await;
    let out = cli(&s, &["user", "set-email", "old@example.com", "--to", "New@Example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut c = Client::new(&s);
    assert_eq!(c.password("new@example.com", PASSWORD).await.status_field(), "complete");
    let mut c = Client::new(&s);
    assert_ne!(c.password("old@example.com", PASSWORD).await.status_field(), "complete");
    let out = cli(&s, &["user", "set-email", "new@example.com", "--to", "other@example.com"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another account"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit: serde_json::Value = serde_json::from_slice(&cli(&s, &["audit"]).stdout).unwrap();
    let moved = audit.as_array().unwrap().iter().find(|e| e["event"] == "user.updated" && e["detail"] == "email");
    assert_eq!(moved.unwrap()["identifier"], "new@example.com", "{audit}");
}
