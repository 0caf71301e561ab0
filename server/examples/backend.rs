//! An app's own backend that trusts mfa-signin's session tokens (README,
//! "Use it from your backend"). Each request's token, from `Authorization:
//! Bearer …` or the `__session` cookie, is verified offline against the
//! issuer's JWKS (`verify` crate); no call to the sign-in server per request.
//!
//! ```sh
//! cargo run -p server --example backend -- --issuer http://127.0.0.1:3000
//! curl -H "authorization: Bearer $TOKEN" http://127.0.0.1:4000/whoami
//! ```
//!
//! `GET /whoami`: who is calling. `GET /sensitive`: the same, only with a
//! second factor verified in the last `--mfa-within` minutes. Anything else
//! about the token: 401 with the reason.

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use clap::Parser;
use serde_json::json;
use std::sync::Arc;
use verify::{Refusal, SessionClaims, Verifier};

#[derive(Parser)]
struct Args {
    /// The sign-in server's origin: tokens' `iss`, and where the JWKS is.
    #[arg(long, env = "MFA_ISSUER")]
    issuer: String,
    #[arg(long, default_value = "127.0.0.1:4000")]
    addr: std::net::SocketAddr,
    /// `/sensitive` wants a second factor verified this many minutes ago at most.
    #[arg(long, default_value_t = 10)]
    mfa_within: i64,
    /// Seconds of clock difference forgiven at `exp` and `nbf`.
    #[arg(long, default_value_t = 5)]
    leeway: u64,
}

struct App {
    verifier: Verifier,
    mfa_within: i64,
}

/// The token a request carries: the bearer header, else the cookie.
fn token(h: &HeaderMap) -> &str {
    let bearer = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let cookie = || {
        h.get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|kv| kv.trim().strip_prefix("__session="))
    };
    bearer.or_else(cookie).unwrap_or("")
}

fn refused(r: Refusal) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({ "error": r.to_string() }))).into_response()
}

fn caller(c: &SessionClaims) -> Response {
    Json(json!({ "user_id": c.sub, "session_id": c.sid, "email": c.email, "fva": c.fva })).into_response()
}

async fn whoami(State(app): State<Arc<App>>, h: HeaderMap) -> Response {
    match app.verifier.verify(token(&h)).await {
        Ok(c) => caller(&c),
        Err(r) => refused(r),
    }
}

async fn sensitive(State(app): State<Arc<App>>, h: HeaderMap) -> Response {
    let checked = async {
        let c = app.verifier.verify(token(&h)).await?;
        verify::second_factor_within(&c, app.mfa_within)?;
        Ok(c)
    };
    match checked.await {
        Ok(c) => caller(&c),
        Err(r) => refused(r),
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let a = Args::parse();
    let app = Arc::new(App { verifier: Verifier::new(&a.issuer).leeway(a.leeway), mfa_within: a.mfa_within });
    let router = Router::new().route("/whoami", get(whoami)).route("/sensitive", get(sensitive)).with_state(app);
    let listener = tokio::net::TcpListener::bind(a.addr).await.map_err(|e| format!("bind {}: {e}", a.addr))?;
    println!("listening on http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    axum::serve(listener, router).await.map_err(|e| e.to_string())
}
