//! The HTTP edge shared by the server and the server functions: a request's
//! headers to the domain's `Request` (client IP under the trusted-proxy rule,
//! the tokens from cookies), its token changes to `Set-Cookie`, the origin
//! rules, and the guard in front of every route.

pub mod flash;
pub mod guard;
pub mod origin;

use domain::clock::{Clock, SystemClock};
use domain::request::{Change, Jar, Request};
use http::{header, request::Parts, HeaderMap, HeaderValue};
use origin::{allowed_redirect, redirect_param, request_origin, BadHost, Origin};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// How this server meets HTTP: the cookie mode, the proxies it believes, its
/// origin and where it may send browsers (the guard's rules too).
#[derive(Clone, Debug)]
pub struct Edge {
    /// Development over plain HTTP: cookies lose `__Host-` and `Secure`.
    pub dev: bool,
    /// Reverse proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// `MFA_ORIGIN`, parsed; without it, the request's own Host (in
    /// development, or if `allowed_hosts` lists it).
    pub own_origin: Option<Origin>,
    /// Host names this server answers for besides the origin's
    /// (`allowed_hosts`); outside development every other Host is refused.
    pub allowed_hosts: Vec<String>,
    /// Other origins a finished sign-in may go on to (`redirect_origins`).
    pub redirect_origins: Vec<Origin>,
    /// Other origins whose pages may call `/v1` (`allowed_origins`: CORS).
    pub allowed_origins: Vec<Origin>,
    /// Other origins images may come from, space-separated: the logos'
    /// (`branding.logo`, `logo_dark`).
    pub img_origin: Option<String>,
    /// When a request comes in (the service's clock: tests fix both).
    pub clock: Arc<dyn Clock>,
}

impl Default for Edge {
    fn default() -> Self {
        Edge {
            dev: false,
            trusted_proxies: vec![],
            own_origin: None,
            allowed_hosts: vec![],
            redirect_origins: vec![],
            allowed_origins: vec![],
            img_origin: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// How a client carries its tokens to `/v1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// A browser: the cookies.
    Cookies,
    /// A native app: the client token in `Authorization`, answered rotated
    /// in the response's `Authorization` header.
    Bearer,
}

/// A client token that is not ours (or a key to open it with missing).
#[derive(Debug, PartialEq, Eq)]
pub struct BadClientToken;

/// Is this a native client's request: an `Authorization` header, or
/// Clerk's `_is_native` flag (a first request, with no token yet)?
/// (The guard asks before the request is taken apart, hence headers and URI.)
pub fn is_native(headers: &HeaderMap, uri: &http::Uri) -> bool {
    headers.contains_key(header::AUTHORIZATION) || is_native_flag(uri.query())
}

/// Where Clerk's browser SDK with a development key puts its client.
pub const DEV_BROWSER: &str = "__clerk_db_jwt";

/// A native client's token from `Authorization` (`Bearer …`, or bare as
/// Clerk's SDKs send it); None when it has none yet (Clerk's Expo SDK sends
/// an empty one before its first answer).
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, BadClientToken> {
    let Some(v) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let v = v.to_str().map_err(|_| BadClientToken)?.trim();
    let token = match v.strip_prefix("Bearer") {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => rest.trim(),
        _ => v,
    };
    Ok((!token.is_empty()).then_some(token))
}

fn is_native_flag(query: Option<&str>) -> bool {
    query_param(query, "_is_native").is_some_and(|v| v == "1" || v == "true")
}

/// The first value of `key` in a URL's query, decoded.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query_params(query, key).into_iter().next()
}

/// Every value of `key` in a URL's query, decoded (`?k=a&k=b`).
pub fn query_params(query: Option<&str>, key: &str) -> Vec<String> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// A Backend API request's secret key (`Authorization: Bearer sk_…`), if
/// it sends a readable one. Cookies never count there.
pub fn secret_key(headers: &HeaderMap) -> Option<&str> {
    bearer(headers).ok().flatten()
}

impl Edge {
    /// The origin this request is answered as (`origin::request_origin`),
    /// or why its Host is refused.
    pub fn origin(&self, headers: &HeaderMap, uri: &http::Uri) -> Result<Origin, BadHost> {
        request_origin(self.own_origin.as_ref(), &self.allowed_hosts, self.dev, headers, uri)
    }

