//! Moving users in from another system: each row of its export is read
//! into what we would store (`Incoming`) or refused with a reason (the
//! readers, one per source, are pure); `run` then writes one user a unit,
//! so that an import stopped halfway carries on where it stopped, and one
//! run twice changes nothing (the source's id is kept: `source_id`).

pub mod better_auth;
pub mod clerk;
pub mod json;
pub mod ours;
pub mod supabase;

use crate::audit::Event;
use crate::secrets::{self, SecretBox};
use crate::store::{AuditEvent, Metadata, NewUser, Passkey, Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A user read from an export, as we would store them.
#[derive(Clone, Debug)]
pub struct Incoming {
    /// Where the row is in the file (1: the first line).
    pub line: u64,
    /// `clerk:user_…`: the source's name and its id for the user.
    pub source_id: String,
    /// The id apps knew the user by there, kept when it has the shape of
    /// ours (`user_…`): session tokens' `sub` stays what apps hold.
    pub public_id: Option<String>,
    /// Normalized (`policy::email`).
    pub email: String,
    /// The imported hash as we store it (checked, of a kind we verify);
    /// None: the user sets a password with "Forgot password".
    pub password: Option<String>,
    /// An authenticator app's secret, base32 (checked).
    pub totp_secret: Option<String>,
    /// A verified phone (E.164): text-message codes.
    pub phone: Option<String>,
    /// Unused backup codes, in clear (stored hashed, as ours).
    pub backup_codes: Vec<String>,
    /// What only our own export carries besides (`ours`).
    pub extra: Option<Box<Extra>>,
}

/// A user's rest, as another of our instances kept it: stored as it was.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    /// Unused backup codes as stored: (salt, hash).
    pub backup_hashes: Vec<(String, String)>,
    /// Their ids and user are set anew; the rest is kept.
    pub passkeys: Vec<Passkey>,
    pub metadata: Metadata,
    pub banned: bool,
    pub compromised: bool,
}

impl Incoming {
    /// The user of an address the source never verified: trusted with
    /// nothing (no password, no factor), so that whoever owns the address
    /// proves it with "Forgot password" and enrols again. Also says
    /// whether anything was dropped.
    fn untrusted(self) -> (Incoming, bool) {
        let held = self.password.is_some() || self.totp_secret.is_some() || self.phone.is_some();
        let u = Incoming { password: None, totp_secret: None, phone: None, backup_codes: vec![], ..self };
        (u, held)
    }
}

/// An export's address, normalized; refused if empty or unusable.
fn email(raw: &str) -> Result<String, Reason> {
    match raw.trim() {
        "" => Err(Reason::EmailMissing),
        raw => crate::policy::email(raw).ok_or(Reason::EmailInvalid),
    }
}

/// The password hashers an export may name (Clerk's API's names; `scrypt`
/// and `pbkdf2_sha512` ours).
pub const HASHERS: &str = "bcrypt, argon2id, argon2i, pbkdf2_sha256, pbkdf2_sha256_django, pbkdf2_sha512, scrypt";

/// An export's password, given by its hasher's name (as Clerk's API names
/// them; none: guessed from the digest's shape) and digest, as we store it;
/// None if there is no digest. Hashers we do not verify are refused, never
/// stored; so are digests not of their hasher's form or beyond its bounds.
fn password(hasher: &str, digest: &str) -> Result<Option<String>, Reason> {
    let (hasher, d) = (hasher.trim().to_ascii_lowercase(), digest.trim());
    if d.is_empty() {
        return Ok(None);
    }
    let name: &'static str = match hasher.as_str() {
        "" if d.starts_with("$2") => "bcrypt",
        "" if d.starts_with("$argon2id$") => "argon2id",
        "" if d.starts_with("$argon2i$") => "argon2i",
        "" => return Err(Reason::HasherUnsupported("(none named)".into())),
        h => HASHERS.split(", ").find(|k| *k == h).ok_or_else(|| Reason::HasherUnsupported(h.into()))?,
    };
    let stored = match name {
        "bcrypt" => secrets::bcrypt_digest(d).then(|| d.to_string()),
        "argon2id" | "argon2i" | "scrypt" => {
            (d.starts_with(&format!("${name}$")) && secrets::importable(d)).then(|| d.into())
        }
        _ => pbkdf2(name, d),
    };
    stored.map(Some).ok_or(Reason::DigestInvalid(name))
}

