//! Passkeys: the relying party (webauthn-rs) for the instance's origin, and
//! the rules around its ceremonies that need no store.

use proto::Fault;
use sha2::{Digest, Sha256};
pub use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, WebauthnError,
};
use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

/// How long a challenge can be answered (the options' `timeout` is 5 minutes).
pub const CHALLENGE_TTL: i64 = 300;

/// Longest passkey name kept.
pub const MAX_NAME_CHARS: usize = 64;

/// What a stored ceremony is for: one of each per attempt or session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    /// A sign-in begun with a passkey (discoverable: no user yet).
    SignIn,
    /// The passkey as the second factor of an attempt.
    SecondFactor,
    /// A session adding a passkey.
    Registration,
}

impl Ceremony {
    pub fn as_str(self) -> &'static str {
        match self {
            Ceremony::SignIn => "sign_in",
            Ceremony::SecondFactor => "second_factor",
            Ceremony::Registration => "registration",
        }
    }
}

/// The relying party for `origin` (as browsers reach this server): its id is
/// `rp_id` when set (the origin's host or a parent domain), else the host.
pub fn relying_party(origin: &str, rp_id: Option<&str>, name: &str) -> Result<Webauthn, Fault> {
    let url = Url::parse(origin).map_err(|_| Fault::Unavailable)?;
    // Browsers bind passkeys to a domain: reached by IP, there are none.
    if url.domain().is_none() {
        return Err(Fault::StrategyInvalid);
    }
    let id = match rp_id {
        Some(id) => id.to_string(),
        None => url.host_str().ok_or(Fault::Unavailable)?.to_string(),
    };
    WebauthnBuilder::new(&id, &url).and_then(|b| b.rp_name(name).build()).map_err(|e| {
        tracing::error!(error = %e, origin, "relying party");
        Fault::Unavailable
    })
}

/// The user handle a passkey stores: derived from the public user id, so
/// stable, and no email or row id on the authenticator.
pub fn user_handle(public_id: &str) -> Uuid {
    let h = Sha256::digest(format!("webauthn-user:{public_id}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    Uuid::from_bytes(b)
}

/// A credential id as stored and looked up: base64url without padding.
pub fn credential_key(raw: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Did the signature counter move on (WebAuthn §7.2 step 21)? Both 0: the
/// authenticator keeps none (synced passkeys). Otherwise it must grow; one
/// that stands still or goes back is a cloned authenticator's.
pub fn counter_ok(stored: u32, seen: u32) -> bool {
    (stored == 0 && seen == 0) || seen > stored
}

/// A passkey's name as typed: trimmed, control characters out, at most
/// `MAX_NAME_CHARS`; empty gives `fallback`.
/// A passkey's name when none is given: its device's names, which need no
/// translation ("Passkey · Chrome · Linux").
pub fn default_name(d: &proto::Device) -> String {
    let native = d.native.and_then(|n| match n {
        proto::Native::Android => Some("Android"),
        proto::Native::Ios => Some("iOS"),
        proto::Native::Other => None,
    });
    let parts = [d.model.as_deref(), native, d.browser.map(proto::Browser::name), d.os.map(proto::Os::name)];
    std::iter::once("Passkey").chain(parts.into_iter().flatten()).collect::<Vec<_>>().join(" · ")
}

pub fn clean_name(name: &str, fallback: &str) -> String {
    let n: String = name.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    match n.trim() {
        "" => fallback.chars().take(MAX_NAME_CHARS).collect(),
        t => t.to_string(),
    }
}

/// The counter and backup flags of a registered passkey, read back from its
/// stored form (webauthn-rs keeps them private): (counter, eligible, state).
pub fn flags(passkey_json: &str) -> Option<(u32, bool, bool)> {
    let v: serde_json::Value = serde_json::from_str(passkey_json).ok()?;
    let c = v.get("cred")?;
    Some((
        u32::try_from(c.get("counter")?.as_u64()?).ok()?,
        c.get("backup_eligible")?.as_bool()?,
        c.get("backup_state")?.as_bool()?,
    ))
}

/// Registration options, as JSON for the browser, that ask for a
/// discoverable credential (sign-in with no email typed needs one);
/// webauthn-rs's passkey default leaves that to the authenticator.
pub fn discoverable(ccr: &CreationChallengeResponse) -> Option<String> {
    let mut v = serde_json::to_value(ccr).ok()?;
    let sel = v.get_mut("publicKey")?.get_mut("authenticatorSelection")?.as_object_mut()?;
    sel.insert("residentKey".into(), "required".into());
    sel.insert("requireResidentKey".into(), true.into());
    serde_json::to_string(&v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_must_grow_unless_the_authenticator_keeps_none() {
        assert!(counter_ok(0, 0), "synced passkeys keep no counter");
        assert!(counter_ok(0, 1));
        assert!(counter_ok(41, 42));
        assert!(!counter_ok(42, 42), "a counter that stood still");
        assert!(!counter_ok(42, 7), "a counter that went back: a clone");
        assert!(!counter_ok(5, 0), "a counter that vanished");
    }

    #[test]
    fn names_are_trimmed_bounded_and_never_empty() {
        assert_eq!(clean_name("  Work laptop \n", "x"), "Work laptop");
        assert_eq!(clean_name("\u{7}", "Chrome on Linux"), "Chrome on Linux");
        let chrome = proto::Device::of(Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36"), None);
        assert_eq!(default_name(&chrome), "Passkey · Chrome · Linux");
        assert_eq!(default_name(&proto::Device::of(Some("okhttp/4"), Some("Pixel 8"))), "Passkey · Pixel 8 · Android");
        assert_eq!(default_name(&proto::Device::default()), "Passkey");
        assert_eq!(clean_name(&"é".repeat(100), "x").chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn the_user_handle_is_stable_and_per_user() {
        assert_eq!(user_handle("user_a"), user_handle("user_a"));
        assert_ne!(user_handle("user_a"), user_handle("user_b"));
    }

    #[test]
    fn the_relying_party_is_the_origins_host_unless_set() {
        assert!(relying_party("http://localhost:3000", None, "x").is_ok());
        assert!(relying_party("https://auth.example.com", Some("example.com"), "x").is_ok());
        // An id the origin is not within is refused by webauthn-rs.
        assert_eq!(relying_party("https://auth.example.com", Some("other.org"), "x").err(), Some(Fault::Unavailable));
        assert_eq!(relying_party("not a url", None, "x").err(), Some(Fault::Unavailable));
        assert_eq!(relying_party("http://127.0.0.1:3000", None, "x").err(), Some(Fault::StrategyInvalid), "no domain");
    }

    #[test]
    fn registration_asks_for_a_discoverable_credential() {
        let rp = relying_party("http://localhost:3000", None, "x").unwrap();
        let (ccr, _) = rp.start_passkey_registration(user_handle("user_a"), "a@b.c", "a@b.c", None).unwrap();
        let json: serde_json::Value = serde_json::from_str(&discoverable(&ccr).unwrap()).unwrap();
        let sel = &json["publicKey"]["authenticatorSelection"];
        assert_eq!(sel["residentKey"], "required");
        assert_eq!(sel["userVerification"], "required");
        assert_eq!(json["publicKey"]["rp"]["id"], "localhost");
    }
}
