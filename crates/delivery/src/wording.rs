//! How a message is worded: an email from the templates (text and HTML),
//! or an SMS body, in the reader's language. The templates hold the layout
//! (one file per message and form, laid out as Kratos' courier); the words
//! are the `words` crate's Fluent messages. The domain only names the
//! message.

use domain::brand::DEFAULT_ACCENT;
use domain::mail::{Change, CodeFor, Message};
use domain::settings::Branding;
use minijinja::{context, Environment, UndefinedBehavior, Value};
use proto::Lang;
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

/// Renders template `name` in both forms, in `lang`, with the app's name
/// and accent.
fn render(brand: &Branding, lang: Lang, name: &str, subject: String, vars: Value) -> Mail {
    let accent = brand.accent.clone().unwrap_or_else(|| DEFAULT_ACCENT.hex());
    let ctx = context! { app => brand.name.trim(), accent, lang => lang.tag(), dir => lang.dir(), ..vars };
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

/// The message saying what a code is for.
fn purpose(p: CodeFor) -> &'static str {
    match p {
        CodeFor::ThisDevice => "code-for-this-device",
        CodeFor::SignUp => "code-for-sign-up",
        CodeFor::ResetPassword => "code-for-reset-password",
        CodeFor::SignIn => "code-for-sign-in",
        CodeFor::Unlock => "code-for-unlock",
    }
}

/// The message saying a change: "… changed: {what}."
fn what(c: Change) -> &'static str {
    match c {
        Change::PasswordSet => "change-password-set",
        Change::AppAdded => "change-app-added",
        Change::PhoneAdded => "change-phone-added",
        Change::AppRemoved => "change-app-removed",
        Change::PhoneRemoved => "change-phone-removed",
        Change::BackupCodesRemoved => "change-backup-codes-removed",
        Change::BackupCodesMade => "change-backup-codes-made",
        Change::PasskeyAdded => "change-passkey-added",
        Change::PasskeyRemoved => "change-passkey-removed",
        Change::DefaultIsApp => "change-default-is-app",
        Change::DefaultIsPhone => "change-default-is-phone",
        Change::AccountDeleted => "change-account-deleted",
        Change::EmailChanged => "change-email-changed",
        Change::FactorsRemoved => "change-factors-removed",
    }
}

/// `msg` as an email in `lang`. (An SMS code is worded as a sign-in code,
/// should it ever be sent to an address.)
pub fn email(brand: &Branding, lang: Lang, msg: &Message) -> Mail {
    let app = brand.name.trim();
    let t = text(lang);
    match msg {
        Message::EmailCode { code, purpose: p, minutes } => code_mail(brand, lang, code, *p, *minutes),
        Message::SmsCode { code, minutes, .. } => code_mail(brand, lang, code, CodeFor::SignIn, *minutes),
        Message::AccountExists { link } => {
            let vars = context! {
                link,
                body => t("exists-body", &[("app", app.into())]),
                sign_in => t("exists-sign-in", &[]),
                link_label => t("exists-link", &[]),
                ignore => t("exists-ignore", &[]),
            };
            render(brand, lang, "account-exists", t("exists-subject", &[("app", app.into())]), vars)
        }
        Message::Changed { change, link } => {
            let subject = match change {
                Change::PasswordSet => "password-subject",
                _ => "changed-subject",
            };
            let what = t(what(*change), &[]);
            let vars = context! {
                link,
                body => t("changed-body", &[("app", app.into()), ("what", (&what).into())]),
                review => t("changed-review", &[]),
                link_label => t("changed-link", &[]),
            };
            render(brand, lang, "notice", t(subject, &[]), vars)
        }
    }
}

/// `words::text` in `lang`.
fn text(lang: Lang) -> impl Fn(&str, &[(&str, words::Value)]) -> String {
    move |id, args| words::text(lang, id, args)
}

fn code_mail(brand: &Branding, lang: Lang, code: &str, p: CodeFor, minutes: i64) -> Mail {
    let t = text(lang);
    let vars = context! {
        code,
        first => t("code-first", &[("app", brand.name.trim().into()), ("code", code.into())]),
        lead => t("code-lead", &[]),
        purpose => t(purpose(p), &[]),
        expires => t("code-expires", &[("minutes", minutes.into())]),
        ignore => t("code-ignore", &[]),
    };
    render(brand, lang, "code", t("code-subject", &[("code", code.into())]), vars)
}