    /// `__Host-` cookies need HTTPS; development over HTTP drops the prefix.
    pub fn cookie_name(&self, jar: Jar) -> String {
        // Clerk's name, which apps' middleware already reads.
        if self.dev || jar == Jar::Token {
            jar.name().to_string()
        } else {
            format!("__Host-{}", jar.name())
        }
    }

    /// The domain's view of a `/v1` request, and how it carries its tokens:
    /// a browser's from the cookies; a native client's from its client
    /// token (never a cookie), which the use cases open (`client_token`).
    pub fn v1_request(&self, parts: &Parts) -> (Request, Carrier) {
        match is_native(&parts.headers, &parts.uri) || self.dev_browser(&parts.uri).is_some() {
            true => (self.client(parts, vec![]), Carrier::Bearer),
            false => (self.request(parts), Carrier::Cookies),
        }
    }

    /// A native request's client token: `Authorization`, or (development
    /// only) the dev browser's `__clerk_db_jwt` of a Clerk page with a
    /// development key.
    pub fn client_token(&self, parts: &Parts) -> Result<Option<String>, BadClientToken> {
        match bearer(&parts.headers)? {
            Some(t) => Ok(Some(t.to_string())),
            None => Ok(self.dev_browser(&parts.uri)),
        }
    }

    /// `__clerk_db_jwt` in the query, in development only: production
    /// keeps tokens out of URLs (use a live key there).
    fn dev_browser(&self, uri: &http::Uri) -> Option<String> {
        self.dev.then(|| query_param(uri.query(), DEV_BROWSER)).flatten().filter(|t| !t.is_empty())
    }

    /// A browser's token changes as `Set-Cookie`s (a native client's
    /// token comes from the use cases, `Service::keep_native`).
    pub fn answer(&self, req: &Request, carrier: Carrier, h: &mut HeaderMap) {
        if carrier == Carrier::Cookies {
            for c in req.changes() {
                if let Some(v) = self.set_cookie(c) {
                    h.append(header::SET_COOKIE, v);
                }
            }
        }
    }

    /// The domain's view of a request, as it comes in (the time read once,
    /// here): its client, and the tokens its cookies carry.
    pub fn request(&self, parts: &Parts) -> Request {
        let tokens = Jar::ALL
            .into_iter()
            .filter_map(|jar| cookie(&parts.headers, &self.cookie_name(jar)).map(|v| (jar, v.to_string())))
            .collect();
        self.client(parts, tokens)
    }

    /// The domain's view of a request that carries no token (the Backend
    /// API: its caller is named by its secret key, never by a cookie).
    pub fn bare_request(&self, parts: &Parts) -> Request {
        self.client(parts, vec![])
    }

    /// A request carrying `tokens`, from its client (IP, agent, language).
    fn client(&self, parts: &Parts, tokens: Vec<(Jar, String)>) -> Request {
        let now = self.clock.now();
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let h = &parts.headers;
        // The guard refused every request without one; empty past it only
        // in tests that build requests by hand.
        let own = self.origin(h, &parts.uri).ok();
        let origin = own.as_ref().map(|o| o.to_string()).unwrap_or_default();
        // A browser's Origin, if it is ours or an allowed one (a session token's `azp`).
        let party = h
            .get(header::ORIGIN)
            .and_then(|v| Origin::parse(v.to_str().ok()?))
            .filter(|(o, tail)| tail.is_empty() && (own.as_ref() == Some(o) || self.allowed_origins.contains(o)))
            .map(|(o, _)| o.to_string());
        let xff: Vec<&str> = h.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let text = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok());
        Request::new(now, resolve_ip(peer, &xff, &self.trusted_proxies), text(header::USER_AGENT), origin, tokens)
            .with_lang(self.lang(h))
            .with_device(h.get("x-device-model").and_then(|v| v.to_str().ok()))
            .with_party(party)
    }

