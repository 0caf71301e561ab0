//! A software passkey authenticator: what a platform authenticator does for
//! `navigator.credentials.create()` and `get()`, answering in the JSON a
//! browser's `toJSON()` gives. ES256 over a P-256 key, `none` attestation,
//! user verified, a signature counter it can be told to roll back.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A little CBOR, enough for an attestation object and a COSE key.
enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(&'static str),
    Map(Vec<(Cbor, Cbor)>),
}

impl Cbor {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Int(i) if *i >= 0 => Cbor::head(out, 0, *i as u64),
            Cbor::Int(i) => Cbor::head(out, 1, (-1 - *i) as u64),
            Cbor::Bytes(b) => {
                Cbor::head(out, 2, b.len() as u64);
                out.extend(b);
            }
            Cbor::Text(t) => {
                Cbor::head(out, 3, t.len() as u64);
                out.extend(t.as_bytes());
            }
            Cbor::Map(kv) => {
                Cbor::head(out, 5, kv.len() as u64);
                for (k, v) in kv {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = vec![];
        self.encode(&mut out);
        out
    }
}

/// One credential on the authenticator.
#[derive(Clone)]
pub struct Credential {
    pub id: Vec<u8>,
    key: PKey<Private>,
    pub user_handle: Vec<u8>,
    pub rp_id: String,
    pub counter: u32,
}

impl Credential {
    /// The credential as JSON, its private key as PKCS#8 PEM (a fixture
    /// keeps it for a later run).
    pub fn to_json(&self) -> Value {
        let pem = self.key.private_key_to_pem_pkcs8().unwrap();
        json!({
            "id": B64.encode(&self.id),
            "key": String::from_utf8(pem).unwrap(),
            "user_handle": B64.encode(&self.user_handle),
            "rp_id": self.rp_id,
            "counter": self.counter,
        })
    }

    pub fn from_json(v: &Value) -> Credential {
        Credential {
            id: b64(&v["id"]),
            key: PKey::private_key_from_pem(v["key"].as_str().unwrap().as_bytes()).unwrap(),
            user_handle: b64(&v["user_handle"]),
            rp_id: v["rp_id"].as_str().unwrap().into(),
            counter: v["counter"].as_u64().unwrap() as u32,
        }
    }
}

pub struct Authenticator {
    pub origin: String,
    pub credentials: Vec<Credential>,
    /// Counters step by this much (0: a synced passkey, which keeps none).
    pub step: u32,
}

fn b64(v: &Value) -> Vec<u8> {
    B64.decode(v.as_str().unwrap().trim_end_matches('=')).unwrap()
}

impl Authenticator {
    pub fn new(origin: &str) -> Authenticator {
        Authenticator { origin: origin.trim_end_matches('/').into(), credentials: vec![], step: 1 }
    }

    fn client_data(&self, kind: &str, challenge: &Value) -> Vec<u8> {
        let c = json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false });
        serde_json::to_vec(&c).unwrap()
    }

    fn auth_data(rp_id: &str, flags: u8, counter: u32, attested: Option<Vec<u8>>) -> Vec<u8> {
        let mut d = Sha256::digest(rp_id.as_bytes()).to_vec();
        d.push(flags);
        d.extend(counter.to_be_bytes());
        d.extend(attested.unwrap_or_default());
        d
    }

    /// `navigator.credentials.create()` for the server's options (the
    /// `nonce` JSON): a new resident credential, its answer as JSON.
    pub fn create(&mut self, nonce: &str) -> String {
        let o: Value = serde_json::from_str(nonce).unwrap();
        let pk = &o["publicKey"];
        assert_eq!(pk["authenticatorSelection"]["residentKey"], "required", "a discoverable credential");
        let rp_id = pk["rp"]["id"].as_str().unwrap().to_string();
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec = EcKey::generate(&group).unwrap();
        let mut ctx = openssl::bn::BigNumContext::new().unwrap();
        let (mut x, mut y) = (openssl::bn::BigNum::new().unwrap(), openssl::bn::BigNum::new().unwrap());
        ec.public_key().affine_coordinates(&group, &mut x, &mut y, &mut ctx).unwrap();
        let cose = Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(-7)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(x.to_vec_padded(32).unwrap())),
            (Cbor::Int(-3), Cbor::Bytes(y.to_vec_padded(32).unwrap())),
        ]);
        let id: Vec<u8> = (0..16).map(|_| rand_byte()).collect();
        let mut attested = vec![0u8; 16]; // AAGUID
        attested.extend((id.len() as u16).to_be_bytes());
        attested.extend(&id);
        attested.extend(cose.bytes());
        // UP | UV | AT
        let data = Authenticator::auth_data(&rp_id, 0x01 | 0x04 | 0x40, 0, Some(attested));
        let att = Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(data)),
        ]);
        let cred = Credential {
            id: id.clone(),
            key: PKey::from_ec_key(ec).unwrap(),
            user_handle: b64(&pk["user"]["id"]),
            rp_id,
            counter: 0,
        };
        self.credentials.push(cred);
        json!({
            "id": B64.encode(&id),
            "rawId": B64.encode(&id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": B64.encode(self.client_data("webauthn.create", &pk["challenge"])),
                "attestationObject": B64.encode(att.bytes()),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": { "credProps": { "rk": true } },
        })
        .to_string()
    }

    /// `navigator.credentials.get()` with credential `n` (whatever the
    /// options allow: a test may answer with the wrong one).
    pub fn get(&mut self, nonce: &str, n: usize) -> String {
        let o: Value = serde_json::from_str(nonce).unwrap();
        let pk = &o["publicKey"];
        let step = self.step;
        let cred = &mut self.credentials[n];
        cred.counter += step;
        let data = Authenticator::auth_data(&cred.rp_id.clone(), 0x01 | 0x04, cred.counter, None);
        let cred = cred.clone();
        self.sign(&cred, &data, &pk["challenge"])
    }

    /// An answer signed with a counter set by hand (a clone lags behind).
    pub fn get_with_counter(&mut self, nonce: &str, n: usize, counter: u32) -> String {
        let o: Value = serde_json::from_str(nonce).unwrap();
        let cred = self.credentials[n].clone();
        let data = Authenticator::auth_data(&cred.rp_id, 0x01 | 0x04, counter, None);
        self.sign(&cred, &data, &o["publicKey"]["challenge"])
    }

    fn sign(&self, cred: &Credential, data: &[u8], challenge: &Value) -> String {
        let client = self.client_data("webauthn.get", challenge);
        let mut signed = data.to_vec();
        signed.extend(Sha256::digest(&client));
        let mut signer = Signer::new(MessageDigest::sha256(), &cred.key).unwrap();
        signer.update(&signed).unwrap();
        let sig = signer.sign_to_vec().unwrap();
        json!({
            "id": B64.encode(&cred.id),
            "rawId": B64.encode(&cred.id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": B64.encode(client),
                "authenticatorData": B64.encode(data),
                "signature": B64.encode(sig),
                "userHandle": B64.encode(&cred.user_handle),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }
}

fn rand_byte() -> u8 {
    let mut b = [0u8; 1];
    openssl::rand::rand_bytes(&mut b).unwrap();
    b[0]
}
