//! Wire types: what the API answers, shared by the server, the browser (wasm)
//! and any other client. Serde only; no server code.

use serde::{Deserialize, Serialize};

pub mod clerk;
#[cfg(feature = "server-fn")]
mod codec;
mod error;
mod lang;
pub mod v1;

#[cfg(feature = "server-fn")]
pub use codec::{JsonStr, JsonStrEncoding};
pub use error::{ApiError, ApiErrors, ErrorMeta, Fault, Field};
pub use lang::Lang;

/// Where a sign-in attempt stands (Clerk's `signIn.status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    NeedsIdentifier,
    NeedsFirstFactor,
    NeedsSecondFactor,
    NeedsClientTrust,
    NeedsNewPassword,
    Complete,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NeedsIdentifier => "needs_identifier",
            Status::NeedsFirstFactor => "needs_first_factor",
            Status::NeedsSecondFactor => "needs_second_factor",
            Status::NeedsClientTrust => "needs_client_trust",
            Status::NeedsNewPassword => "needs_new_password",
            Status::Complete => "complete",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::NeedsIdentifier,
            Status::NeedsFirstFactor,
            Status::NeedsSecondFactor,
            Status::NeedsClientTrust,
            Status::NeedsNewPassword,
            Status::Complete,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A verification strategy (Clerk's `strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Password,
    PhoneCode,
    Totp,
    BackupCode,
    /// A code sent by email: client trust, or a first factor (sign-in by code).
    EmailCode,
    /// The emailed code that lets a forgotten password be replaced.
    ResetPasswordEmailCode,
    /// The emailed code that lets this browser sign in to a locked account
    /// (not Clerk's: self-service unlock).
    UnlockEmailCode,
    /// A WebAuthn credential: alone (a user-verified passkey is both
    /// factors), or as the second factor after the password.
    Passkey,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Password => "password",
            Strategy::PhoneCode => "phone_code",
            Strategy::Totp => "totp",
            Strategy::BackupCode => "backup_code",
            Strategy::EmailCode => "email_code",
            Strategy::ResetPasswordEmailCode => "reset_password_email_code",
            Strategy::UnlockEmailCode => "unlock_email_code",
            Strategy::Passkey => "passkey",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        [
            Strategy::Password,
            Strategy::PhoneCode,
            Strategy::Totp,
            Strategy::BackupCode,
            Strategy::EmailCode,
            Strategy::ResetPasswordEmailCode,
            Strategy::UnlockEmailCode,
            Strategy::Passkey,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// What a client answers a verification with: a code, or for a passkey
/// the browser's credential (`navigator.credentials.get()`, JSON text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub code: String,
    pub public_key_credential: String,
}

impl From<String> for Answer {
    fn from(code: String) -> Answer {
        Answer { code, public_key_credential: String::new() }
    }
}

/// A factor the user can use, as listed in `supported_first_factors` and
/// `supported_second_factors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactor {
    pub strategy: Strategy,
    /// Masked destination, e.g. `+1 ••• ••• 0100` for a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_identifier: Option<String>,
    /// `phone_code`: the id of the phone it goes to (Clerk's SDKs pass it
    /// back to `prepare_second_factor`; one phone per user here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// `email_code` to the account's address: that address's id. Not at
    /// `needs_first_factor`, where it would say the account exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address_id: Option<String>,
    /// The code goes to the account's primary address or phone (its only
    /// one here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

impl SecondFactor {
    pub fn new(strategy: Strategy, safe_identifier: Option<String>) -> SecondFactor {
        SecondFactor { strategy, safe_identifier, phone_number_id: None, email_address_id: None, primary: None }
    }
}

/// The sign-in attempt as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInView {
    /// Always `"sign_in_attempt"`.
    #[serde(default)]
    pub object: String,
    /// The attempt's public id (`sia_…`; not its token); none before one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub identifier: Option<String>,
    /// `needs_first_factor`: the emailed codes this sign-in can go on with
    /// (the same for every address: no enumeration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_first_factors: Vec<SecondFactor>,
    /// Default first; empty unless `status` is `needs_second_factor`.
    #[serde(default)]
    pub supported_second_factors: Vec<SecondFactor>,
    /// Unix time the last SMS code was sent, if one is pending.
    #[serde(default)]
    pub phone_code_sent_at: Option<i64>,
    /// `needs_client_trust`, or `needs_first_factor` once a code was sent:
    /// where the email code went (masked), when, and for which strategy.
    #[serde(default)]
    pub email_code: Option<CodeSent>,
    /// The session a completed sign-in became (`/v1`, which finalizes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_session_id: Option<String>,
    /// A passkey challenge awaiting the browser's answer (Clerk's
    /// `firstFactorVerification` / `secondFactorVerification` with its
    /// `nonce`): the options for `navigator.credentials.get()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey_challenge: Option<PasskeyChallenge>,
    /// How the first factor stands: the strategy that verified it, or the
    /// emailed code or passkey challenge awaiting its answer.
    #[serde(default)]
    pub first_factor_verification: Option<Verification>,
    /// How the second factor (or the client-trust code) stands, likewise.
    #[serde(default)]
    pub second_factor_verification: Option<Verification>,
}

