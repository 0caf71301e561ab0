//! The product's words, in each language it speaks (`proto::Lang`): Fluent
//! messages in `locales/<lang>/*.ftl`, built into the binary and parsed
//! once. Every id is in every language (a test), so a lookup only fails on
//! a typo, which the tests meet: the id itself is then shown, and logged.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use proto::{ApiErrors, Fault, Field, Lang};
use std::sync::OnceLock;

pub use fluent_bundle::FluentArgs as Args;

macro_rules! files {
    ($l:literal) => {
        [
            include_str!(concat!("../locales/", $l, "/mail.ftl")),
            include_str!(concat!("../locales/", $l, "/errors.ftl")),
            include_str!(concat!("../locales/", $l, "/ui.ftl")),
        ]
    };
}

/// The sources of one language: emails and texts, errors, the pages.
fn sources(lang: Lang) -> &'static [&'static str; 3] {
    match lang {
        Lang::En => &files!("en"),
        Lang::Fr => &files!("fr"),
        Lang::De => &files!("de"),
        Lang::Ar => &files!("ar"),
    }
}

/// The errors a page makes itself, in the browser (the server's come
/// worded): no answer came; a passkey ceremony failed.
const BROWSER_ERRORS: [&str; 2] = ["error-network", "error-passkey-invalid"];

type Bundle = FluentBundle<FluentResource>;

/// `lang`'s bundle, parsed when it is first used: a language nobody asks
/// for costs no memory.
fn bundle(lang: Lang) -> &'static Bundle {
    static BUNDLES: [OnceLock<Bundle>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];
    BUNDLES[slot(lang)].get_or_init(|| make(lang))
}

/// `lang`'s place in a per-language table.
fn slot(lang: Lang) -> usize {
    Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

fn make(lang: Lang) -> Bundle {
    let id = lang.tag().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No bidi isolation marks around values: codes, links and names are
    // read by phones and mail clients, and set apart by spaces already.
    b.set_use_isolating(false);
    for src in sources(lang) {
        let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, errors)| {
            tracing::error!(lang = lang.tag(), ?errors, "a Fluent file does not parse");
            res
        });
        if let Err(errors) = b.add_resource(res) {
            tracing::error!(lang = lang.tag(), ?errors, "a Fluent message is defined twice");
        }
    }
    b
}

/// Message `id` in `lang`, its `{ $name }`s filled from `args`.
pub fn text(lang: Lang, id: &str, args: &[(&str, Value)]) -> String {
    let b = bundle(lang);
    let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
        tracing::error!(lang = lang.tag(), id, "no such message");
        return id.to_string();
    };
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        match v {
            Value::Text(s) => fa.set(*k, FluentValue::from(s.as_str())),
            Value::Number(n) => fa.set(*k, FluentValue::from(*n)),
        }
    }
    let mut errors = vec![];
    let out = b.format_pattern(pattern, Some(&fa), &mut errors);
    if !errors.is_empty() {
        tracing::error!(lang = lang.tag(), id, ?errors, "a message did not format");
    }
    out.into_owned()
}

/// Every page message of `lang`, and the errors a page makes itself
/// (`BROWSER_ERRORS`), as a JSON object (`id` → text),
/// for the islands, which word in the browser without Fluent (a page
/// carries only its own language). Values are left as `{$name}` for the
/// browser to fill. A message whose words change with its count `$n` also
/// comes once per plural category of the language (`id[few]` → text), for
/// the browser to choose with its own `Intl.PluralRules`. Safe inside
/// `<script>`; made once per language, for `page_script`.
fn page_words(lang: Lang) -> String {
    let mut b = make(lang);
    // Every number is the count, left for the browser to fill.
    b.set_formatter(Some(|v, _| matches!(v, FluentValue::Number(_)).then(|| "{$n}".to_string())));
    let categories = plural_examples(lang);
    let mut words = std::collections::BTreeMap::new();
    let [_, _, ui] = sources(lang);
    for id in message_ids(ui).into_iter().chain(BROWSER_ERRORS.map(String::from)) {
        let Some(pattern) = b.get_message(&id).and_then(|m| m.value()) else { continue };
        // Its missing values are the placeholders (Fluent says so in `_missing`).
        let mut _missing = vec![];
        let forms: Vec<(&str, String)> = categories
            .iter()
            .map(|(cat, n)| {
                let mut args = FluentArgs::new();
                args.set("n", FluentValue::from(*n));
                (*cat, b.format_pattern(pattern, Some(&args), &mut _missing).into_owned())
            })
            .collect();
        if forms.iter().any(|(_, f)| *f != forms[0].1) {
            for (cat, f) in forms {
                words.insert(format!("{id}[{cat}]"), f);
            }
        }
        words.insert(id, b.format_pattern(pattern, None, &mut _missing).into_owned());
    }
    serde_json::to_string(&words).unwrap_or_default().replace("</", "<\\/")
}

