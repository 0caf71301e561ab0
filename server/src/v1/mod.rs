//! The `/v1` JSON API, for every client that is not our own pages: native
//! apps with a client token (`Authorization`), other web origins with the
//! cookies (CORS, `allowed_origins`). Shaped after Clerk's Frontend API;
//! each handler hands the request to the same use case as the server
//! function of its page (`app::api`). `openapi.rs` describes it.

/// Runs one step (`|svc, req| …`, a `Result` with `?` allowed) on the
/// call's request and answers it; with a jar and an id first, only for a
/// path naming what this client carries there (`Call::owns`).
macro_rules! step {
    ($c:ident, |$svc:ident, $req:ident| $body:expr) => {{
        let mut c = $c;
        let svc = c.svc.clone();
        let $svc: &domain::service::Service = &svc;
        let r = async {
            let $req = &mut c.req;
            $body
        }
        .await;
        c.answer(r)
    }};
    ($c:ident, $jar:expr, $id:expr, |$svc:ident, $req:ident| $body:expr) => {{
        match $c.owns($jar, &$id) {
            Ok(()) => step!($c, |$svc, $req| $body),
            Err(f) => $c.answer(Err::<(), _>(f)),
        }
    }};
}

mod client;
mod me;
pub mod openapi;

use app::api::Api;
use axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
    Json, Router,
};
use domain::{request::Jar, secrets, service::Service};
use proto::{ApiErrors, Fault, Field, Strategy};
use serde::{de::DeserializeOwned, Serialize};
use std::sync::Arc;
use web::{guard::refuse, Carrier, Edge};

/// The routes, on any state that holds the `Api` (the use cases and the
/// edge): `/v1` needs nothing else of the server.
pub fn routes<S>() -> Router<S>
where
    Api: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/v1/openapi.json", get(openapi::document))
        .route("/v1/client", get(client::get_client))
        .route("/v1/client/sign_ins", post(client::create_sign_in))
        .route("/v1/client/sign_ins/{id}", get(client::get_sign_in))
        .route("/v1/client/sign_ins/{id}/prepare_first_factor", post(client::prepare_first_factor))
        .route("/v1/client/sign_ins/{id}/attempt_first_factor", post(client::attempt_first_factor))
        .route("/v1/client/sign_ins/{id}/reset_password", post(client::reset_password))
        .route("/v1/client/sign_ins/{id}/prepare_second_factor", post(client::prepare_second_factor))
        .route("/v1/client/sign_ins/{id}/attempt_second_factor", post(client::attempt_second_factor))
        .route("/v1/client/sign_ups", post(client::create_sign_up))
        .route("/v1/client/sign_ups/{id}", get(client::get_sign_up))
        .route("/v1/client/sign_ups/{id}/prepare_verification", post(client::prepare_verification))
        .route("/v1/client/sign_ups/{id}/attempt_verification", post(client::attempt_verification))
        .route("/v1/client/sessions/{id}/tokens", post(client::create_token))
        .route("/v1/client/sessions/{id}/end", post(client::end_session))
        .route("/v1/me", get(me::get_me))
        .route("/v1/me/reverify", post(me::reverify))
        .route("/v1/me/totp", post(me::create_totp).delete(me::delete_totp))
        .route("/v1/me/totp/attempt_verification", post(me::verify_totp))
        .route("/v1/me/phone_numbers", post(me::create_phone).delete(me::delete_phone))
        .route("/v1/me/phone_numbers/attempt_verification", post(me::verify_phone))
        .route("/v1/me/default_second_factor", post(me::default_second_factor))
        .route("/v1/me/backup_codes", post(me::create_backup_codes).delete(me::delete_backup_codes))
        .route("/v1/me/change_password", post(me::change_password))
        .route("/v1/me/sessions/active", get(me::active_sessions))
        .route("/v1/me/sessions/revoke_others", post(me::revoke_others))
        .route("/v1/me/sessions/{id}/revoke", post(me::revoke_session))
        .route("/v1/me/passkeys", post(me::create_passkey))
        .route("/v1/me/passkeys/attempt_verification", post(me::verify_passkey))
        .route("/v1/me/passkeys/{id}", patch(me::rename_passkey).delete(me::delete_passkey))
        .route("/v1/me/trusted_devices", get(me::trusted_devices))
        .route("/v1/me/trusted_devices/{id}/revoke", post(me::revoke_trusted_device))
        // Unknown /v1 paths answer in the API's shape, not with a page.
        .route("/v1/{*rest}", get(not_found).post(not_found).delete(not_found).patch(not_found))
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "resource_not_found", "No such endpoint.")
}

