//! Webhooks signed as Standard Webhooks sign them (and Svix, which Clerk
//! sends through): an HMAC-SHA256 over `{id}.{timestamp}.{payload}` with
//! the endpoint's `whsec_…` secret, so that `@clerk/backend`'s
//! `verifyWebhook` and the `standardwebhooks` library verify a delivery
//! unchanged. Which changes are events, the retry schedule and which
//! addresses an endpoint may not name are decided here too; the queue is
//! the store's, the sending over HTTP `Post`'s (the delivery crate).

use crate::audit::Event;
use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};
use openssl::{hash::MessageDigest, pkey::PKey, sign::Signer};
use rand::Rng;
use std::net::IpAddr;

/// How an endpoint's secret starts (Standard Webhooks' and Svix's form).
pub const SECRET_PREFIX: &str = "whsec_";

/// A new endpoint secret: `whsec_` and 32 random bytes, base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key of a `whsec_…` secret.
pub fn key(secret: &str) -> Result<Vec<u8>, String> {
    let b64 = secret.strip_prefix(SECRET_PREFIX).ok_or("a webhook secret starts with whsec_")?;
    let key = STANDARD.decode(b64).map_err(|_| "a webhook secret is base64 after whsec_".to_string())?;
    if key.len() < 24 {
        return Err("a webhook secret holds 24 bytes at least".into());
    }
    Ok(key)
}

/// The `webhook-signature` of a delivery: `v1,` and the base64 HMAC-SHA256
/// of `{id}.{timestamp}.{payload}` (the exact bytes sent).
pub fn signature(key: &[u8], id: &str, timestamp: i64, payload: &str) -> Result<String, String> {
    let key = PKey::hmac(key).map_err(|e| e.to_string())?;
    let mut mac = Signer::new(MessageDigest::sha256(), &key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{payload}").as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("v1,{}", STANDARD.encode(mac.sign_to_vec().map_err(|e| e.to_string())?)))
}

/// A delivery's headers: Standard Webhooks' names and the `svix-*` ones
/// Clerk's deliveries carry (`verifyWebhook` reads either).
pub fn headers(id: &str, timestamp: i64, signature: &str) -> [(&'static str, String); 6] {
    [
        ("webhook-id", id.into()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature.into()),
        ("svix-id", id.into()),
        ("svix-timestamp", timestamp.to_string()),
        ("svix-signature", signature.into()),
    ]
}

/// The event types an endpoint may want: Clerk's names, then ours for
/// changes to a user's security.
pub const EVENTS: [&str; 10] = [
    "user.created",
    "user.updated",
    "user.deleted",
    "session.created",
    "session.ended",
    "session.revoked",
    "factor.added",
    "factor.removed",
    "password.changed",
    "user.locked",
];

/// The webhook event an audited change is, if it is one.
pub fn kind(name: &str) -> Option<&'static str> {
    let e = match name {
        n if n == Event::UserCreated.name() => "user.created",
        n if [Event::UserUpdated, Event::UserBanned, Event::UserUnbanned].iter().any(|e| e.name() == n) => {
            "user.updated"
        }
        n if n == Event::UserDeleted.name() => "user.deleted",
        n if n == Event::SessionCreated.name() => "session.created",
        n if [Event::SessionEnded, Event::UserSignedOut].iter().any(|e| e.name() == n) => "session.ended",
        n if [Event::SessionRevoked, Event::SessionRevokedOthers].iter().any(|e| e.name() == n) => "session.revoked",
        n if n == Event::FactorAdded.name() => "factor.added",
        n if [Event::FactorRemoved, Event::UserMfaReset].iter().any(|e| e.name() == n) => "factor.removed",
        n if [Event::PasswordChanged, Event::PasswordReset].iter().any(|e| e.name() == n) => "password.changed",
        n if n == Event::UserLocked.name() => "user.locked",
        _ => return None,
    };
    Some(e)
}

/// Whether `event` (a webhook type) tells of the user's state: its data
/// is the user as the change left it, described in the change's unit.
pub fn about_the_user(event: &str) -> bool {
    matches!(event, "user.created" | "user.updated" | "user.locked")
}

/// Seconds between tries (Svix's schedule: about 28 hours in all); after the
/// last, the delivery is dead until replayed.
pub const RETRY: [i64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/// After `tries` failed tries: the seconds until the next, or None (dead).
pub fn next_try(schedule: &[i64], tries: i64) -> Option<i64> {
    usize::try_from(tries).ok().and_then(|t| t.checked_sub(1)).and_then(|i| schedule.get(i).copied())
}

/// The event types an endpoint wants, as stored: `*`, or known types
/// space-separated (sorted, once each). An unknown type is refused.
pub fn events(list: &[String]) -> Result<String, String> {
    let mut out: Vec<&str> = Vec::new();
    for e in list.iter().flat_map(|l| l.split([',', ' '])).map(str::trim).filter(|e| !e.is_empty()) {
        if e == "*" {
            return Ok("*".into());
        }
        let known = EVENTS.iter().find(|k| **k == e).ok_or_else(|| format!("unknown event type {e:?}"))?;
        out.push(known);
    }
    if out.is_empty() {
        return Ok("*".into());
    }
    out.sort_unstable();
    out.dedup();
    Ok(out.join(" "))
}

/// An endpoint's URL, checked: `https` (or `http` where private addresses
/// are allowed, for development), a host, no credentials in it; a literal
/// address must be a public one unless allowed. Names are checked again
/// when they resolve, at each try (`private_ip`).
pub fn check_url(raw: &str, allow_private: bool) -> Result<String, String> {
    let u = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    match u.scheme() {
        "https" => {}
        "http" if allow_private => {}
        s => return Err(format!("a webhook URL is https (not {s})")),
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("a webhook URL carries no credentials".into());
    }
    let literal = match u.host() {
        None => return Err("a webhook URL names a host".into()),
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => None,
    };
    if literal.is_some_and(private_ip) && !allow_private {
        return Err("a webhook URL may not name a loopback, private or link-local address".into());
    }
    Ok(u.to_string())
}

/// Whether `ip` is one a webhook must not reach: loopback, private,
/// link-local (cloud metadata), shared, unspecified, multicast and the
/// like, IPv4 inside IPv6 included.
pub fn private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return private_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x64 && v6.segments()[1] == 0xff9b)
                || first == 0x2001 && v6.segments()[1] == 0xdb8
        }
    }
}

