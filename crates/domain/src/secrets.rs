//! Passwords, tokens, one-time codes, backup codes and TOTP.

use argon2::{password_hash::PasswordHasher, Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD as PHC_B64;
use base64::Engine as _;
use chacha20poly1305::{aead::Aead, KeyInit, XChaCha20Poly1305, XNonce};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Builder, Secret, Totp};

/// OWASP's argon2id parameters: m = 19456 KiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (CPU-heavy: call from `spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, String> {
    argon2().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

thread_local! {
    /// Argon2's 19 MiB of working memory, kept per hashing thread: reused by
    /// every verify instead of allocated and freed each time (which left
    /// glibc holding several fragmented copies per arena).
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The stored hash of a user with no password (imported without one):
/// they set one with "Forgot password"; sign-in checks the dummy instead.
pub const NO_PASSWORD: &str = "";

/// Our own hashes' PHC prefix: argon2id with the parameters above.
const OURS: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Whether `stored` is an imported hash, or ours with other parameters: a
/// right password re-hashes it as ours.
pub fn needs_rehash(stored: &str) -> bool {
    !stored.starts_with(OURS)
}

/// Whether `d` is a whole bcrypt digest (`$2b$10$` and 53 characters of
/// bcrypt's base64), as an import may store it.
pub fn bcrypt_digest(d: &str) -> bool {
    bcrypt_cost(d).is_some()
        && d.len() == 60
        && d.as_bytes()[6] == b'$'
        && d[7..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

/// Whether `stored` is a hash we can check (ours; an imported bcrypt,
/// scrypt, PBKDF2 or argon2 one within bounds) or none: what an import may
/// store as it is.
pub fn importable(stored: &str) -> bool {
    stored == NO_PASSWORD
        || bcrypt_digest(stored)
        || Scrypt::parse(stored).is_some()
        || Pbkdf2::parse(stored).is_some()
        || Argon2Hash::parse(stored).is_some()
}

/// An imported bcrypt digest (`$2a$`, `$2b$`, `$2y$`: Clerk's and
/// Supabase's exports): its cost, else None.
pub fn bcrypt_cost(stored: &str) -> Option<u32> {
    let rest = stored.strip_prefix("$2a$").or(stored.strip_prefix("$2b$")).or(stored.strip_prefix("$2y$"))?;
    rest.get(..2)?.parse().ok().filter(|c| (4..=31).contains(c))
}

/// An imported scrypt hash, as stored: `$scrypt$ln=…,r=…,p=…$salt$key`
/// (PHC's layout; salt and key in unpadded standard base64).
struct Scrypt {
    params: scrypt::Params,
    salt: Vec<u8>,
    key: Vec<u8>,
}

impl Scrypt {
    fn parse(stored: &str) -> Option<Scrypt> {
        let mut parts = stored.strip_prefix("$scrypt$")?.split('$');
        let params = scrypt_params(parts.next()?)?;
        let salt = PHC_B64.decode(parts.next()?).ok()?;
        let key = PHC_B64.decode(parts.next()?).ok()?;
        (parts.next().is_none() && (16..=128).contains(&key.len())).then_some(Scrypt { params, salt, key })
    }

    /// better-auth NFKC-normalizes the password before scrypt.
    fn verify(&self, password: &str) -> bool {
        use unicode_normalization::UnicodeNormalization;
        let password: String = password.nfkc().collect();
        let mut out = vec![0u8; self.key.len()];
        scrypt::scrypt(password.as_bytes(), &self.salt, &self.params, &mut out).is_ok()
            && bool::from(out.as_slice().ct_eq(&self.key))
    }
}

/// `ln=14,r=16,p=1` as scrypt's parameters (bounded: a stored hash never
/// asks for more than 1 GiB).
fn scrypt_params(s: &str) -> Option<scrypt::Params> {
    let mut v = [None; 3];
    for kv in s.split(',') {
        let (k, n) = kv.split_once('=')?;
        let i = ["ln", "r", "p"].iter().position(|x| *x == k)?;
        v[i] = Some(n.parse::<u32>().ok()?);
    }
    let [Some(ln), Some(r), Some(p)] = v else { return None };
    let within = ln <= 20 && r <= 32 && p <= 16 && (128u64 << ln) * u64::from(r) <= 1 << 30;
    let ln = u8::try_from(ln).ok()?;
    within.then(|| scrypt::Params::new(ln, r, p, 64).ok()).flatten()
}

/// An imported PBKDF2-HMAC hash, as stored: `$pbkdf2-sha256$i=…,l=…$salt$key`
/// (or `-sha512`; PHC's layout, as the `pbkdf2` crate writes it).
struct Pbkdf2 {
    sha512: bool,
    rounds: u32,
    salt: Vec<u8>,
    key: Vec<u8>,
}

/// At most this many rounds (Django's default is 1,000,000 in 2025).
const PBKDF2_MAX_ROUNDS: u32 = 2_000_000;

impl Pbkdf2 {
    fn parse(stored: &str) -> Option<Pbkdf2> {
        let (sha512, rest) = match stored.strip_prefix("$pbkdf2-sha256$") {
            Some(rest) => (false, rest),
            None => (true, stored.strip_prefix("$pbkdf2-sha512$")?),
        };
        let mut parts = rest.split('$');
        let (params, salt, key) = (parts.next()?, parts.next()?, parts.next()?);
        let (mut rounds, mut len) = (None, None);
        for kv in params.split(',') {
            match kv.split_once('=')? {
                ("i", n) => rounds = n.parse::<u32>().ok(),
                ("l", n) => len = n.parse::<usize>().ok(),
                _ => return None,
            }
        }
        let (salt, key) = (PHC_B64.decode(salt).ok()?, PHC_B64.decode(key).ok()?);
        let rounds = rounds.filter(|r| (1..=PBKDF2_MAX_ROUNDS).contains(r))?;
        let ok = parts.next().is_none()
            && len == Some(key.len())
            && (16..=64).contains(&key.len())
            && (1..=64).contains(&salt.len());
        ok.then_some(Pbkdf2 { sha512, rounds, salt, key })
    }

    fn verify(&self, password: &str) -> bool {
        let mut out = vec![0u8; self.key.len()];
        match self.sha512 {
            true => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &self.salt, self.rounds, &mut out),
            false => pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &self.salt, self.rounds, &mut out),
        }
        bool::from(out.as_slice().ct_eq(&self.key))
    }
}

/// A PBKDF2-HMAC hash from its parts, as we store it; None if out of
/// bounds (rounds, salt or key length).
pub fn pbkdf2_stored(sha512: bool, rounds: u32, salt: &[u8], key: &[u8]) -> Option<String> {
    let sha = if sha512 { "sha512" } else { "sha256" };
    let s = format!("$pbkdf2-{sha}$i={rounds},l={}${}${}", key.len(), PHC_B64.encode(salt), PHC_B64.encode(key));
    Pbkdf2::parse(&s).map(|_| s)
}

/// An argon2 hash (a PHC string): ours, or an imported argon2id or argon2i
/// one within bounds, so that no stored hash asks for more than 256 MiB or
/// about 25 times our work.
struct Argon2Hash {
    argon: Argon2<'static>,
    salt: Vec<u8>,
    key: Vec<u8>,
}

impl Argon2Hash {
    fn parse(stored: &str) -> Option<Argon2Hash> {
        let hash = argon2::password_hash::phc::PasswordHash::new(stored).ok()?;
        let alg = Algorithm::try_from(hash.algorithm.as_str()).ok()?;
        let params = Params::try_from(&hash).ok()?;
        let version = match hash.version.map(Version::try_from) {
            None => Version::V0x13,
            Some(v) => v.ok()?,
        };
        let salt = hash.salt.as_ref()?.as_ref().to_vec();
        let key = hash.hash.as_ref()?.as_ref().to_vec();
        let (m, t) = (u64::from(params.m_cost()), u64::from(params.t_cost()));
        let ok = alg != Algorithm::Argon2d
            && m <= 256 * 1024
            && m * t <= 1 << 20
            && params.p_cost() <= 64
            && (16..=64).contains(&key.len())
            && salt.len() >= 8;
        ok.then(|| Argon2Hash { argon: Argon2::new(alg, version, params), salt, key })
    }

    /// Ours reuse the thread's working memory; others (imported, other
    /// sizes) take theirs for the one check and give it back.
    fn verify(&self, password: &str) -> bool {
        let needed = self.argon.params().block_count();
        let mut out = vec![0u8; self.key.len()];
        let mut run = |blocks: &mut Vec<argon2::Block>| {
            if blocks.len() != needed {
                *blocks = vec![argon2::Block::default(); needed];
            }
            self.argon
                .hash_password_into_with_memory(password.as_bytes(), &self.salt, &mut out, &mut blocks[..])
                .is_ok()
        };
        let ok = match needed == argon2().params().block_count() {
            true => BLOCKS.with_borrow_mut(run),
            false => run(&mut Vec::new()),
        };
        ok && bool::from(out.as_slice().ct_eq(&self.key))
    }
}

/// better-auth's stored hash (`salt:key`, hex; scrypt N=16384, r=16, p=1
/// over the salt's hex text) as we store it, or None if it is not one.
pub fn from_better_auth(hash: &str) -> Option<String> {
    let (salt, key) = hash.split_once(':')?;
    let hex_ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_ok(salt, 32) || !hex_ok(key, 128) {
        return None;
    }
    let key = hex::decode(key).ok()?;
    Some(format!("$scrypt$ln=14,r=16,p=1${}${}", PHC_B64.encode(salt.as_bytes()), PHC_B64.encode(key)))
}

/// Verifies a password against a stored hash: ours (a PHC string), or an
/// imported bcrypt, scrypt, PBKDF2 or argon2 one (CPU-heavy: run it on
/// the pool).
pub fn verify_password(password: &str, phc: &str) -> bool {
    if bcrypt_cost(phc).is_some() {
        return bcrypt::verify(password, phc).unwrap_or(false);
    }
    if phc.starts_with("$scrypt$") {
        return Scrypt::parse(phc).is_some_and(|s| s.verify(password));
    }
    if phc.starts_with("$pbkdf2-") {
        return Pbkdf2::parse(phc).is_some_and(|p| p.verify(password));
    }
    Argon2Hash::parse(phc).is_some_and(|a| a.verify(password))
}

/// Argon2 runs off the async runtime on its own pool of one thread per core,
/// not on tokio's blocking pool: each hash takes 19 MiB, and every thread
/// that ever hashed keeps its malloc arena, so spreading hashes over the
/// blocking pool's many threads grew the server to ~870 MB after 200
/// concurrent sign-ins. CPU-bound work gains nothing from more threads.
mod pool {
    use std::sync::{mpsc, LazyLock, Mutex};

    type Job = Box<dyn FnOnce() + Send>;

    static POOL: LazyLock<Mutex<mpsc::Sender<Job>>> = LazyLock::new(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || loop {
                let job = match rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "argon2 thread");
            }
        }
        Mutex::new(tx)
    });

    /// Runs `f` on the pool; None only if the pool is gone.
    pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        POOL.lock().ok()?.send(job).ok()?;
        rx.await.ok()
    }
}

