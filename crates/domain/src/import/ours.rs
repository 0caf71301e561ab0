//! Our own format, between our instances: `mfa-signin export` writes a
//! JSON line per user, `import mfa-signin` reads it back. Without secrets a
//! line holds who the user is and which factors they have, nothing that
//! signs in; with them (`--with-secrets`), the password hash, the TOTP key,
//! the backup codes' hashes and the passkeys ride along sealed under a key
//! given on the command line (never the instance's own), so the file is
//! safe at rest and the new instance seals them under its own key.

use super::{totp_secret, Extra, Incoming, Read, Reason, Refusal};
use crate::secrets::{self, SecretBox};
use crate::store::{Passkey, Store, User};
use crate::{metadata, policy, users::valid_phone};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One user, as a line of the export.
#[derive(Debug, Serialize, Deserialize)]
pub struct Line {
    /// The id apps know (`user_…`): kept by the import.
    pub id: String,
    pub email: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The second factors they have: `totp`, `phone_code`, `passkey`.
    #[serde(default)]
    pub factors: Vec<String>,
    #[serde(default)]
    pub backup_codes_left: usize,
    #[serde(default)]
    pub password_compromised: bool,
    #[serde(default)]
    pub banned: bool,
    #[serde(default)]
    pub public_metadata: Value,
    #[serde(default)]
    pub private_metadata: Value,
    #[serde(default)]
    pub unsafe_metadata: Value,
    /// Where they came from, if they were imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// `Secrets` as JSON, sealed under the export's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
}

/// What signs in, sealed in a line.
#[derive(Serialize, Deserialize)]
struct Secrets {
    password_hash: String,
    totp_secret: Option<String>,
    /// Unused backup codes as stored: (salt, hash).
    backup_codes: Vec<(String, String)>,
    /// As stored (their row ids set anew at import).
    passkeys: Vec<Passkey>,
}

/// The line of `u`; with `seal`, their secrets too (opened with `keys`).
async fn line(store: &dyn Store, keys: &SecretBox, seal: Option<&SecretBox>, u: User) -> Result<Line, String> {
    let err = |e: crate::store::StoreError| e.to_string();
    let codes = store.unused_backup_codes(u.id).await.map_err(err)?;
    let passkeys = store.passkeys_of(u.id).await.map_err(err)?;
    let factors =
        [("totp", u.totp_secret.is_some()), ("phone_code", u.phone.is_some()), ("passkey", !passkeys.is_empty())];
    let sealed = match seal {
        None => None,
        Some(seal) => {
            let totp_secret =
                match u.totp_secret.as_deref() {
                    None => None,
                    Some(s) => Some(keys.open(s).ok_or_else(|| {
                        format!("{}: the TOTP secret does not open with this instance's key", u.email)
                    })?),
                };
            let secrets = Secrets {
                password_hash: u.password_hash.clone(),
                totp_secret,
                backup_codes: codes.iter().map(|c| (c.salt.clone(), c.code_hash.clone())).collect(),
                passkeys,
            };
            Some(seal.seal(&serde_json::to_string(&secrets).map_err(|e| e.to_string())?)?)
        }
    };
    let object = |s: &str| Value::Object(metadata::parse(s));
    Ok(Line {
        factors: factors.into_iter().filter(|(_, on)| *on).map(|(n, _)| n.to_string()).collect(),
        backup_codes_left: codes.len(),
        password_compromised: u.password_compromised,
        banned: u.banned,
        public_metadata: object(&u.public_metadata),
        private_metadata: object(&u.private_metadata),
        unsafe_metadata: object(&u.unsafe_metadata),
        source_id: None,
        id: u.public_id,
        email: u.email,
        created_at: u.created_at,
        phone: u.phone,
        sealed,
    })
}

/// Writes every user as a JSON line to `out`, in pages by id; with
/// `seal`, their secrets sealed under it. Returns how many.
pub async fn export(
    store: &dyn Store,
    keys: &SecretBox,
    seal: Option<&SecretBox>,
    out: &mut dyn std::io::Write,
) -> Result<usize, String> {
    let (mut after, mut n) = (0, 0);
    loop {
        let page = store.users_after(after, 500).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { return Ok(n) };
        after = last.id;
        for u in page {
            let source_id = store.source_of(u.id).await.map_err(|e| e.to_string())?;
            let l = Line { source_id, ..line(store, keys, seal, u).await? };
            let text = serde_json::to_string(&l).map_err(|e| e.to_string())?;
            writeln!(out, "{text}").map_err(|e| e.to_string())?;
            n += 1;
        }
    }
}

/// Reads an export; Err if it is not one, or if it holds sealed secrets
/// and no `key` was given.
pub fn read(input: impl std::io::BufRead, key: Option<&SecretBox>) -> Result<Read, String> {
    let mut out = Read::default();
    for (i, text) in input.lines().enumerate() {
        let line = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
        let text = text.map_err(|e| format!("line {line}: {e}"))?;
        if text.trim().is_empty() {
            continue;
        }
        let l: Line = match serde_json::from_str(&text) {
            Ok(l) => l,
            Err(e) => {
                out.rows.push(Err(Refusal { line, source_id: None, reason: Reason::Unreadable(e.to_string()) }));
                continue;
            }
        };
        if l.sealed.is_some() && key.is_none() {
            return Err("the export holds sealed secrets: give the key it was made with (--key)".into());
        }
        // The id apps know stays the user's; the source id says where from.
        let source_id = format!("mfa-signin:{}", l.id);
        let r = user(l, key, line).map_err(|reason| Refusal { line, source_id: Some(source_id), reason });
        out.rows.push(r);
    }
    Ok(out)
}

