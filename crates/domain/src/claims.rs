//! Custom session-token claims from a template in the settings
//! (`[session_token.claims]`), as Clerk's session-token customization has
//! them: a value that is exactly one shortcode (`"{{user.public_metadata}}"`)
//! becomes that value, any JSON; a string with shortcodes among text has
//! them written in. Checked at start-up; what it renders is size-limited,
//! and a metadata write that would overflow it is refused.

use crate::metadata::Object;
use proto::Fault;
use serde_json::Value;

/// The most the rendered custom claims may take, serialized: a token rides
/// in a cookie, and Clerk's guidance keeps custom claims near 1.2 KB.
pub const MAX_BYTES: usize = 2048;
/// The claims a template may not set: the token's own.
pub const RESERVED: [&str; 14] =
    ["sub", "sid", "iss", "iat", "nbf", "exp", "sts", "fva", "email", "azp", "v", "jti", "aud", "act"];

/// Whom a template is rendered for.
pub struct Subject<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub created_at: i64,
    pub public_metadata: &'a Object,
    pub unsafe_metadata: &'a Object,
}

/// The template's faults, for the settings' error: reserved claims, unknown
/// shortcodes, past the size limit.
pub fn check(t: &Object) -> Result<(), String> {
    if let Some(k) = t.keys().find(|k| RESERVED.contains(&k.as_str())) {
        return Err(format!("`session_token.claims`: {k:?} is the token's own claim"));
    }
    if Value::Object(t.clone()).to_string().len() > MAX_BYTES {
        return Err(format!("`session_token.claims`: the template is over {MAX_BYTES} bytes"));
    }
    let mut bad = None;
    walk(t, &mut |code| {
        if parse(code).is_none() {
            bad.get_or_insert_with(|| code.to_string());
        }
    });
    match bad {
        Some(code) => Err(format!(
            "`session_token.claims`: unknown shortcode {{{{{code}}}}} (known: user.id, user.primary_email_address, \
             user.created_at, user.public_metadata[.key…], user.unsafe_metadata[.key…])"
        )),
        None => Ok(()),
    }
}

/// The claims `t` gives `s`.
pub fn render(t: &Object, s: &Subject) -> Object {
    t.iter().map(|(k, v)| (k.clone(), value(v, s))).collect()
}

/// Refuses metadata that would make `s`'s rendered claims too large.
pub fn fits(t: &Object, s: &Subject) -> Result<(), Fault> {
    if t.is_empty() || Value::Object(render(t, s)).to_string().len() <= MAX_BYTES {
        Ok(())
    } else {
        Err(Fault::MetadataInvalid)
    }
}

fn value(v: &Value, s: &Subject) -> Value {
    match v {
        Value::String(text) => match whole(text) {
            Some(code) => lookup(code, s).unwrap_or(Value::Null),
            None => Value::String(interpolate(text, s)),
        },
        Value::Array(a) => Value::Array(a.iter().map(|v| value(v, s)).collect()),
        Value::Object(o) => Value::Object(render(o, s)),
        v => v.clone(),
    }
}

/// The shortcode a string is exactly, if it is one.
fn whole(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

/// `text` with each shortcode replaced by its value as text (nothing for
/// none; JSON for an object or a list).
fn interpolate(text: &str, s: &Subject) -> String {
    let (pieces, tail) = split(text);
    let mut out = String::new();
    for (before, code) in pieces {
        out.push_str(before);
        match lookup(code, s) {
            Some(Value::String(v)) => out.push_str(&v),
            Some(Value::Null) | None => {}
            Some(v) => out.push_str(&v.to_string()),
        }
    }
    out.push_str(tail);
    out
}

/// `text` cut at its shortcodes: each with the text before it, then the
/// text after the last.
fn split(text: &str) -> (Vec<(&str, &str)>, &str) {
    let mut pieces = vec![];
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        pieces.push((&rest[..start], rest[start + 2..start + len].trim()));
        rest = &rest[start + len + 2..];
    }
    (pieces, rest)
}

/// A known shortcode's field and key path (`user.public_metadata.org.id`:
/// `public_metadata`, `org.id`); None for any other.
fn parse(code: &str) -> Option<(&str, Option<&str>)> {
    let rest = code.strip_prefix("user.")?;
    let (field, path) = match rest.split_once('.') {
        Some((f, p)) => (f, Some(p)),
        None => (rest, None),
    };
    match (field, path) {
        ("id" | "primary_email_address" | "created_at" | "public_metadata" | "unsafe_metadata", None) => {
            Some((field, None))
        }
        ("public_metadata" | "unsafe_metadata", Some(p)) if p.split('.').all(|k| !k.is_empty()) => Some((field, path)),
        _ => None,
    }
}

