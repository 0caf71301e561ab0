//! Types shared by the browser and the server: what the API answers.

use leptos::server_fn::{
    codec::Post,
    error::{FromServerFnError, ServerFnErrorErr},
    Bytes, ContentType, Decodes, Encodes, Format, FormatType,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Where a sign-in attempt stands (Clerk's `signIn.status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Password,
    PhoneCode,
    Totp,
    BackupCode,
    /// A code sent by email (client trust).
    EmailCode,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Password => "password",
            Strategy::PhoneCode => "phone_code",
            Strategy::Totp => "totp",
            Strategy::BackupCode => "backup_code",
            Strategy::EmailCode => "email_code",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        [Strategy::Password, Strategy::PhoneCode, Strategy::Totp, Strategy::BackupCode, Strategy::EmailCode]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// One second factor the user can use, as listed in `supported_second_factors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactor {
    pub strategy: Strategy,
    /// Masked destination, e.g. `+1 ••• ••• 0100` for a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_identifier: Option<String>,
}

/// The sign-in attempt as the client sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInView {
    pub status: Status,
    #[serde(default)]
    pub identifier: Option<String>,
    /// Default first; empty unless `status` is `needs_second_factor`.
    #[serde(default)]
    pub supported_second_factors: Vec<SecondFactor>,
    /// Unix time the last SMS code was sent, if one is pending.
    #[serde(default)]
    pub phone_code_sent_at: Option<i64>,
    /// `needs_client_trust`: where the email code went (masked), and when.
    #[serde(default)]
    pub email_code: Option<CodeSent>,
}

/// A code sent for verification: masked destination and time sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub safe_identifier: String,
    #[serde(default)]
    pub sent_at: Option<i64>,
}

/// Where a sign-up stands (Clerk's `signUp.status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpView {
    pub status: SignUpStatus,
    #[serde(default)]
    pub email_address: Option<String>,
    /// `["email_address"]` until the code is verified.
    #[serde(default)]
    pub unverified_fields: Vec<String>,
    /// Unix time the last email code was sent.
    #[serde(default)]
    pub email_code_sent_at: Option<i64>,
}

impl SignInView {
    pub fn supports(&self, strategy: Strategy) -> bool {
        self.supported_second_factors.iter().any(|f| f.strategy == strategy)
    }
}

/// What `finalize` answers: where to go next, and the session's pending task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalizeView {
    pub redirect_url: String,
    #[serde(default)]
    pub current_task: Option<String>,
}

/// The signed-in user, as the home page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub email: String,
    pub created_at: i64,
    pub second_factors: Vec<Strategy>,
}

/// The task of a pending session that must set up a second factor.
pub const TASK_SETUP_MFA: &str = "setup-mfa";

/// Where a pending session's task is done.
pub fn task_url(task: &str) -> String {
    format!("/tasks/{task}")
}

/// One of the user's second factors, as the account page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorView {
    pub strategy: Strategy,
    #[serde(default)]
    pub safe_identifier: Option<String>,
    /// Offered first at sign-in.
    #[serde(default)]
    pub default: bool,
}

/// `use_user()`: the signed-in user (or a pending session's) and their factors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub email: String,
    /// TOTP and SMS, default first.
    pub factors: Vec<FactorView>,
    pub backup_codes_remaining: u32,
    /// The instance requires a second factor (the last one cannot be removed).
    pub require_mfa: bool,
    /// Changes need the password or a second factor first (none in 10 minutes).
    pub needs_reverification: bool,
    /// The session's pending task, if any (`setup-mfa`).
    #[serde(default)]
    pub task: Option<String>,
    /// A phone number awaiting its SMS code (masked).
    #[serde(default)]
    pub pending_phone: Option<String>,
}

impl UserView {
    pub fn has(&self, s: Strategy) -> bool {
        self.factors.iter().any(|f| f.strategy == s)
    }
}

