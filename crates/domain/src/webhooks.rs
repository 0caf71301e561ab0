//! Webhooks signed as Standard Webhooks sign them (and Svix, which Clerk
//! sends through): an HMAC-SHA256 over `{id}.{timestamp}.{payload}` with
//! the endpoint's `whsec_…` secret, so that `@clerk/backend`'s
//! `verifyWebhook` and the `standardwebhooks` library verify a delivery
//! unchanged. The first piece of issue 39's webhooks: the queue and its
//! sender come next.

use base64::{engine::general_purpose::STANDARD, Engine};
use openssl::{hash::MessageDigest, pkey::PKey, sign::Signer};
use rand::Rng;

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

#[cfg(test)]
mod tests {
    use super::*;

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