/// Runs CPU-heavy work other than hashing (making an RSA key) on the
/// argon2 pool, off the async runtime; None only if the pool is gone.
pub async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    pool::run(f).await
}

/// Hashes a password on the argon2 pool, off the async runtime.
pub async fn hash_password_async(password: String) -> Result<String, String> {
    pool::run(move || timed("hash", || hash_password(&password))).await.ok_or("hashing pool unavailable")?
}

/// Verifies on the argon2 pool; false on any failure. The answer comes no
/// sooner than `floor` after the call: while slower imported hashes exist,
/// every check waits as long as theirs (`Floor`), so that its time tells
/// no imported user from a native or an unknown one. A wait, not work: it
/// costs no CPU.
pub async fn verify_password_async(password: String, phc: String, floor: std::time::Duration) -> bool {
    let until = tokio::time::Instant::now() + floor;
    let ok = pool::run(move || timed("verify", || verify_password(&password, &phc))).await.unwrap_or(false);
    if !floor.is_zero() {
        tokio::time::sleep_until(until).await;
    }
    ok
}

/// A maker of a stored hash of `kind` (a random password's), to time.
fn dummy_of(kind: &str) -> Option<Box<dyn FnOnce() -> Option<String> + Send>> {
    if let Some(cost) = bcrypt_cost(kind) {
        return Some(Box::new(move || bcrypt::hash(token(), cost).ok()));
    }
    // The key's length: PBKDF2's is in its parameters (`l=`), scrypt's
    // as better-auth makes it, argon2's default.
    let len = kind.split(['$', ',']).find_map(|p| p.strip_prefix("l=")?.parse().ok());
    let len = len.unwrap_or(if kind.starts_with("$scrypt$") { 64 } else { 32 });
    let salt: [u8; 16] = rand::rng().random();
    let dummy = format!("{kind}{}${}", PHC_B64.encode(salt), PHC_B64.encode(vec![0u8; len]));
    importable(&dummy).then(|| Box::new(move || Some(dummy)) as Box<dyn FnOnce() -> Option<String> + Send>)
}

