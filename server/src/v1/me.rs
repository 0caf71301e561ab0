//! `/v1/me/…`: the signed-in user (or a pending session's, for its task):
//! factors, password, sessions. Changes need a recent re-verification, as
//! on the account pages.

use super::{strategy, Call, Input};
use axum::{extract::Path, response::Response};
use proto::v1::*;
use proto::*;

#[utoipa::path(get, path = "/v1/me", tag = "user",
    responses((status = 200, description = "The user and their second factors.", body = UserView)))]
pub async fn get_me(mut c: Call) -> Response {
    let r = match c.svc.user(&mut c.req).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(Fault::SignedOut),
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/reverify", tag = "user", request_body = ReverifyBody,
    responses((status = 200, description = "Re-verified: changes are allowed for a while.", body = UserView)))]
pub async fn reverify(mut c: Call, Input(b): Input<ReverifyBody>) -> Response {
    let r = match strategy(b.strategy) {
        Ok(Strategy::Password) => c.svc.reverify(&mut c.req, Strategy::Password, b.password).await,
        Ok(s) => c.svc.reverify(&mut c.req, s, b.code).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/totp", tag = "user",
    responses((status = 200, description = "A new authenticator-app secret, enabled by its first code.", body = TotpSetup)))]
pub async fn create_totp(mut c: Call) -> Response {
    let r = c.svc.totp_start(&mut c.req).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/totp/attempt_verification", tag = "user", request_body = CodeBody,
    responses((status = 200, description = "The app is a second factor; backup codes if these are the first.", body = Changed)))]
pub async fn verify_totp(mut c: Call, Input(b): Input<CodeBody>) -> Response {
    let r = c.svc.totp_verify(&mut c.req, b.code).await;
    c.answer(r)
}

#[utoipa::path(delete, path = "/v1/me/totp", tag = "user",
    responses((status = 200, description = "The authenticator app is removed.", body = UserView)))]
pub async fn delete_totp(mut c: Call) -> Response {
    let r = c.svc.remove_factor(&mut c.req, Strategy::Totp).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/phone_numbers", tag = "user", request_body = PhoneBody,
    responses((status = 200, description = "The number is texted a code.", body = UserView)))]
pub async fn create_phone(mut c: Call, Input(b): Input<PhoneBody>) -> Response {
    let r = c.svc.phone_start(&mut c.req, b.phone_number).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/phone_numbers/attempt_verification", tag = "user", request_body = CodeBody,
    responses((status = 200, description = "The phone is a second factor.", body = Changed)))]
pub async fn verify_phone(mut c: Call, Input(b): Input<CodeBody>) -> Response {
    let r = c.svc.phone_verify(&mut c.req, b.code).await;
    c.answer(r)
}

#[utoipa::path(delete, path = "/v1/me/phone_numbers", tag = "user",
    responses((status = 200, description = "The phone is removed.", body = UserView)))]
pub async fn delete_phone(mut c: Call) -> Response {
    let r = c.svc.remove_factor(&mut c.req, Strategy::PhoneCode).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/default_second_factor", tag = "user", request_body = StrategyBody,
    responses((status = 200, description = "`totp` or `phone_code` is offered first.", body = UserView)))]
pub async fn default_second_factor(mut c: Call, Input(b): Input<StrategyBody>) -> Response {
    let r = match strategy(b.strategy) {
        Ok(s) => c.svc.set_default(&mut c.req, s).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/backup_codes", tag = "user",
    responses((status = 200, description = "New backup codes, shown once; the old ones are void.", body = Changed)))]
pub async fn create_backup_codes(mut c: Call) -> Response {
    let r = c.svc.backup_codes(&mut c.req).await;
    c.answer(r)
}

#[utoipa::path(delete, path = "/v1/me/backup_codes", tag = "user",
    responses((status = 200, description = "The backup codes are removed.", body = UserView)))]
pub async fn delete_backup_codes(mut c: Call) -> Response {
    let r = c.svc.remove_factor(&mut c.req, Strategy::BackupCode).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/change_password", tag = "user", request_body = ChangePasswordBody,
    responses((status = 200, description = "The password is changed (or the `reset-password` task done).", body = UserView)))]
pub async fn change_password(mut c: Call, Input(b): Input<ChangePasswordBody>) -> Response {
    let others = b.sign_out_of_other_sessions.unwrap_or(true);
    let r = c.svc.change_password(&mut c.req, b.new_password, others).await;
    c.answer(r)
}

#[utoipa::path(get, path = "/v1/me/sessions/active", tag = "user",
    responses((status = 200, description = "The user's sessions, newest activity first.", body = Vec<SessionInfo>)))]
pub async fn active_sessions(mut c: Call) -> Response {
    let r = c.svc.sessions(&mut c.req).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/sessions/{id}/revoke", tag = "user", params(("id" = String, Path, description = "A session's id from the list.")),
    responses((status = 200, description = "The session is ended; the sessions left.", body = Vec<SessionInfo>)))]
pub async fn revoke_session(mut c: Call, Path(id): Path<String>) -> Response {
    let r = c.svc.revoke_session(&mut c.req, id).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/me/sessions/revoke_others", tag = "user",
    responses((status = 200, description = "Every other session is ended.", body = Vec<SessionInfo>)))]
pub async fn revoke_others(mut c: Call) -> Response {
    let r = c.svc.revoke_others(&mut c.req).await;
    c.answer(r)
}
