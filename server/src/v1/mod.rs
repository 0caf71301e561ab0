//! The `/v1` JSON API, for every client that is not our own pages: native
//! apps with a client token (`Authorization`), other web origins with the
//! cookies (CORS, `allowed_origins`). Shaped after Clerk's Frontend API;
//! each handler hands the request to the same use case as the server
//! function of its page (`app::api`). `openapi.rs` describes it.

pub mod client;
mod me;
pub mod openapi;

use app::api::Api;
use axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    handler::Handler,
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, on, MethodFilter, MethodRouter},
    Json, Router,
};
use domain::service::{Native, Service};
use domain::{request::Jar, secrets};
use proto::{clerk, ApiErrors, Fault, Field, Lang, Strategy};
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
    let documented = Router::new().route("/v1/openapi.json", get(openapi::document));
    operations()
        .into_iter()
        .fold(documented, |r, (_, path, handler)| r.route(path, handler))
        // Unknown /v1 paths answer in the API's shape, not with a page.
        .route("/v1/{*rest}", get(not_found).post(not_found).delete(not_found).patch(not_found))
}

/// The methods `/v1` answers.
#[derive(Clone, Copy, Debug)]
enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

/// One operation: its method, its path and its handler. The OpenAPI
/// document must list exactly these (a test checks it).
type Op<S> = (Verb, &'static str, MethodRouter<S>);

fn op<H, T, S>(verb: Verb, path: &'static str, handler: H) -> Op<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    let filter = match verb {
        Verb::Get => MethodFilter::GET,
        Verb::Post => MethodFilter::POST,
        Verb::Patch => MethodFilter::PATCH,
        Verb::Delete => MethodFilter::DELETE,
    };
    (verb, path, on(filter, handler))
}

/// Every operation of `/v1` (routes sharing a path merge).
fn operations<S>() -> Vec<Op<S>>
where
    Api: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    use Verb::{Delete, Get, Patch, Post};
    vec![
        op(Get, "/v1/environment", client::get_environment),
        op(Patch, "/v1/environment", client::touch_environment),
        op(Get, "/v1/jwks", client::jwks),
        op(Post, "/v1/dev_browser", client::create_dev_browser),
        op(Get, "/v1/client", client::get_client),
        op(Delete, "/v1/client", client::delete_client),
        op(Delete, "/v1/client/sessions", client::end_sessions),
        op(Post, "/v1/client/sign_ins", client::create_sign_in),
        op(Get, "/v1/client/sign_ins/{id}", client::get_sign_in),
        op(Post, "/v1/client/sign_ins/{id}/prepare_first_factor", client::prepare_first_factor),
        op(Post, "/v1/client/sign_ins/{id}/attempt_first_factor", client::attempt_first_factor),
        op(Post, "/v1/client/sign_ins/{id}/reset_password", client::reset_password),
        op(Post, "/v1/client/sign_ins/{id}/prepare_second_factor", client::prepare_second_factor),
        op(Post, "/v1/client/sign_ins/{id}/attempt_second_factor", client::attempt_second_factor),
        op(Post, "/v1/client/sign_ups", client::create_sign_up),
        op(Get, "/v1/client/sign_ups/{id}", client::get_sign_up),
        op(Post, "/v1/client/sign_ups/{id}/prepare_verification", client::prepare_verification),
        op(Post, "/v1/client/sign_ups/{id}/attempt_verification", client::attempt_verification),
        op(Post, "/v1/client/sessions/{id}/tokens", client::create_token),
        op(Post, "/v1/client/sessions/{id}/end", client::end_session),
        op(Post, "/v1/client/sessions/{id}/touch", client::touch_session),
        op(Get, "/v1/me", me::get_me),
        op(Patch, "/v1/me", me::update_me),
        op(Delete, "/v1/me", me::delete_me),
        op(Get, "/v1/me/data", me::my_data),
        op(Patch, "/v1/me/metadata", me::update_metadata),
        op(Post, "/v1/me/reverify", me::reverify),
        op(Post, "/v1/me/totp", me::create_totp),
        op(Delete, "/v1/me/totp", me::delete_totp),
        op(Post, "/v1/me/totp/attempt_verification", me::verify_totp),
        op(Post, "/v1/me/phone_numbers", me::create_phone),
        op(Delete, "/v1/me/phone_numbers", me::delete_phone),
        op(Post, "/v1/me/phone_numbers/attempt_verification", me::verify_phone),
        op(Post, "/v1/me/default_second_factor", me::default_second_factor),
        op(Post, "/v1/me/backup_codes", me::create_backup_codes),
        op(Delete, "/v1/me/backup_codes", me::delete_backup_codes),
        op(Post, "/v1/me/change_password", me::change_password),
        op(Get, "/v1/me/sessions/active", me::active_sessions),
        op(Post, "/v1/me/sessions/revoke_others", me::revoke_others),
        op(Post, "/v1/me/sessions/{id}/revoke", me::revoke_session),
        op(Post, "/v1/me/passkeys", me::create_passkey),
        op(Post, "/v1/me/passkeys/attempt_verification", me::verify_passkey),
        op(Patch, "/v1/me/passkeys/{id}", me::rename_passkey),
        op(Delete, "/v1/me/passkeys/{id}", me::delete_passkey),
        op(Get, "/v1/me/trusted_devices", me::trusted_devices),
        op(Post, "/v1/me/trusted_devices/{id}/revoke", me::revoke_trusted_device),
    ]
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "resource_not_found", "No such endpoint.")
}