/// `page_words` as a script that hands them to the page's islands
/// (`window.__words`), and its version (a hash of it): served at an address
/// that names it, cached for good and compressed, so a page carries none of
/// it and a browser fetches its language once.
pub fn page_script(lang: Lang) -> (&'static str, &'static str) {
    static SCRIPTS: [OnceLock<(String, String)>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];
    let (script, version) = SCRIPTS[slot(lang)].get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let script = format!("window.__words={};\n", page_words(lang));
        let mut h = std::hash::DefaultHasher::new();
        script.hash(&mut h);
        (script, format!("{:016x}", h.finish()))
    });
    (script, version)
}

/// Each plural category of `lang` (named as `Intl.PluralRules` names it)
/// with a count that falls in it.
fn plural_examples(lang: Lang) -> Vec<(&'static str, i64)> {
    use intl_pluralrules::{PluralCategory as C, PluralRuleType, PluralRules};
    let Ok(rules) = PluralRules::create(
        lang.tag().parse::<unic_langid::LanguageIdentifier>().unwrap_or_default(),
        PluralRuleType::CARDINAL,
    ) else {
        return vec![];
    };
    let mut found: Vec<(&'static str, i64)> = vec![];
    for n in (0..=200).chain([1_000_000]) {
        let name = match rules.select(n) {
            Ok(C::ZERO) => "zero",
            Ok(C::ONE) => "one",
            Ok(C::TWO) => "two",
            Ok(C::FEW) => "few",
            Ok(C::MANY) => "many",
            Ok(C::OTHER) => "other",
            Err(_) => continue,
        };
        if !found.iter().any(|(c, _)| *c == name) {
            found.push((name, n));
        }
    }
    found
}

/// The ids of the messages in one source.
fn message_ids(src: &str) -> Vec<String> {
    let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, _)| res);
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// A fault's message and its values.
fn fault_message(f: Fault) -> (&'static str, Vec<(&'static str, Value)>) {
    let id = match f {
        Fault::Missing(Field::Identifier | Field::EmailAddress) => "error-missing-email",
        Fault::Missing(Field::Password) => "error-missing-password",
        Fault::Missing(Field::Code) => "error-missing-code",
        Fault::Missing(Field::Strategy) => "error-missing-strategy",
        Fault::Missing(Field::PhoneNumber) => "error-missing-phone",
        Fault::Missing(Field::PublicKeyCredential) => "error-missing-passkey",
        Fault::Missing(Field::Name) => "error-missing-name",
        Fault::IdentifierInvalid | Fault::EmailInvalid => "error-email-invalid",
        Fault::EmailTaken => "error-email-taken",
        Fault::PasswordTooShort(n) => return ("error-password-too-short", vec![("n", i64::from(n).into())]),
        Fault::PasswordTooLong(n) => return ("error-password-too-long", vec![("n", i64::from(n).into())]),
        Fault::PasswordPwned => "error-password-pwned",
        Fault::PasswordWeak => "error-password-weak",
        Fault::PasswordSame => "error-password-same",
        Fault::PasswordIncorrect(_) => "error-password-incorrect",
        Fault::CodeIncorrect(_) => "error-code-incorrect",
        Fault::CodeExpired => "error-code-expired",
        Fault::CodeLocked => "error-code-locked",
        Fault::CodeMissing => "error-code-missing",
        Fault::ResendTooSoon(s) => return ("error-resend-too-soon", vec![("seconds", i64::from(s).into())]),
        Fault::UserLocked(s) => {
            let minutes = i64::from(s.div_ceil(60).max(1));
            return ("error-user-locked", vec![("minutes", minutes.into())]);
        }
        Fault::UserBanned => "error-user-banned",
        Fault::TooManyRequests(s) => return ("error-too-many-requests", vec![("seconds", i64::from(s).into())]),
        Fault::StrategyInvalid => "error-strategy-invalid",
        Fault::BackupCodesNotAvailable => "error-backup-codes-not-available",
        Fault::InvalidState => "error-invalid-state",
        Fault::SignInNotFound => "error-sign-in-not-found",
        Fault::SignUpNotFound => "error-sign-up-not-found",
        Fault::ReverificationRequired => "error-reverification-required",
        Fault::MfaRequired => "error-mfa-required",
        Fault::PhoneInvalid => "error-phone-invalid",
        Fault::SessionNotFound => "error-session-not-found",
        Fault::PasskeyInvalid => "error-passkey-invalid",
        Fault::PasskeyNotFound => "error-passkey-not-found",
        Fault::SessionExists => "error-session-exists",
        Fault::SignedOut => "error-signed-out",
        Fault::ApiKeyInvalid => "error-api-key-invalid",
        Fault::UserNotFound => "error-user-not-found",
        Fault::MetadataInvalid => "error-metadata-invalid",
        Fault::WebhookInvalid => "error-webhook-invalid",
        Fault::AddressRefused => "error-address-refused",
        Fault::DeliveryFailed => "error-delivery-failed",
        Fault::BadRequest => "error-bad-request",
        Fault::Unavailable => "error-unavailable",
    };
    (id, vec![])
}

