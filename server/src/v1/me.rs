//! `/v1/me/…`: the signed-in user (or a pending session's, for its task):
//! factors, password, sessions. Changes need a recent re-verification, as
//! on the account pages.

use super::{strategy, Call, Clerk, Input, Resource};
use axum::{extract::Path, response::Response};
use domain::metadata::How;
use proto::v1::*;
use proto::*;
use serde::Serialize;
use serde_json::{to_value, Value};

// Answers whose Clerk shape depends on the endpoint (`proto::clerk`); ours
// is the view inside, unchanged.

/// A new authenticator-app secret (Clerk: a `totp`, not verified).
#[derive(Serialize)]
#[serde(transparent)]
struct TotpStarted(TotpSetup);

impl Resource for TotpStarted {
    fn clerk(self, c: &Clerk) -> Value {
        to_value(clerk::Totp::new(c.user_id(), Some(self.0), vec![], c.now)).unwrap_or_default()
    }
}

/// The user's sessions (Clerk: `SessionWithActivities`, each with its
/// latest activity: `user.getSessions()`).
#[derive(Serialize)]
#[serde(transparent)]
struct Sessions(Vec<SessionInfo>);

impl Resource for Sessions {
    const WRAPPED: bool = false;

    fn clerk(self, _: &Clerk) -> Value {
        to_value(self.0.iter().map(clerk::SessionWithActivities::from).collect::<Vec<_>>()).unwrap_or_default()
    }
}

/// The app verified (Clerk: a verified `totp`, with the first backup codes).
#[derive(Serialize)]
#[serde(transparent)]
struct TotpVerified(Changed);

impl Resource for TotpVerified {
    fn clerk(self, c: &Clerk) -> Value {
        to_value(clerk::Totp::new(c.user_id(), None, self.0.backup_codes, c.now)).unwrap_or_default()
    }
}

/// New backup codes (Clerk: a `backup_code`).
#[derive(Serialize)]
#[serde(transparent)]
struct BackupCodesMade(Changed);

impl Resource for BackupCodesMade {
    fn clerk(self, c: &Clerk) -> Value {
        to_value(clerk::BackupCodes::new(c.user_id(), self.0.backup_codes, c.now)).unwrap_or_default()
    }
}

/// A factor removed (Clerk: the deleted object, `{ object, deleted }`).
#[derive(Serialize)]
struct Removed {
    #[serde(flatten)]
    user: UserView,
    #[serde(skip)]
    factor: Strategy,
}

impl Resource for Removed {
    fn clerk(self, c: &Clerk) -> Value {
        // Clerk's object names; the ids are those the user's resources carry.
        let (object, kind) = match self.factor {
            Strategy::Totp => ("totp", "totp"),
            Strategy::PhoneCode => ("phone_number", "phone"),
            _ => ("backup_code", "backup_code"),
        };
        let id = clerk::identifier_id(c.user_id(), kind);
        to_value(clerk::Deleted { object, id, deleted: true }).unwrap_or_default()
    }
}

async fn removed(c: Call, factor: Strategy) -> Response {
    c.step(async |svc, req| Ok(Removed { user: svc.remove_factor(req, factor).await?, factor })).await
}

#[utoipa::path(get, path = "/v1/me", tag = "user",
    responses((status = 200, description = "The user and their second factors.", body = UserView)))]
pub async fn get_me(c: Call) -> Response {
    c.step(async |svc, req| svc.user(req).await?.ok_or(Fault::SignedOut)).await
}

/// The account deleted: Clerk's deleted object, `{ object, id, deleted }`.
#[derive(Serialize)]
#[serde(transparent)]
struct AccountDeleted(clerk::Deleted);

impl Resource for AccountDeleted {}

#[utoipa::path(delete, path = "/v1/me", tag = "user",
    responses((status = 200, description = "The account and all it holds deleted (after a recent re-verification); the session ends.")))]
pub async fn delete_me(c: Call) -> Response {
    c.step(async |svc, req| {
        let id = svc.user(req).await?.ok_or(Fault::SignedOut)?.id;
        svc.delete_account(req).await?;
        Ok(AccountDeleted(clerk::Deleted { object: "user", id, deleted: true }))
    })
    .await
}

/// Everything held about the user (`account_data`), as it is.
#[derive(Serialize)]
#[serde(transparent)]
struct AccountData(Value);

impl Resource for AccountData {}