/// A factor's verification (Clerk's `Verification`): `unverified` while a
/// code or challenge awaits its answer, then `verified` by `strategy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    /// Always `"verification"`.
    #[serde(default)]
    pub object: String,
    pub status: VerificationStatus,
    pub strategy: Strategy,
    /// `passkey`, unverified: the challenge's `publicKey` options, a JSON
    /// text (`passkey_challenge` holds them whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// Where a verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Unverified,
    Verified,
}

impl Verification {
    pub fn new(status: VerificationStatus, strategy: Strategy) -> Verification {
        Verification { object: "verification".into(), status, strategy, nonce: None }
    }

    pub fn verified(strategy: Strategy) -> Verification {
        Verification::new(VerificationStatus::Verified, strategy)
    }

    pub fn unverified(strategy: Strategy) -> Verification {
        Verification::new(VerificationStatus::Unverified, strategy)
    }
}

/// A WebAuthn ceremony's options, as JSON for the browser's
/// `PublicKeyCredential.parseRequestOptionsFromJSON()` (or
/// `parseCreationOptionsFromJSON()`): `{ "publicKey": { challenge, … } }`
/// with `mediation` beside it for an autofill sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyChallenge {
    /// `passkey`.
    pub strategy: Strategy,
    /// The options, a JSON text (Clerk: `nonce`).
    pub nonce: String,
}

impl Default for SignInView {
    fn default() -> Self {
        SignInView {
            object: v1::SIGN_IN_OBJECT.into(),
            id: None,
            status: Status::default(),
            identifier: None,
            supported_first_factors: vec![],
            supported_second_factors: vec![],
            phone_code_sent_at: None,
            email_code: None,
            created_session_id: None,
            passkey_challenge: None,
            first_factor_verification: None,
            second_factor_verification: None,
        }
    }
}

/// A code sent for verification: masked destination and time sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    pub safe_identifier: String,
    #[serde(default)]
    pub sent_at: Option<i64>,
    /// `needs_first_factor`: the code's strategy (`reset_password_email_code`,
    /// `email_code` or `unlock_email_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
}

/// Where a sign-up stands (Clerk's `signUp.status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    /// No sign-up yet: the form asks for email and password.
    #[default]
    Abandoned,
    /// The email address is not verified yet.
    MissingRequirements,
    /// Verified: `finalize` creates the session.
    Complete,
}

impl SignUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpStatus::Abandoned => "abandoned",
            SignUpStatus::MissingRequirements => "missing_requirements",
            SignUpStatus::Complete => "complete",
        }
    }

    pub fn parse(s: &str) -> Option<SignUpStatus> {
        [SignUpStatus::Abandoned, SignUpStatus::MissingRequirements, SignUpStatus::Complete]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// The sign-up as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpView {
    /// Always `"sign_up_attempt"`.
    #[serde(default)]
    pub object: String,
    /// The sign-up's public id (`sua_…`); none before one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub status: SignUpStatus,
    #[serde(default)]
    pub email_address: Option<String>,
    /// `["email_address"]` until the code is verified.
    #[serde(default)]
    pub unverified_fields: Vec<String>,
    /// Unix time the last email code was sent.
    #[serde(default)]
    pub email_code_sent_at: Option<i64>,
    /// The session a completed sign-up became (`/v1`, which finalizes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_session_id: Option<String>,
    /// The user a completed sign-up made (`user_…`).
    #[serde(default)]
    pub created_user_id: Option<String>,
    /// How each field to verify stands.
    #[serde(default)]
    pub verifications: SignUpVerifications,
}

