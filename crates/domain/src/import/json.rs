//! The generic format, for a system with no importer of its own: a JSON
//! object per line (or one JSON array of them), its fields named as
//! Clerk's Backend API names them where it has them (docs/migrate.md):
//!
//! ```json
//! {"id": "42", "email": "ada@example.com", "password_hasher": "argon2id",
//!  "password_digest": "$argon2id$v=19$m=65536,t=3,p=4$…", "totp_secret": "JBSW…",
//!  "phone_number": "+15555550100", "backup_codes": ["k7m2x9p4ab"],
//!  "public_metadata": {"plan": "pro"}}
//! ```
//!
//! An unknown field refuses its row (a misspelt `password_digest` must not
//! drop a password unseen); names, usernames and the like are counted as
//! not kept.

use super::{password, public_id, totp_secret, Extra, Incoming, Read, Reason, Refusal, UNVERIFIED};
use crate::users::valid_phone;
use serde::Deserialize;
use serde_json::Value;
use std::io::Read as _;

/// One user, as the format has them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The user's id there (a string or a number): kept as the source id,
    /// and as ours when it has our shape (`user_…`).
    id: Option<Value>,
    #[serde(default)]
    email: String,
    /// False: the address was never proven, so nothing signs in with it.
    #[serde(default = "yes")]
    email_verified: bool,
    #[serde(default)]
    password_digest: String,
    #[serde(default)]
    password_hasher: String,
    #[serde(default)]
    totp_secret: String,
    /// A phone for text-message codes (E.164).
    #[serde(default)]
    phone_number: String,
    #[serde(default = "yes")]
    phone_verified: bool,
    /// Unused backup codes, in clear (stored hashed).
    #[serde(default)]
    backup_codes: Vec<String>,
    #[serde(default)]
    public_metadata: Value,
    #[serde(default)]
    private_metadata: Value,
    #[serde(default)]
    unsafe_metadata: Value,
    // Fields a user may have there with nothing here to keep them in
    // (serde's `flatten` would undo `deny_unknown_fields`).
    first_name: Option<Value>,
    last_name: Option<Value>,
    username: Option<Value>,
    image_url: Option<Value>,
    created_at: Option<Value>,
}

fn yes() -> bool {
    true
}

/// Reads a file of the format; Err if it is neither JSON lines nor an
/// array of objects. A line (an array: an item) that is not an entry is
/// refused with its number.
pub fn read(input: impl std::io::Read) -> Result<Read, String> {
    let mut text = String::new();
    std::io::BufReader::new(input).read_to_string(&mut text).map_err(|e| e.to_string())?;
    let entries: Vec<(u64, Result<Entry, String>)> = match text.trim_start().starts_with('[') {
        true => {
            let items: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("not a JSON array: {e}"))?;
            let entry = |v| serde_json::from_value(v).map_err(|e: serde_json::Error| e.to_string());
            (1..).zip(items.into_iter().map(entry)).collect()
        }
        false => (1..)
            .zip(text.lines())
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| (n, serde_json::from_str(l).map_err(|e| e.to_string())))
            .collect(),
    };
    let mut out = Read::default();
    for (line, entry) in entries {
        let e = match entry {
            Ok(e) => e,
            Err(e) => {
                out.rows.push(Err(Refusal { line, source_id: None, reason: Reason::Unreadable(e) }));
                continue;
            }
        };
        for (what, v) in [
            ("first_name", &e.first_name),
            ("last_name", &e.last_name),
            ("username", &e.username),
            ("image_url", &e.image_url),
            ("created_at", &e.created_at),
        ] {
            if v.as_ref().is_some_and(|v| !v.is_null()) {
                *out.not_kept.entry(what).or_default() += 1;
            }
        }
        let id = match &e.id {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let source_id = id.as_ref().map(|id| format!("json:{id}"));
        let r = match &id {
            None => Err(Reason::IdMissing),
            Some(id) => user(e, id, line).map(|(u, held)| {
                if held {
                    *out.not_kept.entry(UNVERIFIED).or_default() += 1;
                }
                u
            }),
        };
        out.rows.push(r.map_err(|reason| Refusal { line, source_id, reason }));
    }
    Ok(out)
}

