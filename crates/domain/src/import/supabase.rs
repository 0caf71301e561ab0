//! Supabase Auth's `auth.users` as CSV (`\copy (SELECT * FROM auth.users)
//! TO 'users.csv' CSV HEADER`), with its `auth.mfa_factors` beside it when
//! users have second factors. Passwords are bcrypt (`$2a$`, Go's).

use super::{totp_secret, Incoming, Read, Reason, Refusal, UNVERIFIED};
use crate::{secrets, users::valid_phone};
use std::collections::HashMap;

/// A CSV row: its line, and its values by column.
type Row = (u64, HashMap<String, String>);

/// A CSV file's rows; Err if a column in `need` is missing.
fn rows(input: impl std::io::Read, need: &[&str], what: &str) -> Result<Vec<Row>, String> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| format!("the header line cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    if let Some(missing) = need.iter().find(|n| !headers.iter().any(|h| h == *n)) {
        return Err(format!("not Supabase's {what}: no {missing} column"));
    }
    let mut out = vec![];
    for rec in csv.records() {
        let rec = rec.map_err(|e| format!("{what}: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((line, headers.iter().cloned().zip(rec.iter().map(String::from)).collect()));
    }
    Ok(out)
}

/// A verified factor of `auth.mfa_factors`: a TOTP secret or a phone.
enum Factor {
    Totp(String),
    Phone(String),
}

/// Reads `auth.users` and, if given, `auth.mfa_factors`; Err if either is
/// not what it should be (a column missing, a line unreadable).
pub fn read(users: impl std::io::Read, factors: Option<impl std::io::Read>) -> Result<Read, String> {
    let users = rows(users, &["id", "email", "encrypted_password", "email_confirmed_at"], "auth.users")?;
    let mut by_user: HashMap<String, Vec<Result<Factor, Reason>>> = HashMap::new();
    let mut out = Read::default();
    if let Some(f) = factors {
        for (_, f) in rows(f, &["user_id", "factor_type", "status", "secret"], "auth.mfa_factors")? {
            let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
            if field("status") != "verified" {
                continue;
            }
            let factor = match field("factor_type") {
                "totp" => totp_secret(field("secret")).map(Factor::Totp).ok_or(Reason::TwoFactorSealed),
                "phone" => Some(field("phone"))
                    .filter(|p| valid_phone(p))
                    .map(|p| Factor::Phone(p.into()))
                    .ok_or(Reason::PhoneInvalid),
                _ => {
                    *out.not_kept.entry("passkeys (factor_type webauthn)").or_default() += 1;
                    continue;
                }
            };
            by_user.entry(field("user_id").to_string()).or_default().push(factor);
        }
    }
    for (line, u) in users {
        let field = |k: &str| u.get(k).map(String::as_str).unwrap_or("");
        let id = field("id");
        let source_id = (!id.is_empty()).then(|| format!("supabase:{id}"));
        for (what, col) in
            [("phone (a sign-in identifier there)", "phone"), ("raw_user_meta_data", "raw_user_meta_data")]
        {
            if !matches!(field(col), "" | "{}" | "null") {
                *out.not_kept.entry(what).or_default() += 1;
            }
        }
        if !field("banned_until").is_empty() {
            *out.not_kept.entry("banned_until").or_default() += 1;
        }
        let user = (|| {
            let sid = source_id.clone().ok_or(Reason::IdMissing)?;
            if !field("deleted_at").is_empty() {
                return Err(Reason::Deleted);
            }
            let email = super::email(field("email"))?;
            let password = match field("encrypted_password") {
                "" => None,
                d if secrets::bcrypt_digest(d) => Some(d.to_string()),
                _ => return Err(Reason::DigestInvalid("bcrypt")),
            };
            let (mut totp, mut phone) = (None, None);
            for f in by_user.remove(id).unwrap_or_default() {
                match f? {
                    Factor::Totp(k) => totp = totp.or(Some(k)),
                    Factor::Phone(p) => phone = phone.or(Some(p)),
                }
            }
            let u = Incoming {
                line,
                source_id: sid,
                public_id: None,
                email,
                password,
                totp_secret: totp,
                phone,
                backup_codes: vec![],
                extra: None,
            };
            Ok(u)
        })();
        let user = user.map(|u| {
            if !field("email_confirmed_at").is_empty() {
                return u;
            }
            let (u, held) = u.untrusted();
            *out.not_kept.entry(UNVERIFIED).or_default() += usize::from(held);
            u
        });
        out.rows.push(user.map_err(|reason| Refusal { line, source_id: source_id.clone(), reason }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // bcryptjs 3, cost 10, of "a long enough password", as Go's bcrypt
    // (GoTrue) names it: `$2a$` (the same hash for passwords this short).
    const DIGEST: &str = "$2a$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";
    const USERS: &str = "id,aud,role,email,encrypted_password,email_confirmed_at,phone,phone_confirmed_at,\
        raw_user_meta_data,banned_until,deleted_at,is_anonymous";

    fn parse(users: &[String], factors: Option<&str>) -> Read {
        let text = std::iter::once(USERS.to_string()).chain(users.iter().cloned()).collect::<Vec<_>>().join("\n");
        read(text.as_bytes(), factors.map(str::as_bytes)).unwrap()
    }

    #[test]
    fn confirmed_users_keep_password_and_verified_factors() {
        let users = [
            format!("u-1,authenticated,authenticated,Ann@Example.com,{DIGEST},2026-01-01 10:00:00+00,,,{{}},,,false"),
            "u-2,authenticated,authenticated,bo@example.com,,2026-01-01 10:00:00+00,+15555550150,2026-01-01,\"{\"\"name\"\":\"\"Bo\"\"}\",,,false".to_string(),
        ];
        let factors = "id,user_id,friendly_name,factor_type,status,secret,phone\n\
            f1,u-1,app,totp,verified,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,\n\
            f2,u-1,old,totp,unverified,KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF,\n\
            f3,u-2,phone,phone,verified,,+15555550151\n\
            f4,u-2,key,webauthn,verified,,\n";
        let r = parse(&users, Some(factors));
        let a = r.rows[0].clone().unwrap();
        assert_eq!((a.line, a.source_id.as_str(), a.email.as_str()), (2, "supabase:u-1", "ann@example.com"));
        assert!(secrets::verify_password("a long enough password", a.password.as_deref().unwrap()));
        assert_eq!(a.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), "the verified one");
        let b = r.rows[1].clone().unwrap();
        assert_eq!(
            (b.password, b.phone.as_deref()),
            (None, Some("+15555550151")),
            "the MFA phone, not the sign-in one"
        );
        assert_eq!(r.not_kept.get("phone (a sign-in identifier there)"), Some(&1));
        assert_eq!(r.not_kept.get("raw_user_meta_data"), Some(&1));
        assert_eq!(r.not_kept.get("passkeys (factor_type webauthn)"), Some(&1));
    }

    #[test]
    fn unconfirmed_deleted_and_bad_rows() {
        let users = [
            format!("u-3,,,cy@example.com,{DIGEST},,,,,,,false"),
            format!("u-4,,,di@example.com,{DIGEST},2026-01-01,,,,,2026-02-01,false"),
            ",,,ed@example.com,,2026-01-01,,,,,,false".to_string(),
            "u-6,,,,,,,,,,,true".to_string(),
            "u-7,,,fy@example.com,plaintext,2026-01-01,,,,,,false".to_string(),
            "u-8,,,gu@example.com,,2026-01-01,,,,,,false".to_string(),
        ];
        let factors = "id,user_id,factor_type,status,secret\nf,u-8,totp,verified,{\"\"alg\"\":\"\"aes-gcm-hkdf\"\"}\n";
        let r = parse(&users, Some(factors));
        let c = r.rows[0].clone().unwrap();
        assert_eq!((c.email.as_str(), c.password), ("cy@example.com", None), "unconfirmed: trusted with nothing");
        let codes: Vec<&str> = r.rows[1..].iter().map(|x| x.as_ref().unwrap_err().reason.code()).collect();
        assert_eq!(
            codes,
            ["deleted", "id_missing", "email_missing", "password_digest_invalid", "two_factor_unreadable"]
        );
        let e = read("id,email\n".as_bytes(), None::<&[u8]>).unwrap_err();
        assert!(e.contains("encrypted_password"), "{e}");
    }
}