#[utoipa::path(get, path = "/v1/me/data", tag = "user",
    responses((status = 200, description = "Everything held about the user, to download: profile, factors by kind and date, sessions, trusted browsers, the account's audit trail (no secret). Needs a recent re-verification.")))]
pub async fn my_data(c: Call) -> Response {
    c.step(async |svc, req| Ok(AccountData(svc.account_data(req).await?))).await
}

#[utoipa::path(patch, path = "/v1/me", tag = "user", request_body = UserUpdateBody,
    responses((status = 200, description = "The user, their `unsafe_metadata` replaced.", body = UserView)))]
pub async fn update_me(c: Call, Input(b): Input<UserUpdateBody>) -> Response {
    c.step(async |svc, req| svc.update_me(req, b.unsafe_metadata, How::Replace).await).await
}

#[utoipa::path(patch, path = "/v1/me/metadata", tag = "user", request_body = UserUpdateBody,
    responses((status = 200, description = "The user, their `unsafe_metadata` merged deeply (a null removes a key).", body = UserView)))]
pub async fn update_metadata(c: Call, Input(b): Input<UserUpdateBody>) -> Response {
    c.step(async |svc, req| svc.update_me(req, b.unsafe_metadata, How::Merge).await).await
}

#[utoipa::path(post, path = "/v1/me/reverify", tag = "user", request_body = ReverifyBody,
    responses((status = 200, description = "Re-verified: changes are allowed for a while.", body = UserView)))]
pub async fn reverify(c: Call, Input(b): Input<ReverifyBody>) -> Response {
    c.step(async |svc, req| match strategy(b.strategy)? {
        Strategy::Password => svc.reverify(req, Strategy::Password, b.password).await,
        s => svc.reverify(req, s, b.code).await,
    })
    .await
}

#[utoipa::path(post, path = "/v1/me/totp", tag = "user",
    responses((status = 200, description = "A new authenticator-app secret, enabled by its first code.", body = TotpSetup)))]
pub async fn create_totp(c: Call) -> Response {
    c.step(async |svc, req| Ok(TotpStarted(web::totp_setup(svc.totp_start(req).await?)?))).await
}

#[utoipa::path(post, path = "/v1/me/totp/attempt_verification", tag = "user", request_body = CodeBody,
    responses((status = 200, description = "The app is a second factor; backup codes if these are the first.", body = Changed)))]
pub async fn verify_totp(c: Call, Input(b): Input<CodeBody>) -> Response {
    c.step(async |svc, req| Ok(TotpVerified(svc.totp_verify(req, b.code).await?))).await
}

#[utoipa::path(delete, path = "/v1/me/totp", tag = "user",
    responses((status = 200, description = "The authenticator app is removed.", body = UserView)))]
pub async fn delete_totp(c: Call) -> Response {
    removed(c, Strategy::Totp).await
}

#[utoipa::path(post, path = "/v1/me/phone_numbers", tag = "user", request_body = PhoneBody,
    responses((status = 200, description = "The number is texted a code.", body = UserView)))]
pub async fn create_phone(c: Call, Input(b): Input<PhoneBody>) -> Response {
    c.step(async |svc, req| svc.phone_start(req, b.phone_number).await).await
}

#[utoipa::path(post, path = "/v1/me/phone_numbers/attempt_verification", tag = "user", request_body = CodeBody,
    responses((status = 200, description = "The phone is a second factor.", body = Changed)))]
pub async fn verify_phone(c: Call, Input(b): Input<CodeBody>) -> Response {
    c.step(async |svc, req| svc.phone_verify(req, b.code).await).await
}

#[utoipa::path(delete, path = "/v1/me/phone_numbers", tag = "user",
    responses((status = 200, description = "The phone is removed.", body = UserView)))]
pub async fn delete_phone(c: Call) -> Response {
    removed(c, Strategy::PhoneCode).await
}

#[utoipa::path(post, path = "/v1/me/default_second_factor", tag = "user", request_body = StrategyBody,
    responses((status = 200, description = "`totp` or `phone_code` is offered first.", body = UserView)))]
pub async fn default_second_factor(c: Call, Input(b): Input<StrategyBody>) -> Response {
    c.step(async |svc, req| svc.set_default(req, strategy(b.strategy)?).await).await
}

#[utoipa::path(post, path = "/v1/me/backup_codes", tag = "user",
    responses((status = 200, description = "New backup codes, shown once; the old ones are void.", body = Changed)))]