/// A PBKDF2 digest in one of its forms, as we store it: PHC's
/// (`$pbkdf2-sha256$i=…,l=…$salt$key`, as stored), Clerk's
/// (`pbkdf2_sha256$rounds$salt$key`, both base64) or Django's (the same
/// with the salt as text).
fn pbkdf2(hasher: &str, d: &str) -> Option<String> {
    if d.starts_with("$pbkdf2-") {
        let sha = if hasher == "pbkdf2_sha512" { "$pbkdf2-sha512$" } else { "$pbkdf2-sha256$" };
        return (d.starts_with(sha) && secrets::importable(d)).then(|| d.to_string());
    }
    use base64::Engine as _;
    let b64 = |s: &str| {
        let s = s.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(s)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s))
            .ok()
    };
    let mut parts = d.split('$');
    let (alg, rounds, salt, key) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let sha512 = hasher == "pbkdf2_sha512";
    if parts.next().is_some() || alg != if sha512 { "pbkdf2_sha512" } else { "pbkdf2_sha256" } {
        return None;
    }
    let salt = match hasher {
        "pbkdf2_sha256_django" => salt.as_bytes().to_vec(),
        _ => b64(salt)?,
    };
    secrets::pbkdf2_stored(sha512, rounds.parse().ok()?, &salt, &b64(key)?)
}

/// An export's three metadata objects (null: empty) as we store them.
fn metadata(public: Value, private: Value, unsafe_: Value) -> Result<Metadata, Reason> {
    let text = |v: Value| match v {
        Value::Null => Ok("{}".to_string()),
        v => crate::metadata::checked(v)
            .map(|o| crate::metadata::text(&o))
            .map_err(|_| Reason::Unreadable("metadata".into())),
    };
    Ok(Metadata { public: text(public)?, private: text(private)?, unsafe_: text(unsafe_)? })
}

/// What `not_kept` says of users whose address the source never verified.
const UNVERIFIED: &str = "password and factors of users whose address is unverified";

/// Why a row is not imported: a code (stable, for scripts) and a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("the row has no user id")]
    IdMissing,
    #[error("no email address (users here sign in with one)")]
    EmailMissing,
    #[error("the email address is not one we can send to")]
    EmailInvalid,
    #[error("the password hasher {0:?} is not supported ({HASHERS} are)")]
    HasherUnsupported(String),
    #[error("the password digest is not a {0} digest")]
    DigestInvalid(&'static str),
    #[error("the authenticator secret is not base32 of 128 bits or more")]
    TotpSecretInvalid,
    #[error("backup codes must be at most 32, each of 8 or more letters or digits")]
    BackupCodesInvalid,
    #[error("the verified phone number is not E.164 (+15555550100)")]
    PhoneInvalid,
    #[error("the file has this user or address already, on line {0}")]
    Duplicate(u64),
    #[error("a user here already has this address")]
    EmailTaken,
    #[error(
        "the two-factor secret or backup codes cannot be opened (sealed with another secret, or of no known form)"
    )]
    TwoFactorSealed,
    #[error("the user was deleted there")]
    Deleted,
    #[error("one of the user's passkeys is another user's here")]
    PasskeyTaken,
    #[error("the row cannot be read: {0}")]
    Unreadable(String),
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::IdMissing => "id_missing",
            Reason::EmailMissing => "email_missing",
            Reason::EmailInvalid => "email_invalid",
            Reason::HasherUnsupported(_) => "password_hasher_unsupported",
            Reason::DigestInvalid(_) => "password_digest_invalid",
            Reason::TotpSecretInvalid => "totp_secret_invalid",
            Reason::BackupCodesInvalid => "backup_codes_invalid",
            Reason::PhoneInvalid => "phone_invalid",
            Reason::Duplicate(_) => "duplicate",
            Reason::EmailTaken => "email_taken",
            Reason::TwoFactorSealed => "two_factor_unreadable",
            Reason::Deleted => "deleted",
            Reason::PasskeyTaken => "passkey_taken",
            Reason::Unreadable(_) => "unreadable",
        }
    }
}