/// A sign-up's verifications (Clerk's `signUp.verifications`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpVerifications {
    /// The email code: `unverified` once sent, `verified` when right.
    #[serde(default)]
    pub email_address: Option<Verification>,
}

impl Default for SignUpView {
    fn default() -> Self {
        SignUpView {
            object: v1::SIGN_UP_OBJECT.into(),
            id: None,
            status: SignUpStatus::default(),
            email_address: None,
            unverified_fields: vec![],
            email_code_sent_at: None,
            created_session_id: None,
            created_user_id: None,
            verifications: SignUpVerifications::default(),
        }
    }
}

impl SignInView {
    pub fn supports(&self, strategy: Strategy) -> bool {
        self.supported_second_factors.iter().any(|f| f.strategy == strategy)
    }

    /// A fresh start after an unlock code was verified: the address, and
    /// the unlock as the verified first factor (the password still comes).
    pub fn unlocked(identifier: String) -> SignInView {
        SignInView {
            identifier: Some(identifier),
            first_factor_verification: Some(Verification::verified(Strategy::UnlockEmailCode)),
            ..SignInView::default()
        }
    }

    /// Did this browser just lift a lock? (The page says so.)
    pub fn is_unlocked(&self) -> bool {
        self.status == Status::NeedsIdentifier
            && self
                .first_factor_verification
                .as_ref()
                .is_some_and(|v| v.strategy == Strategy::UnlockEmailCode && v.status == VerificationStatus::Verified)
    }

    /// A passkey challenge for the browser to answer: `options` in
    /// `passkey_challenge`, and `public_key` (the options' `publicKey`, as
    /// Clerk's SDKs read it) as the pending verification's `nonce`: of the
    /// second factor once the password is past, else of the first.
    pub fn challenged(self, options: String, public_key: String) -> SignInView {
        let pending = Verification { nonce: Some(public_key), ..Verification::unverified(Strategy::Passkey) };
        let passkey_challenge = Some(PasskeyChallenge { strategy: Strategy::Passkey, nonce: options });
        match self.status {
            Status::NeedsSecondFactor => {
                SignInView { passkey_challenge, second_factor_verification: Some(pending), ..self }
            }
            _ => SignInView { passkey_challenge, first_factor_verification: Some(pending), ..self },
        }
    }
}

/// What `finalize` answers: where to go next, and the session's pending task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinalizeView {
    pub redirect_url: String,
    #[serde(default)]
    pub current_task: Option<String>,
    /// The new session's public id.
    #[serde(default)]
    pub session_id: String,
}

/// The signed-in user, as the home page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// Always `"session"`.
    #[serde(default)]
    pub object: String,
    /// `active`, or `pending` while a task (`current_task`) is to be done.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_task: Option<String>,
    /// The user's stable public id (`sub` in session tokens).
    pub user_id: String,
    /// The session's public id (`sid` in session tokens).
    pub id: String,
    pub email: String,
    pub created_at: i64,
    /// When it was last used and when it ends, unless used before
    /// (Unix seconds).
    #[serde(default)]
    pub last_active_at: i64,
    #[serde(default)]
    pub expire_at: i64,
    pub second_factors: Vec<Strategy>,
}

/// A session token (`POST /api/session/token`), as Clerk's `getToken()` answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenView {
    /// Always `"token"`.
    pub object: String,
    pub jwt: String,
}

/// The claims of a session token: what an app's backend learns from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The user's stable public id (`user_…`), never the row id.
    pub sub: String,
    /// The session's public id, as the sessions list shows it.
    pub sid: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// `active`, or `pending` while the session has a task (no app should
    /// treat that as signed in).
    pub sts: String,
    /// Minutes since the first and the second factor were verified in this
    /// session; -1 for a factor not verified in it.
    pub fva: [i64; 2],
    /// Only when the instance opts in (`session_token.email_claim`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The web origin the token was issued to (a browser's `Origin`), which
    /// an app checks against its own (Clerk's `authorizedParties`); absent
    /// for native clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// The claims' version, as Clerk numbers its session tokens.
    #[serde(default)]
    pub v: u8,
    /// The instance's own claims (`[session_token.claims]`), beside these.
    #[serde(flatten)]
    pub custom: Metadata,
}

