//! One error state per plain form post (no JavaScript). Leptos sends a failed
//! post back to its page with the error in the query (`__path`, `__err`),
//! where it piles up post after post and comes back on every reload. The
//! guard moves it into a short-lived cookie instead, with the email address
//! the visitor typed and the verification method chosen; the next page shows
//! them once and clears the cookie. A post that worked may leave news for
//! its page the same way (an unlock), with new backup codes sealed by the
//! service (the page after a post is the only one that shows them).

use http::{HeaderMap, HeaderValue, Uri};

/// The query keys Leptos reads a form post's error from.
const KEYS: [&str; 2] = ["__path", "__err"];
/// The form fields kept for the page: the email address typed (never a
/// password or a code).
const KEPT_FIELDS: [&str; 2] = ["identifier", "email_address"];
/// Long enough for the browser to follow the redirect.
const MAX_AGE: i64 = 60;
/// Longer than any sealed codes we make: not ours.
const MAX_SEALED: usize = 2048;

/// What the page after a failed post gets, as a request extension (the
/// error itself goes back into the query).
pub use proto::Kept;

/// A strategy's name, as the forms send it; anything else is not kept.
fn is_strategy(v: &str) -> bool {
    (1..=32).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn cookie_name(dev: bool) -> &'static str {
    if dev {
        "flash"
    } else {
        "__Host-flash"
    }
}

fn is_error_key(k: &str) -> bool {
    KEYS.contains(&k)
}

/// A redirect's location without Leptos's error pairs, and those pairs
/// (`None` when it has none).
pub fn split_location(location: &str) -> (String, Option<Vec<(String, String)>>) {
    let (rest, fragment) = match location.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (location, None),
    };
    let Some((base, query)) = rest.split_once('?') else { return (location.to_string(), None) };
    let (errors, others): (Vec<_>, Vec<_>) =
        form_urlencoded::parse(query.as_bytes()).into_owned().partition(|(k, _)| is_error_key(k));
    if errors.is_empty() {
        return (location.to_string(), None);
    }
    let mut clean = base.to_string();
    if !others.is_empty() {
        clean.push('?');
        clean.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(others).finish());
    }
    if let Some(f) = fragment {
        clean.push('#');
        clean.push_str(f);
    }
    // The last error is this post's; earlier ones came in with the Referer.
    let last = |key: &str| errors.iter().rev().find(|(k, _)| k == key).cloned();
    let pairs: Vec<(String, String)> = KEYS.iter().filter_map(|k| last(k)).collect();
    (clean, Some(pairs))
}

/// What a form body carried that the next page keeps: the email address
/// and the strategy chosen.
pub fn typed(form: &[u8]) -> Kept {
    let mut kept = Kept::default();
    for (k, v) in form_urlencoded::parse(form) {
        if KEPT_FIELDS.contains(&k.as_ref()) && !v.trim().is_empty() && kept.identifier.is_none() {
            kept.identifier = Some(v.chars().take(320).collect());
        } else if k == "strategy" && is_strategy(&v) {
            kept.strategy = Some(v.into_owned());
        }
    }
    kept
}

/// The cookie that carries `errors` and what was `kept` to the next page.
pub fn set_cookie(dev: bool, errors: &[(String, String)], kept: &Kept) -> Option<HeaderValue> {
    let mut value = form_urlencoded::Serializer::new(String::new());
    value.extend_pairs(errors);
    if let Some(id) = &kept.identifier {
        value.append_pair("id", id);
    }
    if let Some(s) = &kept.strategy {
        value.append_pair("strategy", s);
    }
    if let Some(n) = kept.notice {
        value.append_pair("notice", n.as_str());
    }
    if let Some(c) = &kept.codes {
        value.append_pair("codes", c);
    }
    crate::set_cookie_header(dev, cookie_name(dev), &value.finish(), MAX_AGE)
}

/// The header that clears the cookie once its page is shown.
pub fn clear_cookie(dev: bool) -> Option<HeaderValue> {
    crate::set_cookie_header(dev, cookie_name(dev), "", 0)
}

