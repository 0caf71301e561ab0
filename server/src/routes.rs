//! The axum application: leptos pages and server functions, the origin
//! guard and body limit in front of them, and the development pages.

use app::{api::Api, shell, App};
use axum::{
    body::Body,
    extract::{FromRef, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use domain::{secrets, store::OutboxMessage, users};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use proto::ApiErrors;
use std::sync::Arc;
use web::origin::{is_local, same_origin, Origin};

/// Server-function bodies are a few fields; anything larger is refused.
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub api: Api,
    pub cfg: Arc<crate::config::Config>,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let api = state.api.clone();
    let opts = state.leptos_options.clone();
    let mut r = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(api.clone());
                app::api::preset_status();
                provide_request_nonce();
            },
            move || shell(opts.clone()),
        )
        .route("/healthz", get(|| async { "ok" }));
    if state.cfg.dev {
        r = r
            .route("/dev/outbox", get(outbox_page))
            .route("/dev/outbox.json", get(outbox_json))
            .route("/dev/users", post(dev_user));
    }
    r.fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_request_nonce, shell))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ApiErrors {
        status: status.as_u16(),
        errors: vec![proto::ApiError {
            code: code.into(),
            message: message.into(),
            long_message: message.into(),
            meta: Default::default(),
        }],
    };
    (status, Json(body)).into_response()
}

/// The nonce of this response's scripts, made by the guard, handed to Leptos.
#[derive(Clone)]
struct CspNonce(Arc<str>);

/// The page's scripts carry the guard's nonce (Leptos would make its own).
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
}

/// Scripts only from us or with this response's nonce; no plug-ins, no
/// `<base>`, forms post only to us, and no page of ours inside a frame.
fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut req = req;
    let cfg = &state.cfg;
    let own = Origin::own(cfg.own_origin.as_ref(), cfg.dev, req.headers());
    let api = req.uri().path().starts_with("/api/");
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        if !same_origin(own.as_ref(), req.headers()) {
            tracing::warn!(path = %req.uri().path(), "cross-site request refused");
            return refuse(StatusCode::FORBIDDEN, "origin_invalid", "Cross-site requests are refused.");
        }
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", "The request is too large.");
        };
        req = Request::from_parts(parts, Body::from(bytes));
    }
    // A plain form post is sent back to its Referer: only to a page of ours.
    let referer = req.headers().get(header::REFERER).map(|r| r.to_str().is_ok_and(|r| is_local(r, own.as_ref())));
    if referer == Some(false) {
        req.headers_mut().remove(header::REFERER);
    }
    let nonce: Arc<str> = secrets::token().into();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let location = h.get(header::LOCATION).map(|l| l.to_str().is_ok_and(|l| is_local(l, own.as_ref())));
    if location == Some(false) {
        tracing::warn!("redirect off this server replaced");
        h.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if let Ok(v) = HeaderValue::from_str(&csp(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn load_outbox(state: &AppState) -> Result<Vec<OutboxMessage>, Response> {
    state.api.service.store.outbox(50).await.map_err(|e| {
        tracing::error!(error = %e, "outbox");
        refuse(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Try again.")
    })
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
    let svc = &state.api.service;
    match users::create(svc.store.as_ref(), &svc.keys, spec, svc.cfg.s.require_mfa, svc.clock.now()).await {
        Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
        Err(users::CreateError::Exists) => {
            refuse(StatusCode::CONFLICT, "form_identifier_exists", "That email is taken.")
        }
        Err(users::CreateError::Invalid(m)) => refuse(StatusCode::UNPROCESSABLE_ENTITY, "form_param_invalid", &m),
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