/// `v` in session tokens: Clerk's version 2 (no organization claims here).
pub const CLAIMS_VERSION: u8 = 2;

/// A session status in a token: signed in.
pub const STS_ACTIVE: &str = "active";
/// A session status in a token: a task is still to be done.
pub const STS_PENDING: &str = "pending";

/// One public key of the JWKS: an RSA key (RFC 7518) or an Ed25519 `OKP`
/// key (RFC 8037).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Jwk {
    /// `RSA` or `OKP`.
    pub kty: String,
    /// An `OKP` key's curve (`Ed25519`) and public key, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// An RSA key's modulus and exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    pub kid: String,
    /// `RS256` or `EdDSA`.
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

/// `GET /.well-known/jwks.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The task of a pending session that must set up a second factor.
pub const TASK_SETUP_MFA: &str = "setup-mfa";
/// The task of a pending session whose password is marked compromised.
pub const TASK_RESET_PASSWORD: &str = "reset-password";

/// Where a pending session's task is done.
pub fn task_url(task: &str) -> String {
    format!("/tasks/{task}")
}

/// One of the user's second factors, as the account page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactorView {
    pub strategy: Strategy,
    #[serde(default)]
    pub safe_identifier: Option<String>,
    /// Offered first at sign-in.
    #[serde(default)]
    pub default: bool,
}

/// `use_user()`: the signed-in user (or a pending session's) and their factors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    /// Always `"user"`.
    #[serde(default)]
    pub object: String,
    /// The user's stable public id (`user_…`, `sub` in session tokens).
    #[serde(default)]
    pub id: String,
    pub email: String,
    /// When the account was made (Unix seconds).
    #[serde(default)]
    pub created_at: i64,
    /// TOTP and SMS, default first.
    pub factors: Vec<FactorView>,
    pub backup_codes_remaining: u32,
    /// The instance requires a second factor (the last one cannot be removed).
    pub require_mfa: bool,
    /// Changes need the password or a second factor first (none within
    /// `reverification_minutes`).
    pub needs_reverification: bool,
    /// How long a confirmation lets changes through, in minutes (the
    /// setting `[sessions] reverification`).
    #[serde(default)]
    pub reverification_minutes: u32,
    /// The session's pending task, if any (`setup-mfa`).
    #[serde(default)]
    pub task: Option<String>,
    /// A phone number awaiting its SMS code (masked).
    #[serde(default)]
    pub pending_phone: Option<String>,
    /// The user's passkeys, oldest first (Clerk's `user.passkeys`).
    #[serde(default)]
    pub passkeys: Vec<PasskeyView>,
    /// The instance lets users add passkeys (and the page offers it).
    #[serde(default)]
    pub passkeys_enabled: bool,
    /// The instance gives backup codes (`second_factors.backup_code`).
    #[serde(default)]
    pub backup_codes_enabled: bool,
    /// The user has a password (false: imported without one; they set it
    /// with "Forgot password").
    #[serde(default = "yes")]
    pub password_enabled: bool,
    /// Set by the app's backend, read by the user (Clerk's `publicMetadata`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_metadata: Metadata,
    /// The user's own, which they may write (Clerk's `unsafeMetadata`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unsafe_metadata: Metadata,
}

fn yes() -> bool {
    true
}

/// A JSON object of user metadata.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// One of the user's passkeys (Clerk's `PasskeyResource`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyView {
    /// `pk_…`.
    pub id: String,
    pub name: String,
    pub created_at: i64,
    #[serde(default)]
    pub last_used_at: Option<i64>,
    /// Synced between devices (backup state), as the authenticator says.
    #[serde(default)]
    pub synced: bool,
}

/// `user.createPasskey()`, first half: the options for
/// `navigator.credentials.create()`, to answer at `passkeys/finish`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyCreation {
    /// The options, a JSON text `{ "publicKey": { … } }` (Clerk: `nonce`).
    pub nonce: String,
}

/// A device as its requests tell it, in parts: each client words it in its
/// own language ("Chrome on Linux", « Chrome sous Linux »).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<Browser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// A native app, known by the HTTP stack it sends with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<Native>,
    /// The model a native client named (`X-Device-Model`), shown as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// A browser (or HTTP client) by its user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Browser {
    Edge,
    Firefox,
    Chrome,
    Safari,
    Curl,
}