/// An SMS body in `lang`. Only a code goes by text; anything else is its
/// email's subject.
pub fn sms(brand: &Branding, lang: Lang, msg: &Message) -> String {
    match msg {
        // The last line binds the code to this site (`@host #code`): no
        // words, the same in every language.
        Message::SmsCode { code, minutes, host } => {
            let body = words::text(lang, "sms-code", &[("code", code.into()), ("minutes", (*minutes).into())]);
            format!("{body}\n\n@{host} #{code}")
        }
        other => email(brand, lang, other).subject,
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

    /// One of each message.
    fn every_message() -> Vec<Message> {
        let link = "https://x.test/account/security".to_string();
        let purposes = [CodeFor::ThisDevice, CodeFor::SignUp, CodeFor::ResetPassword, CodeFor::SignIn, CodeFor::Unlock];
        purposes
            .into_iter()
            .map(code)
            .chain([Message::AccountExists { link: link.clone() }])
            .chain(Change::ALL.into_iter().map(|change| Message::Changed { change, link: link.clone() }))
            .collect()
    }

    #[test]
    fn sms_codes_end_with_the_domain_bound_line_in_every_language() {
        let msg = Message::SmsCode { code: "123456".into(), minutes: 10, host: "auth.example.com".into() };
        let body = sms(&brand("Acme"), Lang::En, &msg);
        assert!(body.starts_with("123456 is your verification code."), "{body}");
        assert!(body.contains("10 minutes"), "{body}");
        for lang in Lang::ALL {
            let body = sms(&brand("Acme"), lang, &msg);
            // The code first (as a phone's autofill reads it), and the same
            // last line whatever the language.
            assert!(body.starts_with("123456 "), "{lang:?}: {body}");
            assert!(body.contains("10"), "{lang:?}: {body}");
            assert_eq!(body.lines().last(), Some("@auth.example.com #123456"), "{lang:?}");
        }
        assert!(sms(&brand("Acme"), Lang::De, &msg).contains("10 Minuten ab"));
    }

    #[test]
    fn templates_fill_and_escape() {
        let b = brand("Acme");
        let m = email(&b, Lang::En, &code(CodeFor::SignUp));
        assert!(m.subject.starts_with("123456"));
        assert!(m.text.contains("Your Acme verification code is 123456"), "{}", m.text);
        assert!(m.text.contains("10 minutes") && m.text.contains("finish creating your account"));
        assert!(m.html.contains("123456") && !m.html.contains("{{") && !m.html.contains("{%"));
        // The layout: the app's name in its accent, one document.
        assert!(m.html.contains("color: #6d28d9;\">Acme</p>"), "{}", m.html);
        assert!(m.html.contains("<html lang=\"en\" dir=\"ltr\">"), "{}", m.html);
        assert_eq!(m.html.matches("<html").count(), 1);
        let m = email(&b, Lang::En, &Message::AccountExists { link: "https://x.test/sign-in?a=1&b=<2>".into() });
        assert!(m.text.contains("https://x.test/sign-in?a=1&b=<2>"));
        assert!(m.html.contains("a=1&amp;b=&lt;2&gt;"), "{}", m.html);
        assert!(m.subject.contains("Acme"));
    }

    /// Every message renders in both forms in every language, in that
    /// language (no English left but names), escaping the app's name in HTML.
    #[test]
    fn every_message_renders_in_every_language() {
        let b = brand("<Acme & Co>");
        for lang in Lang::ALL {
            for msg in every_message() {
                let m = email(&b, lang, &msg);
                // A failed render falls back to the subject; a missing
                // message shows its id: neither here.
                assert_ne!(m.text, m.subject, "{lang:?} {msg:?}");
                assert_ne!(m.html, m.subject, "{lang:?} {msg:?}");
                for part in [&m.subject, &m.text, &m.html] {
                    assert!(!part.contains("code-") && !part.contains("change-"), "{lang:?}: an id: {part}");
                }
                assert!(m.html.contains("&lt;Acme &amp; Co&gt;") && !m.html.contains("<Acme"), "{}", m.html);
                if lang != Lang::En {
                    assert_ne!(m.text, email(&b, Lang::En, &msg).text, "{lang:?}: English left");
                }
                let head = format!("<html lang=\"{}\" dir=\"{}\">", lang.tag(), lang.dir());
                assert!(m.html.contains(&head), "{lang:?}: {}", m.html);
                assert!(m.html.trim_end().ends_with("</html>"), "{}", m.html);
            }
        }
        let link = "https://x.test/account/security".to_string();
        let m = email(&b, Lang::En, &Message::Changed { change: Change::AppAdded, link: link.clone() });
        assert!(m.text.contains("your <Acme & Co> account changed: an authenticator app was added."), "{}", m.text);
        let m = email(&b, Lang::Fr, &Message::Changed { change: Change::AppAdded, link });
        assert_eq!(m.subject, "Vos paramètres de connexion ont changé");
        assert!(m.text.contains("une application d'authentification a été ajoutée"), "{}", m.text);
        let m = email(&b, Lang::Ar, &code(CodeFor::ResetPassword));
        assert!(m.text.contains("أدخله لإعادة تعيين كلمة المرور") && m.text.contains("123456"), "{}", m.text);
    }
}
