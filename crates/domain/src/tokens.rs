//! Session tokens: short-lived JWTs that apps' backends verify offline
//! against the JWKS. RS256 (RSA-2048) by default, the algorithm Clerk's
//! backend SDK and most JWT libraries take; Ed25519 as a setting. Keys are
//! made here, sealed under the instance's secret key and shared by every
//! node through `signing_keys`. RSA is OpenSSL's (linked already for
//! WebAuthn): it signs six times faster than RustCrypto's `rsa` (3,300 vs
//! 550 per second and core, measured), which every sign-in pays at
//! finalize. Pure: the time is passed in.

use crate::secrets::SecretBox;
use crate::store::SigningKey;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use proto::{Jwk, Jwks, SessionClaims, STS_ACTIVE, STS_PENDING};
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How long a node signs with the keys it read before reading them again.
pub const KEY_REFRESH: i64 = 10;

/// A rotated key is published this long before it signs: longer than a node
/// keeps its keys, and than apps may cache the JWKS (its `max-age`), so
/// every verifier knows the key before the first token it signs.
pub const PUBLISH_AHEAD: i64 = 60;

/// The size of RSA keys: what Clerk's networkless `jwtKey` takes.
const RSA_BITS: u32 = 2048;

/// The RSA public exponent (65537), base64url: every key made here has it.
const RSA_E: &str = "AQAB";

/// The algorithm that signs session tokens (`session_token.algorithm`).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum Alg {
    /// RSA-2048 with SHA-256.
    #[default]
    RS256,
    /// Ed25519: smaller tokens, far cheaper to sign.
    EdDSA,
}

impl Alg {
    /// Its name in a JWT header, a JWK and the `signing_keys` table.
    pub fn name(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::EdDSA => "EdDSA",
        }
    }

    fn jwt(self) -> Algorithm {
        match self {
            Alg::RS256 => Algorithm::RS256,
            Alg::EdDSA => Algorithm::EdDSA,
        }
    }

    fn of(k: &SigningKey) -> Option<Alg> {
        [Alg::RS256, Alg::EdDSA].into_iter().find(|a| a.name() == k.alg)
    }
}