    /// Where a finished sign-in goes on to: `asked` (an API client's
    /// `redirect_url`), else the `redirect_url` of the page it came from
    /// (the Referer: `/sign-in?redirect_url=…`), if allowed.
    pub fn onward(&self, parts: &Parts, asked: Option<&str>) -> Option<String> {
        let own = self.origin(&parts.headers, &parts.uri).ok();
        let from_page = || parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(redirect_param);
        let target = asked.filter(|a| !a.is_empty()).map(String::from).or_else(from_page)?;
        allowed_redirect(&target, own.as_ref(), &self.redirect_origins).then_some(target)
    }

    /// The language a request is answered in: the one chosen in the pages'
    /// menu (a cookie), else the best of ours that its `Accept-Language`
    /// asks for, else English.
    pub fn lang(&self, h: &HeaderMap) -> proto::Lang {
        let chosen = cookie(h, &self.lang_cookie()).and_then(proto::Lang::from_tag);
        chosen.unwrap_or_else(|| proto::Lang::negotiate(h.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())))
    }

    /// The cookie that keeps the language chosen in this browser (a year).
    pub fn lang_cookie_header(&self, lang: proto::Lang) -> Option<HeaderValue> {
        set_cookie_header(self.dev, &self.lang_cookie(), lang.tag(), 365 * 86_400)
    }

    fn lang_cookie(&self) -> String {
        if self.dev {
            "lang".into()
        } else {
            "__Host-lang".into()
        }
    }

    /// A token change as a `Set-Cookie` value: HttpOnly, Lax, the whole site.
    pub fn set_cookie(&self, c: &Change) -> Option<HeaderValue> {
        let (value, max_age) = c.set.as_ref().map(|(v, age)| (v.as_str(), *age)).unwrap_or(("", 0));
        set_cookie_header(self.dev, &self.cookie_name(c.jar), value, max_age)
    }
}

