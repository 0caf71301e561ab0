//! The product's words, in each language it speaks (`proto::Lang`): Fluent
//! messages in `locales/<lang>/*.ftl`, built into the binary and parsed
//! once. Every id is in every language (a test), so a lookup only fails on
//! a typo, which the tests meet: the id itself is then shown, and logged.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use proto::Lang;
use std::sync::OnceLock;

pub use fluent_bundle::FluentArgs as Args;

/// The sources of one language.
fn sources(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[include_str!("../locales/en/mail.ftl")],
        Lang::Fr => &[include_str!("../locales/fr/mail.ftl")],
        Lang::De => &[include_str!("../locales/de/mail.ftl")],
        Lang::Ar => &[include_str!("../locales/ar/mail.ftl")],
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static BUNDLES: OnceLock<Vec<Bundle>> = OnceLock::new();
    let all = BUNDLES.get_or_init(|| Lang::ALL.into_iter().map(make).collect());
    let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    &all[i]
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

/// Every message id of `lang`, sorted (for the tests).
pub fn ids(lang: Lang) -> Vec<String> {
    let mut ids: Vec<String> = sources(lang)
        .iter()
        .filter_map(|src| FluentResource::try_new(src.to_string()).ok())
        .flat_map(|r| {
            r.entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_missing_id_shows_itself() {
        assert_eq!(text(Lang::Fr, "no-such-id", &[]), "no-such-id");
    }
}
