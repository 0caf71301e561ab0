//! Errors: the typed `Fault` (code and parameters) and its wire shape.

use serde::{Deserialize, Serialize};

/// Form fields an error can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Identifier,
    EmailAddress,
    PhoneNumber,
    Password,
    Code,
    Strategy,
    /// A passkey's answer (`navigator.credentials` JSON).
    PublicKeyCredential,
    /// A passkey's name.
    Name,
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
    /// A new password equal to the current one.
    PasswordSame,
    /// Unknown email or wrong password: one answer for both, no enumeration.
    /// With the tries left before a lock, when few are left (0: this try
    /// locked it).
    PasswordIncorrect(Option<u32>),
    /// A wrong code; with the tries left, as `PasswordIncorrect`.
    CodeIncorrect(Option<u32>),
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
    /// Banned by the app: signs in no more. Told only after a factor was
    /// proven, so it names no account to a stranger.
    UserBanned,
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
    /// A change needs the password or a second factor entered recently
    /// (`UserView::reverification_minutes`).
    ReverificationRequired,
    /// The last second factor cannot go while the instance requires MFA.
    MfaRequired,
    /// Not an E.164 phone number.
    PhoneInvalid,
    /// No such session of this user.
    SessionNotFound,
    /// The passkey's answer did not verify (another challenge, origin or
    /// credential, no user verification, a bad signature, a cloned
    /// authenticator's counter).
    PasskeyInvalid,
    /// No such passkey of this user.
    PasskeyNotFound,
    /// Already signed in.
    SessionExists,
    /// No active session.
    SignedOut,
    /// Backend API: no secret key, or not a live one.
    ApiKeyInvalid,
    /// Backend API: no user with that id (Clerk's `resource_not_found`,
    /// which a missing session shares).
    UserNotFound,
    /// User metadata that is not a JSON object, or past 8 KB or 16 levels.
    MetadataInvalid,
    /// A webhook endpoint that is not an https URL of a public host, or
    /// names an unknown event type.
    WebhookInvalid,
    /// Backend API: an address this server cannot keep (one per user,
    /// added verified and primary), or not the user's.
    AddressRefused,
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
            Fault::PasswordSame => "form_new_password_matches_current",
            Fault::PasswordIncorrect(_) => "form_password_incorrect",
            Fault::CodeIncorrect(_) => "form_code_incorrect",
            Fault::CodeExpired => "verification_expired",
            Fault::CodeLocked => "verification_failed",
            Fault::CodeMissing => "verification_missing",
            Fault::ResendTooSoon(_) => "verification_code_too_many_requests",
            Fault::UserLocked(_) => "user_locked",
            Fault::UserBanned => "user_banned",
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
            Fault::PasskeyInvalid => "passkey_invalid",
            Fault::PasskeyNotFound => "passkey_not_found",
            Fault::SessionExists => "session_exists",
            Fault::SignedOut => "signed_out",
            Fault::ApiKeyInvalid => "api_key_invalid",
            Fault::UserNotFound => "resource_not_found",
            Fault::MetadataInvalid => "metadata_invalid",
            Fault::WebhookInvalid => "webhook_invalid",
            Fault::AddressRefused => "form_param_value_invalid",
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
            | Fault::PasswordSame
            | Fault::MfaRequired
            | Fault::PhoneInvalid
            | Fault::PasswordIncorrect(_)
            | Fault::PasskeyInvalid
            | Fault::MetadataInvalid
            | Fault::WebhookInvalid
            | Fault::AddressRefused
            | Fault::CodeIncorrect(_) => 422,
            // Clerk answers these two with 400, as the rest of this group.
            Fault::StrategyInvalid
            | Fault::BackupCodesNotAvailable
            | Fault::CodeExpired
            | Fault::CodeLocked
            | Fault::CodeMissing
            | Fault::SessionExists
            | Fault::BadRequest => 400,
            Fault::ResendTooSoon(_) | Fault::TooManyRequests(_) => 429,
            Fault::UserLocked(_) | Fault::UserBanned => 403,
            Fault::InvalidState => 409,
            Fault::SignInNotFound
            | Fault::SignUpNotFound
            | Fault::SessionNotFound
            | Fault::PasskeyNotFound
            | Fault::UserNotFound => 404,
            Fault::ReverificationRequired => 403,
            Fault::SignedOut | Fault::ApiKeyInvalid => 401,
            Fault::DeliveryFailed | Fault::Unavailable => 503,
        }
    }

    /// Seconds until a retry can succeed, for the faults that have one
    /// (the `Retry-After` header).
    pub fn retry_after(self) -> Option<u32> {
        match self {
            Fault::ResendTooSoon(s) | Fault::UserLocked(s) | Fault::TooManyRequests(s) => Some(s),
            _ => None,
        }
    }

    /// The seconds in the body's `meta`: `lockout_expires_in_seconds` for a
    /// lock (Clerk's name), `retry_after` for the rest.
    fn meta_seconds(self) -> (Option<u32>, Option<u32>) {
        match self {
            Fault::UserLocked(s) => (None, Some(s)),
            f => (f.retry_after(), None),
        }
    }

    /// The tries left before a lock, on a wrong password or code.
    pub fn tries_left(self) -> Option<u32> {
        match self {
            Fault::PasswordIncorrect(left) | Fault::CodeIncorrect(left) => left,
            _ => None,
        }
    }

    /// This fault telling the tries left, if it is a wrong password or code.
    pub fn with_tries_left(self, left: u32) -> Fault {
        match self {
            Fault::PasswordIncorrect(_) => Fault::PasswordIncorrect(Some(left)),
            Fault::CodeIncorrect(_) => Fault::CodeIncorrect(Some(left)),
            f => f,
        }
    }

    pub fn field(self) -> Option<Field> {
        match self {
            Fault::Missing(f) => Some(f),
            Fault::IdentifierInvalid => Some(Field::Identifier),
            Fault::EmailInvalid | Fault::EmailTaken => Some(Field::EmailAddress),
            Fault::PhoneInvalid => Some(Field::PhoneNumber),
            Fault::PasswordIncorrect(_)
            | Fault::PasswordTooShort(_)
            | Fault::PasswordTooLong(_)
            | Fault::PasswordPwned
            | Fault::PasswordWeak
            | Fault::PasswordSame => Some(Field::Password),
            Fault::CodeIncorrect(_)
            | Fault::CodeExpired
            | Fault::CodeLocked
            | Fault::CodeMissing
            | Fault::BackupCodesNotAvailable => Some(Field::Code),
            Fault::StrategyInvalid => Some(Field::Strategy),
            Fault::PasskeyInvalid => Some(Field::PublicKeyCredential),
            _ => None,
        }
    }

    /// The typed fault back from its wire shape (code and meta), so that a
    /// client can word it in its own language; `None` for a code this build
    /// does not know, or without the meta its words need.
    pub fn from_error(e: &ApiError) -> Option<Fault> {
        let m = &e.meta;
        let secs = m.retry_after;
        Some(match (e.code.as_str(), m.param_name) {
            ("form_param_missing", Some(f)) => Fault::Missing(f),
            ("form_param_format_invalid", Some(Field::Identifier)) => Fault::IdentifierInvalid,
            ("form_param_format_invalid", Some(Field::EmailAddress)) => Fault::EmailInvalid,
            ("form_param_format_invalid", Some(Field::PhoneNumber)) => Fault::PhoneInvalid,
            ("form_identifier_exists", _) => Fault::EmailTaken,
            ("form_password_length_too_short", _) => Fault::PasswordTooShort(m.min_length?),
            ("form_password_length_too_long", _) => Fault::PasswordTooLong(m.max_length?),
            ("form_password_pwned", _) => Fault::PasswordPwned,
            ("form_password_not_strong_enough", _) => Fault::PasswordWeak,
            ("form_new_password_matches_current", _) => Fault::PasswordSame,
            ("form_password_incorrect", _) => Fault::PasswordIncorrect(m.remaining_attempts),
            ("form_code_incorrect", _) => Fault::CodeIncorrect(m.remaining_attempts),
            ("verification_expired", _) => Fault::CodeExpired,
            ("verification_failed", _) => Fault::CodeLocked,
            ("verification_missing", _) => Fault::CodeMissing,
            ("verification_code_too_many_requests", _) => Fault::ResendTooSoon(secs?),
            ("user_locked", _) => Fault::UserLocked(m.lockout_expires_in_seconds?),
            ("user_banned", _) => Fault::UserBanned,
            ("too_many_requests", _) => Fault::TooManyRequests(secs?),
            ("strategy_for_user_invalid", _) => Fault::StrategyInvalid,
            ("backup_codes_not_available", _) => Fault::BackupCodesNotAvailable,
            ("sign_in_invalid_state", _) => Fault::InvalidState,
            ("sign_in_not_found", _) => Fault::SignInNotFound,
            ("sign_up_not_found", _) => Fault::SignUpNotFound,
            ("session_reverification_required", _) => Fault::ReverificationRequired,
            ("mfa_required", _) => Fault::MfaRequired,
            ("resource_not_found", _) => Fault::SessionNotFound,
            ("passkey_invalid", _) => Fault::PasskeyInvalid,
            ("passkey_not_found", _) => Fault::PasskeyNotFound,
            ("session_exists", _) => Fault::SessionExists,
            ("signed_out", _) => Fault::SignedOut,
            ("api_key_invalid", _) => Fault::ApiKeyInvalid,
            ("metadata_invalid", _) => Fault::MetadataInvalid,
            ("webhook_invalid", _) => Fault::WebhookInvalid,
            ("form_param_value_invalid", _) => Fault::AddressRefused,
            ("delivery_failed", _) => Fault::DeliveryFailed,
            ("request_invalid", _) => Fault::BadRequest,
            ("service_unavailable", _) => Fault::Unavailable,
            _ => return None,
        })
    }

    pub fn message(self) -> String {
        match self {
            Fault::Missing(Field::Identifier | Field::EmailAddress) => "Enter your email address.".into(),
            Fault::Missing(Field::Password) => "Enter your password.".into(),
            Fault::Missing(Field::Code) => "Enter the code.".into(),
            Fault::Missing(Field::Strategy) => "Choose how to verify.".into(),
            Fault::Missing(Field::PhoneNumber) => "Enter a phone number.".into(),
            Fault::Missing(Field::PublicKeyCredential) => "Use your passkey to go on.".into(),
            Fault::Missing(Field::Name) => "Enter a name.".into(),
            Fault::IdentifierInvalid | Fault::EmailInvalid => "Enter a valid email address.".into(),
            Fault::EmailTaken => "That email address is taken. Sign in instead.".into(),
            Fault::PasswordTooShort(n) => format!("Passwords must be {n} characters or more."),
            Fault::PasswordTooLong(n) => format!("Passwords must be {n} characters or fewer."),
            Fault::PasswordPwned => "This password is on a list of common or breached passwords. \
                                     For your safety, choose another one."
                .into(),
            Fault::PasswordWeak => "Your password must not contain your email address.".into(),
            Fault::PasswordSame => "Your new password must differ from your current one.".into(),
            Fault::PasswordIncorrect(left) => format!("Email address or password is incorrect.{}", tries(left)),
            Fault::CodeIncorrect(left) => format!("Incorrect code.{}", tries(left)),
            Fault::CodeExpired => "This code has expired. Request a new one.".into(),
            Fault::CodeLocked => "Too many failed attempts. Request a new code.".into(),
            Fault::CodeMissing => "No code was sent yet. Request a code first.".into(),
            Fault::ResendTooSoon(s) => format!("Please wait {s} seconds before requesting a new code."),
            Fault::UserLocked(s) => format!(
                "Your account is locked after too many failed attempts. Try again in {} minutes.",
                s.div_ceil(60).max(1)
            ),
            Fault::UserBanned => "This account can't sign in. Contact the app's support.".into(),
            Fault::TooManyRequests(1) => "Too many requests. Try again in 1 second.".into(),
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
            Fault::PasskeyInvalid => "This passkey could not be verified. Try again, or use another way.".into(),
            Fault::PasskeyNotFound => "That passkey was already removed.".into(),
            Fault::SessionExists => "You are already signed in.".into(),
            Fault::SignedOut => "You are signed out.".into(),
            Fault::ApiKeyInvalid => "Send an active secret key: Authorization: Bearer sk_live_….".into(),
            Fault::UserNotFound => "No such user.".into(),
            Fault::MetadataInvalid => "Metadata must be a JSON object of at most 8 KB and 16 levels.".into(),
            Fault::WebhookInvalid => {
                "A webhook endpoint is an https URL of a public host, with known event types.".into()
            }
            Fault::AddressRefused => {
                "One address per user: add it verified and primary, and it replaces the user's address.".into()
            }
            Fault::DeliveryFailed => "We could not send the code. Try again.".into(),
            Fault::BadRequest => "The request could not be read.".into(),
            Fault::Unavailable => "Something went wrong on our side. Try again.".into(),
        }
    }
}

