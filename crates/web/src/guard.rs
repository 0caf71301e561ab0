//! The guard in front of every route: the origin check for state-changing
//! requests, the body limit, redirect targets kept on this server, and the
//! response headers (a CSP with a fresh nonce per response).

use crate::origin::{allowed_redirect, is_local, same_origin, Origin};
use crate::Edge;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use proto::ApiErrors;
use std::sync::Arc;

/// Server-function bodies are a few fields; anything larger is refused.
pub const BODY_LIMIT: usize = 16 * 1024;

/// An error in the API's wire shape, for a request refused before any route.
pub fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
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

/// The nonce of this response's scripts, made by the guard; the server hands
/// it to Leptos.
#[derive(Clone)]
pub struct CspNonce(pub Arc<str>);

/// Scripts only from us or with this response's nonce; no plug-ins, no
/// `<base>`, forms post only to us, and no page of ours inside a frame.
fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

pub async fn guard(State(cfg): State<Arc<Edge>>, req: Request, next: Next) -> Response {
    let mut req = req;
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
    let nonce: Arc<str> = domain::secrets::token().into();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let location = h
        .get(header::LOCATION)
        .map(|l| l.to_str().is_ok_and(|l| allowed_redirect(l, own.as_ref(), &cfg.redirect_origins)));
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
