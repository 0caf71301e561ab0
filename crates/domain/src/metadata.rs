//! User metadata as Clerk keeps it: three JSON objects per user — public
//! (the app's backend writes it, the user reads it, session tokens may
//! carry it), private (the backend's alone) and unsafe (the user writes it
//! too). Each is an object of bounded size and depth.

use crate::store::Metadata;
use proto::Fault;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The most one object may hold, serialized: Clerk's limit for metadata.
pub const MAX_BYTES: usize = 8 * 1024;
/// How deep objects and arrays may nest (the merge recurses).
pub const MAX_DEPTH: usize = 16;

/// Writes that found the metadata changed since read, read again and
/// retried, before the change gives up (`Unavailable`).
pub const TRIES: usize = 8;

pub type Object = Map<String, Value>;

/// A value as clients send it: Clerk's SDKs send metadata in a form as its
/// JSON text.
pub fn from_wire(v: Value) -> Result<Value, Fault> {
    match v {
        Value::String(s) => serde_json::from_str(&s).map_err(|_| Fault::MetadataInvalid),
        v => Ok(v),
    }
}

/// `v` as metadata to store: an object within the size and depth limits.
pub fn checked(v: Value) -> Result<Object, Fault> {
    let Value::Object(o) = v else { return Err(Fault::MetadataInvalid) };
    if depth(&o) > MAX_DEPTH || text(&o).len() > MAX_BYTES {
        return Err(Fault::MetadataInvalid);
    }
    Ok(o)
}

/// Clerk's `updateUserMetadata`: `patch` merged into `base`, objects into
/// objects at every level; a null removes its key. The result is checked.
pub fn merged(mut base: Object, patch: Object) -> Result<Object, Fault> {
    merge(&mut base, patch);
    checked(Value::Object(base))
}

fn merge(base: &mut Object, patch: Object) {
    for (k, v) in patch {
        match (base.get_mut(&k), v) {
            (_, Value::Null) => {
                base.remove(&k);
            }
            (Some(Value::Object(b)), Value::Object(p)) => merge(b, p),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The objects a change names; one left out stays as it is. A null names
/// its object too: it empties it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    #[serde(default, deserialize_with = "named")]
    pub public_metadata: Option<Value>,
    #[serde(default, deserialize_with = "named")]
    pub private_metadata: Option<Value>,
    #[serde(default, deserialize_with = "named")]
    pub unsafe_metadata: Option<Value>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.public_metadata.is_none() && self.private_metadata.is_none() && self.unsafe_metadata.is_none()
    }
}

/// A field present, null included (serde's `Option` reads null as absent).
fn named<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// How a change meets what is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// `updateUserMetadata`: merged deeply (`merged`).
    Merge,
    /// `replaceUserMetadata`, `updateUser`, `createUser`: each named object
    /// replaced whole.
    Replace,
}

/// The stored metadata after `change`, each object checked.
pub fn apply(old: &Metadata, change: &Change, how: How) -> Result<Metadata, Fault> {
    let one = |stored: &str, named: &Option<Value>| -> Result<String, Fault> {
        let Some(v) = named else { return Ok(stored.to_string()) };
        let o = match (v, how) {
            (Value::Null, _) => Object::new(),
            (v, How::Replace) => checked(v.clone())?,
            (v, How::Merge) => merged(parse(stored), checked(v.clone())?)?,
        };
        Ok(text(&o))
    };
    Ok(Metadata {
        public: one(&old.public, &change.public_metadata)?,
        private: one(&old.private, &change.private_metadata)?,
        unsafe_: one(&old.unsafe_, &change.unsafe_metadata)?,
    })
}

/// Stored metadata read back. It was checked when written; a row that is
/// not an object reads as empty (and is logged), never as an error.
pub fn parse(s: &str) -> Object {
    match serde_json::from_str(s) {
        Ok(Value::Object(o)) => o,
        _ => {
            tracing::error!("user metadata that is not a JSON object: read as {{}}");
            Object::new()
        }
    }
}

/// The stored text of `o`.
pub fn text(o: &Object) -> String {
    Value::Object(o.clone()).to_string()
}

