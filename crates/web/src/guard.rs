//! The guard in front of every route: the origin check for state-changing
//! requests, the body limit, redirect targets kept on this server, and the
//! response headers (a CSP with a fresh nonce per response).

use crate::flash;
use crate::origin::{allowed_redirect, is_local, same_origin, BadHost, Origin};
use crate::{accepts_html, Edge};
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
    (status, Json(refusal(status.as_u16(), code, message))).into_response()
}

/// The body of `refuse`.
pub fn refusal(status: u16, code: &str, message: &str) -> ApiErrors {
    ApiErrors {
        status,
        errors: vec![proto::ApiError {
            code: code.into(),
            message: message.into(),
            long_message: message.into(),
            meta: Default::default(),
        }],
    }
}

/// The nonce of this response's scripts, made by the guard; the server hands
/// it to Leptos.
#[derive(Clone)]
pub struct CspNonce(pub Arc<str>);

/// Scripts only from us or with this response's nonce; no plug-ins, no
/// `<base>`, forms post only to us, and no page of ours inside a frame.
fn csp(nonce: &str, img_origin: Option<&str>) -> String {
    let img = img_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'{img}; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The `/v1` API, which native clients call with a client token (forward
/// auth, under the same prefix, reads neither tokens nor bodies).
fn is_v1(path: &str) -> bool {
    path.starts_with("/v1/") && path != "/v1/forward_auth"
}

/// Clerk's SDKs send `PATCH` and `DELETE` as `POST …?_method=PATCH|DELETE`,
/// and some `/v1` paths with a trailing slash: both made plain before
/// routing (so this runs outside the router, `server/src/routes.rs`).
pub fn clerk_request<B>(mut req: http::Request<B>) -> http::Request<B> {
    if !is_v1(req.uri().path()) {
        return req;
    }
    if req.method() == Method::POST {
        let tunnelled =
            crate::query_param(req.uri().query(), "_method").and_then(|v| match v.to_ascii_uppercase().as_str() {
                "PATCH" => Some(Method::PATCH),
                "DELETE" => Some(Method::DELETE),
                "PUT" => Some(Method::PUT),
                _ => None,
            });
        if let Some(m) = tunnelled {
            *req.method_mut() = m;
        }
    }
    let path = req.uri().path();
    if path.len() > "/v1/".len() && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let pq = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = pq.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

/// The request's `Origin`, if it is one of `allowed` (CORS on /v1).
fn cors_origin<'a>(headers: &'a http::HeaderMap, allowed: &[Origin]) -> Option<&'a HeaderValue> {
    let o = headers.get(header::ORIGIN)?;
    let (origin, tail) = Origin::parse(o.to_str().ok()?)?;
    (tail.is_empty() && allowed.contains(&origin)).then_some(o)
}

/// The methods `/v1` answers to, as a preflight names them
/// (`native::every_documented_operation_passes_its_preflight` checks them
/// against every operation of the OpenAPI document).
pub const CORS_METHODS: &str = "GET, POST, PATCH, DELETE";

/// A preflight from an allowed origin: what it may send.
fn preflight(origin: &HeaderValue) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(CORS_METHODS));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, x-device-model"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    res
}