/// A new authenticator app's secret: shown once, enabled by its first code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
    /// The otpauth URI as a QR code, an SVG document rendered by the server.
    pub qr_svg: String,
}

/// The result of a change that may hand out new backup codes (shown once).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub user: UserView,
    #[serde(default)]
    pub backup_codes: Vec<String>,
}

/// One of the user's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// An opaque id (not the token, nor its hash).
    pub id: String,
    pub device: String,
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
    let (days, secs) = (ts.div_euclid(86400), ts.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", secs / 3600, secs % 3600 / 60)
}

/// Form fields an error can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Identifier,
    EmailAddress,
    PhoneNumber,
    Password,
    Code,
    Strategy,
}

/// Every failure the API can report. Internals never travel: the server logs
/// them and answers `Unavailable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A required field is empty.
    Missing(Field),
    /// The identifier is not an email address.
    IdentifierInvalid,
    /// Sign-up: the email address is not one we can send to.
    EmailInvalid,
    /// Sign-up: the verified email address got an account meanwhile.
    EmailTaken,
    /// Sign-up: shorter than the policy's minimum (characters).
    PasswordTooShort(u16),
    /// Sign-up: longer than the policy's maximum (characters).
    PasswordTooLong(u16),
    /// Sign-up: on the list of common and breached passwords.
    PasswordPwned,
    /// Sign-up: contains the email address.
    PasswordWeak,
    /// Unknown email or wrong password: one answer for both, no enumeration.
    PasswordIncorrect,
    CodeIncorrect,
    /// The code is past its lifetime; ask for a new one.
    CodeExpired,
    /// Too many wrong tries on this code; ask for a new one.
    CodeLocked,
    /// No code was sent for this attempt yet.
    CodeMissing,
    /// A new code was asked for within the resend interval (seconds left).
    ResendTooSoon(u32),
    /// Too many failed tries: locked for this many more seconds.
    UserLocked(u32),
    /// Too many requests from this client IP (seconds until the window ends).
    TooManyRequests(u32),
    /// The strategy is not one of the user's second factors.
    StrategyInvalid,
    /// Backup codes need another second factor.
    BackupCodesNotAvailable,
    /// The step does not fit the attempt's status (e.g. verify before password).
    InvalidState,
    /// No sign-in attempt, or it expired.
    SignInNotFound,
    /// No sign-up, or it expired.
    SignUpNotFound,
    /// A change needs the password or a second factor entered in the last 10 minutes.
    ReverificationRequired,
    /// The last second factor cannot go while the instance requires MFA.
    MfaRequired,
    /// Not an E.164 phone number.
    PhoneInvalid,
    /// No such session of this user.
    SessionNotFound,
    /// Already signed in.
    SessionExists,
    /// No active session.
    SignedOut,
    /// The code could not be delivered; retry.
    DeliveryFailed,
    /// A request that could not be decoded.
    BadRequest,
    /// Storage or another internal failure; retry.
    Unavailable,
}

