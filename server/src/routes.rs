//! The axum application: leptos pages and server functions behind the
//! guard (`web::guard`), and the development pages.

use app::{api::Api, shell, App};
use axum::{
    extract::{FromRef, Query, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    middleware,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use domain::{store::OutboxMessage, users};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use web::guard::{refuse, CspNonce};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub api: Api,
    pub cfg: Arc<crate::config::Config>,
    /// Requests timed for `/metrics`.
    pub metrics: bool,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let guard = state.api.edge.clone();
    let api = state.api.clone();
    let opts = state.leptos_options.clone();
    let (brand, brand_css) = brand(&state.cfg.settings.branding);
    let page_brand = brand.clone();
    let mut r = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(api.clone());
                provide_context(page_brand.clone());
                app::api::preset_status();
                provide_request_nonce();
                provide_page_lang(&api.edge);
            },
            move || shell(opts.clone()),
        )
        .merge(words_scripts())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        // Also at `/v1/jwks`, where Clerk's backend SDK fetches them.
        .route("/.well-known/jwks.json", get(crate::v1::client::jwks))
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/v1/forward_auth", get(forward_auth))
        .merge(crate::v1::routes())
        .merge(crate::backend::routes());
    if state.cfg.dev {
        r = r
            .route("/dev/outbox", get(outbox_page))
            .route("/dev/outbox.json", get(outbox_json))
            .route("/dev/users", post(dev_user));
    }
    if let Some(css) = brand_css {
        // Its address changes with its content: cached for good.
        let headers =
            [(header::CONTENT_TYPE, "text/css"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")];
        r = r.route("/brand.css", get(move || async move { (headers, css) }));
    }
    let edge = state.api.edge.clone();
    let not_found = move || {
        provide_context(brand.clone());
        provide_request_nonce();
        provide_page_lang(&edge);
    };
    let files = site_files(&state.leptos_options);
    let not_found = leptos_axum::file_and_error_handler_with_context::<AppState, _>(not_found, shell);
    let site = move |State(state): State<AppState>, req: axum::extract::Request| async move {
        site(files, not_found, state, req).await
    };
    let mut r = r.fallback(site);
    if state.metrics {
        r = r.layer(middleware::from_fn(crate::metrics::track));
    }
    let app = r.layer(middleware::from_fn_with_state(guard, web::guard::guard)).with_state(state);
    // Outside the router: a layer on it would run after routing. Every
    // request gets an id (a proxy's X-Request-Id is kept), in its span,
    // so in every log line it causes, and in its answer.
    Router::new()
        .fallback_service(app)
        .layer(middleware::map_request(|req: axum::extract::Request| async move { web::guard::clerk_request(req) }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(Ids))
}

/// The site's files: a build's precompressed `.br` / `.gz` twin when the
/// browser takes it, else compressed now (br, zstd, gzip). Pages and API
/// answers are never compressed: they may hold a secret beside text a
/// request put there (BREACH).
type Files = tower_http::compression::Compression<ServeDir>;

fn site_files(o: &LeptosOptions) -> Files {
    let dir = ServeDir::new(o.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    tower_http::compression::Compression::new(dir)
}

/// A site file, or the not-found page. The wasm, JS and CSS under `pkg/`
/// are named by their content when the build hashes them (`hash.txt`):
/// cached for good; everything else is checked again on each use.
async fn site<H>(files: Files, not_found: H, state: AppState, req: axum::extract::Request) -> Response
where
    H: Fn(
        http::Uri,
        State<AppState>,
        axum::extract::Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>,
{
    use tower::ServiceExt;
    let (parts, body) = req.into_parts();
    let probe = http::Request::from_parts(parts.clone(), axum::body::Body::empty());
    let found = match files.oneshot(probe).await {
        Ok(r) if r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED => Some(r),
        _ => None,
    };
    let Some(res) = found else {
        let uri = parts.uri.clone();
        return not_found(uri, State(state), http::Request::from_parts(parts, body)).await;
    };
    let mut res = res.map(axum::body::Body::new);
    let pkg = format!("/{}/", state.leptos_options.site_pkg_dir);
    let immutable = state.leptos_options.hash_files && parts.uri.path().starts_with(&pkg);
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if !h.contains_key(header::VARY) {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Request ids: 64 random bits, hex.
#[derive(Clone, Copy)]
struct Ids;

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::Rng::random::<u64>(&mut rand::rng()));
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// A request's span: its id, method and path (never its query or headers,
/// which may carry tokens).
fn request_span(req: &http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
}

/// Readiness: 200 when the database answers with this build's schema and a
/// session-token key signs; else 503, naming what is not ready.
async fn readyz(State(state): State<AppState>) -> Response {
    let r = state.api.service.readiness(state.api.edge.clock.now()).await;
    let status = if r.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = serde_json::json!({
        "ready": r.ready(),
        "database": if r.database { "ok" } else { "unreachable" },
        "migrations": if r.migrations { "current" } else { "not this build's" },
        "signing_key": if r.signing_key { "present" } else { "missing" },
    });
    (status, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

fn unavailable() -> Response {
    refuse(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Try again.")
}

/// Discovery: the issuer of session tokens and where its keys are.
async fn discovery(State(state): State<AppState>, parts: Parts) -> Response {
    let api = &state.api;
    let iss = api.service.issuer(&api.edge.request(&parts));
    let alg = state.cfg.settings.session_token.algorithm.name();
    Json(serde_json::json!({
        "issuer": iss,
        "jwks_uri": format!("{iss}/.well-known/jwks.json"),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [alg],
        "claims_supported": ["sub", "sid", "iss", "iat", "nbf", "exp", "sts", "fva", "email", "azp", "v"],
    }))
    .into_response()
}

#[derive(serde::Deserialize)]
struct ForwardAuth {
    /// Answer a signed-out browser with the redirect itself (Traefik, Caddy).
    #[serde(default)]
    redirect: Option<String>,
}

/// Forward auth for reverse proxies (nginx `auth_request`, Traefik
/// ForwardAuth, Caddy `forward_auth`): 200 with the user's headers for an
/// active session; else 401 naming the sign-in page in `X-Auth-Redirect`
/// (back to the original URL, when that is allowed), or with `?redirect=1`
/// a 302 there.
async fn forward_auth(State(state): State<AppState>, Query(q): Query<ForwardAuth>, parts: Parts) -> Response {
    let api = &state.api;
    let mut req = api.edge.request(&parts);
    let user = match api.service.forward_auth(&mut req).await {
        Ok(u) => u,
        Err(_) => return unavailable(),
    };
    if let Some(u) = user {
        let mut res = StatusCode::OK.into_response();
        for (name, value) in [("x-auth-user-id", &u.public_id), ("x-auth-email", &u.email)] {
            if let Ok(v) = HeaderValue::from_str(value) {
                res.headers_mut().insert(name, v);
            }
        }
        return res;
    }
    let sign_in = format!("{}/sign-in", api.service.issuer(&req));
    let to = match original_url(&parts.headers).and_then(|u| api.edge.onward(&parts, Some(&u))) {
        Some(back) => web::origin::with_redirect(&sign_in, &back),
        None => sign_in,
    };
    let Ok(to) = HeaderValue::from_str(&to) else { return StatusCode::UNAUTHORIZED.into_response() };
    let wants_redirect = q.redirect.is_some_and(|v| matches!(v.as_str(), "1" | "true"));
    let mut res = if wants_redirect {
        let mut r = StatusCode::FOUND.into_response();
        r.headers_mut().insert(header::LOCATION, to);
        r
    } else {
        let mut r = refuse(StatusCode::UNAUTHORIZED, "signed_out", "You are signed out.");
        r.headers_mut().insert("x-auth-redirect", to);
        r
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The URL the proxy was asked for: nginx sends it as `X-Original-URL` (our
/// documented config), Traefik and Caddy as `X-Forwarded-Proto/Host/Uri`.
fn original_url(h: &http::HeaderMap) -> Option<String> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
    if let Some(u) = get("x-original-url") {
        return Some(u.to_string());
    }
    Some(format!(
        "{}://{}{}",
        get("x-forwarded-proto")?,
        get("x-forwarded-host")?,
        get("x-forwarded-uri").unwrap_or("/")
    ))
}

/// The branding the pages show, and the stylesheet of its accents (served
/// at an address that names its content).
fn brand(b: &domain::settings::Branding) -> (app::Brand, Option<String>) {
    use std::hash::{Hash, Hasher};
    let css = b.stylesheet();
    let href = css.as_ref().map(|c| {
        let mut h = std::hash::DefaultHasher::new();
        c.hash(&mut h);
        format!("/brand.css?v={:016x}", h.finish())
    });
    let brand = app::Brand {
        name: b.name.trim().to_string(),
        logo: b.logo.clone(),
        logo_dark: b.logo_dark.clone(),
        stylesheet: href,
    };
    (brand, css)
}

/// The page's scripts carry the guard's nonce (Leptos would make its own).
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
}

/// A page's words for its islands (`words::page_script`), in the language
/// the file names: cached for good (the page's link names the version) and
/// compressed (nothing secret in it, unlike a page).
fn words_scripts<S: Clone + Send + Sync + 'static>() -> Router<S> {
    async fn script(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
        let lang = file.strip_suffix(".js").and_then(|t| proto::Lang::ALL.into_iter().find(|l| l.tag() == t));
        let Some(lang) = lang else { return StatusCode::NOT_FOUND.into_response() };
        let headers = [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ];
        (headers, words::page_script(lang).0).into_response()
    }
    Router::new().route("/words/{file}", get(script)).layer(tower_http::compression::CompressionLayer::new())
}

/// The page's language, chosen by the request (the menu's cookie, else
/// `Accept-Language`); the answer says so, and what it depended on.
fn provide_page_lang(edge: &web::Edge) {
    let lang = use_context::<http::request::Parts>().map(|p| edge.lang(&p.headers)).unwrap_or_default();
    provide_context(lang);
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
        res.append_header(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    }
}

async fn load_outbox(state: &AppState) -> Result<Vec<OutboxMessage>, Response> {
    // The use case has logged a failure.
    state.api.service.outbox(50).await.map_err(|_| unavailable())
}

async fn outbox_json(State(state): State<AppState>) -> Response {
    load_outbox(&state).await.map(|m| Json(m).into_response()).unwrap_or_else(|r| r)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn outbox_html(messages: &[OutboxMessage]) -> String {
    let rows: String = messages
        .iter()
        .map(|m| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"body\">{}</td></tr>",
                m.created_at,
                escape(&m.channel),
                escape(&m.recipient),
                escape(&m.body)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dev outbox</title>\
         <link rel=\"stylesheet\" href=\"/pkg/mfa-signin.css\"></head><body><main class=\"page\">\
         <section class=\"card wide\"><h1>Development outbox</h1>\
         <p class=\"muted\">Messages the development sender stored instead of sending. Newest first.</p>\
         <table><thead><tr><th>Unix time</th><th>Channel</th><th>To</th><th>Message</th></tr></thead>\
         <tbody>{rows}</tbody></table></section></main></body></html>"
    )
}

async fn outbox_page(State(state): State<AppState>) -> Response {
    load_outbox(&state).await.map(|m| Html(outbox_html(&m)).into_response()).unwrap_or_else(|r| r)
}

/// Development only: creates a user and answers its secrets (for tests).
async fn dev_user(
    State(state): State<AppState>,
    body: Result<Json<users::Spec>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(spec)) = body else {
        return refuse(StatusCode::BAD_REQUEST, "request_invalid", "Send a JSON user spec.");
    };
    match state.api.service.create_user(spec).await {
        Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
        Err(users::CreateError::Exists) => {
            refuse(StatusCode::CONFLICT, "form_identifier_exists", "That email is taken.")
        }
        Err(e @ (users::CreateError::Invalid(_) | users::CreateError::Refused(_))) => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, "form_param_invalid", &e.to_string())
        }
        Err(users::CreateError::Store(e)) => {
            tracing::error!(error = %e, "create user");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Try again.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_escapes_html() {
        let m = OutboxMessage {
            id: 1,
            channel: "sms".into(),
            recipient: "+1".into(),
            body: "<script>".into(),
            created_at: 0,
        };
        let html = outbox_html(&[m]);
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