/// The sentence a wrong try ends with, when few tries are left.
fn tries(left: Option<u32>) -> String {
    match left {
        None => String::new(),
        Some(0) => " Too many failed tries: your account is now locked for a while.".into(),
        Some(1) => " 1 try left before your account is locked.".into(),
        Some(n) => format!(" {n} tries left before your account is locked."),
    }
}

impl Fault {
    /// One of each fault (with sample parameters): for documentation (the
    /// OpenAPI document's error examples) and tests.
    pub fn examples() -> Vec<Fault> {
        let fields = [
            Field::Identifier,
            Field::EmailAddress,
            Field::PhoneNumber,
            Field::Password,
            Field::Code,
            Field::Strategy,
            Field::PublicKeyCredential,
            Field::Name,
        ];
        let mut all: Vec<Fault> = fields.into_iter().map(Fault::Missing).collect();
        all.extend([
            Fault::IdentifierInvalid,
            Fault::EmailInvalid,
            Fault::EmailTaken,
            Fault::PasswordTooShort(15),
            Fault::PasswordTooLong(256),
            Fault::PasswordPwned,
            Fault::PasswordWeak,
            Fault::PasswordSame,
            Fault::PasswordIncorrect(None),
            Fault::PasswordIncorrect(Some(2)),
            Fault::CodeIncorrect(None),
            Fault::CodeIncorrect(Some(0)),
            Fault::CodeExpired,
            Fault::CodeLocked,
            Fault::CodeMissing,
            Fault::ResendTooSoon(12),
            Fault::UserLocked(3599),
            Fault::UserBanned,
            Fault::TooManyRequests(7),
            Fault::StrategyInvalid,
            Fault::BackupCodesNotAvailable,
            Fault::InvalidState,
            Fault::SignInNotFound,
            Fault::SignUpNotFound,
            Fault::ReverificationRequired,
            Fault::MfaRequired,
            Fault::PhoneInvalid,
            Fault::SessionNotFound,
            Fault::PasskeyInvalid,
            Fault::PasskeyNotFound,
            Fault::SessionExists,
            Fault::SignedOut,
            Fault::ApiKeyInvalid,
            Fault::UserNotFound,
            Fault::MetadataInvalid,
            Fault::WebhookInvalid,
            Fault::AddressRefused,
            Fault::DeliveryFailed,
            Fault::BadRequest,
            Fault::Unavailable,
        ]);
        all
    }
}