/// An operating system by its user agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Os {
    Android,
    Ios,
    Ipados,
    Windows,
    Macos,
    Linux,
}

/// A native app's platform, by its HTTP stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Native {
    Android,
    Ios,
    Other,
}

impl Browser {
    /// Its name, the same in every language.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Edge => "Edge",
            Browser::Firefox => "Firefox",
            Browser::Chrome => "Chrome",
            Browser::Safari => "Safari",
            Browser::Curl => "curl",
        }
    }
}

impl Os {
    /// Its name, the same in every language.
    pub fn name(self) -> &'static str {
        match self {
            Os::Android => "Android",
            Os::Ios => "iOS",
            Os::Ipados => "iPadOS",
            Os::Windows => "Windows",
            Os::Macos => "macOS",
            Os::Linux => "Linux",
        }
    }

    pub fn is_mobile(self) -> bool {
        matches!(self, Os::Android | Os::Ios | Os::Ipados)
    }
}

impl Device {
    /// A device from a request's user agent and the model a native client
    /// named: good enough to tell devices apart.
    pub fn of(user_agent: Option<&str>, model: Option<&str>) -> Device {
        let ua = user_agent.unwrap_or("");
        let model = model.map(String::from);
        let native = [("okhttp/", Native::Android), ("CFNetwork/", Native::Ios), ("mfa-native/", Native::Other)];
        if let Some((_, n)) = native.iter().find(|(k, _)| ua.contains(k)) {
            return Device { native: Some(*n), model, ..Device::default() };
        }
        let browsers = [
            ("Edg/", Browser::Edge),
            ("Firefox/", Browser::Firefox),
            ("Chrome/", Browser::Chrome),
            ("Safari/", Browser::Safari),
            ("curl/", Browser::Curl),
        ];
        let systems = [
            ("Android", Os::Android),
            ("iPhone", Os::Ios),
            ("iPad", Os::Ipados),
            ("Windows", Os::Windows),
            ("Mac OS X", Os::Macos),
            ("Linux", Os::Linux),
        ];
        fn first<T: Copy>(ua: &str, list: &[(&str, T)]) -> Option<T> {
            list.iter().find(|(k, _)| ua.contains(k)).map(|(_, v)| *v)
        }
        Device { browser: first(ua, &browsers), os: first(ua, &systems), native: None, model }
    }

    pub fn is_mobile(&self) -> bool {
        self.os.is_some_and(Os::is_mobile) || matches!(self.native, Some(Native::Android | Native::Ios))
    }
}

/// A browser a user signed in on: it skips the client-trust email code
/// until revoked (Clerk's device trust cannot be seen or revoked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrustedDevice {
    /// An opaque id (not the client cookie, nor its hash).
    pub id: String,
    pub device: Device,
    #[serde(default)]
    pub ip: Option<String>,
    pub trusted_at: i64,
    pub last_used_at: i64,
    /// The browser making this request.
    pub current: bool,
}

impl Default for UserView {
    fn default() -> Self {
        UserView {
            object: v1::USER_OBJECT.into(),
            id: String::new(),
            email: String::new(),
            created_at: 0,
            factors: vec![],
            backup_codes_remaining: 0,
            require_mfa: false,
            needs_reverification: false,
            reverification_minutes: 0,
            task: None,
            pending_phone: None,
            passkeys: vec![],
            passkeys_enabled: false,
            backup_codes_enabled: false,
            password_enabled: true,
            public_metadata: Metadata::new(),
            unsafe_metadata: Metadata::new(),
        }
    }
}

impl UserView {
    /// A second factor and no backup code to fall back on (an imported
    /// user's, or every code used): the home page offers new ones.
    pub fn wants_backup_codes(&self) -> bool {
        self.backup_codes_enabled
            && self.backup_codes_remaining == 0
            && (!self.factors.is_empty() || !self.passkeys.is_empty())
    }

    pub fn has(&self, s: Strategy) -> bool {
        self.factors.iter().any(|f| f.strategy == s)
    }
}

/// A new authenticator app's secret: shown once, enabled by its first code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
    /// The otpauth URI as a QR code, an SVG document rendered by the server.
    pub qr_svg: String,
}

