//! This server's own origin, compared as browsers compare origins (scheme,
//! host and port), and the redirect targets that stay on it.

use http::{header, HeaderMap};

/// A web origin. The port is explicit: the scheme's default when absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: &'static str,
    host: String,
    port: u16,
}

impl Origin {
    /// `http(s)://host[:port]` and what follows it (path, query), or `None`
    /// for anything else: `null`, another scheme, userinfo, a bad port.
    pub fn parse(url: &str) -> Option<(Origin, &str)> {
        let (scheme, rest) = url.split_once("://")?;
        let (scheme, default) = match scheme.to_ascii_lowercase().as_str() {
            "http" => ("http", 80),
            "https" => ("https", 443),
            _ => return None,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.is_empty() || authority.contains(['@', '\\']) || authority.chars().any(char::is_whitespace) {
            return None;
        }
        // The port's colon is the last one outside an IPv6 literal's brackets.
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
            _ => (authority, None),
        };
        let port = match port {
            Some(p) => p.parse().ok()?,
            None => default,
        };
        if host.is_empty() {
            return None;
        }
        Some((Origin { scheme, host: host.to_ascii_lowercase(), port }, tail))
    }

    /// The origin browsers use to reach this server: `MFA_ORIGIN`, or else
    /// the request's Host with the scheme of the mode (plain HTTP only in
    /// development; behind TLS otherwise).
    pub fn own(configured: Option<&Origin>, dev: bool, headers: &HeaderMap) -> Option<Origin> {
        if let Some(o) = configured {
            return Some(o.clone());
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let scheme = if dev { "http" } else { "https" };
        Origin::parse(&format!("{scheme}://{host}")).map(|(o, _)| o)
    }
}

/// Is this state-changing request from our own origin? Browsers send
/// `Sec-Fetch-Site` and `Origin`; a request with neither is not from a
/// browser page, so no ambient cookie of a victim rides on it.
pub fn same_origin(own: Option<&Origin>, headers: &HeaderMap) -> bool {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    let Some(origin) = get("origin") else { return true };
    match (own, Origin::parse(origin)) {
        (Some(own), Some((o, tail))) => (tail.is_empty() || tail == "/") && o == *own,
        _ => false,
    }
}

/// Is `target` a place on this server: a path (not `//host`, which browsers
/// read as another host, nor `/\host`), or a URL of our own origin?
pub fn is_local(target: &str, own: Option<&Origin>) -> bool {
    // Browsers drop tabs and newlines from URLs: `/\t/evil` is `//evil`.
    if target.chars().any(|c| c.is_control() || c == '\\') {
        return false;
    }
    if let Some(path) = target.strip_prefix('/') {
        return !path.starts_with('/');
    }
    match (Origin::parse(target), own) {
        (Some((o, _)), Some(own)) => o == *own,
        _ => false,
    }
}

/// Where a finished sign-in may send the browser (`redirect_url`): a place
/// on this server, or a URL of an origin the operator allowed
/// (`redirect_origins`). Anything else would be an open redirect.
pub fn allowed_redirect(target: &str, own: Option<&Origin>, allowed: &[Origin]) -> bool {
    is_local(target, own)
        || (!target.chars().any(|c| c.is_control() || c == '\\')
            && Origin::parse(target).is_some_and(|(o, _)| allowed.contains(&o)))
}

/// `base` (a sign-in page) with `redirect_url=target`.
pub fn with_redirect(base: &str, target: &str) -> String {
    let enc: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
    format!("{base}?redirect_url={enc}")
}

/// The `redirect_url` query parameter of a page's URL (a sign-in page's
/// Referer), decoded.
pub fn redirect_param(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "redirect_url").map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn same(cfg: Option<&str>, pairs: &[(&'static str, &'static str)]) -> bool {
        let h = headers(pairs);
        let cfg = cfg.and_then(Origin::parse).map(|(o, _)| o);
        same_origin(Origin::own(cfg.as_ref(), true, &h).as_ref(), &h)
    }

    #[test]
    fn origin_rules() {
        let host = ("host", "127.0.0.1:3000");
        assert!(same(None, &[host]), "no browser headers: not a browser page");
        assert!(same(None, &[host, ("origin", "http://127.0.0.1:3000")]));
        assert!(!same(None, &[host, ("origin", "http://evil.test")]));
        assert!(!same(None, &[host, ("origin", "null")]));
        assert!(!same(None, &[host, ("sec-fetch-site", "cross-site")]));
        assert!(!same(None, &[host, ("sec-fetch-site", "same-site")]));
        assert!(same(None, &[host, ("sec-fetch-site", "same-origin")]));
        let cfg = Some("https://auth.example.com");
        assert!(same(cfg, &[host, ("origin", "https://auth.example.com")]));
        assert!(!same(cfg, &[host, ("origin", "http://127.0.0.1:3000")]));
    }

