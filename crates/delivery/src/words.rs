//! How a message is worded: an email from the templates (text and HTML),
//! or an SMS body. One folder of templates, one file per message and form,
//! laid out as Kratos' courier; the domain only names the message.

use domain::brand::DEFAULT_ACCENT;
use domain::mail::{Change, CodeFor, Message};
use domain::settings::Branding;
use minijinja::{context, Environment, UndefinedBehavior, Value};
use std::sync::OnceLock;

/// An email in both forms.
#[derive(Debug)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The templates, parsed once. Names ending in `.html` escape every value
/// (minijinja's rule); `.txt` ones are plain text. A missing value is an
/// error, which the tests below would meet.
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
fn render(brand: &Branding, name: &str, subject: String, vars: Value) -> Mail {
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

/// What a code lets its reader do: completes "Enter it to …".
fn purpose(p: CodeFor) -> &'static str {
    match p {
        CodeFor::ThisDevice => "sign in on this device",
        CodeFor::SignUp => "finish creating your account",
        CodeFor::ResetPassword => "reset your password",
        CodeFor::SignIn => "sign in",
        CodeFor::Unlock => "unlock your account on this device",
    }
}

/// A change, as the notice says it: "… changed: {what}."
fn what(c: Change) -> &'static str {
    match c {
        Change::PasswordSet => "a new password was set",
        Change::AppAdded => "an authenticator app was added",
        Change::PhoneAdded => "a phone number was added for text-message codes",
        Change::AppRemoved => "an authenticator app was removed",
        Change::PhoneRemoved => "a phone number was removed",
        Change::BackupCodesRemoved => "your backup codes were removed",
        Change::BackupCodesMade => "new backup codes were made; the old ones no longer work",
        Change::PasskeyAdded => "a passkey was added",
        Change::PasskeyRemoved => "a passkey was removed",
        Change::DefaultIsApp => "the default second factor is now your authenticator app",
        Change::DefaultIsPhone => "the default second factor is now text-message codes",
        Change::AccountDeleted => "your account was deleted",
        Change::EmailChanged => "your sign-in email address was changed by the app's administrators",
        Change::FactorsRemoved => "your second factors were removed by the app's administrators",
    }
}

/// `msg` as an email. (An SMS code is worded as one too, should it ever be
/// sent to an address: its code and lifetime.)
pub fn email(brand: &Branding, msg: &Message) -> Mail {
    match msg {
        Message::EmailCode { code, purpose: p, minutes } => {
            let (purpose, subject) = (purpose(*p), format!("{code} is your verification code"));
            render(brand, "code", subject, context! { code, purpose, minutes })
        }
        Message::SmsCode { code, minutes, .. } => {
            let (purpose, subject) = (purpose(CodeFor::SignIn), format!("{code} is your verification code"));
            render(brand, "code", subject, context! { code, purpose, minutes })
        }
        Message::AccountExists { link } => {
            let subject = format!("Someone tried to sign up for {} with your email address", brand.name.trim());
            render(brand, "account-exists", subject, context! { link })
        }
        Message::Changed { change, link } => {
            let subject = match change {
                Change::PasswordSet => "Your password was changed",
                _ => "Your sign-in settings changed",
            };
            render(brand, "notice", subject.into(), context! { what => what(*change), link })
        }
    }
}

/// An SMS body. Only a code goes by text; anything else is its email's
/// subject.
pub fn sms(brand: &Branding, msg: &Message) -> String {
    match msg {
        // The last line binds the code to this site (`@host #code`).
        Message::SmsCode { code, minutes, host } => format!(
            "{code} is your verification code. It expires in {minutes} minutes. Don't share it.\n\n@{host} #{code}"
        ),
        other => email(brand, other).subject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand(name: &str) -> Branding {
        Branding { name: name.into(), accent: Some("#6d28d9".into()), ..Branding::default() }
    }

    fn code(purpose: CodeFor) -> Message {
        Message::EmailCode { code: "123456".into(), purpose, minutes: 10 }
    }

    #[test]
    fn sms_codes_end_with_the_domain_bound_line() {
        let msg = Message::SmsCode { code: "123456".into(), minutes: 10, host: "auth.example.com".into() };
        let body = sms(&brand("Acme"), &msg);
        assert!(body.starts_with("123456 is your verification code."), "{body}");
        assert!(body.contains("10 minutes"), "{body}");
        assert_eq!(body.lines().last(), Some("@auth.example.com #123456"));
    }

    #[test]
    fn templates_fill_and_escape() {
        let b = brand("Acme");
        let m = email(&b, &code(CodeFor::SignUp));
        assert!(m.subject.starts_with("123456"));
        assert!(m.text.contains("Your Acme verification code is 123456"), "{}", m.text);
        assert!(m.text.contains("10 minutes") && m.text.contains("finish creating your account"));
        assert!(m.html.contains("123456") && !m.html.contains("{{") && !m.html.contains("{%"));
        // The layout: the app's name in its accent, one document.
        assert!(m.html.contains("color: #6d28d9;\">Acme</p>"), "{}", m.html);
        assert_eq!(m.html.matches("<html").count(), 1);
        let m = email(&b, &Message::AccountExists { link: "https://x.test/sign-in?a=1&b=<2>".into() });
        assert!(m.text.contains("https://x.test/sign-in?a=1&b=<2>"));
        assert!(m.html.contains("a=1&amp;b=&lt;2&gt;"), "{}", m.html);
        assert!(m.subject.contains("Acme"));
    }

    /// Every message renders in both forms, escaping the app's name in HTML.
    #[test]
    fn every_message_renders_and_escapes_the_app_name() {
        let b = brand("<Acme & Co>");
        let link = "https://x.test/account/security".to_string();
        let purposes = [CodeFor::ThisDevice, CodeFor::SignUp, CodeFor::ResetPassword, CodeFor::SignIn, CodeFor::Unlock];
        let messages = purposes
            .into_iter()
            .map(code)
            .chain([Message::AccountExists { link: link.clone() }])
            .chain(Change::ALL.into_iter().map(|change| Message::Changed { change, link: link.clone() }));
        for msg in messages {
            let m = email(&b, &msg);
            // A failed render falls back to the subject: not here.
            assert_ne!(m.text, m.subject, "{msg:?}");
            assert_ne!(m.html, m.subject, "{msg:?}");
            assert!(m.html.contains("&lt;Acme &amp; Co&gt;") && !m.html.contains("<Acme"), "{}", m.html);
            assert!(m.html.trim_end().ends_with("</html>"), "{}", m.html);
        }
        let m = email(&b, &Message::Changed { change: Change::AppAdded, link });
        assert!(m.text.contains("your <Acme & Co> account changed: an authenticator app was added."), "{}", m.text);
    }
}