/// A new id: `prefix` and 24 random hex digits.
pub fn new_id(prefix: &str) -> String {
    let bytes: [u8; 12] = rand::rng().random();
    format!("{prefix}{}", hex::encode(bytes))
}

/// A delivery's body: Clerk's event envelope (`type`, `data`, `timestamp`
/// in milliseconds, the request that made the change).
pub fn envelope(event: &str, at: i64, data: serde_json::Value, ip: Option<&str>, agent: Option<&str>) -> String {
    serde_json::json!({
        "object": "event",
        "type": event,
        "timestamp": at.saturating_mul(1000),
        "data": data,
        "event_attributes": { "http_request": { "client_ip": ip.unwrap_or(""), "user_agent": agent.unwrap_or("") } },
    })
    .to_string()
}

/// Sends a delivery (the delivery crate, over HTTP).
#[async_trait]
pub trait Post: Send + Sync {
    /// POSTs `body` as JSON with `headers` to `url`: Ok when the endpoint
    /// answered 2xx; otherwise what went wrong, for the queue's row.
    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Result<(), String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_schedule_ends_in_the_dead_letter_state() {
        assert_eq!(next_try(&RETRY, 1), Some(5));
        assert_eq!(next_try(&RETRY, 2), Some(300));
        assert_eq!(next_try(&RETRY, 7), Some(36000));
        assert_eq!(next_try(&RETRY, 8), None);
        assert_eq!(next_try(&RETRY, 0), None, "no try failed: nothing to schedule");
        assert_eq!(next_try(&[], 1), None);
        assert_eq!(RETRY.iter().sum::<i64>(), 99305, "about 27.6 hours in all");
    }