pub async fn guard(State(cfg): State<Arc<Edge>>, req: Request, next: Next) -> Response {
    let mut req = req;
    // Links, codes' domain lines, the token issuer and redirects are made
    // from this origin: a Host it cannot come from is refused here, before
    // any route (the health checks excepted: probes ask by IP, and they
    // link nowhere).
    let own = match cfg.origin(req.headers(), req.uri()) {
        Ok(o) => Some(o),
        Err(_) if matches!(req.uri().path(), "/healthz" | "/readyz") => None,
        Err(BadHost::Invalid) => {
            return refuse(StatusCode::BAD_REQUEST, "host_invalid", "The Host header does not name a host.")
        }
        Err(BadHost::Unknown) => {
            tracing::warn!(host = ?req.headers().get(header::HOST), "request for another host refused");
            return refuse(
                StatusCode::MISDIRECTED_REQUEST,
                "host_invalid",
                "This server does not answer for that host.",
            );
        }
    };
    let api = req.uri().path().starts_with("/api/");
    let v1 = is_v1(req.uri().path());
    // A client token never rides on a browser page: a page could otherwise
    // send a token it got hold of with its visitor's request.
    if v1 && req.headers().contains_key(header::ORIGIN) && crate::is_native(req.headers(), req.uri()) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "origin_authorization_headers_conflict",
            "A request may carry an Origin or an Authorization header, not both.",
        );
    }
    let cors = if v1 { cors_origin(req.headers(), &cfg.allowed_origins).cloned() } else { None };
    if *req.method() == Method::OPTIONS && v1 {
        return match &cors {
            Some(o) => preflight(o),
            None => refuse(StatusCode::FORBIDDEN, "origin_invalid", "Cross-site requests are refused."),
        };
    }
    let form_post = api && accepts_html(req.headers()) && *req.method() == Method::POST;
    let mut typed = flash::Kept::default();
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        if cors.is_none() && !same_origin(own.as_ref(), req.headers()) {
            tracing::warn!(path = %req.uri().path(), "cross-site request refused");
            return refuse(StatusCode::FORBIDDEN, "origin_invalid", "Cross-site requests are refused.");
        }
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large", "The request is too large.");
        };
        if form_post {
            typed = flash::typed(&bytes);
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    // A page after a failed plain form post: its error, once.
    let page = *req.method() == Method::GET && !api && !v1 && accepts_html(req.headers());
    let flashed = match page.then(|| flash::take(cfg.dev, req.headers(), req.uri())).flatten() {
        Some((uri, kept)) => {
            *req.uri_mut() = uri;
            req.extensions_mut().insert(kept);
            true
        }
        None => false,
    };
    // A plain form post is sent back to its Referer: only to a page of ours.
    let referer = req.headers().get(header::REFERER).map(|r| r.to_str().is_ok_and(|r| is_local(r, own.as_ref())));
    if referer == Some(false) {
        req.headers_mut().remove(header::REFERER);
    }
    let nonce: Arc<str> = domain::secrets::token().into();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if form_post {
        let moved = h.get(header::LOCATION).and_then(|l| l.to_str().ok()).map(flash::split_location);
        if let Some((clean, Some(errors))) = moved {
            if let (Ok(l), Some(c)) = (HeaderValue::from_str(&clean), flash::set_cookie(cfg.dev, &errors, &typed)) {
                h.insert(header::LOCATION, l);
                h.append(header::SET_COOKIE, c);
            }
        }
    }
    if flashed {
        if let Some(c) = flash::clear_cookie(cfg.dev) {
            h.append(header::SET_COOKIE, c);
        }
    }
    let location = h
        .get(header::LOCATION)
        .map(|l| l.to_str().is_ok_and(|l| allowed_redirect(l, own.as_ref(), &cfg.redirect_origins)));
    if location == Some(false) {
        tracing::warn!("redirect off this server replaced");
        h.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if let Ok(v) = HeaderValue::from_str(&csp(&nonce, cfg.img_origin.as_deref())) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Pages too: each has its own CSP nonce, and may show a user's data or
    // a secret shown once (new backup codes, a TOTP secret).
    if api || v1 || (page && !h.contains_key(header::CACHE_CONTROL)) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(o) = cors {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    if v1 {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(method: Method, uri: &str) -> (Method, String) {
        let req = http::Request::builder().method(method).uri(uri).body(()).unwrap();
        let req = clerk_request(req);
        (req.method().clone(), req.uri().to_string())
    }

    #[test]
    fn clerks_tunnelled_methods_and_trailing_slashes_are_made_plain() {
        assert_eq!(
            plain(Method::POST, "/v1/me/totp?_method=DELETE&_clerk_js_version=6.40.0"),
            (Method::DELETE, "/v1/me/totp?_method=DELETE&_clerk_js_version=6.40.0".into())
        );
        assert_eq!(
            plain(Method::POST, "/v1/environment?_method=patch"),
            (Method::PATCH, "/v1/environment?_method=patch".into())
        );
        assert_eq!(plain(Method::POST, "/v1/me/backup_codes/"), (Method::POST, "/v1/me/backup_codes".into()));
        assert_eq!(
            plain(Method::POST, "/v1/me/backup_codes/?_is_native=1"),
            (Method::POST, "/v1/me/backup_codes?_is_native=1".into())
        );
        // Only a POST is tunnelled, only to these methods, only on /v1.
        assert_eq!(plain(Method::GET, "/v1/client?_method=DELETE"), (Method::GET, "/v1/client?_method=DELETE".into()));
        assert_eq!(plain(Method::POST, "/v1/client?_method=GET"), (Method::POST, "/v1/client?_method=GET".into()));
        assert_eq!(
            plain(Method::POST, "/api/sign_in?_method=DELETE"),
            (Method::POST, "/api/sign_in?_method=DELETE".into())
        );
        assert_eq!(plain(Method::GET, "/account/"), (Method::GET, "/account/".into()));
        assert_eq!(plain(Method::GET, "/v1/"), (Method::GET, "/v1/".into()));
    }
}
