//! Clerk's Dashboard export (Settings → User exports): a CSV with a row
//! per user, bcrypt digests and TOTP secrets (no backup codes).

use super::{items, password, public_id, totp_secret, Incoming, Read, Reason, Refusal, UNVERIFIED};
use crate::users::valid_phone;

/// The columns read; all are in every Dashboard export.
const COLUMNS: [&str; 10] = [
    "id",
    "primary_email_address",
    "primary_phone_number",
    "verified_email_addresses",
    "unverified_email_addresses",
    "verified_phone_numbers",
    "unverified_phone_numbers",
    "totp_secret",
    "password_digest",
    "password_hasher",
];
/// Columns with nothing here to keep them in.
const NOT_KEPT: [&str; 3] = ["first_name", "last_name", "username"];
const EXTRA_EMAILS: &str = "verified_email_addresses beyond the primary";
const EXTRA_PHONES: &str = "verified_phone_numbers beyond the first";

/// Reads an export; Err if it is not one (a column missing, no header).
pub fn read(input: impl std::io::Read) -> Result<Read, String> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers = csv.headers().map_err(|e| format!("the header line cannot be read: {e}"))?.clone();
    let at = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name);
    let mut cols = [0usize; COLUMNS.len()];
    for (i, name) in COLUMNS.iter().enumerate() {
        cols[i] = at(name).ok_or_else(|| format!("not a Clerk Dashboard export: no {name} column"))?;
    }
    let mut out = Read::default();
    let unkept: Vec<(&'static str, usize)> = NOT_KEPT.iter().filter_map(|n| Some((*n, at(n)?))).collect();
    for rec in csv.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.rows.push(Err(Refusal { line, source_id: None, reason: Reason::Unreadable(e.to_string()) }));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(cols[i]).unwrap_or("");
        let [id, primary, primary_phone, verified, unverified, phones, unverified_phones, totp, digest, hasher] =
            std::array::from_fn(field);
        let mut note = |what: &'static str, n: usize| {
            if n > 0 {
                *out.not_kept.entry(what).or_default() += n;
            }
        };
        for (name, i) in &unkept {
            note(name, usize::from(!rec.get(*i).unwrap_or("").is_empty()));
        }
        note("unverified_phone_numbers", items(unverified_phones).count());
        let source_id = (!id.is_empty()).then(|| format!("clerk:{id}"));
        let row = Row { primary, primary_phone, verified, unverified, phones, totp, digest, hasher };
        let r = match (&source_id, row.user()) {
            (None, _) => Err(Reason::IdMissing),
            (Some(_), Err(reason)) => Err(reason),
            (Some(sid), Ok((u, notes))) => {
                for (what, n) in notes {
                    note(what, n);
                }
                Ok(Incoming { line, source_id: sid.clone(), public_id: public_id(id), ..u })
            }
        };
        out.rows.push(r.map_err(|reason| Refusal { line, source_id, reason }));
    }
    Ok(out)
}

/// What a row holds that is not kept: (what, how many).
type Notes = Vec<(&'static str, usize)>;

/// A row's columns, as read.
struct Row<'a> {
    primary: &'a str,
    primary_phone: &'a str,
    verified: &'a str,
    unverified: &'a str,
    phones: &'a str,
    totp: &'a str,
    digest: &'a str,
    hasher: &'a str,
}