/// One error in Clerk's wire shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub long_message: String,
    #[serde(default)]
    pub meta: ErrorMeta,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_name: Option<Field>,
    /// Seconds until a retry can succeed (rate limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// `user_locked`: seconds until the lock ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lockout_expires_in_seconds: Option<u32>,
    /// A wrong password or code, when few tries are left: how many before
    /// the account locks (0: this try locked it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_attempts: Option<u32>,
    /// `form_password_length_too_short`: the policy's minimum (characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u16>,
    /// `form_password_length_too_long`: the policy's maximum (characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u16>,
}

/// The error body of every endpoint: `{ "status": 422, "errors": [...] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{}", self.errors.first().map(|e| e.message.as_str()).unwrap_or("error"))]
pub struct ApiErrors {
    pub status: u16,
    pub errors: Vec<ApiError>,
}

impl ApiError {
    /// Worded for a signed-in user, whose address is known: a wrong
    /// password is said to be the password's fault (sign-in names both, so
    /// that it tells nobody which addresses have accounts).
    pub fn for_known_user(mut self) -> ApiError {
        if self.code == "form_password_incorrect" {
            self.message = format!("Password is incorrect.{}", tries(self.meta.remaining_attempts));
            self.long_message = self.message.clone();
        }
        self
    }
}