    #[test]
    fn scheme_host_and_port_all_count() {
        let host = ("host", "127.0.0.1:3000");
        assert!(!same(None, &[host, ("origin", "https://127.0.0.1:3000")]), "another scheme");
        assert!(!same(None, &[host, ("origin", "http://127.0.0.1:3001")]), "another port");
        assert!(!same(None, &[host, ("origin", "http://127.0.0.1")]), "the default port is another port");
        assert!(!same(None, &[host, ("origin", "http://127.0.0.1:3000/x")]), "not an origin");
        assert!(same(None, &[host, ("origin", "HTTP://127.0.0.1:3000")]), "schemes ignore case");
        let cfg = Some("https://Auth.example.com/");
        assert!(same(cfg, &[("origin", "https://auth.example.com:443")]), "the default port, spelt out");
        assert!(!same(cfg, &[("origin", "http://auth.example.com")]));
        // Outside development, without MFA_ORIGIN, browsers reach us over TLS.
        let h = headers(&[("host", "auth.example.com"), ("origin", "http://auth.example.com")]);
        assert!(!same_origin(Origin::own(None, false, &h).as_ref(), &h));
        let h = headers(&[("host", "auth.example.com"), ("origin", "https://auth.example.com")]);
        assert!(same_origin(Origin::own(None, false, &h).as_ref(), &h));
    }

    #[test]
    fn origins_parse_strictly() {
        for bad in
            ["", "null", "evil.example", "ftp://a.example", "http://", "http://:80", "http://a:99999", "http://u@a"]
        {
            assert!(Origin::parse(bad).is_none(), "{bad}");
        }
        let (o, tail) = Origin::parse("http://[::1]:8080/p?q").unwrap();
        assert_eq!((o.host.as_str(), o.port, tail), ("[::1]", 8080, "/p?q"));
    }

    #[test]
    fn only_our_own_pages_are_redirect_targets() {
        let h = headers(&[("host", "127.0.0.1:3000")]);
        let own = Origin::own(None, true, &h);
        let own = own.as_ref();
        for ok in ["/", "/sign-in?__err=x", "http://127.0.0.1:3000/sign-in"] {
            assert!(is_local(ok, own), "{ok}");
        }
        for bad in [
            "https://evil.example/phish",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://127.0.0.1:3000/",
            "http://127.0.0.1:3000.evil.example/",
            "javascript:alert(1)",
            "evil.example",
        ] {
            assert!(!is_local(bad, own), "{bad}");
        }
        assert!(!is_local("http://127.0.0.1:3000/", None), "no own origin: paths only");
    }

    #[test]
    fn redirects_go_only_to_us_and_the_allowed_origins() {
        let own = Origin::parse("https://auth.example").map(|(o, _)| o);
        let allowed: Vec<Origin> = ["https://app.example", "http://127.0.0.1:8088"]
            .iter()
            .filter_map(|o| Origin::parse(o).map(|(o, _)| o))
            .collect();
        for ok in ["/account", "https://auth.example/x", "https://app.example/a?b=c", "http://127.0.0.1:8088/"] {
            assert!(allowed_redirect(ok, own.as_ref(), &allowed), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "https://app.example.evil.example/",
            "http://app.example/",
            "https://app.example:444/",
            "https://user@app.example/",
            "//app.example/",
            "https://app.example/\t",
            "javascript:alert(1)",
        ] {
            assert!(!allowed_redirect(bad, own.as_ref(), &allowed), "{bad}");
        }
        assert_eq!(
            redirect_param("http://h/sign-in?x=1&redirect_url=https%3A%2F%2Fapp.example%2Fa%3Fb%3Dc#f").as_deref(),
            Some("https://app.example/a?b=c")
        );
        assert_eq!(redirect_param("http://h/sign-in?x=1"), None);
        let round = with_redirect("https://auth.example/sign-in", "https://app.example/a?b=c&d");
        assert_eq!(redirect_param(&round).as_deref(), Some("https://app.example/a?b=c&d"));
        assert_eq!(redirect_param("http://h/sign-in"), None);
    }
}
