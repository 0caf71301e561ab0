//! The page's words, in its language. The server takes them from the
//! `words` crate (Fluent). In the browser an island reads a copy of its
//! language's messages that the page's script `/words/<lang>.js` left in
//! `window.__words`, so the wasm carries no i18n library and no other
//! language.

use proto::Lang;

/// The page's language: the server's choice for this request; in the
/// browser, `<html lang>`.
pub fn lang() -> Lang {
    #[cfg(feature = "ssr")]
    return leptos::prelude::use_context::<Lang>().unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    return browser::lang();
}

/// Message `id` in the page's language.
pub fn t(id: &str) -> String {
    t_with(id, &[])
}

/// Message `id` with its values (its `{ $name }`s).
pub fn t_with(id: &str, args: &[(&str, &str)]) -> String {
    #[cfg(feature = "ssr")]
    {
        let args: Vec<(&str, ::words::Value)> = args.iter().map(|(k, v)| (*k, (*v).into())).collect();
        ::words::text(lang(), id, &args)
    }
    #[cfg(not(feature = "ssr"))]
    browser::text(id, args)
}

/// Message `id` with a count `n` (its `{ $n }`), in the plural form the
/// language gives that count (in the browser, the page's copy has each
/// form, and `Intl.PluralRules` chooses).
pub fn t_count(id: &str, n: u32) -> String {
    #[cfg(feature = "ssr")]
    return ::words::text(lang(), id, &[("n", i64::from(n).into())]);
    #[cfg(not(feature = "ssr"))]
    return browser::count(id, n);
}

/// The page's copy of its messages, read once.
#[cfg(not(feature = "ssr"))]
mod browser {
    use js_sys::{Object, Reflect};
    use leptos::prelude::document;
    use proto::Lang;
    use wasm_bindgen::{JsCast, JsValue};

    thread_local! {
        static WORDS: Object = load();
    }

    fn load() -> Object {
        Reflect::get(&js_sys::global(), &JsValue::from_str("__words"))
            .ok()
            .and_then(|v| v.dyn_into::<Object>().ok())
            .unwrap_or_default()
    }

    fn find(id: &str) -> Option<String> {
        WORDS.with(|w| Reflect::get(w, &JsValue::from_str(id)).ok().and_then(|v| v.as_string()))
    }

    pub fn text(id: &str, args: &[(&str, &str)]) -> String {
        let mut s = find(id).unwrap_or_else(|| id.to_string());
        for (k, v) in args {
            s = s.replace(&["{$", k, "}"].concat(), v);
        }
        s
    }

    /// `id` in the form for `n` ("one", "few", …), else its only form.
    pub fn count(id: &str, n: u32) -> String {
        let locales = js_sys::Array::of1(&JsValue::from_str(lang().tag()));
        let category = js_sys::Intl::PluralRules::new(&locales, &Object::new()).select(f64::from(n));
        let form = find(&[id, "[", &String::from(category), "]"].concat());
        let s = form.or_else(|| find(id)).unwrap_or_else(|| id.to_string());
        s.replace("{$n}", &crate::ui::digits(n))
    }

    pub fn lang() -> Lang {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|t| Lang::from_tag(&t))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The ids a Fluent file defines (`id = …` at a line's start).
    fn defined(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            .map(String::from)
            .collect()
    }

    /// Every `.rs` file under `dir`, as text.
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }

    /// The string literals that follow `prefix` (a whole word) in `src`.
    fn after<'a>(src: &'a str, prefix: &str) -> Vec<&'a str> {
        src.match_indices(prefix)
            .filter(|(i, _)| !src[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            .filter_map(|(i, _)| src[i + prefix.len()..].split('"').next())
            .collect()
    }

    /// No page names a message that does not exist, and every page message
    /// is used (the `words` crate checks every language has the same ids).
    #[test]
    fn every_message_the_pages_name_exists_and_every_one_is_used() {
        let ui = defined(include_str!("../../crates/words/locales/en/ui.ftl"));
        let errors = defined(include_str!("../../crates/words/locales/en/errors.ftl"));
        let mut files = vec![];
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let all = files.concat();
        let mut named = BTreeSet::new();
        for prefix in ["t(\"", "t_with(\"", "t_count(\"", "label=\"", "working=\"", "first=\""] {
            named.extend(after(&all, prefix).into_iter().filter(|id| *id != "{$n}"));
        }
        let missing: Vec<_> = named.iter().filter(|id| !ui.contains(**id) && !errors.contains(**id)).collect();
        assert!(missing.is_empty(), "named but not in ui.ftl: {missing:?}");
        let unused: Vec<_> = ui.iter().filter(|id| !all.contains(&format!("\"{id}\""))).collect();
        assert!(unused.is_empty(), "in ui.ftl but never used: {unused:?}");
        assert!(named.len() > 50, "{named:?}");
    }
}