/// A row not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub line: u64,
    /// The source's id for the user, when the row has one.
    pub source_id: Option<String>,
    pub reason: Reason,
}

impl Serialize for Refusal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut r = s.serialize_struct("Refusal", 4)?;
        r.serialize_field("line", &self.line)?;
        r.serialize_field("source_id", &self.source_id)?;
        r.serialize_field("code", self.reason.code())?;
        r.serialize_field("message", &self.reason.to_string())?;
        r.end()
    }
}

/// An export read: its rows, and what it holds that we do not keep
/// (column: how many rows have a value there).
#[derive(Debug, Default)]
pub struct Read {
    pub rows: Vec<Result<Incoming, Refusal>>,
    pub not_kept: BTreeMap<&'static str, usize>,
}

/// What an import did, or (a dry run) would do.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub source: &'static str,
    /// False: a dry run, nothing written.
    pub applied: bool,
    pub rows: usize,
    /// Imported (a dry run: would be).
    pub imported: usize,
    pub with_password: usize,
    /// No password there: they set one with "Forgot password".
    pub without_password: usize,
    pub with_totp: usize,
    pub with_phone: usize,
    pub with_backup_codes: usize,
    pub with_passkeys: usize,
    /// Here from an earlier run: left as they are.
    pub already_imported: usize,
    pub refused: Vec<Refusal>,
    pub not_kept: BTreeMap<&'static str, usize>,
}

/// Imports `read` from `source` (`clerk`): with `apply`, each new user in
/// a unit of their own (with their factors and an audit row); without,
/// only the reads, reporting what would be done. A user already imported
/// from the same source id is skipped; an address taken here is refused.
pub async fn run(
    store: &dyn Store,
    keys: &SecretBox,
    source: &'static str,
    read: Read,
    apply: bool,
    now: i64,
) -> Result<Report, StoreError> {
    let mut report =
        Report { source, applied: apply, rows: read.rows.len(), not_kept: read.not_kept, ..Default::default() };
    // The first line of each id and address: a second one is refused.
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in read.rows {
        let u = match row {
            Ok(u) => u,
            Err(r) => {
                report.refused.push(r);
                continue;
            }
        };
        let refusal = |reason| Refusal { line: u.line, source_id: Some(u.source_id.clone()), reason };
        if let Some(first) = [&u.source_id, &u.email].into_iter().find_map(|k| seen.get(k.as_str()).copied()) {
            report.refused.push(refusal(Reason::Duplicate(first)));
            continue;
        }
        seen.insert(u.source_id.clone(), u.line);
        seen.insert(u.email.clone(), u.line);
        let outcome = if store.imported(&u.source_id).await?.is_some() {
            Created::Already
        } else if store.user_by_email(&u.email).await?.is_some() {
            Created::Taken
        } else if apply {
            create(store, keys, source, &u, now).await?
        } else {
            Created::New
        };
        match outcome {
            Created::Already => report.already_imported += 1,
            Created::Taken => report.refused.push(refusal(Reason::EmailTaken)),
            Created::PasskeyTaken => report.refused.push(refusal(Reason::PasskeyTaken)),
            Created::New => {
                report.imported += 1;
                report.with_password += usize::from(u.password.is_some());
                report.without_password += usize::from(u.password.is_none());
                report.with_totp += usize::from(u.totp_secret.is_some());
                report.with_phone += usize::from(u.phone.is_some());
                let extra = u.extra.as_deref();
                let hashes = extra.is_some_and(|e| !e.backup_hashes.is_empty());
                report.with_backup_codes += usize::from(!u.backup_codes.is_empty() || hashes);
                report.with_passkeys += usize::from(extra.is_some_and(|e| !e.passkeys.is_empty()));
            }
        }
    }
    report.refused.sort_by_key(|r| r.line);
    Ok(report)
}