impl Fault {
    pub fn code(self) -> &'static str {
        match self {
            Fault::Missing(_) => "form_param_missing",
            Fault::IdentifierInvalid | Fault::EmailInvalid => "form_param_format_invalid",
            Fault::EmailTaken => "form_identifier_exists",
            Fault::PasswordTooShort(_) => "form_password_length_too_short",
            Fault::PasswordTooLong(_) => "form_password_length_too_long",
            Fault::PasswordPwned => "form_password_pwned",
            Fault::PasswordWeak => "form_password_not_strong_enough",
            Fault::PasswordIncorrect => "form_password_incorrect",
            Fault::CodeIncorrect => "form_code_incorrect",
            Fault::CodeExpired => "verification_expired",
            Fault::CodeLocked => "verification_failed",
            Fault::CodeMissing => "verification_missing",
            Fault::ResendTooSoon(_) => "verification_code_too_many_requests",
            Fault::UserLocked(_) => "user_locked",
            Fault::TooManyRequests(_) => "too_many_requests",
            Fault::StrategyInvalid => "strategy_for_user_invalid",
            Fault::BackupCodesNotAvailable => "backup_codes_not_available",
            Fault::InvalidState => "sign_in_invalid_state",
            Fault::SignInNotFound => "sign_in_not_found",
            Fault::SignUpNotFound => "sign_up_not_found",
            Fault::ReverificationRequired => "session_reverification_required",
            Fault::MfaRequired => "mfa_required",
            Fault::PhoneInvalid => "form_param_format_invalid",
            Fault::SessionNotFound => "resource_not_found",
            Fault::SessionExists => "session_exists",
            Fault::SignedOut => "signed_out",
            Fault::DeliveryFailed => "delivery_failed",
            Fault::BadRequest => "request_invalid",
            Fault::Unavailable => "service_unavailable",
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            Fault::Missing(_)
            | Fault::IdentifierInvalid
            | Fault::EmailInvalid
            | Fault::EmailTaken
            | Fault::PasswordTooShort(_)
            | Fault::PasswordTooLong(_)
            | Fault::PasswordPwned
            | Fault::PasswordWeak
            | Fault::MfaRequired
            | Fault::PhoneInvalid
            | Fault::PasswordIncorrect
            | Fault::CodeIncorrect
            | Fault::StrategyInvalid
            | Fault::BackupCodesNotAvailable => 422,
            Fault::CodeExpired | Fault::CodeLocked | Fault::CodeMissing | Fault::SessionExists | Fault::BadRequest => {
                400
            }
            Fault::ResendTooSoon(_) | Fault::TooManyRequests(_) => 429,
            Fault::UserLocked(_) => 403,
            Fault::InvalidState => 409,
            Fault::SignInNotFound | Fault::SignUpNotFound | Fault::SessionNotFound => 404,
            Fault::ReverificationRequired => 403,
            Fault::SignedOut => 401,
            Fault::DeliveryFailed | Fault::Unavailable => 503,
        }
    }

    /// Seconds until a retry can succeed, for the faults that have one.
    pub fn retry_after(self) -> Option<u32> {
        match self {
            Fault::ResendTooSoon(s) | Fault::UserLocked(s) | Fault::TooManyRequests(s) => Some(s),
            _ => None,
        }
    }

    pub fn field(self) -> Option<Field> {
        match self {
            Fault::Missing(f) => Some(f),
            Fault::IdentifierInvalid => Some(Field::Identifier),
            Fault::EmailInvalid | Fault::EmailTaken => Some(Field::EmailAddress),
            Fault::PhoneInvalid => Some(Field::PhoneNumber),
            Fault::PasswordIncorrect
            | Fault::PasswordTooShort(_)
            | Fault::PasswordTooLong(_)
            | Fault::PasswordPwned
            | Fault::PasswordWeak => Some(Field::Password),
            Fault::CodeIncorrect
            | Fault::CodeExpired
            | Fault::CodeLocked
            | Fault::CodeMissing
            | Fault::BackupCodesNotAvailable => Some(Field::Code),
            Fault::StrategyInvalid => Some(Field::Strategy),
            _ => None,
        }
    }

    pub fn message(self) -> String {
        match self {
            Fault::Missing(Field::Identifier | Field::EmailAddress) => "Enter your email address.".into(),
            Fault::Missing(Field::Password) => "Enter your password.".into(),
            Fault::Missing(Field::Code) => "Enter the code.".into(),
            Fault::Missing(Field::Strategy) => "Choose how to verify.".into(),
            Fault::Missing(Field::PhoneNumber) => "Enter a phone number.".into(),
            Fault::IdentifierInvalid | Fault::EmailInvalid => "Enter a valid email address.".into(),
            Fault::EmailTaken => "That email address is taken. Sign in instead.".into(),
            Fault::PasswordTooShort(n) => format!("Passwords must be {n} characters or more."),
            Fault::PasswordTooLong(n) => format!("Passwords must be {n} characters or fewer."),
            Fault::PasswordPwned => "This password is on a list of common or breached passwords. \
                                     For your safety, choose another one."
                .into(),
            Fault::PasswordWeak => "Your password must not contain your email address.".into(),
            Fault::PasswordIncorrect => "Email address or password is incorrect.".into(),
            Fault::CodeIncorrect => "Incorrect code.".into(),
            Fault::CodeExpired => "This code has expired. Request a new one.".into(),
            Fault::CodeLocked => "Too many failed attempts. Request a new code.".into(),
            Fault::CodeMissing => "No code was sent yet. Request a code first.".into(),
            Fault::ResendTooSoon(s) => format!("Please wait {s} seconds before requesting a new code."),
            Fault::UserLocked(s) => format!(
                "Your account is locked after too many failed attempts. Try again in {} minutes.",
                s.div_ceil(60).max(1)
            ),
            Fault::TooManyRequests(s) => format!("Too many requests. Try again in {s} seconds."),
            Fault::StrategyInvalid => "This verification method is not available for this account.".into(),
            Fault::BackupCodesNotAvailable => "Backup codes can only be used with another second factor.".into(),
            Fault::InvalidState => "This step is not available now. Start the sign-in again.".into(),
            Fault::SignInNotFound => "Your sign-in has expired. Start again.".into(),
            Fault::SignUpNotFound => "Your sign-up has expired. Start again.".into(),
            Fault::ReverificationRequired => {
                "Confirm it's you: enter your password or a code from your authenticator app.".into()
            }
            Fault::MfaRequired => "You can't remove your last second factor: this app requires one.".into(),
            Fault::PhoneInvalid => "Enter the number in international format, e.g. +15555550123.".into(),
            Fault::SessionNotFound => "That session has already ended.".into(),
            Fault::SessionExists => "You are already signed in.".into(),
            Fault::SignedOut => "You are signed out.".into(),
            Fault::DeliveryFailed => "We could not send the code. Try again.".into(),
            Fault::BadRequest => "The request could not be read.".into(),
            Fault::Unavailable => "Something went wrong on our side. Try again.".into(),
        }
    }
}