/// A `Set-Cookie` value: HttpOnly, Lax, the whole site, `Secure` unless in
/// development over plain HTTP.
pub(crate) fn set_cookie_header(dev: bool, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if dev { "" } else { "; Secure" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")).ok()
}

/// A new authenticator app as a page shows it: its secret, its otpauth URI,
/// and that URI as a QR code (an SVG document) to scan.
pub fn totp_setup(s: domain::service::TotpSecret) -> Result<proto::TotpSetup, proto::Fault> {
    let qr = qrcode::QrCode::new(s.uri.as_bytes()).map_err(|_| proto::Fault::Unavailable)?;
    let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    Ok(proto::TotpSetup { secret: s.secret, uri: s.uri, qr_svg })
}

/// A fault's HTTP status and `Retry-After` (seconds), as every edge
/// answers an API call with it.
pub fn fault_status(f: &proto::Fault) -> (http::StatusCode, Option<HeaderValue>) {
    let status = http::StatusCode::from_u16(f.http_status()).unwrap_or(http::StatusCode::BAD_REQUEST);
    (status, f.retry_after().map(HeaderValue::from))
}

/// A browser's navigation or plain form post (not a fetch from the page).
pub fn accepts_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// The first cookie called `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's IP: the socket's peer, unless that peer is a trusted proxy;
/// then the right-most X-Forwarded-For entry that is not a trusted proxy.
pub fn resolve_ip(peer: IpAddr, xff: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = xff.iter().flat_map(|v| v.split(',')).map(str::trim).collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        // Untrusted peer: its header is ignored.
        assert_eq!(resolve_ip(peer, &["1.2.3.4"], &[proxy]), peer);
        // Trusted proxy: the right-most untrusted hop; a spoofed left part is ignored.
        assert_eq!(resolve_ip(proxy, &["1.2.3.4, 198.51.100.7"], &[proxy]), client);
        assert_eq!(resolve_ip(proxy, &["198.51.100.7, 10.0.0.2"], &[proxy]), client);
        // Garbage or nothing: the peer.
        assert_eq!(resolve_ip(proxy, &["not-an-ip"], &[proxy]), proxy);
        assert_eq!(resolve_ip(proxy, &[], &[proxy]), proxy);
    }

    #[test]
    fn cookies_become_tokens_and_changes_become_set_cookie() {
        let edge = Edge { dev: false, ..Edge::default() };
        let (mut parts, _) = http::Request::builder()
            .header(header::COOKIE, "session=plain; __Host-session=tok1")
            .header(header::COOKIE, "__Host-sign_in=att")
            .header(header::USER_AGENT, "UA/1")
            .body(())
            .unwrap()
            .into_parts();
        parts.extensions.insert(axum::extract::ConnectInfo(SocketAddr::from(([203, 0, 113, 9], 4000))));
        let mut req = edge.request(&parts);
        assert_eq!(req.token(Jar::Session), Some("tok1"), "only the __Host- cookie outside dev");
        assert_eq!(req.token(Jar::SignIn), Some("att"));
        assert_eq!((req.ip, req.user_agent.as_deref()), (IpAddr::from([203, 0, 113, 9]), Some("UA/1")));
        req.set(Jar::Session, "tok2", 60);
        req.clear(Jar::SignIn);
        let set: Vec<_> = req.changes().iter().filter_map(|c| edge.set_cookie(c)).collect();
        assert_eq!(set[0], "__Host-session=tok2; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
        assert_eq!(set[1], "__Host-sign_in=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
        let dev = Edge { dev: true, ..Edge::default() };
        assert_eq!(dev.request(&parts).token(Jar::Session), Some("plain"));
        assert_eq!(
            dev.set_cookie(&req.changes()[0]).unwrap(),
            "session=tok2; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        // The session token keeps Clerk's name, and is never read back.
        req.set(Jar::Token, "jwt", 60);
        assert_eq!(
            edge.set_cookie(req.changes().last().unwrap()).unwrap(),
            "__session=jwt; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
    }

    #[test]
    fn a_native_request_carries_its_client_token_never_the_cookies() {
        let edge = Edge::default();
        let parts = |uri: &str, auth: Option<&str>| {
            let mut b = http::Request::builder().uri(uri).header(header::COOKIE, "__Host-session=from-cookie");
            if let Some(a) = auth {
                b = b.header(header::AUTHORIZATION, a);
            }
            b.body(()).unwrap().into_parts().0
        };
        // A browser: cookies.
        let (req, carrier) = edge.v1_request(&parts("/v1/me", None));
        assert_eq!((carrier, req.token(Jar::Session)), (Carrier::Cookies, Some("from-cookie")));
        // A native call: never the cookies, and no cookie set.
        let (mut req, carrier) = edge.v1_request(&parts("/v1/client?_is_native=1", None));
        assert_eq!((carrier, req.token(Jar::Session)), (Carrier::Bearer, None));
        req.set(Jar::Session, "s1", 60);
        let mut h = HeaderMap::new();
        edge.answer(&req, carrier, &mut h);
        assert!(h.is_empty());
        // Its token, as `Bearer …` or bare (Clerk's SDKs).
        for auth in ["Bearer ct_abc", "ct_abc", "  Bearer   ct_abc "] {
            let p = parts("/v1/me", Some(auth));
            assert_eq!(edge.v1_request(&p).1, Carrier::Bearer);
            assert_eq!(bearer(&p.headers), Ok(Some("ct_abc")), "{auth:?}");
        }
        // An empty one (Clerk's Expo SDK before its first answer): no token yet.
        for empty in ["", "  ", "Bearer", "Bearer  "] {
            assert_eq!(bearer(&parts("/v1/client", Some(empty)).headers), Ok(None), "{empty:?}");
        }
        let mut p = parts("/v1/me", None);
        p.headers.insert(header::AUTHORIZATION, HeaderValue::from_bytes(b"Bearer \xff").unwrap());
        assert_eq!(bearer(&p.headers), Err(BadClientToken));
        assert!(!is_native_flag(Some("_is_native=0")) && is_native_flag(Some("a=1&_is_native=true")));
    }
}
