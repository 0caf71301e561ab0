//! The password policy (NIST SP 800-63B-4): a length range, no composition
//! rules, and a shipped list of common and breached passwords.

use email_address::EmailAddress;
use proto::Fault;
use std::{collections::HashSet, net::IpAddr, sync::LazyLock};

/// With MFA the password is one factor of two; alone it must be longer.
pub const MIN_WITH_MFA: usize = 8;
pub const MIN_WITHOUT_MFA: usize = 15;
/// NIST asks that at least 64 be accepted; we accept 256.
pub const MAX: usize = 256;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
});

/// The longest address taken (RFC 5321's limit on a path).
pub const MAX_EMAIL: usize = 254;

/// The one email rule, for sign-in, sign-up and the admin paths: the address
/// trimmed and lower-cased, if it is at most 254 bytes and well-formed.
pub fn email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    (email.len() <= MAX_EMAIL && address(&email)).then_some(email)
}

/// Whether `addr` is an address the mailer takes: the rule lettre applies
/// (`email_address` for each part; an IP literal, or a domain that IDNA
/// makes ASCII). The delivery crate's tests hold the two equal.
pub fn address(addr: &str) -> bool {
    let Some((user, domain)) = addr.rsplit_once('@') else { return false };
    let ascii = |d: &str| {
        EmailAddress::is_valid_domain(d)
            || d.strip_prefix('[').and_then(|ip| ip.strip_suffix(']')).unwrap_or(d).parse::<IpAddr>().is_ok()
    };
    EmailAddress::is_valid_local_part(user) && (ascii(domain) || idna::domain_to_ascii(domain).is_ok_and(|d| ascii(&d)))
}

/// A sender mailbox: `address` or `Name <address>`.
pub fn mailbox(s: &str) -> bool {
    let s = s.trim();
    match s.strip_suffix('>').and_then(|rest| rest.rsplit_once('<')) {
        Some((_, addr)) => address(addr),
        None => address(s),
    }
}

/// Is `password` on the shipped list of common and breached passwords?
pub fn breached(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

/// Why `password` is refused for the account `email`, if it is.
pub fn check(password: &str, email: &str, require_mfa: bool) -> Result<(), Fault> {
    let min = if require_mfa { MIN_WITH_MFA } else { MIN_WITHOUT_MFA };
    let len = password.chars().count();
    if len < min {
        return Err(Fault::PasswordTooShort(min as u16));
    }
    if len > MAX {
        return Err(Fault::PasswordTooLong(MAX as u16));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(Fault::PasswordPwned);
    }
    // Context-specific words: the address, or its part before the @ when
    // that is long enough to matter.
    let email = email.to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if lower.contains(&email) || (local.chars().count() >= 4 && lower.contains(local)) {
        return Err(Fault::PasswordWeak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_email_rule() {
        assert_eq!(email("  Ann@Example.COM ").as_deref(), Some("ann@example.com"));
        for bad in ["", "ann", "@example.com", "ann@", "a b@example.com", "ann@@example.com"] {
            assert_eq!(email(bad), None, "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL));
        assert_eq!(email(&long), None, "over 254 bytes");
    }

    #[test]
    fn length_depends_on_mfa() {
        assert_eq!(check("sevench", "a@b.c", true), Err(Fault::PasswordTooShort(8)));
        assert_eq!(check("eight ch", "a@b.c", true), Ok(()));
        assert_eq!(check("fourteen chars", "a@b.c", false), Err(Fault::PasswordTooShort(15)));
        assert_eq!(check("fifteen chars!!", "a@b.c", false), Ok(()));
        // Characters, not bytes.
        assert_eq!(check("ééééééé", "a@b.c", true), Err(Fault::PasswordTooShort(8)));
    }

    #[test]
    fn long_passwords_up_to_256() {
        assert_eq!(check(&"x".repeat(256), "a@b.c", true), Ok(()));
        assert_eq!(check(&"x".repeat(257), "a@b.c", true), Err(Fault::PasswordTooLong(256)));
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        assert!(COMMON.len() > 10_000);
        for p in ["password", "PassWord", "12345678", "iloveyou", "qwertyuiop", "baseball"] {
            assert_eq!(check(p, "a@b.c", true), Err(Fault::PasswordPwned), "{p}");
        }
        assert_eq!(check("correct horse battery staple", "a@b.c", true), Ok(()));
    }

    #[test]
    fn no_composition_rules() {
        assert_eq!(check("all lower case words", "a@b.c", true), Ok(()));
        assert_eq!(check("🦀🦀🦀🦀🦀🦀🦀🦀", "a@b.c", true), Ok(()));
    }

    #[test]
    fn the_email_is_not_a_password() {
        assert_eq!(check("jane.doe@example.com", "jane.doe@example.com", true), Err(Fault::PasswordWeak));
        assert_eq!(check("Jane.Doe-2026!", "jane.doe@example.com", true), Err(Fault::PasswordWeak));
        assert_eq!(check("a quite long phrase", "ab@example.com", true), Ok(()));
    }
}
