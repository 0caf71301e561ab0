//! Session tokens for apps (JWTs, the JWKS, key rotation), the example
//! backend that verifies them, and forward auth, over HTTP against the real
//! server.

use crate::common::*;
use serde_json::Value;
use verify::{Refusal, Verifier};

/// Signs in with the password (and the TOTP code when `totp` is given) and
/// finalizes.
async fn signed_in(c: &mut Client, email: &str, totp: Option<&str>) {
    let r = c.password(email, PASSWORD).await;
    if let Some(secret) = totp {
        assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
        assert_eq!(c.verify("totp", &totp_at(secret, unix())).await.status_field(), "complete");
    } else {
        assert_eq!(r.status_field(), "complete", "{}", r.text);
    }
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
}

async fn token(c: &mut Client) -> Resp {
    c.api("session/token", &[]).await
}

async fn jwt(c: &mut Client) -> String {
    let r = token(c).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["jwt"].as_str().unwrap().to_string()
}

fn kid(jwt: &str) -> String {
    jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap()
}

async fn get_json(url: &str) -> (reqwest::header::HeaderMap, Value) {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{url}");
    (r.headers().clone(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_session_token_names_the_user_and_verifies_against_the_published_keys() {
    let s = start(Opts::default());
    user(&s, "jwt@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    assert_eq!(token(&mut c).await.code(), "signed_out");
    signed_in(&mut c, "jwt@example.com", None).await;
    let r = token(&mut c).await;
    assert_eq!((r.status, r.body["object"].as_str()), (200, Some("token")), "{}", r.text);
    let issued = r.body["jwt"].as_str().unwrap();
    let cookie = r.set_cookies().into_iter().find(|c| c.starts_with("__session=")).expect("a __session cookie");
    assert_eq!(cookie, format!("__session={issued}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"));

    // Discovery names the issuer and the keys; the keys are public only.
    let (_, conf) = get_json(&format!("{}/.well-known/openid-configuration", s.base)).await;
    assert_eq!(conf["issuer"], s.base.as_str());
    let (headers, jwks) = get_json(conf["jwks_uri"].as_str().unwrap()).await;
    assert_eq!(headers["cache-control"], "public, max-age=60");
    let key = &jwks["keys"][0];
    assert_eq!(
        (&key["kty"], &key["e"], &key["alg"], &key["use"]),
        (&"RSA".into(), &"AQAB".into(), &"RS256".into(), &"sig".into())
    );
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key.get(private).is_none(), "no private part: {key}");
    }
    let (_, at_v1) = get_json(&format!("{}/v1/jwks", s.base)).await;
    assert_eq!(at_v1, jwks, "the same keys where Clerk's backend SDK looks");
    assert_eq!(conf["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));

    let claims = Verifier::new(&s.base).verify(issued).await.unwrap();
    let view = c.api("session", &[]).await.body;
    assert!(claims.sub.starts_with("user_"));
    assert_eq!(
        (claims.sub.as_str(), claims.sid.as_str()),
        (view["user_id"].as_str().unwrap(), view["id"].as_str().unwrap())
    );
    assert_eq!((claims.sts.as_str(), claims.fva, claims.exp - claims.iat, claims.email), ("active", [0, -1], 60, None));
    let listed = cli(&s, &["user", "show", "jwt@example.com", "--json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["public_id"], claims.sub.as_str(), "the id operators see is the one apps see");
    assert_ne!(claims.sub, listed["id"].to_string(), "never the row id");

    assert_eq!((claims.azp, claims.v), (None, 2), "no Origin, no authorized party");
    assert!(claims.custom.is_empty(), "no claims template, no claims of the instance's own");
    c.headers.push(("origin", s.base.clone()));
    let claims = Verifier::new(&s.base).verify(&jwt(&mut c).await).await.unwrap();
    assert_eq!(claims.azp.as_deref(), Some(s.base.as_str()), "our own page asked");

    // The email is an opt-in claim; the lifetime and the algorithm settings.
    let s = start(
        Opts::default()
            .with("MFA_TOKEN_EMAIL_CLAIM", "1")
            .with("MFA_TOKEN_LIFETIME", "30")
            .with("MFA_TOKEN_ALGORITHM", "EdDSA"),
    );
    user(&s, "mail@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    signed_in(&mut c, "mail@example.com", None).await;
    let issued = jwt(&mut c).await;
    assert_eq!(jsonwebtoken::decode_header(&issued).unwrap().alg, jsonwebtoken::Algorithm::EdDSA);
    let claims = Verifier::new(&s.base).verify(&issued).await.unwrap();
    assert_eq!((claims.email.as_deref(), claims.exp - claims.iat), (Some("mail@example.com"), 30));
    let (_, jwks) = get_json(&format!("{}/.well-known/jwks.json", s.base)).await;
    assert_eq!((&jwks["keys"][0]["kty"], &jwks["keys"][0]["crv"]), (&"OKP".into(), &"Ed25519".into()));
    let out = cli(&s, &["keys", "pem"]);
    assert!(!out.status.success(), "Ed25519 has no PEM for Clerk's jwtKey");
}

#[tokio::test]
async fn a_revoked_or_signed_out_session_gets_no_new_token() {
    let s = start(Opts::default());
    user(&s, "rev@example.com", false, false, false).await;
    let (mut a, mut b) = (Client::new(&s), Client::new(&s));
    signed_in(&mut a, "rev@example.com", None).await;
    signed_in(&mut b, "rev@example.com", None).await;
    let old = jwt(&mut b).await;
    let sid = Verifier::new(&s.base).verify(&old).await.unwrap().sid;
    assert_eq!(a.api("sessions/revoke", &[("id", &sid)]).await.status, 200);
    assert_eq!(token(&mut b).await.code(), "signed_out", "no new token once revoked");
    // What was issued lives until `exp` (the documented bound).
    assert_eq!(Verifier::new(&s.base).verify(&old).await.unwrap().sid, sid);
    let r = a.api("session/sign_out", &[]).await;
    assert!(r.set_cookies().iter().any(|c| c.starts_with("__session=;") && c.contains("Max-Age=0")));
    assert_eq!(token(&mut a).await.code(), "signed_out");
}

#[tokio::test]
async fn a_pending_session_gets_a_pending_token_and_a_second_factor_shows_in_fva() {
    let s = start(Opts::default());
    let spec = serde_json::json!({ "email": "pend@example.com", "password": PASSWORD, "password_compromised": true });
    let r = reqwest::Client::new().post(format!("{}/dev/users", s.base)).json(&spec).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let mut c = Client::new(&s);
    signed_in(&mut c, "pend@example.com", None).await;
    let pending = jwt(&mut c).await;
    assert_eq!(Verifier::new(&s.base).verify(&pending).await.unwrap_err(), Refusal::Pending);
    assert_eq!(Verifier::new(&s.base).allow_pending().verify(&pending).await.unwrap().sts, "pending");

    let secret = user(&s, "two@example.com", false, true, false).await["totp_secret"].as_str().unwrap().to_string();
    let mut c = Client::new(&s);
    signed_in(&mut c, "two@example.com", Some(&secret)).await;
    let claims = Verifier::new(&s.base).verify(&jwt(&mut c).await).await.unwrap();
    assert_eq!(claims.fva, [0, 0]);
}

#[tokio::test]
async fn a_rotated_key_is_published_at_once_and_old_tokens_stay_valid() {
    let s = start(Opts::default());
    user(&s, "rot@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    signed_in(&mut c, "rot@example.com", None).await;
    let before = jwt(&mut c).await;
    let out = cli(&s, &["keys", "rotate", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let next: Value = serde_json::from_slice(&out.stdout).unwrap();
    let next_kid = next[0]["kid"].as_str().unwrap();
    let (_, jwks) = get_json(&format!("{}/.well-known/jwks.json", s.base)).await;
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, [next_kid, kid(&before).as_str()], "both published");
    // The new key signs only once every verifier can know it (a minute on).
    let after = jwt(&mut c).await;
    assert_eq!(kid(&after), kid(&before));
    let fresh = Verifier::new(&s.base);
    assert!(fresh.verify(&before).await.is_ok() && fresh.verify(&after).await.is_ok());
    let out = cli(&s, &["keys", "list", "--json"]);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let states: Vec<&str> = listed.as_array().unwrap().iter().map(|k| k["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["next", "signing"]);
    let audit: Value = serde_json::from_slice(&cli(&s, &["audit"]).stdout).unwrap();
    assert!(audit.as_array().unwrap().iter().any(|e| e["event"] == "signing_key.rotated" && e["detail"] == next_kid));
}

/// The example backend (`server/examples/backend.rs`), built by `cargo test`
/// beside this suite.
struct Backend {
    child: std::process::Child,
    base: String,
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn backend(issuer: &str) -> Backend {
    use std::io::BufRead;
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("examples").join("backend");
    let mut child = std::process::Command::new(&bin)
        .args(["--issuer", issuer, "--addr", "127.0.0.1:0", "--mfa-within", "10", "--leeway", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{}: {e} (`cargo test` builds it; else `cargo build -p server --example backend`)", bin.display())
        });
    let out = child.stdout.take().unwrap();
    let line = std::io::BufReader::new(out).lines().next().unwrap().unwrap();
    let base = line.strip_prefix("listening on ").unwrap().trim().to_string();
    Backend { child, base }
}

/// (status, body) of the backend's `path` with `token` as the bearer.
async fn call(b: &Backend, path: &str, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", b.base))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_example_backend_trusts_good_tokens_and_refuses_the_rest() {
    let s = start(Opts::default());
    let app = backend(&s.base);
    let secret = user(&s, "mfa@example.com", false, true, false).await["totp_secret"].as_str().unwrap().to_string();
    user(&s, "plain@example.com", false, false, false).await;
    let mut mfa = Client::new(&s);
    signed_in(&mut mfa, "mfa@example.com", Some(&secret)).await;
    let good = jwt(&mut mfa).await;
    let (status, who) = call(&app, "/whoami", &good).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["user_id"], mfa.api("session", &[]).await.body["user_id"]);
    assert_eq!(call(&app, "/sensitive", &good).await.0, 200, "a second factor just now");
    // The token in the __session cookie works the same.
    let r = reqwest::Client::new()
        .get(format!("{}/whoami", app.base))
        .header("cookie", format!("theme=dark; __session={good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let mut plain = Client::new(&s);
    signed_in(&mut plain, "plain@example.com", None).await;
    let no_mfa = jwt(&mut plain).await;
    assert_eq!(call(&app, "/whoami", &no_mfa).await.0, 200);
    let (status, body) = call(&app, "/sensitive", &no_mfa).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("no second factor recent enough")));

    // Wrongly signed: the signature of another token.
    let other_sig = no_mfa.rsplit('.').next().unwrap();
    let tampered = format!("{}.{other_sig}", good.rsplit_once('.').unwrap().0);
    assert_eq!(call(&app, "/whoami", &tampered).await, (401, serde_json::json!({ "error": "bad signature" })));
    // Another issuer's token: the same keys, asked for under another host name.
    mfa.headers = vec![("host", s.base.replace("127.0.0.1", "localhost").replace("http://", ""))];
    let elsewhere = jwt(&mut mfa).await;
    assert_eq!(call(&app, "/whoami", &elsewhere).await.1["error"], "another issuer");
    // Another server's keys: not published by this issuer, even after a fetch.
    let other = start(Opts::default());
    user(&other, "plain@example.com", false, false, false).await;
    let mut stranger = Client::new(&other);
    signed_in(&mut stranger, "plain@example.com", None).await;
    let foreign = jwt(&mut stranger).await;
    assert_eq!(call(&app, "/whoami", &foreign).await.1["error"], "signed with a key the issuer does not publish");
    assert_eq!(call(&app, "/whoami", "garbage").await, (401, serde_json::json!({ "error": "not a token" })));
    let r = reqwest::get(format!("{}/whoami", app.base)).await.unwrap();
    assert_eq!(r.status().as_u16(), 401, "no token at all");

    // Expired: a server issuing one-second tokens.
    let short = start(Opts::default().with("MFA_TOKEN_LIFETIME", "1"));
    let short_app = backend(&short.base);
    user(&short, "plain@example.com", false, false, false).await;
    let mut c = Client::new(&short);
    signed_in(&mut c, "plain@example.com", None).await;
    let soon = jwt(&mut c).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(call(&short_app, "/whoami", &soon).await.1["error"], "expired");
}

/// (status, headers) of forward auth, as a proxy asks it.
async fn forward(c: &mut Client, query: &str, headers: &[(&'static str, &str)]) -> Resp {
    let headers: Vec<(&'static str, String)> = headers.iter().map(|(k, v)| (*k, v.to_string())).collect();
    c.raw(|h, base| {
        let mut r = h.get(format!("{base}/v1/forward_auth{query}"));
        for (k, v) in &headers {
            r = r.header(*k, v);
        }
        r
    })
    .await
}

#[tokio::test]
async fn forward_auth_answers_proxies_and_sends_only_to_allowed_places() {
    let s = start(Opts::default().with("MFA_REDIRECT_ORIGINS", "http://app.example:8080"));
    user(&s, "fwd@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let sign_in = format!("{}/sign-in", s.base);
    let r = forward(&mut c, "", &[]).await;
    assert_eq!((r.status, r.code()), (401, "signed_out"));
    assert_eq!(r.headers["x-auth-redirect"], sign_in.as_str());
    // Back to where the browser was going: this server, or an allowed origin.
    let own = format!("{}/admin?x=1", s.base);
    let r = forward(&mut c, "", &[("x-original-url", &own)]).await;
    assert_eq!(r.headers["x-auth-redirect"].to_str().unwrap(), web::origin::with_redirect(&sign_in, &own));
    let r = forward(
        &mut c,
        "",
        &[("x-forwarded-proto", "http"), ("x-forwarded-host", "app.example:8080"), ("x-forwarded-uri", "/a")],
    )
    .await;
    assert_eq!(
        r.headers["x-auth-redirect"].to_str().unwrap(),
        web::origin::with_redirect(&sign_in, "http://app.example:8080/a")
    );
    for evil in ["https://evil.example/", "//evil.example/", "http://app.example:8081/"] {
        let r = forward(&mut c, "", &[("x-original-url", evil)]).await;
        assert_eq!(r.headers["x-auth-redirect"], sign_in.as_str(), "{evil}: no open redirect");
    }
    let r = forward(&mut c, "?redirect=1", &[("x-original-url", "http://app.example:8080/b")]).await;
    assert_eq!(r.status, 302, "Traefik and Caddy pass the redirect on");
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        web::origin::with_redirect(&sign_in, "http://app.example:8080/b")
    );

    // The sign-in goes on to the allowed redirect_url, from the API or the page's URL.
    c.password("fwd@example.com", PASSWORD).await;
    let r = c.api("sign_in/finalize", &[("redirect_url", "https://evil.example/")]).await;
    assert_eq!(r.body["redirect_url"], "/", "a refused target is ignored");
    let r = forward(&mut c, "", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["x-auth-email"], "fwd@example.com");
    let id = r.headers["x-auth-user-id"].to_str().unwrap().to_string();
    assert_eq!(c.api("session", &[]).await.body["user_id"], id.as_str());

    let mut d = Client::new(&s);
    d.password("fwd@example.com", PASSWORD).await;
    let r = d.api("sign_in/finalize", &[("redirect_url", "http://app.example:8080/after")]).await;
    assert_eq!(r.body["redirect_url"], "http://app.example:8080/after");
    let first = r.set_cookies().into_iter().find(|c| c.starts_with("__session=")).expect("a token at sign-in");
    let first = first.trim_start_matches("__session=").split(';').next().unwrap().to_string();
    assert_eq!(Verifier::new(&s.base).verify(&first).await.unwrap().sub, id, "for apps on this site at once");
    let mut e = Client::new(&s);
    e.password("fwd@example.com", PASSWORD).await;
    e.headers = vec![("referer", web::origin::with_redirect(&sign_in, "http://app.example:8080/c"))];
    assert_eq!(e.api("sign_in/finalize", &[]).await.body["redirect_url"], "http://app.example:8080/c");
    // A pending session is not signed in for the proxy either.
    let spec = serde_json::json!({ "email": "pend@example.com", "password": PASSWORD, "password_compromised": true });
    reqwest::Client::new().post(format!("{}/dev/users", s.base)).json(&spec).send().await.unwrap();
    let mut p = Client::new(&s);
    p.password("pend@example.com", PASSWORD).await;
    let r = p.api("sign_in/finalize", &[("redirect_url", "http://app.example:8080/")]).await;
    assert_eq!(r.body["redirect_url"], "/tasks/reset-password", "the task comes first");
    assert_eq!(forward(&mut p, "", &[]).await.status, 401);
}

#[tokio::test]
async fn a_claims_template_puts_the_users_metadata_in_the_token() {
    let dir = std::env::temp_dir().join(format!("mfa-claims-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("settings.toml");
    let template = "[session_token.claims]\nrole = \"{{user.public_metadata.role}}\"\n\
                    meta = \"{{user.public_metadata}}\"\nhello = \"hi {{user.primary_email_address}}\"\n\
                    step = \"{{user.unsafe_metadata.step}}\"\n";
    std::fs::write(&path, template).unwrap();
    let s = start(Opts::default().with("MFA_SETTINGS", path.to_str().unwrap()));
    user(&s, "claims@example.com", false, false, false).await;
    let (_, secret) = crate::backend::api_key(&s, "claims");
    let http = reqwest::Client::new();
    let users: Value = http
        .get(format!("{}/backend/v1/users?email_address=claims@example.com", s.base))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = users[0]["id"].as_str().unwrap().to_string();
    let metadata = async |body: Value| {
        let r = http
            .patch(format!("{}/backend/v1/users/{id}/metadata", s.base))
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default())
    };
    let public = serde_json::json!({ "role": "admin", "plan": { "tier": 2 } });
    assert_eq!(metadata(serde_json::json!({ "public_metadata": public })).await.0, 200);

    let mut c = Client::new(&s);
    signed_in(&mut c, "claims@example.com", None).await;
    let claims = Verifier::new(&s.base).verify(&jwt(&mut c).await).await.unwrap();
    assert_eq!(claims.custom["role"], "admin");
    assert_eq!(claims.custom["meta"], public);
    assert_eq!(claims.custom["hello"], "hi claims@example.com");
    assert_eq!(claims.custom["step"], Value::Null, "none set");
    assert_eq!(claims.sub, id, "the token's own claims stand");

    // Metadata that would make the token's claims too large is refused,
    // though within metadata's own limit; nothing is written.
    let (status, body) = metadata(serde_json::json!({ "public_metadata": { "bio": "x".repeat(3000) } })).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("metadata_invalid")), "{body}");
    let claims = Verifier::new(&s.base).verify(&jwt(&mut c).await).await.unwrap();
    assert_eq!(claims.custom["meta"], public);
}