/// A new key of `alg` that signs from `signs_from`; its `kid` is the RFC
/// 7638 thumbprint of its public key. An RSA key takes a while to make:
/// call it off the runtime.
pub fn new_key(sealer: &SecretBox, alg: Alg, now: i64, signs_from: i64) -> Result<SigningKey, String> {
    let (public_key, thumbprint, private) = match alg {
        Alg::EdDSA => {
            let seed: [u8; 32] = rand::rng().random();
            let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
            let x = URL_SAFE_NO_PAD.encode(public);
            (x.clone(), format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#), hex::encode(seed))
        }
        Alg::RS256 => {
            let key = Rsa::generate(RSA_BITS).map_err(|e| e.to_string())?;
            let n = URL_SAFE_NO_PAD.encode(key.n().to_vec());
            let der = key.private_key_to_der().map_err(|e| e.to_string())?;
            (n.clone(), format!(r#"{{"e":"{RSA_E}","kty":"RSA","n":"{n}"}}"#), hex::encode(der))
        }
    };
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
    let private_key = sealer.seal(&private)?;
    let alg = alg.name().into();
    Ok(SigningKey { kid, alg, public_key, private_key, created_at: now, signs_from, signs_until: None })
}

/// The key of `alg` that signs at `now`: the newest whose signing window holds it.
pub fn signer(keys: &[SigningKey], alg: Alg, now: i64) -> Option<&SigningKey> {
    let of_alg = keys.iter().filter(|k| Alg::of(k) == Some(alg));
    newest_signing(of_alg.map(|k| (k, k.signs_from, k.signs_until, k.kid.as_str())), now)
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

/// The public keys apps verify with: RSA keys (RFC 7518) and `OKP` ones
/// (RFC 8037).
pub fn jwks(keys: &[SigningKey], now: i64, lifetime: i64) -> Jwks {
    let keys = keys.iter().filter(|k| published(k, now, lifetime)).filter_map(jwk).collect();
    Jwks { keys }
}

fn jwk(k: &SigningKey) -> Option<Jwk> {
    let alg = Alg::of(k)?;
    let key = Jwk { kid: k.kid.clone(), alg: alg.name().into(), use_: "sig".into(), ..Jwk::default() };
    Some(match alg {
        Alg::RS256 => Jwk { kty: "RSA".into(), n: Some(k.public_key.clone()), e: Some(RSA_E.into()), ..key },
        Alg::EdDSA => Jwk { kty: "OKP".into(), crv: Some("Ed25519".into()), x: Some(k.public_key.clone()), ..key },
    })
}

/// An RSA key's public half as a PEM document (SPKI): what Clerk's backend
/// SDK takes as `jwtKey` to verify without fetching the JWKS.
pub fn pem(k: &SigningKey) -> Option<String> {
    if Alg::of(k) != Some(Alg::RS256) {
        return None;
    }
    let n = BigNum::from_slice(&URL_SAFE_NO_PAD.decode(&k.public_key).ok()?).ok()?;
    let key = Rsa::from_public_components(n, BigNum::from_u32(65_537).ok()?).ok()?;
    String::from_utf8(PKey::from_rsa(key).ok()?.public_key_to_pem().ok()?).ok()
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
    /// The web origin that asked for it (`azp`); none for a native client.
    pub party: Option<&'a str>,
    /// The settings' custom claims, rendered for the user (`claims`).
    pub custom: crate::metadata::Object,
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
        azp: f.party.map(String::from),
        v: proto::CLAIMS_VERSION,
        custom: f.custom.clone(),
    }
}

/// A key opened for signing.
pub struct Signer {
    pub kid: String,
    alg: Alg,
    signs_from: i64,
    signs_until: Option<i64>,
    key: Key,
}

enum Key {
    Rsa(PKey<Private>),
    Ed(EncodingKey),
}

impl Signer {
    pub fn sign(&self, c: &SessionClaims) -> Result<String, String> {
        let header = Header { kid: Some(self.kid.clone()), ..Header::new(self.alg.jwt()) };
        match &self.key {
            Key::Ed(k) => jsonwebtoken::encode(&header, c, k).map_err(|e| e.to_string()),
            // JWS compact serialization (RFC 7515): the signature over
            // `header.claims`, each base64url.
            Key::Rsa(k) => {
                let part = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
                let json = |e: serde_json::Error| e.to_string();
                let input = format!(
                    "{}.{}",
                    part(&serde_json::to_vec(&header).map_err(json)?),
                    part(&serde_json::to_vec(c).map_err(json)?)
                );
                let signature = (|| {
                    let mut s = openssl::sign::Signer::new(MessageDigest::sha256(), k)?;
                    s.update(input.as_bytes())?;
                    s.sign_to_vec()
                })()
                .map_err(|e| e.to_string())?;
                Ok(format!("{input}.{}", part(&signature)))
            }
        }
    }
}

/// A key's private half, for signing; None if it does not open with this
/// instance's secret key.
pub fn open(k: &SigningKey, sealer: &SecretBox) -> Option<Signer> {
    let alg = Alg::of(k)?;
    let private = hex::decode(sealer.open(&k.private_key)?).ok()?;
    let key = match alg {
        Alg::RS256 => Key::Rsa(PKey::from_rsa(Rsa::private_key_from_der(&private).ok()?).ok()?),
        Alg::EdDSA => {
            let seed: [u8; 32] = private.try_into().ok()?;
            let der = ed25519_dalek::SigningKey::from_bytes(&seed).to_pkcs8_der().ok()?;
            Key::Ed(EncodingKey::from_ed_der(der.as_bytes()))
        }
    };
    Some(Signer { kid: k.kid.clone(), alg, signs_from: k.signs_from, signs_until: k.signs_until, key })
}

/// What a node keeps of the keys: those of its algorithm it can sign with,
/// opened, as read at `loaded_at`.
pub struct Ring {
    pub loaded_at: i64,
    signers: Vec<Signer>,
}

impl Ring {
    /// The keys of `alg` that sign now or later; one that does not open is
    /// left out (and logged by the caller).
    pub fn load(keys: &[SigningKey], sealer: &SecretBox, alg: Alg, now: i64) -> Ring {
        let live = keys.iter().filter(|k| Alg::of(k) == Some(alg) && k.signs_until.is_none_or(|u| u > now));
        Ring { loaded_at: now, signers: live.filter_map(|k| open(k, sealer)).collect() }
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
            party: None,
            custom: Default::default(),
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
    fn claims_name_the_web_origin_that_asked_and_clerks_version() {
        let f = Facts { party: Some("https://app.example"), ..facts(false, None) };
        let c = claims(&f, "iss", T, 60, false);
        assert_eq!((c.azp.as_deref(), c.v), (Some("https://app.example"), 2));
        assert_eq!(claims(&facts(false, None), "iss", T, 60, false).azp, None, "a native client: none");
    }

    /// The JWK an app verifies with: RSA's `n`/`e`, Ed25519's `crv`/`x`.
    fn decoding(jwk: &Jwk) -> (Algorithm, DecodingKey) {
        match jwk.kty.as_str() {
            "RSA" => (
                Algorithm::RS256,
                DecodingKey::from_rsa_components(jwk.n.as_deref().unwrap(), jwk.e.as_deref().unwrap()).unwrap(),
            ),
            _ => (Algorithm::EdDSA, DecodingKey::from_ed_components(jwk.x.as_deref().unwrap()).unwrap()),
        }
    }

    #[test]
    fn a_token_verifies_with_its_published_key_only() {
        for alg in [Alg::RS256, Alg::EdDSA] {
            let k = new_key(&sealer(), alg, T, T).unwrap();
            assert_eq!((k.kid.len(), k.alg.as_str()), (43, alg.name()), "a SHA-256 thumbprint, base64url");
            assert!(!k.private_key.contains(&k.public_key) && k.private_key.starts_with("v1:"), "sealed");
            let c = claims(&facts(false, Some(T)), "iss", T, 60, false);
            let jwt = open(&k, &sealer()).unwrap().sign(&c).unwrap();
            let jwk = &jwks(std::slice::from_ref(&k), T, 60).keys[0];
            assert_eq!((jwk.alg.as_str(), jwk.use_.as_str(), &jwk.kid), (alg.name(), "sig", &k.kid));
            let header = jsonwebtoken::decode_header(&jwt).unwrap();
            let (jwt_alg, key) = decoding(jwk);
            assert_eq!((header.alg, header.kid.as_deref()), (jwt_alg, Some(k.kid.as_str())));
            let mut v = Validation::new(jwt_alg);
            v.validate_exp = false;
            v.set_issuer(&["iss"]);
            assert_eq!(jsonwebtoken::decode::<SessionClaims>(&jwt, &key, &v).unwrap().claims, c);
            let other = new_key(&sealer(), alg, T, T).unwrap();
            let (_, wrong) = decoding(&jwks(std::slice::from_ref(&other), T, 60).keys[0]);
            assert!(jsonwebtoken::decode::<SessionClaims>(&jwt, &wrong, &v).is_err());
            let elsewhere = SecretBox::from_hex(&"cd".repeat(32)).unwrap();
            assert!(open(&k, &elsewhere).is_none(), "another instance's secret key opens nothing");
        }
    }

    #[test]
    fn an_rsa_key_is_2048_bits_published_as_n_and_e_and_as_pem() {
        let k = new_key(&sealer(), Alg::RS256, T, T).unwrap();
        let jwk = &jwks(std::slice::from_ref(&k), T, 60).keys[0];
        assert_eq!(
            (jwk.kty.as_str(), jwk.e.as_deref(), jwk.crv.as_ref(), jwk.x.as_ref()),
            ("RSA", Some("AQAB"), None, None)
        );
        let n = URL_SAFE_NO_PAD.decode(jwk.n.as_deref().unwrap()).unwrap();
        assert_eq!((n.len(), n[0] & 0x80), (256, 0x80), "a full 2048-bit modulus, no leading zero");
        let doc = pem(&k).unwrap();
        // Clerk's `jwtKey` reader strips this fixed RSA-2048 SPKI prefix and
        // reads what is left as the modulus.
        let body: String = doc.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(body.starts_with("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA") && body.ends_with("IDAQAB"), "{doc}");
        let parsed = PKey::public_key_from_pem(doc.as_bytes()).unwrap().rsa().unwrap();
        assert_eq!(parsed.n().to_vec(), n, "the PEM holds the JWK's modulus");
        assert_eq!(pem(&new_key(&sealer(), Alg::EdDSA, T, T).unwrap()), None, "Ed25519: no PEM for Clerk");
    }

    #[test]
    fn rotation_publishes_first_signs_later_and_unpublishes_after_the_last_token() {
        let a = Alg::EdDSA;
        let old = new_key(&sealer(), a, T, T).unwrap();
        // Rotated at R: the old key signs until R + KEY_REFRESH, the new from then.
        let r = T + 1000;
        let old = SigningKey { signs_until: Some(r + KEY_REFRESH), ..old };
        let new = new_key(&sealer(), a, r, r + KEY_REFRESH).unwrap();
        let keys = [new.clone(), old.clone()];
        let kids = |now| jwks(&keys, now, 60).keys.into_iter().map(|k| k.kid).collect::<Vec<_>>();
        assert_eq!(kids(r), [new.kid.clone(), old.kid.clone()], "the new key is published at once");
        assert_eq!(signer(&keys, a, r).unwrap().kid, old.kid, "but signs only once every node has read it");
        assert_eq!(signer(&keys, a, r + KEY_REFRESH).unwrap().kid, new.kid);
        let last_old_token_expires = r + KEY_REFRESH + 60;
        assert_eq!(kids(last_old_token_expires + KEY_REFRESH - 1).len(), 2);
        assert_eq!(kids(last_old_token_expires + KEY_REFRESH), std::slice::from_ref(&new.kid));
        let ring = Ring::load(&keys, &sealer(), a, r);
        assert!(ring.fresh(r) && ring.fresh(r + KEY_REFRESH - 1) && !ring.fresh(r + KEY_REFRESH));
        assert_eq!(ring.signer(r).unwrap().kid, old.kid);
        assert_eq!(ring.signer(r + KEY_REFRESH).unwrap().kid, new.kid, "a cached ring switches on time");
        assert!(signer(&[], a, T).is_none());
    }

    #[test]
    fn only_a_key_of_the_configured_algorithm_signs() {
        let ed = new_key(&sealer(), Alg::EdDSA, T, T).unwrap();
        let keys = [ed.clone()];
        assert_eq!(signer(&keys, Alg::EdDSA, T).unwrap().kid, ed.kid);
        assert!(signer(&keys, Alg::RS256, T).is_none(), "switched to RS256: a key of its own is made");
        assert!(Ring::load(&keys, &sealer(), Alg::RS256, T).signer(T).is_none());
        let rs = new_key(&sealer(), Alg::RS256, T + 5, T + 5).unwrap();
        let keys = [rs.clone(), ed.clone()];
        assert_eq!(signer(&keys, Alg::RS256, T + 5).unwrap().kid, rs.kid);
        assert_eq!(jwks(&keys, T + 5, 60).keys.len(), 2, "the idle one stays published until a rotation");
    }
}
