//! What is sent: the messages (from the templates) and the port they go
//! through (`Sender`). Where they go is the delivery crate's.

use crate::brand::DEFAULT_ACCENT;
use crate::settings::Branding;
use async_trait::async_trait;
use minijinja::{context, Environment, UndefinedBehavior, Value};
use std::sync::OnceLock;

/// An email in both forms.
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[async_trait]
pub trait Sender: Send + Sync + 'static {
    /// Delivers a text message; the error is logged, never shown to the user.
    async fn send_sms(&self, to: &str, body: &str, now: i64) -> Result<(), String>;
    async fn send_email(&self, to: &str, mail: &Mail, now: i64) -> Result<(), String>;
    /// Makes the mail and sends it after the caller has answered, logging a
    /// failure: for a message whose making and sending must not tell
    /// whether an account exists. `to: None` (an address without one) makes
    /// it all the same, and sends it nowhere.
    fn send_email_later(self: std::sync::Arc<Self>, to: Option<String>, mail: Later, now: i64);
}

/// A mail made when it is sent, not while the request is answered.
pub type Later = Box<dyn FnOnce() -> Mail + Send>;

/// The templates, parsed once. Names ending in `.html` escape every value
/// (minijinja's rule); `.txt` ones are plain text. A missing value is an error,
/// which the tests below would meet.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "email template does not parse");
            }
        }
        env
    })
}

const TEMPLATES: [(&str, &str); 7] = [
    ("layout.html", include_str!("../templates/layout.html")),
    ("code.html", include_str!("../templates/code.html")),
    ("code.txt", include_str!("../templates/code.txt")),
    ("account-exists.html", include_str!("../templates/account-exists.html")),
    ("account-exists.txt", include_str!("../templates/account-exists.txt")),
    ("notice.html", include_str!("../templates/notice.html")),
    ("notice.txt", include_str!("../templates/notice.txt")),
];

/// Renders template `name` in both forms, with the app's name and accent.
fn mail(brand: &Branding, name: &str, subject: String, vars: Value) -> Mail {
    let accent = brand.accent.clone().unwrap_or_else(|| DEFAULT_ACCENT.hex());
    let ctx = context! { app => brand.name.trim(), accent => accent, ..vars };
    let render = |file: String| {
        templates().get_template(&file).and_then(|t| t.render(&ctx)).unwrap_or_else(|e| {
            // Not reachable with the shipped templates (tested); the subject
            // still carries what matters.
            tracing::error!(template = file, error = %e, "email template failed");
            subject.clone()
        })
    };
    Mail { text: render(format!("{name}.txt")), html: render(format!("{name}.html")), subject }
}

/// A verification code email. `purpose` completes "Enter it to …".
pub fn code_mail(brand: &Branding, code: &str, purpose: &str, minutes: i64) -> Mail {
    let subject = format!("{code} is your verification code");
    mail(brand, "code", subject, context! { code, purpose, minutes })
}

/// The notice an address's owner gets when someone signs up with it again.
/// An SMS code. The last line binds it to this site, as WebOTP and phones'
/// one-time-code autofill read it (`@host #code`): a phished page on another
/// host is not offered the code.
pub fn sms_code(code: &str, minutes: i64, host: &str) -> String {
    format!("{code} is your verification code. It expires in {minutes} minutes. Don't share it.\n\n@{host} #{code}")
}

/// The host of an origin (`https://auth.example.com:8443` → `auth.example.com`),
/// as the domain-bound line of an SMS names it.
pub fn origin_host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    }
}

pub fn account_exists_mail(brand: &Branding, link: &str) -> Mail {
    let subject = format!("Someone tried to sign up for {} with your email address", brand.name.trim());
    mail(brand, "account-exists", subject, context! { link })
}

/// The notice a user gets after their password changed (or was reset).
pub fn password_changed_mail(brand: &Branding, link: &str) -> Mail {
    let what = "a new password was set";
    mail(brand, "notice", "Your password was changed".into(), context! { what, link })
}

