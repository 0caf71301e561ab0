//! The Backend API: an app's backend, with a secret key (`sk_live_…`, made
//! with `mfa-signin api-keys create`), reads the accounts, in the shapes of
//! Clerk's Backend API so that `@clerk/backend` works unchanged
//! (`createClerkClient({ secretKey, apiUrl: "https://auth.example.com/backend" })`).
//!
//! Its own prefix, `/backend/v1`, apart from the Frontend API's `/v1`: a
//! secret key is never read there, and neither a client token nor a cookie
//! here, so neither credential can stand for the other.

mod openapi;

use crate::v1::Input;
use app::api::Api;
use axum::{
    extract::{FromRef, FromRequestParts, Path},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use domain::metadata::{self, How};
use domain::request::Request;
use domain::service::{BackendSession, BackendUser, UserQuery};
use openapi::{AuditQuery, MetadataChange, UserListQuery};
use proto::{clerk, Fault};
use web::guard::refuse;

pub fn routes<S>() -> Router<S>
where
    Api: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        // Where `verifyToken({ secretKey, apiUrl })` fetches the keys.
        .route("/backend/v1/jwks", get(crate::v1::client::jwks))
        .route("/backend/v1/openapi.json", get(openapi::document))
        .route("/backend/v1/users", get(list_users).post(create_user))
        .route("/backend/v1/users/count", get(count_users))
        .route("/backend/v1/users/{id}", get(get_user).delete(delete_user).patch(update_user))
        .route("/backend/v1/users/{id}/lock", post(lock_user))
        .route("/backend/v1/users/{id}/unlock", post(unlock_user))
        .route("/backend/v1/users/{id}/ban", post(ban_user))
        .route("/backend/v1/users/{id}/unban", post(unban_user))
        .route("/backend/v1/users/{id}/mfa", axum::routing::delete(disable_mfa))
        .route("/backend/v1/users/{id}/metadata", axum::routing::patch(merge_metadata).put(replace_metadata))
        .route("/backend/v1/sessions", get(list_sessions))
        .route("/backend/v1/audit_logs", get(audit_logs))
        .route("/backend/v1/sessions/{id}/revoke", post(revoke_session))
        .route("/backend/v1/email_addresses", post(create_email))
        .route("/backend/v1/email_addresses/{id}", get(get_email))
        .route("/backend/v1/webhooks/endpoints", get(list_webhooks).post(add_webhook))
        .route("/backend/v1/webhooks/endpoints/{id}", axum::routing::delete(remove_webhook))
        .route("/backend/{*rest}", get(not_found).post(not_found).patch(not_found).put(not_found).delete(not_found))
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "resource_not_found", "No such endpoint.")
}

/// A Backend API call whose secret key checked out.
pub struct Backend {
    api: Api,
    req: Request,
    parts: Parts,
    key: domain::store::ApiKey,
}

impl<S: Send + Sync> FromRequestParts<S> for Backend
where
    Api: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let api = Api::from_ref(state);
        // No cookies: the request carries only who calls.
        let req = api.edge.bare_request(parts);
        let call = format!("{} {}", parts.method, parts.uri.path());
        match api.service.backend_key(&req, web::secret_key(&parts.headers), &call).await {
            Ok(key) => Ok(Backend { api, req, parts: parts.clone(), key }),
            Err(f) => Err(crate::v1::fault(f)),
        }
    }
}

impl Backend {
    /// The list's filter and page, from the query (`?email_address=a&email_address=b&limit=10`).
    fn query(&self) -> Result<UserQuery, Fault> {
        let q = self.parts.uri.query();
        let number =
            |key| web::query_param(q, key).map(|v| v.parse::<i64>().map_err(|_| Fault::BadRequest)).transpose();
        Ok(UserQuery {
            user_ids: web::query_params(q, "user_id"),
            emails: web::query_params(q, "email_address"),
            limit: number("limit")?,
            offset: number("offset")?,
        })
    }
}

fn user(a: &BackendUser) -> clerk::BackendUser {
    clerk::BackendUser::new(&a.user, (a.locked, a.banned), a.private_metadata.clone())
}

fn answer<T: serde::Serialize>(r: Result<T, Fault>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(f) => crate::v1::fault(f),
    }
}

/// `users.getUser(id)`.
#[utoipa::path(get, path = "/backend/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user.", body = clerk::BackendUser)))]
pub(crate) async fn get_user(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_user(&b.req, &id).await.map(|a| user(&a)))
}

/// `users.getUserList(params)`: the page, bare (the SDK counts apart).
#[utoipa::path(get, path = "/backend/v1/users", tag = "users", params(UserListQuery),
    responses((status = 200, description = "A page of users, newest first.", body = Vec<clerk::BackendUser>)))]