enum Created {
    /// Made (a dry run: would be).
    New,
    /// Imported meanwhile (by another run).
    Already,
    /// The address was taken meanwhile.
    Taken,
    /// One of their passkeys is another user's here.
    PasskeyTaken,
}

/// One user, their factors and the audit row: one unit.
async fn create(
    store: &dyn Store,
    keys: &SecretBox,
    source: &str,
    u: &Incoming,
    now: i64,
) -> Result<Created, StoreError> {
    let sealed = match u.totp_secret.as_deref().map(|s| keys.seal(s)).transpose() {
        Ok(s) => s,
        Err(e) => return Err(StoreError::Db(format!("sealing a TOTP secret: {e}"))),
    };
    let unit = store.begin().await?;
    let made = unit
        .create_user(&NewUser {
            public_id: u.public_id.clone().unwrap_or_else(secrets::user_id),
            email: u.email.clone(),
            password_hash: u.password.clone().unwrap_or_else(|| secrets::NO_PASSWORD.to_string()),
            phone: u.phone.clone(),
            totp_secret: sealed,
            created_at: now,
            metadata: u.extra.as_ref().map(|e| e.metadata.clone()).unwrap_or_default(),
            source_id: Some(u.source_id.clone()),
            lang: None,
        })
        .await;
    let id = match made {
        Ok(id) => id,
        Err(StoreError::Conflict) => {
            drop(unit);
            return Ok(match store.imported(&u.source_id).await? {
                Some(_) => Created::Already,
                None => Created::Taken,
            });
        }
        Err(e) => return Err(e),
    };
    let factors = [
        ("password", u.password.is_some()),
        ("totp", u.totp_secret.is_some()),
        ("phone", u.phone.is_some()),
        ("backup_codes", !u.backup_codes.is_empty()),
    ];
    let held: Vec<&str> = factors.into_iter().filter_map(|(n, on)| on.then_some(n)).collect();
    let event = AuditEvent {
        at: now,
        event: Event::UserImported.name().into(),
        user_id: Some(id),
        identifier: Some(u.email.clone()),
        detail: Some(format!("{source}:{}", held.join(","))),
        ..Default::default()
    };
    unit.audit(&event).await?;
    if !u.backup_codes.is_empty() {
        unit.set_backup_codes(id, &crate::users::backup_rows(&u.backup_codes)).await?;
    }
    if let Some(e) = u.extra.as_deref() {
        if !e.backup_hashes.is_empty() {
            unit.set_backup_codes(id, &e.backup_hashes).await?;
        }
        for p in &e.passkeys {
            // A credential registered here already stays its owner's.
            if !unit.insert_passkey(&Passkey { user_id: id, ..p.clone() }).await? {
                drop(unit);
                return Ok(Created::PasskeyTaken);
            }
        }
        if e.banned {
            unit.set_banned(id, true).await?;
        }
        if e.compromised {
            unit.set_compromised(id).await?;
        }
    }
    unit.commit().await?;
    Ok(Created::New)
}

/// `id` as our public id if it has its shape (`user_` and up to 60
/// letters and digits), else None (a fresh one is made).
fn public_id(id: &str) -> Option<String> {
    let rest = id.strip_prefix("user_")?;
    let ok = (1..=60).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| id.to_string())
}

/// A list column of an export (`a@x.com|b@y.com`): its items, trimmed.
fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split(['|', ',', ';', ' ']).map(str::trim).filter(|i| !i.is_empty())
}

/// A TOTP secret as given (spaced, lower case, padded) in the form we
/// keep: base32 upper case; None if it is not base32 of 128 bits or more.
fn totp_secret(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '=').collect::<String>().to_uppercase();
    let bytes = totp_rs::Secret::try_from_base32(&s).ok()?;
    (bytes.as_bytes().len() >= 16 && secrets::totp_now(&s, 0).is_some()).then_some(s)
}