impl Row<'_> {
    /// The user (line and id to be set), with what is not kept of them.
    fn user(&self) -> Result<(Incoming, Notes), Reason> {
        let raw = Some(self.primary).filter(|p| !p.is_empty()).or_else(|| items(self.verified).next());
        let email = super::email(raw.unwrap_or(""))?;
        let password = password(self.hasher, self.digest)?;
        let totp_secret = Some(self.totp)
            .filter(|t| !t.is_empty())
            .map(|t| totp_secret(t).ok_or(Reason::TotpSecretInvalid))
            .transpose()?;
        let verified: Vec<&str> = items(self.phones).collect();
        let phone = verified.iter().find(|p| **p == self.primary_phone).or(verified.first());
        let phone = phone.map(|p| valid_phone(p).then(|| p.to_string()).ok_or(Reason::PhoneInvalid)).transpose()?;
        let same = |a: &str| a.eq_ignore_ascii_case(&email);
        let mut notes = vec![
            (EXTRA_EMAILS, items(self.verified).filter(|e| !same(e)).count()),
            (EXTRA_PHONES, verified.len().saturating_sub(1)),
        ];
        let u = Incoming {
            line: 0,
            source_id: String::new(),
            public_id: None,
            email: email.clone(),
            password,
            totp_secret,
            phone,
            backup_codes: vec![],
            extra: None,
        };
        if items(self.unverified).any(same) {
            let (u, held) = u.untrusted();
            notes.push((UNVERIFIED, usize::from(held)));
            return Ok((u, notes));
        }
        Ok((u, notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,first_name,last_name,username,primary_email_address,primary_phone_number,\
        verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,\
        totp_secret,password_digest,password_hasher";
    // bcryptjs 3 (npm), cost 10, of "a long enough password".
    const DIGEST: &str = "$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";

    fn parse(rows: &[&str]) -> Read {
        let text = std::iter::once(HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n");
        read(text.as_bytes()).unwrap()
    }

    #[test]
    fn a_full_row_keeps_password_totp_and_verified_phone() {
        let r = parse(&[&format!(
            "user_1,Ada,Lovelace,ada,Ada@Example.com,+15555550101,ada@example.com|ada2@example.com,,\
             +15555550101,+15555550199,jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp,{DIGEST},bcrypt"
        )]);
        let u = r.rows[0].clone().unwrap();
        assert_eq!(u.line, 2);
        assert_eq!(u.source_id, "clerk:user_1");
        assert_eq!(u.public_id.as_deref(), Some("user_1"), "Clerk's id stays the user's");
        assert_eq!(u.email, "ada@example.com");
        assert_eq!(u.password.as_deref(), Some(DIGEST));
        assert_eq!(u.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        assert_eq!(u.phone.as_deref(), Some("+15555550101"));
        let kept: Vec<(&str, usize)> = r.not_kept.into_iter().collect();
        assert_eq!(
            kept,
            [("first_name", 1), ("last_name", 1), ("unverified_phone_numbers", 1), ("username", 1), (EXTRA_EMAILS, 1)]
        );
    }

    #[test]
    fn no_password_no_factors_is_a_user_who_resets() {
        let r = parse(&["user_2-x,,,,bo@example.com,,,,,,,,"]);
        let u = r.rows[0].clone().unwrap();
        assert_eq!((u.password, u.totp_secret, u.phone), (None, None, None));
        assert_eq!(u.public_id, None, "not our shape: a fresh id");
    }

    #[test]
    fn an_unverified_address_is_trusted_with_nothing() {
        let r = parse(&[&format!("user_3,,,,eve@example.com,,,eve@example.com,+15555550102,,,{DIGEST},bcrypt")]);
        let u = r.rows[0].clone().unwrap();
        assert_eq!((u.password, u.totp_secret, u.phone), (None, None, None));
        assert_eq!(r.not_kept.get(UNVERIFIED), Some(&1));
    }

    #[test]
    fn bad_rows_are_refused_with_their_line_and_reason() {
        let r = parse(&[
            ",,,,a@example.com,,,,,,,,",
            "user_b,,,,,,,,,,,,",
            "user_c,,,,not an address,,,,,,,,",
            "user_d,,,,d@example.com,,,,,,,5f4dcc3b5aa765d61d8327deb882cf99,md5",
            "user_e,,,,e@example.com,,,,,,,$2b$10$short,bcrypt",
            "user_f,,,,f@example.com,,,,,,not-base32!,,",
            "user_g,,,,g@example.com,,,,5555550100,,,,",
            "user_h,,,,h@example.com,,,,,,ABCDEFGH,,",
            "user_i,,,,i@example.com,,,,,,,sha256$abc,",
        ]);
        let got: Vec<(u64, Option<&str>, &str)> = r
            .rows
            .iter()
            .map(|x| x.as_ref().unwrap_err())
            .map(|f| (f.line, f.source_id.as_deref(), f.reason.code()))
            .collect();
        assert_eq!(
            got,
            [
                (2, None, "id_missing"),
                (3, Some("clerk:user_b"), "email_missing"),
                (4, Some("clerk:user_c"), "email_invalid"),
                (5, Some("clerk:user_d"), "password_hasher_unsupported"),
                (6, Some("clerk:user_e"), "password_digest_invalid"),
                (7, Some("clerk:user_f"), "totp_secret_invalid"),
                (8, Some("clerk:user_g"), "phone_invalid"),
                (9, Some("clerk:user_h"), "totp_secret_invalid"),
                (10, Some("clerk:user_i"), "password_hasher_unsupported"),
            ]
        );
    }

    #[test]
    fn a_file_without_the_columns_is_not_an_export() {
        let e = read("id,email\nuser_1,a@example.com\n".as_bytes()).unwrap_err();
        assert!(e.contains("primary_email_address"), "{e}");
    }

    #[test]
    fn quoted_lists_and_a_byte_order_mark_are_read() {
        let text = format!("\u{feff}{HEADER}\nuser_5,,,,,,\"x@example.com, y@example.com\",,,,,{DIGEST},bcrypt\n");
        let r = read(text.as_bytes()).unwrap();
        let u = r.rows[0].clone().unwrap();
        assert_eq!(u.email, "x@example.com");
        assert_eq!(r.not_kept.get(EXTRA_EMAILS), Some(&1));
    }
}