/// The least time a password check takes while imported hashes are
/// stored: half again the slowest of their kinds, measured on this
/// machine (`Floor::measure`). Zero once none is left.
#[derive(Debug, Default)]
pub struct Floor(std::sync::atomic::AtomicU64, std::sync::RwLock<Vec<String>>);

impl Floor {
    pub fn get(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Whether the last measure counted `kind` (`kind_of`).
    pub fn knows(&self, kind: &str) -> bool {
        self.1.read().is_ok_and(|k| k.iter().any(|k| k == kind))
    }

    /// Measures one check of each kind of stored hash in `kinds` (their
    /// first characters, as `imported_hash_kinds` gives them) on the pool
    /// and keeps the slowest, half again (none: zero).
    pub async fn measure(&self, kinds: &[String]) {
        let mut slowest = std::time::Duration::ZERO;
        for kind in kinds {
            let Some(dummy) = dummy_of(kind) else { continue };
            let timed = pool::run(move || {
                let digest = dummy()?;
                let start = std::time::Instant::now();
                let _ = verify_password("not the password", &digest);
                Some(start.elapsed())
            });
            if let Some(Some(t)) = timed.await {
                slowest = slowest.max(t);
            }
        }
        let floor = if slowest.is_zero() { slowest } else { slowest + slowest / 2 };
        self.0.store(u64::try_from(floor.as_micros()).unwrap_or(u64::MAX), std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut known) = self.1.write() {
            *known = kinds.to_vec();
        }
    }
}

/// The kind of an imported hash, as the store keeps it beside the hash
/// (`hash_kind`) for `imported_hash_kinds`: what its time depends on, the
/// hash less its salt and key (`$2b$10$`, `$argon2id$v=19$m=65536,t=3,p=4$`);
/// None for ours and for none.
pub fn kind_of(stored: &str) -> Option<String> {
    if stored.starts_with(OURS) || stored == NO_PASSWORD {
        return None;
    }
    if bcrypt_cost(stored).is_some() {
        return Some(stored.chars().take(7).collect());
    }
    let mut parts = stored.rsplitn(3, '$');
    let (_key, _salt, head) = (parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{head}$"))
}

/// `f`, its time noted for /metrics (the hash alone, not the wait for
/// the pool).
fn timed<T>(op: &'static str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let r = f();
    crate::metrics::password_hashed(op, start.elapsed().as_secs_f64());
    r
}

/// A 256-bit random token, URL-safe (cookies).
pub fn token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// A user's public id: `user_` and 26 letters and digits (130 bits), for
/// apps; the row id stays inside.
pub fn user_id() -> String {
    let mut rng = rand::rng();
    let id: String = (0..26).map(|_| BACKUP_ALPHABET[rng.random_range(0..32)] as char).collect();
    format!("user_{id}")
}

/// How a Backend API secret key begins (Clerk's SDKs check for `sk_`).
pub const API_KEY_PREFIX: &str = "sk_live_";

/// How a token is stored: its SHA-256, so a database leak yields no cookie.
pub fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The public id of the thing stored under `key` (a token's hash): 24 hex
/// characters of a hash apart from the key, so ids in logs or URLs never
/// name a stored row's key. `kind` keeps the ids of sessions, sign-ins and
/// sign-ups apart.
pub fn public_id(kind: &str, key: &str) -> String {
    hex::encode(&Sha256::digest(format!("{kind}-id:{key}").as_bytes())[..12])
}

/// A 6-digit one-time code from the OS CSPRNG.
pub fn otp_code() -> String {
    let n: u32 = rand::rng().random_range(0..1_000_000);
    format!("{n:06}")
}

/// A one-time code bound to its attempt: without the attempt's cookie token,
/// a stolen database row cannot be brute-forced offline.
pub fn code_hash(attempt_token: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"otp\0");
    h.update(attempt_token.as_bytes());
    h.update(b"\0");
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

/// Constant-time equality of two strings (hashes).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Encrypts secrets at rest (TOTP seeds) with a key kept outside the
/// database: a leaked database or backup yields no authenticator seeds.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    /// From 64 hex characters (32 bytes).
    pub fn from_hex(key: &str) -> Result<SecretBox, String> {
        let bytes = hex::decode(key.trim()).map_err(|_| "the secret key must be hex".to_string())?;
        if bytes.len() != 32 {
            return Err("the secret key must be 32 bytes (64 hex characters)".into());
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|e| e.to_string())?;
        Ok(SecretBox { cipher })
    }

    /// `v1:` + hex(nonce ‖ ciphertext ‖ tag), a fresh random nonce each time.
    pub fn seal(&self, plain: &str) -> Result<String, String> {
        let nonce: [u8; 24] = rand::rng().random();
        let ct = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| "encryption failed".to_string())?;
        Ok(format!("v1:{}{}", hex::encode(nonce), hex::encode(ct)))
    }

    /// None if the value was not sealed with this key or was altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = hex::decode(sealed.strip_prefix("v1:")?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(24);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
    }
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// Backup codes: `xxxx-xxxx-xxxx` over a 32-letter alphabet = 60 bits each.
/// No i, l, o, 1: nothing to misread.
const BACKUP_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";
pub const BACKUP_CODES: usize = 10;

pub fn backup_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<u8> = (0..12).map(|_| BACKUP_ALPHABET[rng.random_range(0..32)]).collect();
    let s = String::from_utf8(chars).unwrap_or_default();
    format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

/// Canonical form of a typed backup code: lower case, no separators.
/// A code as typed or pasted: without the spaces and dashes that apps and
/// messages group it with ("444 579", "444-579"), and with full-width
/// digits (an East Asian keyboard) as ASCII. Every strategy's code goes
/// through it before it is checked or counted.
pub fn normalize_code(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10),
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '−' | '－' => None,
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect()
}

