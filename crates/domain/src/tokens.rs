//! Session tokens: short-lived JWTs that apps' backends verify offline
//! against the JWKS. Ed25519 keys, made here, sealed under the instance's
//! secret key and shared by every node through `signing_keys`. Pure: the
//! time is passed in.

use crate::secrets::SecretBox;
use crate::store::SigningKey;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use proto::{Jwk, Jwks, SessionClaims, STS_ACTIVE, STS_PENDING};
use rand::Rng;
use sha2::{Digest, Sha256};

/// How long a node signs with the keys it read before reading them again.
pub const KEY_REFRESH: i64 = 10;

/// A rotated key is published this long before it signs: longer than a node
/// keeps its keys, and than apps may cache the JWKS (its `max-age`), so
/// every verifier knows the key before the first token it signs.
pub const PUBLISH_AHEAD: i64 = 60;

/// A new key that signs from `signs_from`; its `kid` is the RFC 7638
/// thumbprint of its public key.
pub fn new_key(sealer: &SecretBox, now: i64, signs_from: i64) -> Result<SigningKey, String> {
    let seed: [u8; 32] = rand::rng().random();
    let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
    let public_key = URL_SAFE_NO_PAD.encode(public);
    let thumbprint = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{public_key}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
    let private_key = sealer.seal(&hex::encode(seed))?;
    Ok(SigningKey { kid, public_key, private_key, created_at: now, signs_from, signs_until: None })
}

/// The key that signs at `now`: the newest whose signing window holds it.
pub fn signer(keys: &[SigningKey], now: i64) -> Option<&SigningKey> {
    newest_signing(keys.iter().map(|k| (k, k.signs_from, k.signs_until, k.kid.as_str())), now)
}

/// The rule of `signer`, over (item, signs from, signs until, kid).
fn newest_signing<'a, T>(keys: impl Iterator<Item = (T, i64, Option<i64>, &'a str)>, now: i64) -> Option<T> {
    keys.filter(|(_, from, until, _)| *from <= now && until.is_none_or(|u| u > now))
        .max_by(|a, b| (a.1, a.3).cmp(&(b.1, b.3)))
        .map(|(k, ..)| k)
}

/// Is `k` in the JWKS at `now`? From its creation until its last token has
/// expired: tokens of `lifetime`, signed until `signs_until` (a node's stale
/// read included).
pub fn published(k: &SigningKey, now: i64, lifetime: i64) -> bool {
    k.created_at <= now && k.signs_until.is_none_or(|u| u + lifetime + KEY_REFRESH > now)
}

/// The public keys apps verify with (RFC 8037 `OKP` keys).
pub fn jwks(keys: &[SigningKey], now: i64, lifetime: i64) -> Jwks {
    let keys = keys
        .iter()
        .filter(|k| published(k, now, lifetime))
        .map(|k| Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: k.public_key.clone(),
            kid: k.kid.clone(),
            alg: "EdDSA".into(),
            use_: "sig".into(),
        })
        .collect();
    Jwks { keys }
}

/// Minutes since each factor was verified; -1 for one never verified.
pub fn fva(now: i64, first: i64, second: Option<i64>) -> [i64; 2] {
    let minutes = |t: i64| (now - t).max(0) / 60;
    [minutes(first), second.map_or(-1, minutes)]
}

/// What a token says of a session.
pub struct Facts<'a> {
    pub user_id: &'a str,
    pub session_id: &'a str,
    pub email: &'a str,
    /// The session has a task (it is pending).
    pub pending: bool,
    pub first_factor_at: i64,
    pub second_factor_at: Option<i64>,
}

pub fn claims(f: &Facts, iss: &str, now: i64, lifetime: i64, email_claim: bool) -> SessionClaims {
    SessionClaims {
        sub: f.user_id.into(),
        sid: f.session_id.into(),
        iss: iss.into(),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        sts: if f.pending { STS_PENDING } else { STS_ACTIVE }.into(),
        fva: fva(now, f.first_factor_at, f.second_factor_at),
        email: email_claim.then(|| f.email.into()),
    }
}

/// A key opened for signing.
pub struct Signer {
    pub kid: String,
    signs_from: i64,
    signs_until: Option<i64>,
    key: EncodingKey,
}

impl Signer {
    pub fn sign(&self, c: &SessionClaims) -> Result<String, String> {
        let header = Header { kid: Some(self.kid.clone()), ..Header::new(Algorithm::EdDSA) };
        jsonwebtoken::encode(&header, c, &self.key).map_err(|e| e.to_string())
    }
}

/// A key's private half, for signing; None if it does not open with this
/// instance's secret key.
pub fn open(k: &SigningKey, sealer: &SecretBox) -> Option<Signer> {
    let seed: [u8; 32] = hex::decode(sealer.open(&k.private_key)?).ok()?.try_into().ok()?;
    let der = ed25519_dalek::SigningKey::from_bytes(&seed).to_pkcs8_der().ok()?;
    let key = EncodingKey::from_ed_der(der.as_bytes());
    Some(Signer { kid: k.kid.clone(), signs_from: k.signs_from, signs_until: k.signs_until, key })
}

/// What a node keeps of the keys: those it can sign with, opened, as read
/// at `loaded_at`.
pub struct Ring {
    pub loaded_at: i64,
    signers: Vec<Signer>,
}

impl Ring {
    /// The keys that sign now or later; one that does not open is left out
    /// (and logged by the caller).
    pub fn load(keys: &[SigningKey], sealer: &SecretBox, now: i64) -> Ring {
        let signers = keys.iter().filter(|k| k.signs_until.is_none_or(|u| u > now)).filter_map(|k| open(k, sealer));
        Ring { loaded_at: now, signers: signers.collect() }
    }

