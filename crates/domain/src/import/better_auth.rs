//! better-auth's tables, dumped as JSON: `{"user": […], "account": […],
//! "twoFactor": […]}` (rows as its adapters keep them; camelCase or
//! snake_case columns). Passwords are its scrypt hashes (`salt:key`); the
//! two-factor plugin's TOTP secret and backup codes are sealed under
//! `BETTER_AUTH_SECRET` (XChaCha20-Poly1305, the key its SHA-256), so the
//! import needs that secret to carry them over.

use super::{totp_secret, Incoming, Read, Reason, Refusal, UNVERIFIED};
use crate::secrets;
use chacha20poly1305::{aead::Aead, KeyInit, XChaCha20Poly1305, XNonce};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Dump {
    #[serde(alias = "users")]
    user: Vec<Value>,
    #[serde(default, alias = "accounts")]
    account: Vec<Value>,
    #[serde(default, rename = "twoFactor", alias = "two_factor", alias = "twoFactors")]
    two_factor: Vec<Value>,
}

/// `row[camel]`, else `row[snake]`.
fn get<'a>(row: &'a Value, camel: &str, snake: &str) -> Option<&'a Value> {
    row.get(camel).or_else(|| row.get(snake)).filter(|v| !v.is_null())
}

fn text<'a>(row: &'a Value, camel: &str, snake: &str) -> &'a str {
    get(row, camel, snake).and_then(Value::as_str).unwrap_or("").trim()
}

/// A boolean as SQLite (0/1), PostgreSQL or JSON keep it.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::String(s)) => matches!(s.as_str(), "1" | "true" | "t"),
        _ => false,
    }
}

/// What better-auth's `symmetricEncrypt` sealed with `secret` (hex of the
/// nonce and the ciphertext, maybe in its `$ba$<version>$` envelope).
fn open(secret: &str, sealed: &str) -> Option<String> {
    let hex_text = match sealed.strip_prefix("$ba$") {
        Some(rest) => rest.split_once('$')?.1,
        None => sealed,
    };
    let bytes = hex::decode(hex_text).ok()?;
    if bytes.len() < 24 + 16 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(24);
    let key = Sha256::digest(secret.as_bytes());
    let cipher = XChaCha20Poly1305::new_from_slice(&key).ok()?;
    String::from_utf8(cipher.decrypt(XNonce::from_slice(nonce), ciphertext).ok()?).ok()
}

/// The TOTP key as we keep it (base32): better-auth's secret is the key's
/// text itself, or `base32:…` for one it imported.
fn totp_key(plain: &str) -> Option<String> {
    match plain.strip_prefix("base32:") {
        Some(b32) => totp_secret(b32),
        None => totp_secret(&totp_rs::Secret::new(plain.as_bytes().into()).to_base32()),
    }
}

/// The backup codes, sealed (its default) or as plain JSON.
fn backup_codes(secret: Option<&str>, stored: &str) -> Option<Vec<String>> {
    let plain = match serde_json::from_str::<Vec<String>>(stored) {
        Ok(codes) => return Some(codes),
        Err(_) => open(secret?, stored)?,
    };
    serde_json::from_str(&plain).ok()
}