fn lookup(code: &str, s: &Subject) -> Option<Value> {
    let (field, path) = parse(code)?;
    let object = |o: &Object| match path {
        None => Some(Value::Object(o.clone())),
        Some(p) => {
            let mut keys = p.split('.');
            let first = o.get(keys.next()?)?;
            keys.try_fold(first, |v, k| v.get(k)).cloned()
        }
    };
    match field {
        "id" => Some(Value::String(s.id.into())),
        "primary_email_address" => Some(Value::String(s.email.into())),
        "created_at" => Some(Value::from(s.created_at)),
        "public_metadata" => object(s.public_metadata),
        _ => object(s.unsafe_metadata),
    }
}

/// Calls `f` with every shortcode in `t`'s strings.
fn walk(t: &Object, f: &mut impl FnMut(&str)) {
    fn of(v: &Value, f: &mut impl FnMut(&str)) {
        match v {
            Value::String(text) => split(text).0.into_iter().for_each(|(_, code)| f(code)),
            Value::Array(a) => a.iter().for_each(|v| of(v, f)),
            Value::Object(o) => o.values().for_each(|v| of(v, f)),
            _ => {}
        }
    }
    t.values().for_each(|v| of(v, f));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        match v {
            Value::Object(o) => o,
            _ => Object::new(),
        }
    }

    fn subject<'a>(public: &'a Object, unsafe_: &'a Object) -> Subject<'a> {
        Subject {
            id: "user_1",
            email: "ann@example.com",
            created_at: 1_700_000_000,
            public_metadata: public,
            unsafe_metadata: unsafe_,
        }
    }

    #[test]
    fn a_whole_shortcode_is_its_value_and_text_gets_it_written_in() {
        let public = obj(json!({ "role": "admin", "org": { "id": 7, "tags": ["a"] } }));
        let unsafe_ = obj(json!({ "step": 2 }));
        let t = obj(json!({
            "role": "{{user.public_metadata.role}}",
            "org": "{{ user.public_metadata.org }}",
            "org_id": "{{user.public_metadata.org.id}}",
            "meta": "{{user.public_metadata}}",
            "greeting": "hi {{user.primary_email_address}} ({{user.public_metadata.org.id}}){{user.public_metadata.nope}}",
            "missing": "{{user.public_metadata.nope}}",
            "nested": { "step": "{{user.unsafe_metadata.step}}", "list": ["{{user.id}}", 1] },
            "since": "{{user.created_at}}",
            "fixed": true,
        }));
        assert_eq!(check(&t), Ok(()));
        let out = Value::Object(render(&t, &subject(&public, &unsafe_)));
        assert_eq!(
            out,
            json!({
                "role": "admin",
                "org": { "id": 7, "tags": ["a"] },
                "org_id": 7,
                "meta": { "role": "admin", "org": { "id": 7, "tags": ["a"] } },
                "greeting": "hi ann@example.com (7)",
                "missing": null,
                "nested": { "step": 2, "list": ["user_1", 1] },
                "since": 1_700_000_000,
                "fixed": true,
            })
        );
    }

    #[test]
    fn a_template_is_checked_at_start_up() {
        assert!(check(&obj(json!({ "sub": "x" }))).unwrap_err().contains("\"sub\""));
        let e = check(&obj(json!({ "a": "{{user.private_metadata}}" }))).unwrap_err();
        assert!(e.contains("{{user.private_metadata}}"), "{e}");
        assert!(check(&obj(json!({ "a": ["{{org.id}}"] }))).is_err());
        assert!(check(&obj(json!({ "a": "{{user.public_metadata..x}}" }))).is_err());
        assert!(check(&obj(json!({ "a": "x".repeat(MAX_BYTES) }))).is_err());
        assert_eq!(check(&Object::new()), Ok(()));
    }

    #[test]
    fn metadata_that_would_overflow_the_claims_is_refused() {
        let t = obj(json!({ "meta": "{{user.public_metadata}}" }));
        let small = obj(json!({ "a": 1 }));
        let big = obj(json!({ "a": "x".repeat(MAX_BYTES) }));
        let none = Object::new();
        assert_eq!(fits(&t, &subject(&small, &none)), Ok(()));
        assert_eq!(fits(&t, &subject(&big, &none)), Err(Fault::MetadataInvalid));
        assert_eq!(fits(&Object::new(), &subject(&big, &none)), Ok(()), "no template, no limit here");
    }
}
