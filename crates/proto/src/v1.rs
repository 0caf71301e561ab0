//! The `/v1` API's own shapes (after Clerk's Frontend API): the request
//! bodies, and the client resource. The resources themselves are the views
//! of the crate root; each names its kind in `object`.

use crate::{SessionView, SignInView, SignUpView, Strategy};
use serde::{Deserialize, Serialize};

/// `object` of each resource.
pub const SIGN_IN_OBJECT: &str = "sign_in_attempt";
pub const SIGN_UP_OBJECT: &str = "sign_up_attempt";
pub const SESSION_OBJECT: &str = "session";
pub const USER_OBJECT: &str = "user";
pub const CLIENT_OBJECT: &str = "client";

/// `GET /v1/client`: what this client carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientView {
    /// Always `"client"`.
    pub object: String,
    /// The sign-in in progress, if any.
    #[serde(default)]
    pub sign_in: Option<SignInView>,
    /// The sign-up in progress, if any.
    #[serde(default)]
    pub sign_up: Option<SignUpView>,
    /// This client's session (`active`, or `pending` with its task), if any.
    #[serde(default)]
    pub sessions: Vec<SessionView>,
    #[serde(default)]
    pub last_active_session_id: Option<String>,
}

/// `POST /v1/client/sign_ins`: with `password`, the password step; without,
/// a sign-in from the identifier alone, sending the code of `strategy`
/// (`email_code`, `reset_password_email_code`, `unlock_email_code`) if named.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SignInCreate {
    /// Empty with `strategy: passkey` (the passkey says who).
    #[cfg_attr(feature = "openapi", schema(example = "jane@example.com"))]
    #[serde(default)]
    pub identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
}

/// A step that names its strategy (`prepare_first_factor`, `prepare_second_factor`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StrategyBody {
    pub strategy: Option<Strategy>,
}

/// A code for a strategy (`attempt_first_factor`, `attempt_second_factor`,
/// a sign-up's `attempt_verification`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CodeBody {
    pub strategy: Option<Strategy>,
    #[cfg_attr(feature = "openapi", schema(example = "123456"))]
    pub code: String,
    /// `strategy: passkey`: the answer of `navigator.credentials.get()`
    /// (or the platform's passkey API), as JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key_credential: Option<String>,
}

/// A new passkey: the answer of `navigator.credentials.create()` (JSON
/// text) and an optional name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PasskeyBody {
    pub public_key_credential: String,
    pub name: String,
}

/// A passkey's new name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NameBody {
    pub name: String,
}

/// `reset_password`: the new password after a reset code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResetPasswordBody {
    pub password: String,
    /// Default true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
}

/// `POST /v1/client/sign_ups`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SignUpCreate {
    #[cfg_attr(feature = "openapi", schema(example = "jane@example.com"))]
    pub email_address: String,
    pub password: String,
}

/// `POST /v1/me/phone_numbers`: an E.164 number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PhoneBody {
    #[cfg_attr(feature = "openapi", schema(example = "+15555550123"))]
    pub phone_number: String,
}

/// `POST /v1/me/reverify`: `password` for `strategy=password`, else `code`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReverifyBody {
    pub strategy: Option<Strategy>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub password: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub code: String,
}

/// `POST /v1/me/change_password` (Clerk's names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ChangePasswordBody {
    pub new_password: String,
    /// Default true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_out_of_other_sessions: Option<bool>,
}