impl From<Fault> for ApiErrors {
    fn from(f: Fault) -> Self {
        let message = f.message();
        let (retry_after, lockout_expires_in_seconds) = f.meta_seconds();
        ApiErrors {
            status: f.http_status(),
            errors: vec![ApiError {
                code: f.code().into(),
                long_message: message.clone(),
                message,
                meta: ErrorMeta {
                    param_name: f.field(),
                    retry_after,
                    lockout_expires_in_seconds,
                    remaining_attempts: f.tries_left(),
                    min_length: match f {
                        Fault::PasswordTooShort(n) => Some(n),
                        _ => None,
                    },
                    max_length: match f {
                        Fault::PasswordTooLong(n) => Some(n),
                        _ => None,
                    },
                },
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

    /// These errors with one for every field in `empty` that is empty and
    /// has none yet, so that an empty form shows every missing field at
    /// once (the check stops at the first).
    pub fn and_missing(mut self, empty: &[(Field, bool)]) -> ApiErrors {
        let only_missing = self.errors.iter().all(|e| e.code == Fault::Missing(Field::Code).code());
        if !only_missing {
            return self;
        }
        for &(field, is_empty) in empty {
            if is_empty && self.field(field).is_none() {
                self.errors.extend(ApiErrors::from(Fault::Missing(field)).errors);
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_map_to_fields_and_statuses() {
        let e = ApiErrors::from(Fault::PasswordIncorrect(None));
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
        let m = &e.errors[0].meta;
        assert_eq!((m.lockout_expires_in_seconds, m.retry_after), (Some(3599), None), "Clerk's name");
        assert!(e.errors[0].message.contains("60 minutes"), "{}", e.errors[0].message);
        let e = ApiErrors::from(Fault::TooManyRequests(7));
        assert_eq!((e.status, e.codes()), (429, vec!["too_many_requests"]));
        assert_eq!(e.errors[0].meta.retry_after, Some(7));
    }

    #[test]
    fn every_fault_comes_back_from_its_wire_shape() {
        let all = Fault::examples();
        // A new variant fails to compile here until it is listed above.
        let listed = |f: Fault| match f {
            Fault::Missing(_) | Fault::IdentifierInvalid | Fault::EmailInvalid | Fault::EmailTaken => (),
            Fault::PasswordTooShort(_) | Fault::PasswordTooLong(_) | Fault::PasswordPwned | Fault::PasswordWeak => (),
            Fault::PasswordIncorrect(_) | Fault::CodeIncorrect(_) | Fault::CodeExpired | Fault::CodeLocked => (),
            Fault::PasswordSame => (),
            Fault::CodeMissing | Fault::ResendTooSoon(_) | Fault::UserLocked(_) | Fault::TooManyRequests(_) => (),
            Fault::StrategyInvalid | Fault::BackupCodesNotAvailable | Fault::InvalidState => (),
            Fault::SignInNotFound | Fault::SignUpNotFound | Fault::ReverificationRequired | Fault::MfaRequired => (),
            Fault::PhoneInvalid | Fault::SessionNotFound | Fault::SessionExists | Fault::SignedOut => (),
            Fault::DeliveryFailed | Fault::BadRequest | Fault::Unavailable => (),
            Fault::PasskeyInvalid | Fault::PasskeyNotFound => (),
            Fault::ApiKeyInvalid | Fault::UserNotFound | Fault::UserBanned | Fault::MetadataInvalid => (),
            Fault::WebhookInvalid | Fault::AddressRefused => (),
        };
        for f in all {
            listed(f);
            let wire = ApiErrors::from(f);
            let back = match f {
                // Clerk's one code for anything missing reads back as the session's.
                Fault::UserNotFound => Some(Fault::SessionNotFound),
                f => Some(f),
            };
            assert_eq!(Fault::from_error(&wire.errors[0]), back, "{}", f.code());
        }
        let unknown = ApiError {
            code: "from_a_newer_server".into(),
            message: String::new(),
            long_message: String::new(),
            meta: ErrorMeta::default(),
        };
        assert_eq!(Fault::from_error(&unknown), None);
    }

    #[test]
    fn wrong_tries_tell_how_many_are_left() {
        let e = ApiErrors::from(Fault::PasswordIncorrect(Some(2)));
        let m = &e.errors[0];
        assert_eq!((e.status, m.meta.remaining_attempts), (422, Some(2)));
        assert_eq!(m.message, "Email address or password is incorrect. 2 tries left before your account is locked.");
        let e = ApiErrors::from(Fault::CodeIncorrect(Some(1)));
        assert_eq!(e.errors[0].message, "Incorrect code. 1 try left before your account is locked.");
        let e = ApiErrors::from(Fault::CodeIncorrect(Some(0)));
        assert!(e.errors[0].message.ends_with("your account is now locked for a while."), "{}", e.errors[0].message);
        let e = ApiErrors::from(Fault::CodeIncorrect(None));
        assert_eq!((e.errors[0].message.as_str(), e.errors[0].meta.remaining_attempts), ("Incorrect code.", None));
        assert_eq!(Fault::CodeLocked.with_tries_left(1), Fault::CodeLocked, "only wrong tries tell");
        let known = |f: Fault| ApiErrors::from(f).errors.remove(0).for_known_user().message;
        assert_eq!(known(Fault::PasswordIncorrect(None)), "Password is incorrect.");
        assert_eq!(
            known(Fault::PasswordIncorrect(Some(1))),
            "Password is incorrect. 1 try left before your account is locked."
        );
        assert_eq!(known(Fault::CodeIncorrect(None)), "Incorrect code.", "only the password's is reworded");
    }

    #[test]
    fn every_empty_field_gets_its_error() {
        let first = ApiErrors::from(Fault::Missing(Field::Identifier));
        let all = first.clone().and_missing(&[(Field::Identifier, true), (Field::Password, true)]);
        assert_eq!(all.codes(), vec!["form_param_missing"; 2]);
        assert!(all.field(Field::Password).is_some() && all.field(Field::Identifier).is_some());
        let one = first.and_missing(&[(Field::Identifier, true), (Field::Password, false)]);
        assert_eq!(one.errors.len(), 1, "a filled field gets no error");
        let wrong = ApiErrors::from(Fault::IdentifierInvalid).and_missing(&[(Field::Password, true)]);
        assert_eq!(wrong.codes(), vec!["form_param_format_invalid"], "another error stands alone");
    }
}
