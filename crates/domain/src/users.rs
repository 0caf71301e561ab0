//! Creating users with their factors: shared by the admin CLI and, in
//! development, by `POST /dev/users`.

use crate::audit::Event;
use crate::policy;
use crate::secrets::{self, SecretBox};
use crate::store::{AuditEvent, NewUser, Store, StoreError, Tx};
use serde::{Deserialize, Serialize};

/// The name authenticator apps list the account under: the app's
/// (`[branding] name`).
pub fn issuer(settings: Option<&crate::settings::Settings>) -> String {
    settings.map_or_else(|| crate::settings::Branding::default().name, |s| s.branding.name.trim().to_string())
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Spec {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub totp: bool,
    #[serde(default)]
    pub backup_codes: bool,
    /// Development only (`POST /dev/users`): the password starts marked
    /// compromised, for the `reset-password` task.
    #[serde(default)]
    pub password_compromised: bool,
    /// Who makes it, for the audit row (an app's backend names its key).
    #[serde(skip)]
    pub agent: Option<String>,
    /// Its metadata (an app's backend may give it), checked.
    #[serde(skip)]
    pub metadata: crate::store::Metadata,
}

/// What enrolment shows once: the TOTP secret and the backup codes in clear.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    pub id: i64,
    pub email: String,
    pub phone: Option<String>,
    pub totp_secret: Option<String>,
    pub otpauth_uri: Option<String>,
    pub backup_codes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Invalid(String),
    /// The sign-up rules refuse it: the address, or the password policy.
    #[error("{}", .0.message())]
    Refused(proto::Fault),
    #[error("a user with this email already exists")]
    Exists,
    #[error("{0}")]
    Store(StoreError),
}

pub fn valid_phone(p: &str) -> bool {
    p.len() >= 8 && p.len() <= 16 && p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Creates a user. The sign-up rules apply: the one email rule and the
/// password policy (15 characters for a user without a second factor on an
/// instance that does not require one, else 8).
pub async fn create(
    store: &dyn Store,
    keys: &SecretBox,
    spec: Spec,
    require_mfa: bool,
    now: i64,
    settings: Option<&crate::settings::Settings>,
) -> Result<Created, CreateError> {
    let email = policy::email(&spec.email).ok_or(CreateError::Refused(proto::Fault::EmailInvalid))?;
    let with_mfa = require_mfa || spec.totp || spec.phone.is_some();
    policy::check(&spec.password, &email, with_mfa).map_err(CreateError::Refused)?;
    if let Some(p) = &spec.phone {
        if !valid_phone(p) {
            return Err(CreateError::Invalid("phone must be E.164, like +15555550100".into()));
        }
    }
    let password_hash = secrets::hash_password_async(spec.password).await.map_err(CreateError::Invalid)?;
    let totp_secret = spec.totp.then(secrets::totp_secret);
    let sealed = totp_secret.as_deref().map(|s| keys.seal(s)).transpose().map_err(CreateError::Invalid)?;
    // One unit: the user, their factors, the audit line and the backup codes.
    let unit = store.begin().await.map_err(CreateError::Store)?;
    let id = unit
        .create_user(&NewUser {
            public_id: secrets::user_id(),
            email: email.clone(),
            password_hash,
            phone: spec.phone.clone(),
            totp_secret: sealed,
            created_at: now,
            metadata: spec.metadata.clone(),
            source_id: None,
            lang: None,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict => CreateError::Exists,
            e => CreateError::Store(e),
        })?;
    let factors: Vec<&str> = [("phone", spec.phone.is_some()), ("totp", spec.totp)]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect();
    crate::audit::record(
        unit.as_ref(),
        settings,
        &AuditEvent {
            at: now,
            event: Event::UserCreated.name().into(),
            user_id: Some(id),
            identifier: Some(email.clone()),
            detail: Some(factors.join(",")),
            user_agent: spec.agent.clone(),
            ..Default::default()
        },
        None,
    )
    .await
    .map_err(CreateError::Store)?;
    if spec.password_compromised {
        unit.set_compromised(id).await.map_err(CreateError::Store)?;
    }
    let backup_codes = if spec.backup_codes { regenerate_backup_codes(unit.as_ref(), id, now).await? } else { vec![] };
    unit.commit().await.map_err(CreateError::Store)?;
    Ok(Created {
        id,
        otpauth_uri: totp_secret.as_deref().and_then(|s| secrets::totp_uri(s, &email, &issuer(settings))),
        email,
        phone: spec.phone,
        totp_secret,
        backup_codes,
    })
}

/// Backup codes as stored: (salt, salted hash) each.
pub fn backup_rows(codes: &[String]) -> Vec<(String, String)> {
    codes
        .iter()
        .map(|c| {
            let salt = secrets::salt();
            let hash = secrets::backup_hash(&salt, c);
            (salt, hash)
        })
        .collect()
}

/// A new set of backup codes replaces the old one; returns them in clear.
pub async fn regenerate_backup_codes(store: &dyn Tx, user_id: i64, now: i64) -> Result<Vec<String>, CreateError> {
    let codes: Vec<String> = (0..secrets::BACKUP_CODES).map(|_| secrets::backup_code()).collect();
    store.set_backup_codes(user_id, &backup_rows(&codes)).await.map_err(CreateError::Store)?;
    let event = AuditEvent {
        at: now,
        event: Event::BackupCodesRegenerated.name().into(),
        user_id: Some(user_id),
        ..Default::default()
    };
    store.audit(&event).await.map_err(CreateError::Store)?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::valid_phone;

    #[test]
    fn phones_must_be_e164() {
        assert!(valid_phone("+15555550100"));
        assert!(!valid_phone("5555550100"));
        assert!(!valid_phone("+1555-555"));
        assert!(!valid_phone("+1"));
    }
}