    #[test]
    fn audited_changes_map_to_the_events_apps_hear() {
        assert_eq!(kind("user.created"), Some("user.created"));
        assert_eq!(kind("user.banned"), Some("user.updated"));
        assert_eq!(kind("session.revoked_others"), Some("session.revoked"));
        assert_eq!(kind("user.mfa_reset"), Some("factor.removed"));
        assert_eq!(kind("password.reset"), Some("password.changed"));
        assert_eq!(kind("sign_in.password_failed"), None);
        assert_eq!(kind("api.call"), None);
        for e in EVENTS {
            // Every type is one some change makes, and none holds a LIKE wildcard.
            assert!(!e.contains(['_', '%']), "{e}");
        }
    }

    #[test]
    fn an_endpoint_names_known_events() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            events(&l(&["user.created", "session.created,user.created"])).unwrap(),
            "session.created user.created"
        );
        assert_eq!(events(&l(&[])).unwrap(), "*");
        assert_eq!(events(&l(&["user.created", "*"])).unwrap(), "*");
        assert!(events(&l(&["user.exploded"])).unwrap_err().contains("user.exploded"));
    }

    #[test]
    fn urls_to_private_addresses_are_refused_unless_allowed() {
        assert_eq!(check_url("https://hooks.example.com/clerk", false).unwrap(), "https://hooks.example.com/clerk");
        for bad in [
            "http://hooks.example.com/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://[fd00::1]/",
            "https://user:pw@hooks.example.com/",
            "ftp://hooks.example.com/",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check_url("https://user:pw@127.0.0.1/", true).is_err());
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            assert!(!private_ip(public.parse().unwrap()), "{public}");
        }
        for private in
            ["0.0.0.0", "100.64.0.1", "172.16.0.1", "192.168.1.1", "fe80::1", "::", "224.0.0.1", "64:ff9b::a00:1"]
        {
            assert!(private_ip(private.parse().unwrap()), "{private}");
        }
    }

    #[test]
    fn the_envelope_is_clerks() {
        let v: serde_json::Value = serde_json::from_str(&envelope(
            "user.created",
            7,
            serde_json::json!({"id": "user_1"}),
            Some("1.2.3.4"),
            None,
        ))
        .unwrap();
        assert_eq!(
            (v["type"].as_str(), v["object"].as_str(), v["timestamp"].as_i64()),
            (Some("user.created"), Some("event"), Some(7000))
        );
        assert_eq!(v["data"]["id"], "user_1");
        assert_eq!(v["event_attributes"]["http_request"]["client_ip"], "1.2.3.4");
        assert!(new_id("msg_").starts_with("msg_") && new_id("msg_") != new_id("msg_"));
    }

    #[test]
    fn signatures_match_the_standard_webhooks_library() {
        // Computed with the `standardwebhooks` npm package 1.3.0
        // (`new Webhook(secret).sign(id, new Date(1614265330e3), payload)`).
        let key = key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        // One byte more of payload, id or time: another signature.
        assert_ne!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, r#"{"test": 2432232314}"#).unwrap(),
            sig
        );
        assert_ne!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232315}"#).unwrap(),
            sig
        );
    }

    #[test]
    fn secrets_are_whsec_and_enough_random_bytes() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"), "{s}");
        assert_eq!(key(&s).unwrap().len(), 32);
        assert_ne!(new_secret(), s);
        assert!(key("sk_live_abc").is_err());
        assert!(key("whsec_not base64!").is_err());
        assert!(key(&format!("whsec_{}", STANDARD.encode([1u8; 8]))).is_err(), "too short");
    }

    #[test]
    fn a_delivery_carries_both_header_names() {
        let h = headers("msg_1", 7, "v1,abc");
        let get = |n: &str| h.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str());
        assert_eq!((get("webhook-id"), get("svix-id")), (Some("msg_1"), Some("msg_1")));
        assert_eq!((get("webhook-timestamp"), get("svix-timestamp")), (Some("7"), Some("7")));
        assert_eq!((get("webhook-signature"), get("svix-signature")), (Some("v1,abc"), Some("v1,abc")));
    }
}