/// One error in Clerk's wire shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub long_message: String,
    #[serde(default)]
    pub meta: ErrorMeta,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_name: Option<Field>,
    /// Seconds until a retry can succeed (rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

/// The error body of every endpoint: `{ "status": 422, "errors": [...] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", self.errors.first().map(|e| e.message.as_str()).unwrap_or("error"))]
pub struct ApiErrors {
    pub status: u16,
    pub errors: Vec<ApiError>,
}

impl From<Fault> for ApiErrors {
    fn from(f: Fault) -> Self {
        let message = f.message();
        ApiErrors {
            status: f.http_status(),
            errors: vec![ApiError {
                code: f.code().into(),
                long_message: message.clone(),
                message,
                meta: ErrorMeta { param_name: f.field(), retry_after: f.retry_after() },
            }],
        }
    }
}

/// The API's bodies: JSON, as server_fn's `JsonEncoding` writes it, read on
/// the client with `serde_json::from_str`, the reader island props go through.
/// One set of decoders in the wasm instead of two (`from_slice` is another).
pub struct JsonStrEncoding;

/// The output codec of every server function: `POST`, JSON answers.
pub type JsonStr = Post<JsonStrEncoding>;

impl ContentType for JsonStrEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonStrEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonStrEncoding {
    type Error = leptos::serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        leptos::serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonStrEncoding {
    type Error = leptos::serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        leptos::serde_json::from_str(text)
    }
}