fn depth(o: &Object) -> usize {
    fn of(v: &Value) -> usize {
        match v {
            Value::Object(o) => 1 + o.values().map(of).max().unwrap_or(0),
            Value::Array(a) => 1 + a.iter().map(of).max().unwrap_or(0),
            _ => 0,
        }
    }
    1 + o.values().map(of).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        checked(v).unwrap()
    }

    #[test]
    fn only_objects_within_the_limits_are_metadata() {
        assert_eq!(checked(json!({})), Ok(Object::new()));
        for v in [json!(null), json!([]), json!("role"), json!(1)] {
            assert_eq!(checked(v.clone()), Err(Fault::MetadataInvalid), "{v}");
        }
        let big = "x".repeat(MAX_BYTES);
        assert_eq!(checked(json!({ "a": big })), Err(Fault::MetadataInvalid));
        assert!(checked(json!({ "a": "x".repeat(MAX_BYTES - 10) })).is_ok(), "exactly at the limit");
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!({ "a": deep });
        }
        assert!(checked(deep.clone()).is_ok(), "{MAX_DEPTH} levels");
        assert_eq!(checked(json!({ "a": deep })), Err(Fault::MetadataInvalid));
    }

    #[test]
    fn a_merge_is_deep_and_a_null_removes() {
        let base = obj(json!({ "role": "admin", "prefs": { "theme": "dark", "lang": "en" }, "tags": [1, 2] }));
        let patch = obj(json!({ "prefs": { "lang": null, "tz": "UTC" }, "tags": [3], "role": null, "new": true }));
        let out = merged(base, patch).unwrap();
        assert_eq!(Value::Object(out), json!({ "prefs": { "theme": "dark", "tz": "UTC" }, "tags": [3], "new": true }));
        // An object replaces a scalar, and a scalar an object.
        let out = merged(obj(json!({ "a": 1, "b": { "c": 1 } })), obj(json!({ "a": { "x": 1 }, "b": 2 }))).unwrap();
        assert_eq!(Value::Object(out), json!({ "a": { "x": 1 }, "b": 2 }));
        // A merge that grows past the limit is refused.
        let half = "x".repeat(MAX_BYTES / 2 + 1);
        let r = merged(obj(json!({ "a": half.clone() })), obj(json!({ "b": half })));
        assert_eq!(r, Err(Fault::MetadataInvalid));
    }

    #[test]
    fn a_change_names_its_objects_and_leaves_the_rest() {
        let old =
            Metadata { public: r#"{"a":{"b":1,"c":2}}"#.into(), private: r#"{"p":1}"#.into(), ..Default::default() };
        let change: Change = serde_json::from_value(json!({ "public_metadata": { "a": { "b": null } } })).unwrap();
        let merged = apply(&old, &change, How::Merge).unwrap();
        assert_eq!((merged.public.as_str(), merged.private.as_str()), (r#"{"a":{"c":2}}"#, r#"{"p":1}"#));
        let replaced = apply(&old, &change, How::Replace).unwrap();
        assert_eq!(replaced.public, r#"{"a":{"b":null}}"#, "kept whole, nulls and all");
        // A null empties its object; absent leaves it.
        let change: Change = serde_json::from_value(json!({ "private_metadata": null })).unwrap();
        assert!(!change.is_empty());
        let out = apply(&old, &change, How::Replace).unwrap();
        assert_eq!((out.public.as_str(), out.private.as_str()), (old.public.as_str(), "{}"));
        assert!(Change::default().is_empty());
        let bad: Change = serde_json::from_value(json!({ "unsafe_metadata": [1] })).unwrap();
        assert_eq!(apply(&old, &bad, How::Merge), Err(Fault::MetadataInvalid));
    }

    #[test]
    fn a_form_sends_the_json_text() {
        assert_eq!(from_wire(json!(r#"{"a":1}"#)), Ok(json!({ "a": 1 })));
        assert_eq!(from_wire(json!({ "a": 1 })), Ok(json!({ "a": 1 })));
        assert_eq!(from_wire(json!("{not json")), Err(Fault::MetadataInvalid));
    }

    #[test]
    fn a_broken_row_reads_as_empty() {
        assert_eq!(parse(r#"{"a":1}"#), obj(json!({ "a": 1 })));
        assert_eq!(parse("[1]"), Object::new());
        assert_eq!(parse("not json"), Object::new());
    }
}
