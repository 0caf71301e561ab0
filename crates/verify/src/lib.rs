//! Verifying mfa-signin's session tokens in your backend, offline: the
//! issuer's JWKS is fetched once, cached, and fetched again when a token
//! names a key it does not hold (a rotation), at most once per
//! `REFETCH_AFTER`. A token passes only if its signature is good (RS256 or
//! EdDSA, whichever its key has: a token may not name another), its issuer
//! is yours, it is inside `nbf`..`exp` (with a small leeway), and its
//! session is `active` (a `pending` one still has a task to do).
//!
//! ```no_run
//! # async fn f(authorization: &str) -> Result<(), verify::Refusal> {
//! let v = verify::Verifier::new("https://auth.example.com");
//! let claims = v.verify(authorization.trim_start_matches("Bearer ")).await?;
//! println!("user {} in session {}", claims.sub, claims.sid);
//! // Demand a second factor in the last 10 minutes for a sensitive action:
//! verify::second_factor_within(&claims, 10)?;
//! # Ok(()) }
//! ```

use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, Validation};
pub use proto::SessionClaims;
use proto::{Jwks, STS_ACTIVE};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The least time between two fetches of the JWKS, so that tokens with
/// made-up key ids cannot make this backend hammer the issuer.
pub const REFETCH_AFTER: Duration = Duration::from_secs(5);

/// Why a token was refused: every case answers 401.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no token")]
    Missing,
    #[error("not a token")]
    Malformed,
    #[error("signed with a key the issuer does not publish")]
    UnknownKey,
    #[error("bad signature")]
    BadSignature,
    #[error("expired")]
    Expired,
    #[error("not valid yet")]
    NotYetValid,
    #[error("another issuer")]
    WrongIssuer,
    #[error("the session is pending: a task is still to be done")]
    Pending,
    #[error("no second factor recent enough")]
    SecondFactorTooOld,
    #[error("the JWKS could not be fetched: {0}")]
    Jwks(String),
}

struct Keys {
    by_kid: HashMap<String, (Algorithm, DecodingKey)>,
    fetched: Option<Instant>,
}

/// One issuer's tokens, verified against its published keys.
pub struct Verifier {
    issuer: String,
    jwks_url: String,
    http: reqwest::Client,
    keys: RwLock<Keys>,
    /// Validation for RS256 and for EdDSA keys: the same checks, each
    /// admitting only its key's algorithm.
    rs256: Validation,
    eddsa: Validation,
    allow_pending: bool,
}

impl Verifier {
    /// For tokens of `issuer` (this server's origin, `iss`); the keys come
    /// from `<issuer>/.well-known/jwks.json`.
    pub fn new(issuer: &str) -> Verifier {
        let issuer = issuer.trim_end_matches('/').to_string();
        let validation = |alg| {
            let mut v = Validation::new(alg);
            v.set_issuer(&[&issuer]);
            v.set_required_spec_claims(&["exp", "nbf", "iss", "sub"]);
            v.validate_nbf = true;
            v.leeway = 5;
            v
        };
        Verifier {
            rs256: validation(Algorithm::RS256),
            eddsa: validation(Algorithm::EdDSA),
            jwks_url: format!("{issuer}/.well-known/jwks.json"),
            issuer,
            http: reqwest::Client::new(),
            keys: RwLock::new(Keys { by_kid: HashMap::new(), fetched: None }),
            allow_pending: false,
        }
    }

    /// Seconds of clock difference forgiven at `exp` and `nbf` (default 5).
    pub fn leeway(mut self, secs: u64) -> Verifier {
        self.rs256.leeway = secs;
        self.eddsa.leeway = secs;
        self
    }

    /// Accept `pending` sessions too (a page that helps finish the task).
    pub fn allow_pending(mut self) -> Verifier {
        self.allow_pending = true;
        self
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The token's claims, if it passes every check.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, Refusal> {
        match self.verify_cached(token).await {
            Err(Refusal::UnknownKey) => {
                self.refetch().await?;
                self.verify_cached(token).await
            }
            r => r,
        }
    }