pub(crate) async fn list_users(b: Backend) -> Response {
    let r = async { b.api.service.backend_users(&b.req, &b.query()?).await }.await;
    answer(r.map(|v| v.iter().map(user).collect::<Vec<_>>()))
}

/// `users.getCount(params)`.
#[utoipa::path(get, path = "/backend/v1/users/count", tag = "users", params(UserListQuery),
    responses((status = 200, description = "How many users the filter names.", body = clerk::TotalCount)))]
pub(crate) async fn count_users(b: Backend) -> Response {
    let r = async { b.api.service.backend_user_count(&b.query()?).await }.await;
    answer(r.map(clerk::TotalCount::new))
}

/// `users.deleteUser(id)`: Clerk's deleted object.
#[utoipa::path(delete, path = "/backend/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user and all they held are gone.", body = clerk::Deleted)))]
pub(crate) async fn delete_user(b: Backend, Path(id): Path<String>) -> Response {
    let r = b.api.service.backend_delete(&b.req, &b.key, &id).await;
    answer(r.map(|()| clerk::Deleted { object: "user", id, deleted: true }))
}

/// `users.lockUser(id)`: the user, locked.
#[utoipa::path(post, path = "/backend/v1/users/{id}/lock", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user, locked.", body = clerk::BackendUser)))]
pub(crate) async fn lock_user(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_lock(&b.req, &b.key, &id).await.map(|a| user(&a)))
}

/// `users.banUser(id)`: the user, banned, their sessions ended.
#[utoipa::path(post, path = "/backend/v1/users/{id}/ban", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user, banned; their sessions ended.", body = clerk::BackendUser)))]
pub(crate) async fn ban_user(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_ban(&b.req, &b.key, &id, true).await.map(|a| user(&a)))
}

/// `users.unbanUser(id)`: the user, who may sign in again.
#[utoipa::path(post, path = "/backend/v1/users/{id}/unban", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user, who may sign in again.", body = clerk::BackendUser)))]
pub(crate) async fn unban_user(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_ban(&b.req, &b.key, &id, false).await.map(|a| user(&a)))
}

/// `users.unlockUser(id)`: the user, unlocked.
#[utoipa::path(post, path = "/backend/v1/users/{id}/unlock", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "The user, unlocked.", body = clerk::BackendUser)))]
pub(crate) async fn unlock_user(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_unlock(&b.req, &b.key, &id).await.map(|a| user(&a)))
}

/// `users.disableUserMFA(id)`: `{ user_id }`.
#[utoipa::path(delete, path = "/backend/v1/users/{id}/mfa", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")),
    responses((status = 200, description = "Every second factor removed, the sessions ended.", body = clerk::MfaDisabled)))]
pub(crate) async fn disable_mfa(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_disable_mfa(&b.req, &b.key, &id).await.map(|user_id| clerk::MfaDisabled { user_id }))
}

fn session(s: BackendSession) -> clerk::BackendSession {
    let info = proto::SessionInfo {
        id: s.id,
        device: s.device,
        ip: s.ip,
        created_at: s.created_at,
        last_active_at: s.last_active_at,
        current: false,
    };
    clerk::BackendSession::new(&info, &s.user_id, s.status, s.expire_at)
}

/// `sessions.getSessionList({ userId })`: a page with its total (the SDK
/// asks for one). A user is required, as in Clerk.
#[utoipa::path(get, path = "/backend/v1/sessions", tag = "sessions",
    params(("user_id" = String, Query, description = "The user's id (`user_…`): required.")),
    responses((status = 200, description = "The user's live sessions, last used first.", body = clerk::Page<clerk::BackendSession>)))]
pub(crate) async fn list_sessions(b: Backend) -> Response {
    let Some(user_id) = web::query_param(b.parts.uri.query(), "user_id") else {
        return crate::v1::fault(Fault::BadRequest);
    };
    let r = b.api.service.backend_sessions(&b.req, &user_id).await.map(|v| {
        let data: Vec<_> = v.into_iter().map(session).collect();
        clerk::Page { total_count: data.len() as i64, data }
    });
    answer(r)
}

/// `sessions.revokeSession(id)`: the session, `revoked`.
#[utoipa::path(post, path = "/backend/v1/sessions/{id}/revoke", tag = "sessions", params(("id" = String, Path, description = "The session's id (`sess_…`).")),
    responses((status = 200, description = "The session, revoked.", body = clerk::BackendSession)))]
pub(crate) async fn revoke_session(b: Backend, Path(id): Path<String>) -> Response {
    answer(b.api.service.backend_revoke_session(&b.req, &b.key, &id).await.map(session))
}

