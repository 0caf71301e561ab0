//! The OpenAPI 3.1 document of the Backend API, from its handlers and
//! Clerk's shapes (utoipa), served at `/backend/v1/openapi.json` (no key
//! needed to read it): every error code with an example under its status.

use crate::v1::openapi::{add_errors, Forms, EDGE};
use axum::{http::header, response::IntoResponse, response::Response};
use proto::{clerk, ApiErrors};
use utoipa::openapi::{
    security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
    OpenApi as Doc,
};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mfa-signin Backend API",
        license(name = "MIT", identifier = "MIT"),
        description = "For an app's own backend, with a secret key (`Authorization: Bearer sk_live_…`, made with \
                       `mfa-signin api-keys create`). Shaped after Clerk's Backend API, so that `@clerk/backend` \
                       works unchanged with `apiUrl` at `…/backend`; docs/api.md tells the differences.",
    ),
    paths(
        super::list_users,
        super::create_user,
        super::count_users,
        super::get_user,
        super::update_user,
        super::delete_user,
        super::lock_user,
        super::unlock_user,
        super::ban_user,
        super::unban_user,
        super::disable_mfa,
        super::merge_metadata,
        super::replace_metadata,
        super::list_sessions,
        super::revoke_session,
        super::audit_logs,
        super::create_email,
        super::get_email,
        super::list_webhooks,
        super::add_webhook,
        super::remove_webhook,
    ),
    components(schemas(ApiErrors, clerk::BackendUser, clerk::AuditEvent)),
    modifiers(&Key, &Errors, &Forms),
    tags(
        (name = "users", description = "Accounts: read, made, changed, locked, banned, deleted."),
        (name = "sessions", description = "A user's sessions."),
        (name = "audit", description = "The audit trail (ours: Clerk has none)."),
        (name = "webhooks", description = "Where changes are delivered, signed as Standard Webhooks (Svix) sign them."),
    )
)]
pub struct BackendDoc;

/// The list's filter and page (`users.getUserList`, `getCount`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document only: `Backend::query` parses
pub struct UserListQuery {
    /// Users by id (`user_…`); repeatable.
    user_id: Option<Vec<String>>,
    /// Users by email address; repeatable. Both filters: the users in both.
    email_address: Option<Vec<String>>,
    /// At most this many (default 10, at most 500).
    limit: Option<i64>,
    /// Skip this many.
    offset: Option<i64>,
}

/// The audit trail's filter and page.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read by the document only: `audit_logs` parses
pub struct AuditQuery {
    /// One user's rows (`user_…`).
    user_id: Option<String>,
    /// One event's rows (`session.revoked`).
    event: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The metadata a change names (`updateUserMetadata`, `replaceUserMetadata`):
/// each a JSON object of at most 8 KB; a null empties its object, one left
/// out stays as it is. Any other field is refused.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema of `domain::metadata::Change`, which parses
pub struct MetadataChange {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<serde_json::Value>,
}

/// Every call needs a secret key.
struct Key;

impl Modify for Key {
    fn modify(&self, doc: &mut Doc) {
        let c = doc.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("secret key (sk_live_…)".into());
        c.add_security_scheme("secret_key", SecurityScheme::Http(bearer));
        doc.security = Some(vec![SecurityRequirement::new("secret_key", Vec::<String>::new())]);
    }
}

/// Every error, under its status on every operation (the key's `401
/// api_key_invalid` among them), each code an example.
struct Errors;

impl Modify for Errors {
    fn modify(&self, doc: &mut Doc) {
        add_errors(doc, &EDGE);
    }
}

/// `GET /backend/v1/openapi.json`.
pub async fn document() -> Response {
    match BackendDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(_) => web::guard::refuse(axum::http::StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Try again."),
    }
}