/// The result of a change that may hand out new backup codes (shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Changed {
    pub user: UserView,
    #[serde(default)]
    pub backup_codes: Vec<String>,
}

/// One of the user's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// An opaque id (not the token, nor its hash).
    pub id: String,
    pub device: Device,
    #[serde(default)]
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_active_at: i64,
    /// The session making this request.
    pub current: bool,
}

/// Unix time as `2026-11-28 04:16 UTC` (the same on server and browser, so
/// hydration agrees).
pub fn utc(ts: i64) -> String {
    match at(ts, 0) {
        Some(t) => {
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        None => format!("{ts} (Unix time)"),
    }
}

/// Unix time `ts` at `offset` seconds east of UTC.
fn at(ts: i64, offset: i32) -> Option<time::OffsetDateTime> {
    let offset = time::UtcOffset::from_whole_seconds(offset).ok()?;
    Some(time::OffsetDateTime::from_unix_timestamp(ts).ok()?.to_offset(offset))
}

/// How long ago a moment was, as a page says it; the page words it in its
/// language and the reader's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ago {
    /// Under a minute (or a clock that runs behind).
    Now,
    /// Under an hour: whole minutes.
    Minutes(i64),
    /// Today (0) or yesterday (1) in the reader's zone, at its time.
    Days(i64),
    /// Earlier this year: its day and time.
    ThisYear,
    /// Another year: its date in full.
    Before,
}

/// How long before `now` moment `ts` was, for a reader `offset` seconds east
/// of UTC (whose midnight decides "today" and "yesterday").
pub fn ago(ts: i64, now: i64, offset: i32) -> Ago {
    let ago = now.saturating_sub(ts);
    if ago < 60 {
        return Ago::Now;
    }
    if ago < 3600 {
        return Ago::Minutes(ago / 60);
    }
    let (Some(t), Some(n)) = (at(ts, offset), at(now, offset)) else { return Ago::Before };
    match (n.date() - t.date()).whole_days() {
        d @ 0..=1 => Ago::Days(d),
        _ if t.year() == n.year() => Ago::ThisYear,
        _ => Ago::Before,
    }
}

/// What a page gets back of a plain form post (no JavaScript): the email
/// address typed and the method chosen (`strategy`) of a failed one, or what
/// a successful one has to say (`notice`), with the new backup codes it made
/// (`codes`, sealed: only the service opens them, for that session).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub identifier: Option<String>,
    pub strategy: Option<String>,
    pub notice: Option<Notice>,
    pub codes: Option<String>,
}

/// News for the page after a plain form post that worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// An unlock code was verified: this browser may sign in again.
    Unlocked,
    /// "Confirm it's you" passed: the change may be made now.
    Reverified,
    SessionRevoked,
    OtherSessionsRevoked,
    DeviceRevoked,
    /// A factor (the flash's `strategy`) became the default, or was removed.
    DefaultSet,
    FactorRemoved,
    PasskeyRemoved,
    PasskeyRenamed,
    /// An authenticator app's setup began: the page shows its secret.
    TotpStarted,
    /// A factor (the flash's `strategy`) was added.
    FactorAdded,
    BackupCodesMade,
}

impl From<Notice> for Kept {
    fn from(n: Notice) -> Kept {
        Kept { notice: Some(n), ..Kept::default() }
    }
}