/// A page request carrying the cookie: its URI with the error pairs put back
/// into the query (where Leptos reads them), and what was kept.
pub fn take(dev: bool, headers: &HeaderMap, uri: &Uri) -> Option<(Uri, Kept)> {
    let raw = crate::cookie(headers, cookie_name(dev))?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut kept = Kept::default();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()).into_owned() {
        match k.as_str() {
            "id" => kept.identifier = Some(v),
            "strategy" if is_strategy(&v) => kept.strategy = Some(v),
            "notice" => kept.notice = proto::Notice::parse(&v),
            "codes" if v.len() <= MAX_SEALED => kept.codes = Some(v),
            k if is_error_key(k) => pairs.push((k.to_string(), v)),
            _ => {}
        }
    }
    // The page's own query, less any error pairs (a stale link's).
    let own = uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().filter(|(k, _)| !is_error_key(k)));
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(own) = own {
        query.extend_pairs(own);
    }
    query.extend_pairs(&pairs);
    let path_and_query = format!("{}?{}", uri.path(), query.finish());
    let uri = Uri::builder().path_and_query(path_and_query).build().ok()?;
    Some((uri, kept))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use http::header;

    #[test]
    fn a_location_loses_every_error_pair_and_keeps_the_last() {
        let (clean, errs) =
            split_location("http://h/sign-in?redirect_url=%2Fx&__path=%2Fa&__err=old&__path=%2Fapi%2Fp&__err=new#top");
        assert_eq!(clean, "http://h/sign-in?redirect_url=%2Fx#top");
        assert_eq!(
            errs.unwrap(),
            vec![("__path".to_string(), "/api/p".to_string()), ("__err".to_string(), "new".to_string())]
        );
        assert_eq!(split_location("/sign-in?__err=x").0, "/sign-in");
        assert_eq!(split_location("/"), ("/".to_string(), None));
        assert_eq!(split_location("/a?b=c"), ("/a?b=c".to_string(), None));
    }

    #[test]
    fn only_the_email_and_the_method_are_kept() {
        let id = |form: &[u8]| typed(form).identifier;
        assert_eq!(id(b"identifier=a%40b.test&password=secret").as_deref(), Some("a@b.test"));
        assert_eq!(id(b"email_address=c%40d.test&password=x").as_deref(), Some("c@d.test"));
        assert_eq!(typed(b"password=secret&code=123456"), Kept::default(), "never a secret");
        assert_eq!(id(b"identifier=+&password=x"), None);
        let k = typed(b"strategy=backup_code&backup_code=abcd-efgh&code=");
        assert_eq!((k.identifier, k.strategy.as_deref()), (None, Some("backup_code")));
        assert_eq!(typed(b"strategy=%3Cscript%3E").strategy, None, "only a strategy's name");
    }

    #[test]
    fn the_cookie_brings_the_error_back_once() {
        let errs = vec![("__path".to_string(), "/api/p".to_string()), ("__err".to_string(), "{\"a\":1}".to_string())];
        let kept = Kept {
            identifier: Some("a@b.test".into()),
            strategy: Some("phone_code".into()),
            notice: None,
            codes: Some("v1:00ff".into()),
        };
        let set = set_cookie(false, &errs, &kept).unwrap();
        let set = set.to_str().unwrap();
        assert!(set.starts_with("__Host-flash=") && set.contains("HttpOnly") && set.contains("Secure"), "{set}");
        let value = set.split(';').next().unwrap();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("session=s; {value}")).unwrap());
        let uri: Uri = "/sign-in?redirect_url=%2Fx&__err=stale".parse().unwrap();
        let (uri, back) = take(false, &h, &uri).unwrap();
        assert_eq!(back, kept);
        let q: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap().as_bytes()).into_owned().collect();
        assert_eq!(q[0], ("redirect_url".into(), "/x".into()));
        assert_eq!(&q[1..], &errs[..]);
        assert_eq!(uri.path(), "/sign-in");
        // The development cookie has another name: a production page ignores it.
        assert!(take(true, &h, &uri).is_none());
        assert!(clear_cookie(false).unwrap().to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn a_notice_comes_back_without_an_error() {
        let kept =
            Kept { identifier: Some("a@b.test".into()), notice: Some(proto::Notice::Unlocked), ..Kept::default() };
        let set = set_cookie(false, &[], &kept).unwrap();
        let value = set.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        let (uri, back) = take(false, &h, &"/sign-in".parse().unwrap()).unwrap();
        assert_eq!((uri.path(), uri.query()), ("/sign-in", Some("")));
        assert_eq!(back, kept);
        // Only a notice we know.
        h.insert(header::COOKIE, HeaderValue::from_static("__Host-flash=notice=owned"));
        assert_eq!(take(false, &h, &"/sign-in".parse().unwrap()).unwrap().1.notice, None);
        // Nothing longer than sealed codes can be.
        let long = format!("__Host-flash=codes={}", "a".repeat(MAX_SEALED + 1));
        h.insert(header::COOKIE, HeaderValue::from_str(&long).unwrap());
        assert_eq!(take(false, &h, &"/sign-in".parse().unwrap()).unwrap().1.codes, None);
    }
}