fn user(l: Line, key: Option<&SecretBox>, line: u64) -> Result<Incoming, Reason> {
    let public_id = super::public_id(&l.id).ok_or(Reason::IdMissing)?;
    let email = policy::email(&l.email).ok_or(Reason::EmailInvalid)?;
    let phone = l.phone.map(|p| valid_phone(&p).then_some(p).ok_or(Reason::PhoneInvalid)).transpose()?;
    let metadata = super::metadata(l.public_metadata, l.private_metadata, l.unsafe_metadata)?;
    let secrets: Option<Secrets> = match (l.sealed, key) {
        (Some(sealed), Some(key)) => {
            let plain = key.open(&sealed).ok_or(Reason::TwoFactorSealed)?;
            Some(serde_json::from_str(&plain).map_err(|e| Reason::Unreadable(e.to_string()))?)
        }
        _ => None,
    };
    let mut extra = Extra { metadata, banned: l.banned, compromised: l.password_compromised, ..Default::default() };
    let (mut password, mut totp, mut phone_kept) = (None, None, None);
    if let Some(s) = secrets {
        if !secrets::importable(&s.password_hash) {
            return Err(Reason::DigestInvalid("stored"));
        }
        password = Some(s.password_hash).filter(|h| h != secrets::NO_PASSWORD);
        totp = s.totp_secret.map(|t| totp_secret(&t).ok_or(Reason::TotpSecretInvalid)).transpose()?;
        phone_kept = phone;
        extra.backup_hashes = s.backup_codes;
        for p in s.passkeys {
            if crate::passkey::flags(&p.passkey).is_none() {
                return Err(Reason::Unreadable("a passkey".into()));
            }
            extra.passkeys.push(p);
        }
    }
    Ok(Incoming {
        line,
        source_id: format!("mfa-signin:{public_id}"),
        public_id: Some(public_id),
        email,
        password,
        totp_secret: totp,
        // Without secrets no factor comes: a phone alone would ask for
        // codes at sign-in with no way to recover the rest.
        phone: phone_kept,
        backup_codes: vec![],
        extra: Some(Box::new(extra)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

    fn sealed(key: &SecretBox, password_hash: &str) -> String {
        let s = Secrets {
            password_hash: password_hash.into(),
            totp_secret: Some("jbswy3dpehpk3pxp jbswy3dpehpk3pxp".into()),
            backup_codes: vec![("salt".into(), "hash".into())],
            passkeys: vec![],
        };
        key.seal(&serde_json::to_string(&s).unwrap()).unwrap()
    }

    #[test]
    fn lines_keep_the_id_and_open_their_secrets_with_the_key() {
        let key = SecretBox::from_hex(KEY).unwrap();
        let ours = crate::secrets::hash_password("a long enough password").unwrap();
        let lines = [
            serde_json::json!({ "id": "user_abc", "email": "A@example.com", "created_at": 1, "phone": "+15555550100",
                                "public_metadata": { "plan": "pro" }, "sealed": sealed(&key, &ours) }),
            serde_json::json!({ "id": "user_def", "email": "b@example.com", "created_at": 1, "phone": "+15555550101" }),
            serde_json::json!({ "id": "not ours", "email": "c@example.com", "created_at": 1 }),
            serde_json::json!({ "id": "user_ghi", "email": "d@example.com", "created_at": 1, "sealed": sealed(&key, "md5:abc") }),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect::<String>() + "not json\n";
        let r = read(text.as_bytes(), Some(&key)).unwrap();
        let a = r.rows[0].clone().unwrap();
        assert_eq!((a.public_id.as_deref(), a.source_id.as_str()), (Some("user_abc"), "mfa-signin:user_abc"));
        assert_eq!((a.email.as_str(), a.password.as_deref()), ("a@example.com", Some(ours.as_str())));
        assert_eq!(a.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        assert_eq!(a.phone.as_deref(), Some("+15555550100"));
        let extra = a.extra.unwrap();
        assert_eq!(extra.backup_hashes, [("salt".to_string(), "hash".to_string())]);
        assert_eq!(extra.metadata.public, r#"{"plan":"pro"}"#);
        // No secrets: nobody signs in with what the line holds, not even a phone.
        let b = r.rows[1].clone().unwrap();
        assert_eq!((b.password, b.totp_secret, b.phone), (None, None, None));
        let codes: Vec<&str> = r.rows[2..].iter().map(|x| x.as_ref().unwrap_err().reason.code()).collect();
        assert_eq!(codes, ["id_missing", "password_digest_invalid", "unreadable"]);
        // Another key opens nothing; no key at all is refused whole.
        let other = SecretBox::from_hex(&KEY.replace('a', "c")).unwrap();
        let r = read(text.as_bytes(), Some(&other)).unwrap();
        assert_eq!(r.rows[0].as_ref().unwrap_err().reason.code(), "two_factor_unreadable");
        assert!(read(text.as_bytes(), None).unwrap_err().contains("--key"));
    }

    #[test]
    fn only_hashes_we_check_are_importable() {
        assert!(secrets::importable(""));
        assert!(secrets::importable(&secrets::hash_password("x").unwrap()));
        assert!(secrets::importable("$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci"));
        assert!(
            !secrets::importable("$argon2id$v=19$m=4194304,t=100,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),
            "not ours: unbounded"
        );
        assert!(!secrets::importable("$2b$10$short"));
        assert!(!secrets::importable("md5:abc"));
    }
}