/// The notice a user gets after each change to their second factors.
pub fn notice_mail(brand: &Branding, what: &str, link: &str) -> Mail {
    mail(brand, "notice", "Your sign-in settings changed".into(), context! { what, link })
}

/// Test mode's reserved destinations: +1 XXX 555-0100 to 0199, and emails
/// containing `+clerk_test`.
pub fn is_test_recipient(to: &str) -> bool {
    if to.contains('@') {
        return to.to_lowercase().contains("+clerk_test");
    }
    let digits: String = to.chars().filter(char::is_ascii_digit).collect();
    if !to.trim_start().starts_with("+1") || digits.len() != 11 {
        return false;
    }
    let line: u32 = digits[7..].parse().unwrap_or(0);
    &digits[4..7] == "555" && (100..=199).contains(&line)
}

/// The code test mode accepts.
pub const TEST_CODE: &str = "424242";

#[cfg(test)]
mod tests {
    #[test]
    fn sms_codes_end_with_the_domain_bound_line() {
        let body = sms_code("123456", 10, origin_host("https://auth.example.com:8443/x"));
        assert!(body.starts_with("123456 is your verification code."), "{body}");
        assert_eq!(body.lines().last(), Some("@auth.example.com #123456"));
        assert_eq!(origin_host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(origin_host("http://[::1]:3000"), "::1");
    }

    use super::*;

    #[test]
    fn test_recipients() {
        assert!(is_test_recipient("+15555550100"));
        assert!(is_test_recipient("+1 (201) 555-0199"));
        assert!(!is_test_recipient("+15555550200"));
        assert!(!is_test_recipient("+15555550099"));
        assert!(!is_test_recipient("+445555550100"));
        assert!(!is_test_recipient("+12015550100123"));
        assert!(is_test_recipient("jane+clerk_test@example.com"));
        assert!(is_test_recipient("Jane+Clerk_Test@example.com"));
        assert!(!is_test_recipient("jane@example.com"));
    }

    fn brand(name: &str) -> Branding {
        Branding { name: name.into(), accent: Some("#6d28d9".into()), ..Branding::default() }
    }

    #[test]
    fn templates_fill_and_escape() {
        let b = brand("Acme");
        let m = code_mail(&b, "123456", "finish signing up", 10);
        assert!(m.subject.starts_with("123456"));
        assert!(m.text.contains("Your Acme verification code is 123456"), "{}", m.text);
        assert!(m.text.contains("10 minutes") && m.text.contains("finish signing up"));
        assert!(m.html.contains("123456") && !m.html.contains("{{") && !m.html.contains("{%"));
        // The layout: the app's name in its accent, one document.
        assert!(m.html.contains("color: #6d28d9;\">Acme</p>"), "{}", m.html);
        assert_eq!(m.html.matches("<html").count(), 1);
        let m = account_exists_mail(&b, "https://x.test/sign-in?a=1&b=<2>");
        assert!(m.text.contains("https://x.test/sign-in?a=1&b=<2>"));
        assert!(m.html.contains("a=1&amp;b=&lt;2&gt;"), "{}", m.html);
        assert!(m.subject.contains("Acme"));
    }

    #[test]
    fn every_template_renders_and_escapes_the_app_name() {
        let b = brand("<Acme & Co>");
        let link = "https://x.test/account/security";
        for m in [
            code_mail(&b, "123456", "sign in", 10),
            account_exists_mail(&b, link),
            password_changed_mail(&b, link),
            notice_mail(&b, "an authenticator app was added", link),
        ] {
            // A failed render falls back to the subject: not here.
            assert_ne!(m.text, m.subject);
            assert_ne!(m.html, m.subject);
            assert!(m.html.contains("&lt;Acme &amp; Co&gt;") && !m.html.contains("<Acme"), "{}", m.html);
            assert!(m.html.trim_end().ends_with("</html>"), "{}", m.html);
        }
        let m = notice_mail(&b, "an authenticator app was added", link);
        assert!(m.text.contains("your <Acme & Co> account changed: an authenticator app was added."), "{}", m.text);
    }
}