/// Whom a `/v1` answer is for: our own clients, or Clerk's SDKs, which say
/// so by the API version they speak (clerk-js and `@clerk/expo` send
/// `__clerk_api_version` and `_clerk_js_version`; the iOS and Android SDKs
/// a `clerk-api-version` header). Clerk's get its shapes (`proto::clerk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Ours,
    Clerk,
}

impl Dialect {
    fn of(parts: &Parts) -> Dialect {
        let named = |key| web::query_param(parts.uri.query(), key).is_some();
        if named("__clerk_api_version") || named("_clerk_js_version") || parts.headers.contains_key("clerk-api-version")
        {
            Dialect::Clerk
        } else {
            Dialect::Ours
        }
    }
}

/// A `/v1` answer: our view, and what Clerk's SDKs read in its place.
pub trait Resource: Serialize + Sized {
    /// Clerk wraps a resource in `{ response, client }`; a token, the
    /// environment and lists come bare.
    const WRAPPED: bool = true;

    /// Clerk's shape of it (ours where they agree).
    fn clerk(self, _: &Clerk) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// What Clerk's shapes need beside the view: the client's id and the
/// session's user.
pub struct Clerk {
    client_id: String,
    user: Option<proto::UserView>,
    /// The request's time (Unix seconds).
    now: i64,
}

impl Clerk {
    /// The session's user's id (`user_…`), if signed in.
    fn user_id(&self) -> &str {
        self.user.as_ref().map(|u| u.id.as_str()).unwrap_or("")
    }
}

impl Resource for () {}
impl Resource for proto::SignInView {}
impl Resource for proto::SignUpView {}
impl Resource for proto::Changed {}
impl Resource for proto::PasskeyCreation {}
impl Resource for proto::PasskeyView {}
impl Resource for proto::TokenView {
    const WRAPPED: bool = false;
}
impl Resource for proto::v1::EnvironmentView {
    const WRAPPED: bool = false;
}
impl<T: Serialize> Resource for Vec<T> {
    const WRAPPED: bool = false;
}
impl Resource for proto::UserView {
    fn clerk(self, _: &Clerk) -> serde_json::Value {
        serde_json::to_value(clerk::User::from(&self)).unwrap_or_default()
    }
}
impl Resource for proto::SessionView {
    fn clerk(self, c: &Clerk) -> serde_json::Value {
        serde_json::to_value(clerk::Session::new(self, c.user.as_ref())).unwrap_or_default()
    }
}
impl Resource for proto::v1::ClientView {
    fn clerk(self, c: &Clerk) -> serde_json::Value {
        serde_json::to_value(clerk::Client::new(c.client_id.clone(), self, c.user.as_ref(), c.now)).unwrap_or_default()
    }
}

/// One `/v1` call: the use cases, and the domain's view of the request with
/// how its tokens travel (cookies, or a native client's row).
pub struct Call {
    pub svc: Arc<Service>,
    edge: Arc<Edge>,
    pub req: domain::request::Request,
    carrier: Carrier,
    /// A native client, whose token changes its row keeps.
    native: Option<Native>,
    dialect: Dialect,
    /// A read: Clerk's SDKs take the client from a write's answer only.
    read: bool,
    /// The body's required fields and whether each is empty: a refusal
    /// names every empty one (the use case stops at the first).
    empty: Vec<(Field, bool)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Call
where
    Api: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Api { service: svc, edge } = Api::from_ref(state);
        let (dialect, read) = (Dialect::of(parts), parts.method == axum::http::Method::GET);
        let (req, carrier) = edge.v1_request(parts);
        if carrier == Carrier::Cookies {
            return Ok(Call { svc, edge, req, carrier, native: None, dialect, read, empty: vec![] });
        }
        let not_ours = || {
            refuse(
                StatusCode::UNAUTHORIZED,
                "authorization_invalid",
                "The client token is not one of ours: start again without it.",
            )
        };
        let token = edge.client_token(parts).map_err(|_| not_ours())?;
        match svc.native_client(token.as_deref(), req.now).await {
            Ok(Some((native, carried))) => {
                let req = req.carrying(carried);
                Ok(Call { svc, edge, req, carrier, native: Some(native), dialect, read, empty: vec![] })
            }
            Ok(None) => Err(not_ours()),
            Err(f) => Err(fault(f)),
        }
    }
}