pub fn normalize_backup_code(input: &str) -> String {
    input.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Salted hash of a backup code (salt per code).
pub fn backup_hash(salt: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"backup\0");
    h.update(salt.as_bytes());
    h.update(b"\0");
    h.update(normalize_backup_code(code).as_bytes());
    hex::encode(h.finalize())
}

pub fn salt() -> String {
    let b: [u8; 16] = rand::rng().random();
    hex::encode(b)
}

/// A new TOTP secret (160 bits, as RFC 4226 recommends), base32.
pub fn totp_secret() -> String {
    let b: [u8; 20] = rand::rng().random();
    Secret::from(b.to_vec()).to_base32()
}

/// The authenticator app's TOTP: SHA-1, 6 digits, 30 s, ±1 step.
pub fn totp(secret_b32: &str, account: &str, issuer: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .build()
        .ok()
}

/// The step a code matches at `now` (±1 step), if any. The caller must
/// accept each step only once (RFC 6238 §5.2).
pub fn totp_step(secret_b32: &str, code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "user", "check")?;
    t.check(code, u64::try_from(now).ok()?).and_then(|s| i64::try_from(s).ok())
}

/// `otpauth://` URI for enrolment in an authenticator app.
pub fn totp_uri(secret_b32: &str, account: &str, issuer: &str) -> Option<String> {
    totp(secret_b32, account, issuer)?.to_url().ok()
}