    /// Read recently enough to sign with.
    pub fn fresh(&self, now: i64) -> bool {
        (self.loaded_at..self.loaded_at + KEY_REFRESH).contains(&now)
    }

    /// The signer at `now` (the rule of `signer`).
    pub fn signer(&self, now: i64) -> Option<&Signer> {
        newest_signing(self.signers.iter().map(|s| (s, s.signs_from, s.signs_until, s.kid.as_str())), now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    const T: i64 = 1_800_000_000;

    fn sealer() -> SecretBox {
        SecretBox::from_hex(&"ab".repeat(32)).unwrap()
    }

    fn facts(pending: bool, second: Option<i64>) -> Facts<'static> {
        Facts {
            user_id: "user_1",
            session_id: "s1",
            email: "a@example.com",
            pending,
            first_factor_at: T - 600,
            second_factor_at: second,
        }
    }

    #[test]
    fn fva_counts_whole_minutes_and_minus_one_for_no_second_factor() {
        assert_eq!(fva(T, T, Some(T)), [0, 0]);
        assert_eq!(fva(T, T - 59, Some(T - 60)), [0, 1]);
        assert_eq!(fva(T, T - 3600, None), [60, -1]);
        assert_eq!(fva(T, T + 5, None), [0, -1], "a node's clock behind another's: never negative");
    }

    #[test]
    fn claims_carry_status_times_and_the_email_only_on_request() {
        let c = claims(&facts(false, Some(T - 120)), "https://auth.example", T, 60, false);
        assert_eq!((c.sub.as_str(), c.sid.as_str(), c.iss.as_str()), ("user_1", "s1", "https://auth.example"));
        assert_eq!((c.iat, c.nbf, c.exp), (T, T, T + 60));
        assert_eq!((c.sts.as_str(), c.fva, c.email), ("active", [10, 2], None));
        let c = claims(&facts(true, None), "i", T, 60, true);
        assert_eq!((c.sts.as_str(), c.fva, c.email.as_deref()), ("pending", [10, -1], Some("a@example.com")));
    }

    #[test]
    fn a_token_verifies_with_its_published_key_only() {
        let k = new_key(&sealer(), T, T).unwrap();
        assert_eq!(k.kid.len(), 43, "a SHA-256 thumbprint, base64url");
        assert!(!k.private_key.contains(&k.public_key) && k.private_key.starts_with("v1:"), "sealed");
        let c = claims(&facts(false, Some(T)), "iss", T, 60, false);
        let jwt = open(&k, &sealer()).unwrap().sign(&c).unwrap();
        let jwk = &jwks(std::slice::from_ref(&k), T, 60).keys[0];
        assert_eq!(
            (jwk.kty.as_str(), jwk.crv.as_str(), jwk.alg.as_str(), &jwk.kid),
            ("OKP", "Ed25519", "EdDSA", &k.kid)
        );
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::EdDSA, Some(k.kid.as_str())));
        let key = DecodingKey::from_ed_components(&jwk.x).unwrap();
        let mut v = Validation::new(Algorithm::EdDSA);
        v.validate_exp = false;
        v.set_issuer(&["iss"]);
        assert_eq!(jsonwebtoken::decode::<SessionClaims>(&jwt, &key, &v).unwrap().claims, c);
        let other = new_key(&sealer(), T, T).unwrap();
        let wrong = DecodingKey::from_ed_components(&other.public_key).unwrap();
        assert!(jsonwebtoken::decode::<SessionClaims>(&jwt, &wrong, &v).is_err());
        let elsewhere = SecretBox::from_hex(&"cd".repeat(32)).unwrap();
        assert!(open(&k, &elsewhere).is_none(), "another instance's secret key opens nothing");
    }

    #[test]
    fn rotation_publishes_first_signs_later_and_unpublishes_after_the_last_token() {
        let old = new_key(&sealer(), T, T).unwrap();
        // Rotated at R: the old key signs until R + KEY_REFRESH, the new from then.
        let r = T + 1000;
        let old = SigningKey { signs_until: Some(r + KEY_REFRESH), ..old };
        let new = new_key(&sealer(), r, r + KEY_REFRESH).unwrap();
        let keys = [new.clone(), old.clone()];
        let kids = |now| jwks(&keys, now, 60).keys.into_iter().map(|k| k.kid).collect::<Vec<_>>();
        assert_eq!(kids(r), [new.kid.clone(), old.kid.clone()], "the new key is published at once");
        assert_eq!(signer(&keys, r).unwrap().kid, old.kid, "but signs only once every node has read it");
        assert_eq!(signer(&keys, r + KEY_REFRESH).unwrap().kid, new.kid);
        let last_old_token_expires = r + KEY_REFRESH + 60;
        assert_eq!(kids(last_old_token_expires + KEY_REFRESH - 1).len(), 2);
        assert_eq!(kids(last_old_token_expires + KEY_REFRESH), std::slice::from_ref(&new.kid));
        let ring = Ring::load(&keys, &sealer(), r);
        assert!(ring.fresh(r) && ring.fresh(r + KEY_REFRESH - 1) && !ring.fresh(r + KEY_REFRESH));
        assert_eq!(ring.signer(r).unwrap().kid, old.kid);
        assert_eq!(ring.signer(r + KEY_REFRESH).unwrap().kid, new.kid, "a cached ring switches on time");
        assert!(signer(&[], T).is_none());
    }
}