/// `users.createUser`'s body: what this server makes a user from. Any other
/// field is refused (400), not ignored: nothing is silently dropped.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct NewUser {
    email_address: Vec<String>,
    password: Option<String>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<serde_json::Value>,
}

/// `users.createUser({ emailAddress: [email], password, publicMetadata, … })`:
/// the new user.
#[utoipa::path(post, path = "/backend/v1/users", tag = "users", request_body = NewUser,
    responses((status = 200, description = "The new user.", body = clerk::BackendUser)))]
pub(crate) async fn create_user(b: Backend, Input(body): Input<NewUser>) -> Response {
    let NewUser { email_address, password, public_metadata, private_metadata, unsafe_metadata } = body;
    let meta = metadata::Change { public_metadata, private_metadata, unsafe_metadata };
    let made = b.api.service.backend_create_user(&b.req, &b.key, &email_address, password, &meta).await;
    answer(made.map(|a| user(&a)))
}

/// `users.updateUser`'s body: the password and the metadata (each object
/// named replaced whole), so far.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct UserChange {
    password: Option<String>,
    /// The user's address id (`idn_email_…`): it is the primary already.
    primary_email_address_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<serde_json::Value>,
}

/// `PATCH /users/{id}` (`users.updateUser(id, { password, primaryEmailAddressID })`): the user.
#[utoipa::path(patch, path = "/backend/v1/users/{id}", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")), request_body = UserChange,
    responses((status = 200, description = "The user.", body = clerk::BackendUser)))]
pub(crate) async fn update_user(b: Backend, Path(id): Path<String>, Input(body): Input<UserChange>) -> Response {
    let UserChange { password, primary_email_address_id, public_metadata, private_metadata, unsafe_metadata } = body;
    let meta = metadata::Change { public_metadata, private_metadata, unsafe_metadata };
    let change = (password, primary_email_address_id.as_deref());
    answer(b.api.service.backend_update_user(&b.req, &b.key, &id, change, &meta).await.map(|a| user(&a)))
}

/// `users.updateUserMetadata(id, …)`: each object named merged deeply
/// into the stored one (a null removes its key); the user.
#[utoipa::path(patch, path = "/backend/v1/users/{id}/metadata", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")), request_body = MetadataChange,
    responses((status = 200, description = "The user, each object named merged deeply.", body = clerk::BackendUser)))]
pub(crate) async fn merge_metadata(b: Backend, Path(id): Path<String>, Input(c): Input<metadata::Change>) -> Response {
    answer(b.api.service.backend_metadata(&b.req, &b.key, &id, (&c, How::Merge)).await.map(|a| user(&a)))
}

/// `users.replaceUserMetadata(id, …)` (and `updateUser` with metadata):
/// each object named replaced whole; the user.
#[utoipa::path(put, path = "/backend/v1/users/{id}/metadata", tag = "users", params(("id" = String, Path, description = "The user's id (`user_…`).")), request_body = MetadataChange,
    responses((status = 200, description = "The user, each object named replaced.", body = clerk::BackendUser)))]
pub(crate) async fn replace_metadata(
    b: Backend,
    Path(id): Path<String>,
    Input(c): Input<metadata::Change>,
) -> Response {
    answer(b.api.service.backend_metadata(&b.req, &b.key, &id, (&c, How::Replace)).await.map(|a| user(&a)))
}

/// The audit trail (ours): `?user_id=user_…&event=session.revoked&limit=&offset=`,
/// newest first, as `{ data, total_count }`; times in milliseconds.
#[utoipa::path(get, path = "/backend/v1/audit_logs", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "The audit trail, newest first.", body = clerk::Page<clerk::AuditEvent>)))]
pub(crate) async fn audit_logs(b: Backend) -> Response {
    let q = b.parts.uri.query();
    let (user_id, event) = (web::query_param(q, "user_id"), web::query_param(q, "event"));
    let filter = domain::store::AuditFilter { user_id: user_id.as_deref(), event: event.as_deref() };
    let r = async {
        let page = b.query()?;
        b.api.service.backend_audit(&filter, page.limit, page.offset).await
    }
    .await;
    answer(r.map(|(rows, total_count)| {
        let data = rows
            .into_iter()
            .map(|e| clerk::AuditEvent {
                object: "audit_event",
                at: e.at.saturating_mul(1000),
                event: e.event,
                user_id: e.user_id,
                identifier: e.identifier,
                ip: e.ip,
                user_agent: e.user_agent,
                detail: e.detail,
            })
            .collect();
        clerk::Page { data, total_count }
    }))
}