impl FromServerFnError for ApiErrors {
    type Encoder = JsonStrEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport failures on the client, decode failures on the server.
        let (status, code, message) = match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                (0, "network_error", "Could not reach the server. Check your connection.")
            }
            _ => (400, "request_invalid", "The request could not be read."),
        };
        ApiErrors {
            status,
            errors: vec![ApiError {
                code: code.into(),
                message: message.into(),
                long_message: message.into(),
                meta: ErrorMeta::default(),
            }],
        }
    }
}

impl ApiErrors {
    pub fn field(&self, field: Field) -> Option<&ApiError> {
        self.errors.iter().find(|e| e.meta.param_name == Some(field))
    }

    pub fn codes(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.code.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_strategy_names_round_trip() {
        for s in ["needs_identifier", "needs_second_factor", "complete", "needs_client_trust"] {
            assert_eq!(Status::parse(s).map(Status::as_str), Some(s));
        }
        for s in ["phone_code", "totp", "backup_code", "password"] {
            assert_eq!(Strategy::parse(s).map(Strategy::as_str), Some(s));
        }
        assert_eq!(Status::parse("done"), None);
        assert_eq!(Strategy::parse("sms"), None);
    }

    #[test]
    fn serde_names_match_clerk() {
        let json = serde_json_like(&Status::NeedsSecondFactor);
        assert_eq!(json, "\"needs_second_factor\"");
    }

    fn serde_json_like<T: Serialize>(v: &T) -> String {
        // The API's own encoding, to stay honest.
        let bytes = <JsonStrEncoding as Encodes<T>>::encode(v).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn api_bodies_round_trip_and_bad_ones_are_errors() {
        let e = ApiErrors::from(Fault::PasswordIncorrect);
        let bytes = <JsonStrEncoding as Encodes<ApiErrors>>::encode(&e).unwrap();
        let back: ApiErrors = <JsonStrEncoding as Decodes<ApiErrors>>::decode(bytes).unwrap();
        assert_eq!(back, e);
        let bad = Bytes::from_static(b"{\"status\": 422, \"errors\": [\xff]}");
        assert!(<JsonStrEncoding as Decodes<ApiErrors>>::decode(bad).is_err());
        let truncated = Bytes::from_static(b"{\"status\": 422");
        assert!(<JsonStrEncoding as Decodes<ApiErrors>>::decode(truncated).is_err());
    }

    #[test]
    fn faults_map_to_fields_and_statuses() {
        let e = ApiErrors::from(Fault::PasswordIncorrect);
        assert_eq!(e.status, 422);
        assert_eq!(e.codes(), vec!["form_password_incorrect"]);
        assert!(e.field(Field::Password).is_some());
        assert!(e.field(Field::Identifier).is_none());

        let e = ApiErrors::from(Fault::ResendTooSoon(12));
        assert_eq!(e.status, 429);
        assert_eq!(e.errors[0].meta.retry_after, Some(12));

        assert_eq!(Fault::CodeExpired.field(), Some(Field::Code));
        assert_eq!(Fault::CodeLocked.code(), "verification_failed");
        assert_eq!(Fault::BackupCodesNotAvailable.code(), "backup_codes_not_available");
        assert_eq!(Fault::Unavailable.http_status(), 503);
        let e = ApiErrors::from(Fault::UserLocked(3599));
        assert_eq!((e.status, e.codes()), (403, vec!["user_locked"]));
        assert!(e.errors[0].message.contains("60 minutes"), "{}", e.errors[0].message);
        let e = ApiErrors::from(Fault::TooManyRequests(7));
        assert_eq!((e.status, e.codes()), (429, vec!["too_many_requests"]));
        assert_eq!(e.errors[0].meta.retry_after, Some(7));
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_796_000_000), "2026-11-30 00:53 UTC");
        assert_eq!(utc(-60), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn decode_failures_are_client_errors() {
        let e = ApiErrors::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(e.status, 400);
        assert_eq!(e.codes(), vec!["request_invalid"]);
    }
}