/// Reads a dump; Err if it is not one, or if it holds sealed two-factor
/// secrets and no `secret` (`BETTER_AUTH_SECRET`) was given.
pub fn read(input: impl std::io::Read, secret: Option<&str>) -> Result<Read, String> {
    let dump: Dump = serde_json::from_reader(input).map_err(|e| {
        format!("not a better-auth dump ({{\"user\": […], \"account\": […], \"twoFactor\": […]}}): {e}")
    })?;
    if !dump.two_factor.is_empty() && secret.is_none_or(str::is_empty) {
        return Err("its two-factor secrets are sealed with BETTER_AUTH_SECRET: give it (--better-auth-secret)".into());
    }
    let mut out = Read::default();
    for (i, row) in dump.user.iter().enumerate() {
        let line = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
        let id = match get(row, "id", "id") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        for (what, camel, snake) in [("name", "name", "name"), ("image", "image", "image")] {
            if !text(row, camel, snake).is_empty() {
                *out.not_kept.entry(what).or_default() += 1;
            }
        }
        if id.is_empty() {
            out.rows.push(Err(Refusal { line, source_id: None, reason: Reason::IdMissing }));
            continue;
        }
        let source_id = format!("better-auth:{id}");
        let of_user = |r: &&Value| {
            let owner = get(r, "userId", "user_id");
            owner.and_then(Value::as_str) == Some(id.as_str()) || owner.map(Value::to_string) == Some(id.clone())
        };
        let accounts: Vec<&Value> = dump.account.iter().filter(of_user).collect();
        let credential = accounts.iter().find(|a| text(a, "providerId", "provider_id") == "credential");
        let others = accounts.len() - usize::from(credential.is_some());
        if others > 0 {
            *out.not_kept.entry("accounts of other providers (social sign-in)").or_default() += others;
        }
        let two_factor = truthy(get(row, "twoFactorEnabled", "two_factor_enabled"))
            .then(|| dump.two_factor.iter().find(of_user))
            .flatten()
            .filter(|t| get(t, "verified", "verified").is_none() || truthy(get(t, "verified", "verified")));
        let user = (|| {
            let email = super::email(text(row, "email", "email"))?;
            let password = match credential.map(|a| text(a, "password", "password")).filter(|p| !p.is_empty()) {
                None => None,
                Some(p) => Some(secrets::from_better_auth(p).ok_or(Reason::DigestInvalid("better-auth scrypt"))?),
            };
            let (totp, codes) = match two_factor {
                None => (None, vec![]),
                Some(t) => {
                    let plain = secret.and_then(|s| open(s, text(t, "secret", "secret")));
                    let key = plain.as_deref().and_then(totp_key).ok_or(Reason::TwoFactorSealed)?;
                    let stored = text(t, "backupCodes", "backup_codes");
                    let codes = match stored {
                        "" => vec![],
                        s => backup_codes(secret, s).ok_or(Reason::TwoFactorSealed)?,
                    };
                    (Some(key), codes)
                }
            };
            Ok(Incoming {
                line,
                source_id: source_id.clone(),
                public_id: None,
                email,
                password,
                totp_secret: totp,
                phone: None,
                backup_codes: codes,
                extra: None,
            })
        })();
        let user = user.map(|u| {
            if truthy(get(row, "emailVerified", "email_verified")) {
                return u;
            }
            let (u, held) = u.untrusted();
            *out.not_kept.entry(UNVERIFIED).or_default() += usize::from(held);
            u
        });
        out.rows.push(user.map_err(|reason| Refusal { line, source_id: Some(source_id), reason }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by better-auth 1.7.25 itself (end2end/tools/better-auth-dump.mjs):
    /// a@ with two factors and a verified address, b@ with a password only.
    const DUMP: &str = include_str!("testdata/better-auth.json");
    const SECRET: &str = "test-secret-test-secret-test-secret-0123";
    /// What better-auth showed a@ at enrolment: the otpauth URI's secret
    /// and the backup codes.
    const SHOWN_KEY: &str = "GRKGC4CQNFLXCV3NPFVVM4BVK43GU6BTKJTUK2LMGB4DQNDRGRVQ";
    const SHOWN_CODES: [&str; 10] = [
        "djVxM-RFVXX",
        "bLnfy-iwZS7",
        "YqsRp-Lbp6e",
        "wOUze-jH8dP",
        "5O3ie-30wLu",
        "FF5rV-HSicg",
        "Pt9cP-R2R6Q",
        "v6vTf-R5vTQ",
        "jAuol-Vp42t",
        "7eymo-XS8sf",
    ];

    #[test]
    fn its_own_dump_opens_with_its_secret() {
        let r = read(DUMP.as_bytes(), Some(SECRET)).unwrap();
        let a = r.rows[0].clone().unwrap();
        assert!(a.source_id.starts_with("better-auth:"), "{}", a.source_id);
        assert_eq!(a.email, "a@example.com");
        let stored = a.password.unwrap();
        assert!(secrets::verify_password("a long enough password", &stored));
        assert_eq!(a.totp_secret.as_deref(), Some(SHOWN_KEY));
        assert_eq!(a.backup_codes, SHOWN_CODES);
        // b@ never verified the address: nothing of theirs is trusted.
        let b = r.rows[1].clone().unwrap();
        assert_eq!((b.password, b.totp_secret), (None, None));
        assert_eq!(r.not_kept.get(UNVERIFIED), Some(&1));
        assert_eq!(r.not_kept.get("name"), Some(&2));
    }

    #[test]
    fn a_wrong_or_missing_secret_refuses_the_two_factor_user() {
        let r = read(DUMP.as_bytes(), Some("another secret")).unwrap();
        let e = r.rows[0].clone().unwrap_err();
        assert_eq!((e.line, e.reason.code()), (1, "two_factor_unreadable"));
        assert!(r.rows[1].is_ok());
        let e = read(DUMP.as_bytes(), None).unwrap_err();
        assert!(e.contains("BETTER_AUTH_SECRET"), "{e}");
    }

    #[test]
    fn bad_rows_are_refused_and_columns_may_be_snake_case() {
        let dump = serde_json::json!({
            "user": [
                { "email": "x@example.com" },
                { "id": "u2", "email": "" },
                { "id": "u3", "email": "not an address" },
                { "id": 4, "email": "d@example.com", "email_verified": 1 },
                { "id": "u5", "email": "e@example.com", "email_verified": true },
            ],
            "account": [
                { "user_id": 4, "provider_id": "credential", "password": "nothex:abc" },
                { "user_id": "u5", "provider_id": "github", "account_id": "99" },
            ],
        });
        let r = read(dump.to_string().as_bytes(), None).unwrap();
        let codes: Vec<Result<&str, &str>> =
            r.rows.iter().map(|x| x.as_ref().map(|u| u.email.as_str()).map_err(|f| f.reason.code())).collect();
        assert_eq!(
            codes,
            [
                Err("id_missing"),
                Err("email_missing"),
                Err("email_invalid"),
                Err("password_digest_invalid"),
                Ok("e@example.com")
            ]
        );
        assert_eq!(r.not_kept.get("accounts of other providers (social sign-in)"), Some(&1));
        assert!(read("[1, 2]".as_bytes(), None).unwrap_err().contains("not a better-auth dump"));
    }
}