pub async fn create_backup_codes(c: Call) -> Response {
    c.step(async |svc, req| Ok(BackupCodesMade(svc.backup_codes(req).await?))).await
}

#[utoipa::path(delete, path = "/v1/me/backup_codes", tag = "user",
    responses((status = 200, description = "The backup codes are removed.", body = UserView)))]
pub async fn delete_backup_codes(c: Call) -> Response {
    removed(c, Strategy::BackupCode).await
}

#[utoipa::path(post, path = "/v1/me/change_password", tag = "user", request_body = ChangePasswordBody,
    responses((status = 200, description = "The password is changed (or the `reset-password` task done).", body = UserView)))]
pub async fn change_password(c: Call, Input(b): Input<ChangePasswordBody>) -> Response {
    let others = b.sign_out_of_other_sessions;
    c.step(async |svc, req| svc.change_password(req, b.new_password, others).await).await
}

#[utoipa::path(get, path = "/v1/me/sessions/active", tag = "user",
    responses((status = 200, description = "The user's sessions, newest activity first.", body = Vec<SessionInfo>)))]
pub async fn active_sessions(c: Call) -> Response {
    c.step(async |svc, req| Ok(Sessions(svc.sessions(req).await?))).await
}

#[utoipa::path(post, path = "/v1/me/sessions/{id}/revoke", tag = "user", params(("id" = String, Path, description = "A session's id from the list.")),
    responses((status = 200, description = "The session is ended; the sessions left.", body = Vec<SessionInfo>)))]
pub async fn revoke_session(c: Call, Path(id): Path<String>) -> Response {
    c.step(async |svc, req| svc.revoke_session(req, id).await).await
}

#[utoipa::path(post, path = "/v1/me/sessions/revoke_others", tag = "user",
    responses((status = 200, description = "Every other session is ended.", body = Vec<SessionInfo>)))]
pub async fn revoke_others(c: Call) -> Response {
    c.step(async |svc, req| svc.revoke_others(req).await).await
}

#[utoipa::path(post, path = "/v1/me/passkeys", tag = "user",
    responses((status = 200, description = "`user.createPasskey()`: the options for the platform's passkey dialog.", body = PasskeyCreation)))]
pub async fn create_passkey(c: Call) -> Response {
    c.step(async |svc, req| svc.passkey_create(req).await).await
}

#[utoipa::path(post, path = "/v1/me/passkeys/attempt_verification", tag = "user", request_body = PasskeyBody,
    responses((status = 200, description = "The passkey is a second factor; backup codes if it is the first.", body = Changed)))]
pub async fn verify_passkey(c: Call, Input(b): Input<PasskeyBody>) -> Response {
    c.step(async |svc, req| svc.passkey_finish(req, b.public_key_credential, b.name).await).await
}

#[utoipa::path(patch, path = "/v1/me/passkeys/{id}", tag = "user", params(("id" = String, Path, description = "The passkey's id (`pk_…`).")),
    request_body = NameBody, responses((status = 200, description = "Renamed.", body = UserView)))]
pub async fn rename_passkey(c: Call, Path(id): Path<String>, Input(b): Input<NameBody>) -> Response {
    c.step(async |svc, req| svc.passkey_rename(req, id, b.name).await).await
}

#[utoipa::path(delete, path = "/v1/me/passkeys/{id}", tag = "user", params(("id" = String, Path, description = "The passkey's id (`pk_…`).")),
    responses((status = 200, description = "Removed (not the last factor while one is required).", body = UserView)))]
pub async fn delete_passkey(c: Call, Path(id): Path<String>) -> Response {
    c.step(async |svc, req| svc.passkey_remove(req, id).await).await
}

#[utoipa::path(get, path = "/v1/me/trusted_devices", tag = "user",
    responses((status = 200, description = "The clients that skip the client-trust code, last used first.", body = Vec<TrustedDevice>)))]
pub async fn trusted_devices(c: Call) -> Response {
    c.step(async |svc, req| svc.trusted_devices(req).await).await
}

#[utoipa::path(post, path = "/v1/me/trusted_devices/{id}/revoke", tag = "user", params(("id" = String, Path)),
    responses((status = 200, description = "Revoked: that client proves itself again.", body = Vec<TrustedDevice>)))]
pub async fn revoke_trusted_device(c: Call, Path(id): Path<String>) -> Response {
    c.step(async |svc, req| svc.revoke_trusted_device(req, id).await).await
}