    /// `verify` with the keys held now: `UnknownKey` rather than a fetch.
    pub async fn verify_cached(&self, token: &str) -> Result<SessionClaims, Refusal> {
        if token.is_empty() {
            return Err(Refusal::Missing);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        let validation = match header.alg {
            Algorithm::RS256 => &self.rs256,
            Algorithm::EdDSA => &self.eddsa,
            _ => return Err(Refusal::Malformed),
        };
        let kid = header.kid.ok_or(Refusal::UnknownKey)?;
        let keys = self.keys.read().await;
        let (alg, key) = keys.by_kid.get(&kid).ok_or(Refusal::UnknownKey)?;
        if *alg != header.alg {
            return Err(Refusal::BadSignature);
        }
        let claims = jsonwebtoken::decode::<SessionClaims>(token, key, validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => Refusal::Expired,
                ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                ErrorKind::InvalidIssuer => Refusal::WrongIssuer,
                ErrorKind::InvalidSignature => Refusal::BadSignature,
                _ => Refusal::Malformed,
            })?
            .claims;
        if claims.sts != STS_ACTIVE && !self.allow_pending {
            return Err(Refusal::Pending);
        }
        Ok(claims)
    }

    /// Fetches the JWKS again, unless it was fetched under `REFETCH_AFTER` ago.
    async fn refetch(&self) -> Result<(), Refusal> {
        let mut keys = self.keys.write().await;
        if keys.fetched.is_some_and(|t| t.elapsed() < REFETCH_AFTER) {
            return Ok(());
        }
        keys.fetched = Some(Instant::now());
        let jwks: Jwks = async { self.http.get(&self.jwks_url).send().await?.error_for_status()?.json().await }
            .await
            .map_err(|e: reqwest::Error| Refusal::Jwks(e.to_string()))?;
        keys.by_kid = keyed(&jwks);
        Ok(())
    }

    /// A verifier holding `jwks` already (tests, or keys shipped with the app).
    pub fn with_keys(self, jwks: &Jwks) -> Verifier {
        Verifier { keys: RwLock::new(Keys { by_kid: keyed(jwks), fetched: Some(Instant::now()) }), ..self }
    }
}

/// The keys of `jwks` this verifier takes (RSA and Ed25519), each with
/// its algorithm.
fn keyed(jwks: &Jwks) -> HashMap<String, (Algorithm, DecodingKey)> {
    let key = |k: &proto::Jwk| match (k.kty.as_str(), k.alg.as_str()) {
        ("RSA", "RS256") => {
            Some((Algorithm::RS256, DecodingKey::from_rsa_components(k.n.as_deref()?, k.e.as_deref()?).ok()?))
        }
        ("OKP", "EdDSA") if k.crv.as_deref() == Some("Ed25519") => {
            Some((Algorithm::EdDSA, DecodingKey::from_ed_components(k.x.as_deref()?).ok()?))
        }
        _ => None,
    };
    jwks.keys.iter().filter_map(|k| Some((k.kid.clone(), key(k)?))).collect()
}