/// The user of an entry, and whether an unverified address dropped
/// anything of theirs.
fn user(e: Entry, id: &str, line: u64) -> Result<(Incoming, bool), Reason> {
    let email = super::email(&e.email)?;
    let password = password(&e.password_hasher, &e.password_digest)?;
    let totp = e.totp_secret.trim();
    let totp_secret = (!totp.is_empty()).then(|| totp_secret(totp).ok_or(Reason::TotpSecretInvalid)).transpose()?;
    let phone = e.phone_number.trim();
    let phone = match (phone, e.phone_verified) {
        ("", _) | (_, false) => None,
        (p, true) => Some(valid_phone(p).then(|| p.to_string()).ok_or(Reason::PhoneInvalid)?),
    };
    let codes = &e.backup_codes;
    let strong = |c: &String| crate::secrets::normalize_backup_code(c).len() >= 8;
    if codes.len() > 32 || !codes.iter().all(strong) {
        return Err(Reason::BackupCodesInvalid);
    }
    let metadata = super::metadata(e.public_metadata, e.private_metadata, e.unsafe_metadata)?;
    let u = Incoming {
        line,
        source_id: format!("json:{id}"),
        public_id: public_id(id),
        email,
        password,
        totp_secret,
        phone,
        backup_codes: e.backup_codes,
        extra: Some(Box::new(Extra { metadata, ..Default::default() })),
    };
    Ok(match e.email_verified {
        true => (u, false),
        false => u.untrusted(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// bcryptjs (npm), cost 10, of "a long enough password".
    const BCRYPT: &str = "$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";

    fn lines(entries: &[Value]) -> Read {
        let text: String = entries.iter().map(|e| format!("{e}\n")).collect();
        read(text.as_bytes()).unwrap()
    }

    fn codes(r: &Read) -> Vec<(u64, &'static str)> {
        r.rows.iter().filter_map(|x| x.as_ref().err()).map(|f| (f.line, f.reason.code())).collect()
    }

    #[test]
    fn an_entry_keeps_its_password_factors_and_metadata() {
        let r = lines(&[json!({
            "id": "user_29w83sxmDNGwOuEthce5gg56FcC", "email": "Ada@Example.com", "password_digest": BCRYPT,
            "password_hasher": "bcrypt", "totp_secret": "jbswy3dpehpk3pxp jbswy3dpehpk3pxp",
            "phone_number": "+15555550100", "backup_codes": ["k7m2-x9p4-ab"],
            "public_metadata": {"plan": "pro"}, "first_name": "Ada", "created_at": 1_700_000_000
        })]);
        let u = r.rows[0].clone().unwrap();
        assert_eq!((u.line, u.source_id.as_str()), (1, "json:user_29w83sxmDNGwOuEthce5gg56FcC"));
        assert_eq!(u.public_id.as_deref(), Some("user_29w83sxmDNGwOuEthce5gg56FcC"));
        assert_eq!((u.email.as_str(), u.password.as_deref()), ("ada@example.com", Some(BCRYPT)));
        assert_eq!(u.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        assert_eq!((u.phone.as_deref(), u.backup_codes.len()), (Some("+15555550100"), 1));
        assert_eq!(u.extra.unwrap().metadata.public, r#"{"plan":"pro"}"#);
        let kept: Vec<(&str, usize)> = r.not_kept.into_iter().collect();
        assert_eq!(kept, [("created_at", 1), ("first_name", 1)]);
    }

    #[test]
    fn an_array_is_read_by_item_and_numeric_ids_are_kept() {
        let text = json!([{ "id": 42, "email": "a@example.com" }, { "id": 43, "email": "b@example.com" }]);
        let r = read(text.to_string().as_bytes()).unwrap();
        let got: Vec<(u64, String, Option<String>)> =
            r.rows.into_iter().map(|x| x.unwrap()).map(|u| (u.line, u.source_id, u.public_id)).collect();
        assert_eq!(got, [(1, "json:42".into(), None), (2, "json:43".into(), None)]);
    }

    #[test]
    fn every_hasher_form_is_stored_as_we_check_it() {
        let argon = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA";
        let django = "pbkdf2_sha256$600000$pvDATnmqoxOqMX2bNuHPqr$ZVC5PbJpdx7fA5KKGP5TYRKfLo55cmwDXDVBkqH5A5M=";
        let clerk = "pbkdf2_sha256$10000$c2FsdHNhbHQ=$ZVC5PbJpdx7fA5KKGP5TYRKfLo55cmwDXDVBkqH5A5M=";
        let cases = [
            ("argon2id", argon, Some("$argon2id$v=19$m=65536,t=3,p=4$")),
            ("", argon, Some("$argon2id$v=19$m=65536,t=3,p=4$")),
            ("pbkdf2_sha256_django", django, Some("$pbkdf2-sha256$i=600000,l=32$")),
            ("pbkdf2_sha256", clerk, Some("$pbkdf2-sha256$i=10000,l=32$")),
            ("bcrypt", BCRYPT, Some("$2b$10$")),
        ];
        for (hasher, digest, want) in cases {
            let stored = password(hasher, digest).unwrap().unwrap();
            assert!(crate::secrets::importable(&stored), "{stored}");
            assert_eq!(crate::secrets::kind_of(&stored).as_deref(), want, "{hasher} {digest}");
        }
        assert_eq!(password("bcrypt", "").unwrap(), None, "no digest: no password");
    }

    #[test]
    fn bad_entries_are_refused_with_their_line_and_reason() {
        let r = lines(&[
            json!({ "email": "a@example.com" }),
            json!({ "id": "b", "email": "" }),
            json!({ "id": "c", "email": "c@example.com", "password_digest": "5f4dcc3b5aa765d61d8327deb882cf99", "password_hasher": "md5" }),
            json!({ "id": "d", "email": "d@example.com", "password_digest": BCRYPT, "password_hasher": "argon2id" }),
            // A thousand times our work: beyond the bounds.
            json!({ "id": "e", "email": "e@example.com", "password_hasher": "argon2id",
                    "password_digest": "$argon2id$v=19$m=1048576,t=20,p=1$c29tZXNhbHRzb21lc2FsdA$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA" }),
            json!({ "id": "f", "email": "f@example.com", "password_hasher": "pbkdf2_sha256", "password_digest": "pbkdf2_sha256$9000000$c2FsdA==$ZVC5PbJpdx7fA5KKGP5TYRKfLo55cmwDXDVBkqH5A5M=" }),
            json!({ "id": "g", "email": "g@example.com", "backup_codes": ["1234"] }),
            json!({ "id": "h", "email": "h@example.com", "passwrod_digest": BCRYPT }),
            json!({ "id": "i", "email": "i@example.com", "phone_number": "555-0100" }),
        ]);
        assert_eq!(
            codes(&r),
            [
                (1, "id_missing"),
                (2, "email_missing"),
                (3, "password_hasher_unsupported"),
                (4, "password_digest_invalid"),
                (5, "password_digest_invalid"),
                (6, "password_digest_invalid"),
                (7, "backup_codes_invalid"),
                (8, "unreadable"),
                (9, "phone_invalid"),
            ]
        );
        let Err(f) = &r.rows[7] else { unreachable!() };
        assert!(f.reason.to_string().contains("passwrod_digest"), "the unknown field is named: {}", f.reason);
    }

    #[test]
    fn unverified_addresses_and_phones_are_trusted_with_nothing() {
        let r = lines(&[
            json!({ "id": 1, "email": "a@example.com", "email_verified": false, "password_digest": BCRYPT,
                    "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }),
            json!({ "id": 2, "email": "b@example.com", "phone_number": "+15555550100", "phone_verified": false }),
        ]);
        let (a, b) = (r.rows[0].clone().unwrap(), r.rows[1].clone().unwrap());
        assert_eq!((a.password, a.totp_secret, a.phone), (None, None, None));
        assert_eq!(b.phone, None);
        assert_eq!(r.not_kept.get(UNVERIFIED), Some(&1));
    }
}