/// One `/v1` call: the use cases, and the domain's view of the request with
/// how its tokens travel (cookies or the client token).
pub struct Call {
    pub svc: Arc<Service>,
    edge: Arc<Edge>,
    pub req: domain::request::Request,
    carrier: Carrier,
}

impl<S: Send + Sync> FromRequestParts<S> for Call
where
    Api: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Api { service: svc, edge } = Api::from_ref(state);
        match edge.v1_request(parts, svc.clock.now()) {
            Ok((req, carrier)) => Ok(Call { svc, edge, req, carrier }),
            Err(web::BadClientToken) => Err(refuse(
                StatusCode::UNAUTHORIZED,
                "authorization_invalid",
                "The client token is not one of ours: start again without it.",
            )),
        }
    }
}

impl Call {
    /// The answer: the view or the fault (its status and `Retry-After`), with
    /// the token changes as cookies or the rotated client token.
    pub fn answer<T: Serialize>(self, r: Result<T, Fault>) -> Response {
        let mut res = match r {
            Ok(v) => Json(v).into_response(),
            Err(f) => {
                let status = StatusCode::from_u16(f.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
                let mut res = (status, Json(ApiErrors::from(f))).into_response();
                if let Some(s) = f.retry_after() {
                    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
                }
                res
            }
        };
        self.edge.answer(&self.req, self.carrier, res.headers_mut());
        res
    }

    /// Is `id` the public id of what this client carries in `jar`? A path
    /// naming another sign-in, sign-up or session finds nothing.
    pub fn owns(&self, jar: Jar, id: &str) -> Result<(), Fault> {
        let key = self.req.token(jar).map(secrets::token_key);
        let (current, missing) = match jar {
            Jar::SignIn => (key.as_deref().map(domain::service::sign_in_id), Fault::SignInNotFound),
            Jar::SignUp => (key.as_deref().map(domain::service::sign_up_id), Fault::SignUpNotFound),
            _ => (key.as_deref().map(domain::service::public_id), Fault::SessionNotFound),
        };
        match current {
            Some(c) if secrets::same(&c, id) => Ok(()),
            _ => Err(missing),
        }
    }
}

/// A `/v1` body: JSON, or a form (`application/x-www-form-urlencoded`, as
/// Clerk's SDKs send); empty means every field absent. Anything that does
/// not decode is a 400 in the API's shape.
pub struct Input<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for Input<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let kind = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = Bytes::from_request(req, state).await.map_err(|_| bad_body())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input(T::default()));
        }
        let parsed = if kind.starts_with("application/json") {
            serde_json::from_slice(&bytes).map_err(|_| ())
        } else if kind.is_empty() || kind.starts_with("application/x-www-form-urlencoded") {
            serde_urlencoded::from_bytes(&bytes).map_err(|_| ())
        } else {
            Err(())
        };
        parsed.map(Input).map_err(|()| bad_body())
    }
}

fn bad_body() -> Response {
    refuse(StatusCode::BAD_REQUEST, "request_invalid", "Send JSON or a form with the documented fields.")
}

/// The strategy a step names, or the field error for its absence.
pub fn strategy(s: Option<Strategy>) -> Result<Strategy, Fault> {
    s.ok_or(Fault::Missing(Field::Strategy))
}