/// Was a second factor verified in this session in the last `minutes`?
/// (`fva[1]`: -1 when none was.)
pub fn second_factor_within(c: &SessionClaims, minutes: i64) -> Result<(), Refusal> {
    match c.fva[1] {
        age if (0..=minutes).contains(&age) => Ok(()),
        _ => Err(Refusal::SecondFactorTooOld),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::disallowed_methods)]
    use super::*;
    use domain::secrets::SecretBox;
    use domain::tokens::{claims, jwks, new_key, open, Alg, Facts};

    fn now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    struct Issued {
        jwks: Jwks,
        sign: Box<dyn Fn(&SessionClaims) -> String>,
    }

    fn issuer(alg: Alg) -> Issued {
        let sealer = SecretBox::from_hex(&"ab".repeat(32)).unwrap();
        let k = new_key(&sealer, alg, now(), now()).unwrap();
        let jwks = jwks(std::slice::from_ref(&k), now(), 60);
        let signer = open(&k, &sealer).unwrap();
        Issued { jwks, sign: Box::new(move |c| signer.sign(c).unwrap()) }
    }

    fn good(pending: bool, second: Option<i64>) -> SessionClaims {
        let f = Facts {
            user_id: "user_a",
            session_id: "s",
            email: "a@example.com",
            pending,
            first_factor_at: now() - 120,
            second_factor_at: second,
            party: None,
            custom: Default::default(),
        };
        claims(&f, "https://auth.example", now(), 60, false)
    }

    #[tokio::test]
    async fn every_check_refuses_what_it_should_with_either_algorithm() {
        for alg in [Alg::RS256, Alg::EdDSA] {
            every_check_refuses_what_it_should(alg).await;
        }
    }

    async fn every_check_refuses_what_it_should(alg: Alg) {
        let i = issuer(alg);
        let v = Verifier::new("https://auth.example/").leeway(0).with_keys(&i.jwks);
        let ok = good(false, Some(now() - 60));
        assert_eq!(v.verify_cached(&(i.sign)(&ok)).await.unwrap(), ok);
        let refused = async |c: SessionClaims| v.verify_cached(&(i.sign)(&c)).await.unwrap_err();
        assert_eq!(refused(SessionClaims { exp: now() - 1, ..ok.clone() }).await, Refusal::Expired);
        assert_eq!(refused(SessionClaims { nbf: now() + 30, ..ok.clone() }).await, Refusal::NotYetValid);
        assert_eq!(
            refused(SessionClaims { iss: "https://evil.example".into(), ..ok.clone() }).await,
            Refusal::WrongIssuer
        );
        assert_eq!(refused(good(true, None)).await, Refusal::Pending);
        let other = issuer(alg);
        let forged = (other.sign)(&ok);
        assert_eq!(v.verify_cached(&forged).await.unwrap_err(), Refusal::UnknownKey, "another key id");
        // The same key id, another key's signature.
        let (head, rest) = (i.sign)(&ok).split_once('.').map(|(h, r)| (h.to_string(), r.to_string())).unwrap();
        let forged_sig = forged.rsplit('.').next().unwrap();
        let body = rest.split('.').next().unwrap();
        assert_eq!(v.verify_cached(&format!("{head}.{body}.{forged_sig}")).await.unwrap_err(), Refusal::BadSignature);
        assert_eq!(v.verify_cached("not.a.token").await.unwrap_err(), Refusal::Malformed);
        assert_eq!(v.verify_cached("").await.unwrap_err(), Refusal::Missing);
        let pending_ok = Verifier::new("https://auth.example").allow_pending().with_keys(&i.jwks);
        assert!(pending_ok.verify_cached(&(i.sign)(&good(true, None))).await.is_ok());
    }

    /// A token may not choose how it is checked: not another algorithm
    /// than its key's, not HMAC with the public key as the secret.
    #[tokio::test]
    async fn a_token_naming_another_algorithm_than_its_key_is_refused() {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        let (rsa, ed) = (issuer(Alg::RS256), issuer(Alg::EdDSA));
        let mut both = rsa.jwks.clone();
        both.keys.extend(ed.jwks.keys.clone());
        let v = Verifier::new("https://auth.example").with_keys(&both);
        let ok = good(false, None);
        let (rsa_jwt, ed_jwt) = ((rsa.sign)(&ok), (ed.sign)(&ok));
        assert_eq!(v.verify_cached(&rsa_jwt).await.unwrap(), ok);
        assert_eq!(v.verify_cached(&ed_jwt).await.unwrap(), ok);
        let header = |jwt: &str| -> serde_json::Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap()
        };
        let (rsa_kid, ed_kid) = (header(&rsa_jwt)["kid"].clone(), header(&ed_jwt)["kid"].clone());
        // The Ed25519 token relabelled as the RSA key's: the header names EdDSA, the key is RSA.
        let body_sig = ed_jwt.split_once('.').unwrap().1;
        let relabel = |alg: &str, kid: &serde_json::Value| {
            let h = serde_json::json!({ "alg": alg, "typ": "JWT", "kid": kid });
            URL_SAFE_NO_PAD.encode(h.to_string())
        };
        let swapped = format!("{}.{body_sig}", relabel("EdDSA", &rsa_kid));
        assert_eq!(v.verify_cached(&swapped).await.unwrap_err(), Refusal::BadSignature);
        let swapped = format!("{}.{body_sig}", relabel("RS256", &ed_kid));
        assert_eq!(v.verify_cached(&swapped).await.unwrap_err(), Refusal::BadSignature);
        // HS256 keyed with the RSA modulus, the classic confusion.
        let n = rsa.jwks.keys[0].n.clone().unwrap();
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header {
                kid: rsa_kid.as_str().map(String::from),
                ..jsonwebtoken::Header::new(Algorithm::HS256)
            },
            &ok,
            &jsonwebtoken::EncodingKey::from_secret(n.as_bytes()).unwrap(),
        )
        .unwrap();
        assert_eq!(v.verify_cached(&forged).await.unwrap_err(), Refusal::Malformed);
    }

    #[test]
    fn a_recent_second_factor_is_one_within_the_minutes() {
        let at = |m: i64| SessionClaims { fva: [m, m], ..good(false, None) };
        assert!(second_factor_within(&at(0), 10).is_ok());
        assert!(second_factor_within(&at(10), 10).is_ok());
        assert_eq!(second_factor_within(&at(11), 10), Err(Refusal::SecondFactorTooOld));
        assert_eq!(second_factor_within(&at(-1), 10), Err(Refusal::SecondFactorTooOld), "none in this session");
    }
}
