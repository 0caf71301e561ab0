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
    /// The client's language (Clerk's SDKs send `navigator.language`): the
    /// codes and errors of this sign-in are in it, if it is one of ours.
    #[cfg_attr(feature = "openapi", schema(example = "fr-FR"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
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

impl CodeBody {
    /// The strategy named (`form_param_missing` if none) and the answer.
    pub fn answer(self) -> Result<(Strategy, crate::Answer), crate::Fault> {
        let strategy = self.strategy.ok_or(crate::Fault::Missing(crate::Field::Strategy))?;
        let public_key_credential = self.public_key_credential.unwrap_or_default();
        Ok((strategy, crate::Answer { code: self.code, public_key_credential }))
    }
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

/// `PATCH /v1/me`: what the user may change of their own (Clerk's
/// `user.update`). Any other field is refused, never dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct UserUpdateBody {
    /// A JSON object (or its text, as Clerk's SDKs send it in a form) of at
    /// most 8 KB: replaces the user's `unsafe_metadata`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unsafe_metadata: Option<serde_json::Value>,
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
    /// The client's language (Clerk's SDKs send `navigator.language`): the
    /// code, the errors and the new account's notices are in it, if it is
    /// one of ours.
    #[cfg_attr(feature = "openapi", schema(example = "fr-FR"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
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

/// `POST /v1/dev_browser` (development only): the client token a Clerk
/// page with a development key sends as `__clerk_db_jwt`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevBrowser {
    /// Always `"dev_browser"`.
    pub object: String,
    pub id: String,
}

/// `GET /v1/environment`: how this instance is set up, in the shape
/// Clerk's SDKs load before anything else (they refuse to start without
/// it). What does not apply here (organizations, social providers, billing)
/// is switched off or left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentView {
    /// Always `"environment"`.
    pub object: String,
    pub id: String,
    pub auth_config: AuthConfig,
    pub display_config: DisplayConfig,
    pub user_settings: UserSettings,
    pub organization_settings: OrganizationSettings,
    pub maintenance_mode: bool,
    pub client_debug_mode: bool,
}

/// One session per client; changes ask for a recent verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthConfig {
    /// Always `"auth_config"`.
    pub object: String,
    pub id: String,
    pub single_session_mode: bool,
    pub reverification: bool,
}

/// The instance's name, logo, colour and pages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisplayConfig {
    /// Always `"display_config"`.
    pub object: String,
    pub id: String,
    /// `development` (`--dev`) or `production`.
    pub instance_environment_type: String,
    pub application_name: String,
    pub logo_image_url: Option<String>,
    pub theme: Theme,
    pub preferred_sign_in_strategy: String,
    pub home_url: String,
    pub sign_in_url: String,
    pub sign_up_url: String,
    pub user_profile_url: String,
    pub after_sign_in_url: String,
    pub after_sign_up_url: String,
    pub after_sign_out_one_url: String,
    pub after_sign_out_all_url: String,
    pub branded: bool,
    pub show_devmode_warning: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Theme {
    pub general: ThemeGeneral,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeGeneral {
    /// The accent (`#rrggbb`).
    pub color: String,
}

/// What a user has and signs in with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSettings {
    /// By Clerk's attribute names: `email_address`, `phone_number`,
    /// `password`, `authenticator_app`, `backup_code`, `passkey`, and the
    /// ones not used here (`username`, `first_name`, `last_name`,
    /// `web3_wallet`), switched off.
    pub attributes: std::collections::BTreeMap<String, Attribute>,
    pub sign_in: SignInSettings,
    pub sign_up: SignUpSettings,
    pub password_settings: PasswordSettings,
    pub passkey_settings: PasskeySettings,
    pub username_settings: UsernameSettings,
    pub actions: Actions,
    /// No social providers.
    pub social: std::collections::BTreeMap<String, bool>,
    pub enterprise_sso: EnterpriseSso,
    pub attack_protection: AttackProtection,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attribute {
    pub enabled: bool,
    pub required: bool,
    pub verifications: Vec<Strategy>,
    pub used_for_first_factor: bool,
    pub first_factors: Vec<Strategy>,
    pub used_for_second_factor: bool,
    pub second_factors: Vec<Strategy>,
    pub verify_at_sign_up: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInSettings {
    pub second_factor: SecondFactorSettings,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorSettings {
    /// Every user must have one (`require_mfa`).
    pub required: bool,
    pub enabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpSettings {
    /// `public`: anyone may sign up.
    pub mode: String,
    pub allowlist_only: bool,
    pub progressive: bool,
    pub captcha_enabled: bool,
    pub legal_consent_enabled: bool,
    pub mfa: Required,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Required {
    pub required: bool,
}

/// The password rules (no composition rules: NIST SP 800-63B).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordSettings {
    pub min_length: u32,
    pub max_length: u32,
    pub allowed_special_characters: String,
    pub disable_hibp: bool,
    pub require_special_char: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub show_zxcvbn: bool,
    pub min_zxcvbn_strength: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeySettings {
    pub allow_autofill: bool,
    pub show_sign_in_button: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsernameSettings {
    pub min_length: u32,
    pub max_length: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actions {
    pub delete_self: bool,
    pub create_organization: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseSso {
    pub enabled: bool,
    pub self_serve_sso: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttackProtection {
    pub enumeration_protection: Toggle,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Toggle {
    pub enabled: bool,
}

/// Organizations are not part of this server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationSettings {
    pub enabled: bool,
    pub max_allowed_memberships: u32,
}
