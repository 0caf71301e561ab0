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
        if !valid_host(host) {
            return None;
        }
        Some((Origin { scheme, host: host.to_ascii_lowercase(), port }, tail))
    }

    /// The host name (or IP literal), lowercase, without the port.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// `scheme://host[:port]`, the port only when not the scheme's default.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = if self.scheme == "https" { 443 } else { 80 };
        write!(f, "{}://{}", self.scheme, self.host)?;
        if self.port != default {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// A DNS name or IPv4 address (letters, digits, `-`, `.`, `_`), or an IPv6
/// literal in brackets: what a URL's host may be once browsers have encoded
/// it. Anything else (`ex ample`, `a,b`, `%`) is no host of ours.
fn valid_host(host: &str) -> bool {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.len() <= 253
                && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        }
    }
}

/// Why a request's Host is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadHost {
    /// Missing (with no origin configured) or not a host at all: 400.
    Invalid,
    /// A host this server does not answer for (outside development): 421.
    Unknown,
}

/// The origin a request is answered as: the one place links in emails,
/// texted codes' domain lines, the token issuer and redirects take it from.
///
/// `configured` (`MFA_ORIGIN`) when set; else, in development, the request's
/// Host over plain HTTP; else the Host over TLS, if `allowed_hosts` names
/// it. Outside development a Host that is neither the configured origin's
/// nor listed is refused, so a forged Host never reaches a link.
pub fn request_origin(
    configured: Option<&Origin>,
    allowed_hosts: &[String],
    dev: bool,
    headers: &HeaderMap,
    uri: &http::Uri,
) -> Result<Origin, BadHost> {
    let host = match headers.get(header::HOST) {
        Some(h) => Some(h.to_str().map_err(|_| BadHost::Invalid)?),
        None => uri.authority().map(|a| a.as_str()),
    };
    let Some(host) = host else { return configured.cloned().ok_or(BadHost::Invalid) };
    let scheme = configured.map(|o| o.scheme).unwrap_or(if dev { "http" } else { "https" });
    let asked = match Origin::parse(&format!("{scheme}://{host}")) {
        Some((o, "")) => o,
        _ => return Err(BadHost::Invalid),
    };
    let listed = || allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&asked.host));
    match configured {
        Some(o) if dev || o.host == asked.host || listed() => Ok(o.clone()),
        None if dev || listed() => Ok(asked),
        _ => Err(BadHost::Unknown),
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
    crate::query_param(Some(query), "redirect_url")
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

    fn own(cfg: Option<&Origin>, dev: bool, h: &HeaderMap) -> Option<Origin> {
        // The tests of the origin rules list their own host.
        let listed = ["auth.example.com".to_string()];
        request_origin(cfg, &listed, dev, h, &http::Uri::default()).ok()
    }

    fn same(cfg: Option<&str>, pairs: &[(&'static str, &'static str)]) -> bool {
        let h = headers(pairs);
        let cfg = cfg.and_then(Origin::parse).map(|(o, _)| o);
        same_origin(own(cfg.as_ref(), true, &h).as_ref(), &h)
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
        assert!(!same_origin(own(None, false, &h).as_ref(), &h));
        let h = headers(&[("host", "auth.example.com"), ("origin", "https://auth.example.com")]);
        assert!(same_origin(own(None, false, &h).as_ref(), &h));
    }

    #[test]
    fn links_never_take_an_unlisted_host() {
        let uri = http::Uri::default();
        let at = |cfg: Option<&str>, listed: &[&str], dev: bool, host: &'static str| {
            let cfg = cfg.and_then(Origin::parse).map(|(o, _)| o);
            let listed: Vec<String> = listed.iter().map(|h| h.to_string()).collect();
            let h = if host == "-" { HeaderMap::new() } else { headers(&[("host", host)]) };
            request_origin(cfg.as_ref(), &listed, dev, &h, &uri).map(|o| o.to_string())
        };
        let configured = Some("https://auth.example.com");
        // Production: the configured origin, whatever the Host; a foreign Host is refused.
        assert_eq!(at(configured, &[], false, "auth.example.com").as_deref(), Ok("https://auth.example.com"));
        assert_eq!(at(configured, &[], false, "AUTH.example.com:8443").as_deref(), Ok("https://auth.example.com"));
        assert_eq!(at(configured, &[], false, "evil.example"), Err(BadHost::Unknown));
        assert_eq!(at(configured, &["10.0.0.5"], false, "10.0.0.5:3000").as_deref(), Ok("https://auth.example.com"));
        assert_eq!(at(configured, &[], false, "-").as_deref(), Ok("https://auth.example.com"));
        // Production without an origin: only the listed hosts, over TLS.
        assert_eq!(
            at(None, &["auth.example.org"], false, "auth.example.org").as_deref(),
            Ok("https://auth.example.org")
        );
        assert_eq!(at(None, &["auth.example.org"], false, "evil.example"), Err(BadHost::Unknown));
        assert_eq!(at(None, &[], false, "auth.example.org"), Err(BadHost::Unknown));
        // Development: the Host as asked, over plain HTTP.
        assert_eq!(at(None, &[], true, "localhost:3000").as_deref(), Ok("http://localhost:3000"));
        // Not a host at all: refused in every mode.
        for bad in ["", "ex ample", "a,b", "evil.example/x", "u@evil.example", "ex%61mple", "[zz]", "a:b:c"] {
            assert_eq!(at(None, &[], true, bad), Err(BadHost::Invalid), "{bad:?}");
            assert_eq!(at(configured, &[], false, bad), Err(BadHost::Invalid), "{bad:?}");
        }
        assert_eq!(at(None, &[], true, "-"), Err(BadHost::Invalid));
        assert_eq!(at(None, &[], true, "[::1]:3000").as_deref(), Ok("http://[::1]:3000"));
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
        let own = own(None, true, &h);
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