fn endpoint(e: &domain::store::WebhookEndpoint, secret: Option<String>) -> clerk::WebhookEndpoint {
    clerk::WebhookEndpoint::new(&e.id, &e.url, &e.events, e.created_at, secret)
}

/// A new endpoint's body: its URL and the event types it wants (none: all).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct NewEndpoint {
    /// https, a public host.
    url: String,
    /// `user.created`, `session.revoked`, …; empty or `["*"]`: all.
    events: Vec<String>,
}

/// The webhook endpoints, oldest first (never their secrets).
#[utoipa::path(get, path = "/backend/v1/webhooks/endpoints", tag = "webhooks",
    responses((status = 200, description = "Every endpoint.", body = clerk::Page<clerk::WebhookEndpoint>)))]
pub(crate) async fn list_webhooks(b: Backend) -> Response {
    answer(b.api.service.backend_webhooks().await.map(|v| {
        let data: Vec<_> = v.iter().map(|e| endpoint(e, None)).collect();
        clerk::Page { total_count: data.len() as i64, data }
    }))
}

/// A new endpoint, with its `whsec_…` signing secret (shown this once).
#[utoipa::path(post, path = "/backend/v1/webhooks/endpoints", tag = "webhooks", request_body = NewEndpoint,
    responses((status = 200, description = "The endpoint and its signing secret.", body = clerk::WebhookEndpoint)))]
pub(crate) async fn add_webhook(b: Backend, Input(body): Input<NewEndpoint>) -> Response {
    let made = b.api.service.backend_add_webhook(&b.req, &b.key, &body.url, &body.events).await;
    answer(made.map(|(e, secret)| endpoint(&e, Some(secret))))
}

/// Removes an endpoint and what is queued for it.
#[utoipa::path(delete, path = "/backend/v1/webhooks/endpoints/{id}", tag = "webhooks", params(("id" = String, Path, description = "The endpoint's id (`ep_…`).")),
    responses((status = 200, description = "The endpoint is gone.", body = clerk::Deleted)))]
pub(crate) async fn remove_webhook(b: Backend, Path(id): Path<String>) -> Response {
    match b.api.service.backend_remove_webhook(&b.req, &b.key, &id).await {
        Ok(Some(e)) => Json(clerk::Deleted { object: "webhook_endpoint", id: e.id, deleted: true }).into_response(),
        Ok(None) => not_found().await,
        Err(f) => crate::v1::fault(f),
    }
}

/// The user's one address, as Clerk's `EmailAddress`.
fn address(a: &BackendUser) -> Result<clerk::EmailAddress, Fault> {
    clerk::User::from(&a.user).email_addresses.into_iter().next().ok_or(Fault::Unavailable)
}

/// `emailAddresses.createEmailAddress`'s body. One address per user here:
/// it must come `verified` and `primary`, and replaces the user's.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct NewEmailAddress {
    /// `user_…`.
    user_id: String,
    email_address: String,
    /// Must be true: the app's backend vouches for the address.
    verified: Option<bool>,
    /// Must be true: the user's one address.
    primary: Option<bool>,
}

/// `emailAddresses.createEmailAddress({ userId, emailAddress, verified: true,
/// primary: true })`: the user's address changed, the old one told.
#[utoipa::path(post, path = "/backend/v1/email_addresses", tag = "users", request_body = NewEmailAddress,
    responses((status = 200, description = "The user's address, now this one.", body = clerk::EmailAddress)))]
pub(crate) async fn create_email(b: Backend, Input(body): Input<NewEmailAddress>) -> Response {
    let r = match body {
        NewEmailAddress { email_address, .. } if email_address.trim().is_empty() => {
            Err(Fault::Missing(proto::Field::EmailAddress))
        }
        NewEmailAddress { verified: Some(true), primary: Some(true), user_id, email_address } => {
            b.api.service.backend_set_email(&b.req, &b.key, &user_id, &email_address).await
        }
        _ => Err(Fault::AddressRefused),
    };
    answer(r.and_then(|a| address(&a)))
}

/// `emailAddresses.getEmailAddress(id)` (`idn_email_…`).
#[utoipa::path(get, path = "/backend/v1/email_addresses/{id}", tag = "users", params(("id" = String, Path, description = "The address's id (`idn_email_…`).")),
    responses((status = 200, description = "The address.", body = clerk::EmailAddress)))]
pub(crate) async fn get_email(b: Backend, Path(id): Path<String>) -> Response {
    let r = match id.strip_prefix("idn_email_") {
        Some(rest) => b.api.service.backend_user(&b.req, &format!("user_{rest}")).await,
        None => Err(Fault::UserNotFound),
    };
    answer(r.and_then(|a| address(&a)))
}
