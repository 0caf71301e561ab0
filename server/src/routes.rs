//! The axum application: leptos pages and server functions behind the
//! guard (`web::guard`), and the development pages.

use app::{api::Api, shell, App};
use axum::{
    extract::{FromRef, State},
    http::StatusCode,
    middleware,
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use domain::{store::OutboxMessage, users};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use web::guard::{refuse, CspNonce, Guard};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub api: Api,
    pub cfg: Arc<crate::config::Config>,
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let guard = Arc::new(Guard { own_origin: state.cfg.own_origin.clone(), dev: state.cfg.dev });
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
        .layer(middleware::from_fn_with_state(guard, web::guard::guard))
        .with_state(state)
}

/// The page's scripts carry the guard's nonce (Leptos would make its own).
fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
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