/// A fault as `/v1` answers it: its status, its errors, its `Retry-After`.
pub fn fault(f: Fault) -> Response {
    fault_naming(f, &[], Lang::En)
}

/// `fault`, with an error for each field in `empty` that is empty, worded
/// in `lang` (the messages; the codes and meta are the same in any).
fn fault_naming(f: Fault, empty: &[(Field, bool)], lang: Lang) -> Response {
    let (status, retry_after) = web::fault_status(&f);
    let errors = words::errors(lang, ApiErrors::from(f).and_missing(empty));
    let mut res = (status, Json(errors)).into_response();
    if let Some(v) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    res
}

impl Call {
    /// Required fields of the body, and whether each is empty.
    pub fn requiring(self, empty: &[(Field, bool)]) -> Call {
        Call { empty: empty.to_vec(), ..self }
    }

    /// The answer: the view or the fault (its status and `Retry-After`), with
    /// the token changes as cookies or the rotated client token.
    /// In the language a body names (Clerk's `locale`), if it is one of
    /// ours; else the request's.
    pub fn in_locale(mut self, locale: Option<&str>) -> Call {
        if let Some(lang) = locale.and_then(Lang::from_tag) {
            self.req.lang = lang;
        }
        self
    }

    pub async fn answer<T: Resource>(mut self, r: Result<T, Fault>) -> Response {
        let mut res = match r {
            Ok(v) if self.dialect == Dialect::Clerk => self.clerk(v).await,
            Ok(v) => Json(v).into_response(),
            Err(f) => fault_naming(f, &self.empty, self.req.lang),
        };
        self.edge.answer(&self.req, self.carrier, res.headers_mut());
        if let Some(native) = self.native.take() {
            match self.svc.keep_native(native, &self.req).await {
                Ok(Some(token)) => {
                    if let Ok(v) = HeaderValue::from_str(&token) {
                        res.headers_mut().insert(header::AUTHORIZATION, v);
                    }
                }
                Ok(None) => {}
                // What the step did is done, but this client would not know it.
                Err(f) => return fault_naming(f, &[], self.req.lang),
            }
        }
        res
    }

    /// `v` in Clerk's shape; a resource in its envelope, with the client
    /// after a write.
    async fn clerk<T: Resource>(&mut self, v: T) -> Response {
        // The user for the resource's sessions; after a write, the client
        // too, both from one read of the session.
        let (client, user) = match (T::WRAPPED, self.read) {
            (false, _) => (None, None),
            (true, true) => (None, self.svc.user(&mut self.req).await.ok().flatten()),
            (true, false) => match self.svc.client_and_user(&mut self.req).await {
                Ok((client, user)) => (Some(client), user),
                Err(_) => (None, None),
            },
        };
        let client_id = self.req.token(Jar::Client).map(|t| format!("client_{}", secrets::public_id("client", t)));
        let ctx = Clerk { client_id: client_id.unwrap_or_default(), user, now: self.req.now };
        let response = v.clerk(&ctx);
        if !T::WRAPPED {
            return Json(response).into_response();
        }
        let client = client.map(|c| c.clerk(&ctx));
        Json(serde_json::json!({ "response": response, "client": client })).into_response()
    }

    /// Runs one step of the use cases on this call's request and answers it.
    pub async fn step<T: Resource>(
        mut self,
        step: impl AsyncFnOnce(&Service, &mut domain::request::Request) -> Result<T, Fault>,
    ) -> Response {
        let svc = self.svc.clone();
        let r = step(&svc, &mut self.req).await;
        self.answer(r).await
    }

    /// `step`, only for a path naming what this client carries in `jar`
    /// (`owns`).
    pub async fn step_on<T: Resource>(
        self,
        jar: Jar,
        id: &str,
        step: impl AsyncFnOnce(&Service, &mut domain::request::Request) -> Result<T, Fault>,
    ) -> Response {
        match self.owns(jar, id) {
            Ok(()) => self.step(step).await,
            Err(f) => self.answer(Err::<(), _>(f)).await,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use utoipa::OpenApi;

    #[test]
    fn the_routes_are_the_documented_operations() {
        let routed: BTreeSet<(String, String)> = operations::<Api>()
            .into_iter()
            .map(|(verb, path, _)| (format!("{verb:?}").to_uppercase(), path.to_string()))
            .collect();
        let doc = openapi::ApiDoc::openapi();
        let mut documented = BTreeSet::new();
        for (path, item) in &doc.paths.paths {
            let ops = [("GET", &item.get), ("POST", &item.post), ("PATCH", &item.patch), ("DELETE", &item.delete)];
            for (verb, op) in ops {
                if op.is_some() {
                    documented.insert((verb.to_string(), path.clone()));
                }
            }
            assert!(item.put.is_none() && item.head.is_none(), "{path}: a method /v1 does not route");
        }
        assert!(routed.len() > 30, "the table is read");
        assert_eq!(routed, documented);
    }
}