impl Notice {
    const ALL: [Notice; 12] = [
        Notice::Unlocked,
        Notice::Reverified,
        Notice::SessionRevoked,
        Notice::OtherSessionsRevoked,
        Notice::DeviceRevoked,
        Notice::DefaultSet,
        Notice::FactorRemoved,
        Notice::PasskeyRemoved,
        Notice::PasskeyRenamed,
        Notice::TotpStarted,
        Notice::FactorAdded,
        Notice::BackupCodesMade,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Unlocked => "unlocked",
            Notice::Reverified => "reverified",
            Notice::SessionRevoked => "session_revoked",
            Notice::OtherSessionsRevoked => "other_sessions_revoked",
            Notice::DeviceRevoked => "device_revoked",
            Notice::DefaultSet => "default_set",
            Notice::FactorRemoved => "factor_removed",
            Notice::PasskeyRemoved => "passkey_removed",
            Notice::PasskeyRenamed => "passkey_renamed",
            Notice::TotpStarted => "totp_started",
            Notice::FactorAdded => "factor_added",
            Notice::BackupCodesMade => "backup_codes_made",
        }
    }

    pub fn parse(s: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_told_apart_by_their_user_agent() {
        let d = |ua: Option<&str>| Device::of(ua, None);
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!((d(Some(chrome)).browser, d(Some(chrome)).os), (Some(Browser::Chrome), Some(Os::Linux)));
        let iphone = d(Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"));
        assert_eq!((iphone.browser, iphone.os, iphone.is_mobile()), (Some(Browser::Safari), Some(Os::Ios), true));
        let edge = d(Some("Mozilla/5.0 (Windows NT 10.0) Chrome/156.0 Safari/537.36 Edg/156.0"));
        assert_eq!((edge.browser, edge.os, edge.is_mobile()), (Some(Browser::Edge), Some(Os::Windows), false));
        assert_eq!(d(Some("curl/8.0")), Device { browser: Some(Browser::Curl), ..Device::default() });
        // A native app's stack wins over any browser word in its agent.
        let app = Device::of(Some("okhttp/4.12.0 Chrome/1"), Some("Pixel 8"));
        assert_eq!(app, Device { native: Some(Native::Android), model: Some("Pixel 8".into()), ..Device::default() });
        assert_eq!(d(Some("MyApp/3 CFNetwork/1494.0.7 Darwin/23.4.0")).native, Some(Native::Ios));
        assert_eq!(d(None), Device::default());
        // On the wire: only the parts known, in snake case.
        let wire = serde_json::to_value(d(Some(chrome))).unwrap_or_default();
        assert_eq!(wire, serde_json::json!({ "browser": "chrome", "os": "linux" }));
    }

    #[test]
    fn notices_round_trip() {
        for n in Notice::ALL {
            assert_eq!(Notice::parse(n.as_str()), Some(n));
        }
        assert_eq!(Notice::parse("Unlocked"), None);
    }

    #[test]
    fn status_and_strategy_names_round_trip() {
        for s in ["needs_identifier", "needs_first_factor", "needs_second_factor", "needs_new_password", "complete"] {
            assert_eq!(Status::parse(s).map(Status::as_str), Some(s));
        }
        for s in ["phone_code", "totp", "backup_code", "password", "reset_password_email_code", "unlock_email_code"] {
            assert_eq!(Strategy::parse(s).map(Strategy::as_str), Some(s));
        }
        assert_eq!(Status::parse("done"), None);
        assert_eq!(Strategy::parse("sms"), None);
    }

    #[test]
    fn moments_read_from_a_fixed_clock_in_the_readers_zone() {
        // 2026-11-30 00:53 UTC.
        let now = 1_796_000_000;
        assert_eq!(ago(now - 59, now, 0), Ago::Now);
        assert_eq!(ago(now + 300, now, 0), Ago::Now, "a clock ahead");
        assert_eq!(ago(now - 60, now, 0), Ago::Minutes(1));
        assert_eq!(ago(now - 3599, now, 0), Ago::Minutes(59));
        // 23:53 the day before, in UTC: yesterday; in Paris (UTC+1) it is
        // 00:53 on the 30th, so the same moment was today.
        assert_eq!(ago(now - 3600, now, 0), Ago::Days(1));
        assert_eq!(ago(now - 3600, now, 3600), Ago::Days(0));
        // In New York (UTC-5) now is 19:53 on the 29th: 3 hours before is today.
        assert_eq!(ago(now - 3 * 3600, now, -5 * 3600), Ago::Days(0));
        assert_eq!(ago(now - 2 * 86_400, now, 0), Ago::ThisYear);
        assert_eq!(ago(now - 400 * 86_400, now, 0), Ago::Before);
        // The first of January, a minute past midnight in Tokyo (UTC+9),
        // looking back two days: last year there.
        let new_year = 1_798_729_260;
        assert_eq!(ago(new_year - 2 * 86_400, new_year, 9 * 3600), Ago::Before);
        assert_eq!(ago(now - 7200, now, 100_000), Ago::Before, "an impossible offset: the date in full");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_796_000_000), "2026-11-30 00:53 UTC");
        assert_eq!(utc(-60), "1969-12-31 23:59 UTC");
    }
}