/// A fault's message in `lang`, with the tries left when it tells them.
pub fn fault(lang: Lang, f: Fault) -> String {
    let (id, args) = fault_message(f);
    let message = text(lang, id, &args);
    match f.tries_left() {
        Some(left) => format!("{message} {}", text(lang, "error-tries-left", &[("left", i64::from(left).into())])),
        None => message,
    }
}

/// `e` worded in `lang`: each error this build knows (`Fault::from_error`)
/// gets its message from its code and meta; any other keeps its own.
pub fn errors(lang: Lang, mut e: ApiErrors) -> ApiErrors {
    for err in &mut e.errors {
        if let Some(f) = Fault::from_error(err) {
            err.message = fault(lang, f);
            err.long_message = err.message.clone();
        }
    }
    e
}

/// A value for a message: text, or a number (which chooses plural forms).
#[derive(Clone, Debug)]
pub enum Value {
    Text(String),
    Number(i64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message id of `lang`, sorted.
    fn ids(lang: Lang) -> Vec<String> {
        let mut ids: Vec<String> = sources(lang).iter().flat_map(|src| message_ids(src)).collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_language_parses_and_has_every_message() {
        for lang in Lang::ALL {
            for src in sources(lang) {
                assert!(FluentResource::try_new(src.to_string()).is_ok(), "{lang:?} does not parse");
            }
        }
        let en = ids(Lang::En);
        assert!(en.len() > 30, "{en:?}");
        for lang in Lang::ALL {
            assert_eq!(ids(lang), en, "{lang:?}: missing or extra ids");
        }
    }

    #[test]
    fn plurals_follow_each_languages_rules() {
        let expires = |lang, n: i64| text(lang, "code-expires", &[("minutes", n.into())]);
        assert_eq!(expires(Lang::En, 1), "It expires in 1 minute and works once.");
        assert_eq!(expires(Lang::En, 10), "It expires in 10 minutes and works once.");
        assert_eq!(expires(Lang::Fr, 10), "Il expire dans 10 minutes et ne sert qu'une fois.");
        assert_eq!(expires(Lang::De, 1), "Er läuft in 1 Minute ab und gilt nur einmal.");
        // Arabic: one, two, few (3-10), many (11-99) read differently.
        assert!(expires(Lang::Ar, 2).contains("دقيقتين"), "{}", expires(Lang::Ar, 2));
        assert!(expires(Lang::Ar, 5).contains("5 دقائق"), "{}", expires(Lang::Ar, 5));
        assert!(expires(Lang::Ar, 15).contains("15 دقيقة"), "{}", expires(Lang::Ar, 15));
    }

    /// Every fault, with its parameters, in every language: a message of
    /// that language (no id shown, no English left but in English), its
    /// numbers in it, and English as `proto` words it.
    #[test]
    fn every_fault_is_worded_in_every_language_with_its_parameters() {
        for f in Fault::examples() {
            let en = fault(Lang::En, f);
            if f != Fault::UserNotFound {
                assert_eq!(en, f.message(), "{f:?}: English as proto words it");
            }
            for lang in Lang::ALL {
                let m = fault(lang, f);
                assert!(!m.contains("error-"), "{lang:?} {f:?}: {m}");
                if lang != Lang::En {
                    assert_ne!(m, en, "{lang:?} {f:?}: English left");
                }
                let n = match f {
                    Fault::PasswordTooShort(n) | Fault::PasswordTooLong(n) => Some(u32::from(n)),
                    Fault::ResendTooSoon(s) | Fault::TooManyRequests(s) => Some(s),
                    Fault::UserLocked(s) => Some(s.div_ceil(60)),
                    Fault::PasswordIncorrect(left) | Fault::CodeIncorrect(left) => left.filter(|l| *l > 2),
                    _ => None,
                };
                if let Some(n) = n {
                    assert!(m.contains(&n.to_string()), "{lang:?} {f:?}: {m}");
                }
            }
        }
        assert_eq!(fault(Lang::Fr, Fault::PasswordTooShort(8)), "Le mot de passe doit compter au moins 8 caractères.");
        assert_eq!(
            fault(Lang::De, Fault::CodeIncorrect(Some(1))),
            "Falscher Code. Noch 1 Versuch, bevor Ihr Konto gesperrt wird."
        );
        assert!(fault(Lang::Ar, Fault::CodeIncorrect(Some(2))).ends_with("بقيت محاولتان قبل قفل حسابك."));
    }

    #[test]
    fn an_answers_errors_are_worded_from_their_code_and_meta() {
        let fr = errors(Lang::Fr, ApiErrors::from(Fault::PasswordTooShort(15)));
        assert_eq!(fr.codes(), ["form_password_length_too_short"]);
        assert_eq!(fr.errors[0].message, "Le mot de passe doit compter au moins 15 caractères.");
        assert_eq!(fr.errors[0].long_message, fr.errors[0].message);
        // Every error of an answer, each from its own code and field.
        let both = [(Field::Identifier, true), (Field::Password, true)];
        let de = errors(Lang::De, ApiErrors::from(Fault::Missing(Field::Identifier)).and_missing(&both));
        let messages: Vec<&str> = de.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["Geben Sie Ihre E-Mail-Adresse ein.", "Geben Sie Ihr Passwort ein."]);
    }

    #[test]
    fn a_pages_script_is_its_copy_under_a_name_that_changes_with_it() {
        let (fr, v) = page_script(Lang::Fr);
        assert!(fr.starts_with("window.__words={") && fr.ends_with("};\n") && fr.contains(&page_words(Lang::Fr)));
        assert_eq!(v.len(), 16);
        assert_ne!(page_script(Lang::De).1, v);
    }

    /// The pages' copy: every page and error message, values left for the
    /// browser, each plural form of a counted message under its category.
    #[test]
    fn a_pages_copy_has_its_values_open_and_its_plural_forms() {
        let words =
            |lang| -> serde_json::Map<String, serde_json::Value> { serde_json::from_str(&page_words(lang)).unwrap() };
        let en = words(Lang::En);
        assert_eq!(en["sign-in-to"], "Sign in to {$app}");
        assert_eq!(en["error-network"], "Could not reach the server. Check your connection.");
        assert_eq!(en["try-again-in[one]"], "Too many requests. Try again in {$n} second.");
        assert_eq!(en["try-again-in[other]"], "Too many requests. Try again in {$n} seconds.");
        assert!(!en.contains_key("try-again-in[few]") && !en.contains_key("sign-in-to[one]"));
        assert!(!en.keys().any(|k| k.starts_with("code-subject")), "no email in a page");
        assert!(!en.contains_key("error-password-incorrect"), "the server words its own errors");
        let ar = words(Lang::Ar);
        for cat in ["zero", "one", "two", "few", "many", "other"] {
            assert!(ar.contains_key(&format!("try-again-in[{cat}]")), "{cat}");
        }
        assert_eq!(ar["try-again-in[few]"], "طلبات كثيرة جدًا. حاول مجددًا بعد {$n} ثوانٍ.");
        assert_eq!(words(Lang::Fr)["sign-in-to"], "Connexion à {$app}");
        let plain = |lang| words(lang).keys().filter(|k| !k.contains('[')).count();
        for lang in Lang::ALL {
            assert!(!page_words(lang).contains("</"), "{lang:?}: safe inside <script>");
            assert_eq!(plain(lang), plain(Lang::En), "{lang:?}");
        }
    }

    #[test]
    fn a_missing_id_shows_itself() {
        assert_eq!(text(Lang::Fr, "no-such-id", &[]), "no-such-id");
    }
}