/// The current code (tests and the admin CLI).
pub fn totp_now(secret_b32: &str, now: i64) -> Option<String> {
    Some(totp(secret_b32, "user", "check")?.generate(u64::try_from(now).ok()?).to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn codes_lose_the_grouping_apps_show_them_with() {
        for typed in [
            "444 579",
            "444-579",
            " 444579 ",
            "４４４５７９",
            "444\u{a0}579",
            "444\u{2009}579",
            "444–579",
            "４４４－５７９",
        ] {
            assert_eq!(normalize_code(typed), "444579", "{typed:?}");
        }
        assert_eq!(normalize_code("ABCD efgh-jkmn"), "ABCDefghjkmn", "letters kept, case too");
        assert_eq!(normalize_code(" - "), "", "nothing left: the field is empty");
    }

    use super::*;
    use totp_rs::Algorithm as A;

    fn rfc_totp(alg: A, seed: &[u8], time: u64) -> String {
        Builder::new()
            .with_algorithm(alg)
            .with_digits(8)
            .with_secret(seed.to_vec())
            .with_step_duration(30)
            .with_account_name("rfc")
            .build_noncompliant()
            .generate(time)
            .to_string()
    }

    #[test]
    fn rfc6238_appendix_b_vectors() {
        let sha1 = b"12345678901234567890";
        let sha256 = b"12345678901234567890123456789012";
        let sha512 = b"1234567890123456789012345678901234567890123456789012345678901234";
        let table: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (t, a, b, c) in table {
            assert_eq!(rfc_totp(A::SHA1, sha1, t), a, "SHA1 at {t}");
            assert_eq!(rfc_totp(A::SHA256, sha256, t), b, "SHA256 at {t}");
            assert_eq!(rfc_totp(A::SHA512, sha512, t), c, "SHA512 at {t}");
        }
    }

    #[test]
    fn rfc4226_appendix_d_hotp_vectors() {
        // HOTP(counter) is TOTP at time counter * step with T0 = 0.
        let want = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in want.iter().enumerate() {
            let t = Builder::new()
                .with_digits(6)
                .with_secret(b"12345678901234567890".to_vec())
                .with_step_duration(30)
                .with_account_name("rfc")
                .build_noncompliant();
            assert_eq!(t.generate(counter as u64 * 30).to_string(), *code, "counter {counter}");
        }
    }

    #[test]
    fn totp_accepts_one_step_of_drift_and_no_more() {
        let secret = totp_secret();
        let now = 1_800_000_015;
        let code = totp_now(&secret, now).unwrap();
        let step = now / 30;
        assert_eq!(totp_step(&secret, &code, now), Some(step));
        assert_eq!(totp_step(&secret, &code, now + 30), Some(step));
        assert_eq!(totp_step(&secret, &code, now - 30), Some(step));
        assert_eq!(totp_step(&secret, &code, now + 60), None);
        assert_eq!(totp_step(&secret, "12345", now), None);
        assert_eq!(totp_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn totp_uri_names_the_account() {
        let uri = totp_uri(&totp_secret(), "demo@example.com", "MFA Sign-in").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains("secret="));
    }

    #[test]
    fn passwords_hash_with_owasp_argon2id() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct horsE", &phc));
        assert!(!verify_password("x", "not a hash"));
    }

    /// Made by bcryptjs 3 (npm), cost 10, as Clerk's export holds them.
    const BCRYPTJS: &str = "$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";

    #[test]
    fn imported_bcrypt_digests_verify_and_ask_to_be_rehashed() {
        assert!(verify_password("a long enough password", BCRYPTJS));
        assert!(!verify_password("a long enough passwore", BCRYPTJS));
        assert_eq!(bcrypt_cost(BCRYPTJS), Some(10));
        assert_eq!(bcrypt_cost("$2b$10$"), Some(10), "the stored kind's prefix");
        assert_eq!(bcrypt_cost("$2x$10$abc"), None);
        assert_eq!(bcrypt_cost("$2b$99$abc"), None);
        assert!(needs_rehash(BCRYPTJS));
        assert!(!needs_rehash(&hash_password("x").unwrap()));
        // Ours with weaker parameters is re-hashed too.
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA"));
    }

    /// Made by better-auth's own `hashPassword` (@better-auth/utils, npm):
    /// `salt:key` in hex, scrypt N=16384 r=16 p=1 over the NFKC password.
    const BETTER_AUTH: &str = "83aa2325017c7d37741c430c4136ab5d:08921c5fe556ae00dcf773fc8523ea94498121e3157ac2ff2f30c19be7d293acf848c3bc58f7326d08b52aaeb3f0b08914287b2108994b1a0d08b88bc62af143";
    /// The same of "Ｐａｓｓ ｗｏｒｄ ｆｕｌｌｗｉｄｔｈ" (full-width letters).
    const BETTER_AUTH_WIDE: &str = "ce44cc75c400864e78550a337b14cad6:2f0bcd23f194434ae24813b92855e0b808f442e505b090508e2a47d00d7ce8132d79d64440b67893ecfaa71d5c2bc3e85d6536688239ac974da5de291862a595";

    #[test]
    fn better_auth_scrypt_hashes_verify_as_stored() {
        let stored = from_better_auth(BETTER_AUTH).unwrap();
        assert!(stored.starts_with("$scrypt$ln=14,r=16,p=1$"), "{stored}");
        assert!(verify_password("a long enough password", &stored));
        assert!(!verify_password("a long enough passwore", &stored));
        assert!(needs_rehash(&stored));
        // better-auth normalizes (NFKC) before hashing: both forms open it.
        let wide = from_better_auth(BETTER_AUTH_WIDE).unwrap();
        assert!(verify_password("Ｐａｓｓ ｗｏｒｄ ｆｕｌｌｗｉｄｔｈ", &wide));
        assert!(verify_password("Pass word fullwidth", &wide));
        // Not better-auth's shape, or asking for too much memory: refused.
        assert_eq!(from_better_auth("abc:def"), None);
        assert_eq!(from_better_auth(&BETTER_AUTH.replace(':', ";")), None);
        assert!(!verify_password("x", "$scrypt$ln=30,r=16,p=1$AAAA$AAAA"));
        assert!(!verify_password("x", "$scrypt$ln=14$AAAA$AAAA"));
    }

    #[test]
    fn pbkdf2_hashes_verify_by_the_rfc_vectors() {
        // RFC 7914 §11 and the common PBKDF2-HMAC-SHA256/512 vectors.
        let key = hex::decode("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a").unwrap();
        let stored = pbkdf2_stored(false, 4096, b"salt", &key).unwrap();
        assert_eq!(stored, "$pbkdf2-sha256$i=4096,l=32$c2FsdA$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o");
        assert!(verify_password("password", &stored));
        assert!(!verify_password("passwore", &stored));
        assert!(needs_rehash(&stored) && importable(&stored));
        assert_eq!(kind_of(&stored).as_deref(), Some("$pbkdf2-sha256$i=4096,l=32$"));
        let key = hex::decode(
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252\
             c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
        )
        .unwrap();
        let stored = pbkdf2_stored(true, 1, b"salt", &key).unwrap();
        assert!(verify_password("password", &stored));
        assert!(!verify_password("password", &stored.replace("sha512", "sha256")));
        // Beyond the bounds: too many rounds, too short a key.
        assert_eq!(pbkdf2_stored(false, PBKDF2_MAX_ROUNDS + 1, b"salt", &key[..32]), None);
        assert_eq!(pbkdf2_stored(false, 1000, b"salt", &key[..8]), None);
    }

    #[test]
    fn argon2_hashes_of_other_parameters_verify_within_bounds() {
        use argon2::password_hash::PasswordHasher as _;
        for (alg, m, t, p) in [(Algorithm::Argon2id, 65_536, 3, 4), (Algorithm::Argon2i, 4096, 3, 1)] {
            let params = Params::new(m, t, p, None).unwrap();
            let argon = Argon2::new(alg, Version::V0x13, params);
            let stored = argon.hash_password(b"a long enough password").unwrap().to_string();
            assert!(importable(&stored) && needs_rehash(&stored), "{stored}");
            assert!(verify_password("a long enough password", &stored));
            assert!(!verify_password("a long enough passwore", &stored));
            assert_eq!(kind_of(&stored), Some(format!("${alg}$v=19$m={m},t={t},p={p}$")));
        }
        // The thread's own memory stays our size after another's check.
        assert_eq!(BLOCKS.with_borrow(|b| b.len()), 0);
        // More than 256 MiB, or 25 times our work, or argon2d: refused.
        for params in ["m=524288,t=1,p=1", "m=131072,t=9,p=1"] {
            assert!(!importable(&format!(
                "$argon2id$v=19${params}$c29tZXNhbHQ$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA"
            )));
        }
        assert!(!importable("$argon2d$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA"));
        assert!(importable("$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA"));
        assert!(
            !importable("$argon2id$v=19$m=4096,t=3,p=1$c2FsdA$rjbQ9dgZPaRbYIqebQXbYvvxgQTwJgoR8H1AnHE8qvA"),
            "a 4-byte salt"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_check_takes_at_least_the_floor() {
        let floor = Floor::default();
        floor.measure(&[]).await;
        assert_eq!(floor.get(), std::time::Duration::ZERO, "no imported hash: no floor");
        floor.measure(&["$scrypt$ln=14,r=16,p=1$".into()]).await;
        let scrypt = floor.get();
        assert!(scrypt > std::time::Duration::from_millis(1), "{scrypt:?}");
        floor.measure(&["$argon2id$v=19$m=65536,t=3,p=1$".into()]).await;
        assert!(floor.get() > scrypt.min(std::time::Duration::from_millis(5)), "{:?}", floor.get());
        floor.measure(&["$2b$10$".into(), "$unknown".into()]).await;
        assert!(floor.knows("$2b$10$") && !floor.knows("$2b$12$") && !floor.knows("$scrypt$ln=14,r=16,p=1$"));
        assert_eq!(kind_of(BCRYPTJS).as_deref(), Some("$2b$10$"));
        assert_eq!(kind_of(&hash_password("x").unwrap()), None);
        let f = floor.get();
        assert!(f > std::time::Duration::from_millis(1), "{f:?}");
        let phc = hash_password("fast").unwrap();
        let start = std::time::Instant::now();
        assert!(verify_password_async("fast".into(), phc, f).await);
        assert!(start.elapsed() >= f);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_pool_hashes_off_the_runtime_and_in_parallel() {
        let phc = hash_password_async("pooled password".into()).await.unwrap();
        let checks: Vec<_> = (0..6)
            .map(|i| {
                let phc = phc.clone();
                let pw = if i % 2 == 0 { "pooled password" } else { "wrong" };
                tokio::spawn(verify_password_async(pw.into(), phc, std::time::Duration::ZERO))
            })
            .collect();
        let mut got = vec![];
        for c in checks {
            got.push(c.await.unwrap());
        }
        assert_eq!(got, [true, false, true, false, true, false]);
    }

    #[test]
    fn otp_codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50).map(|_| otp_code()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(codes.len() > 40);
    }

    #[test]
    fn code_hash_binds_the_attempt() {
        assert_eq!(code_hash("t1", "123456"), code_hash("t1", "123456"));
        assert_ne!(code_hash("t1", "123456"), code_hash("t2", "123456"));
        assert_ne!(code_hash("t1", "123456"), code_hash("t1", "123457"));
    }

    #[test]
    fn backup_codes_have_60_bits_and_normalize() {
        let c = backup_code();
        assert_eq!(c.len(), 14);
        assert_eq!(normalize_backup_code(&c).len(), 12);
        let salt = salt();
        assert_eq!(backup_hash(&salt, &c), backup_hash(&salt, &c.to_uppercase().replace('-', " ")));
        assert_ne!(backup_hash(&salt, &c), backup_hash(&self::salt(), &c));
    }

    #[test]
    fn secret_box_seals_opens_and_detects_tampering() {
        let b = SecretBox::from_hex(&token()).unwrap();
        let secret = totp_secret();
        let sealed = b.seal(&secret).unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains(&secret));
        assert_ne!(b.seal(&secret).unwrap(), sealed, "fresh nonce each time");
        assert_eq!(b.open(&sealed).as_deref(), Some(secret.as_str()));
        let mut bad = sealed.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(b.open(&String::from_utf8(bad).unwrap()), None);
        let other = SecretBox::from_hex(&token()).unwrap();
        assert_eq!(other.open(&sealed), None, "another key opens nothing");
        assert_eq!(b.open(&secret), None, "plain text is not accepted");
        assert!(SecretBox::from_hex("abcd").is_err());
        assert!(SecretBox::from_hex("zz").is_err());
    }

    #[test]
    fn tokens_are_long_and_keys_differ() {
        let t = token();
        assert_eq!(t.len(), 64);
        assert_ne!(token(), t);
        assert_eq!(token_key(&t).len(), 64);
        assert_ne!(token_key(&t), t);
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
