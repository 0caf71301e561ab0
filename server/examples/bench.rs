//! Benchmarks (not tests: they report, they never fail CI). Run through
//! `scripts/bench.sh`, which builds release first. Drives the release server
//! from this second process over loopback and writes figures to a file.
//!
//! Usage: bench <path-to-mfa-signin> <output.md> [hashing]

// A benchmark driver: a failed unwrap stops the run, and the server it
// measures runs on the wall clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::disallowed_methods)]

use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::Value;
use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const PASSWORD: &str = "a long enough password";
const SECS: u64 = 8;
const CONCURRENCY: usize = 8;
/// Figures 1 and 2: raw argon2id and the server take turns, ROUNDS times
/// SLICE seconds each.
const ROUNDS: u64 = 4;
const SLICE: u64 = 3;
/// Calls before a rate's counted seconds start.
const WARM: Duration = Duration::from_millis(500);

struct Server {
    child: Child,
    base: String,
    _dir: std::path::PathBuf,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kb(&self) -> u64 {
        rss_of(self.child.id())
    }
}

fn start(bin: &str, log_sql: bool) -> Server {
    let dir = std::env::temp_dir().join(format!("mfa-bench-{}-{}", std::process::id(), log_sql));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(bin)
        .env("MFA_DEV", "1")
        .env("MFA_SECRET_KEY", KEY)
        .env("MFA_RATE_CREATE", "1000000000")
        .env("MFA_RATE_VERIFY", "1000000000")
        .env("MFA_LOCKOUT_THRESHOLD", "1000000000")
        // Figure 1 measures the password path; each bench client is a new
        // browser, which client trust would send to an email code.
        .env("MFA_CLIENT_TRUST", "0")
        .env("RUST_LOG", if log_sql { "warn,sqlx::query=debug,store=debug" } else { "error" })
        .env_remove("LEPTOS_OUTPUT_NAME")
        .args(["--database-url", &format!("sqlite://{}/bench.db", dir.display())])
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let l = lines.next().expect("server exited").unwrap();
        if let Some(a) = l.strip_prefix("listening on ") {
            break a.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });
    Server { child, base, _dir: dir, log }
}

/// Raw argon2id verifies per second with the server's parameters, on all
/// cores: the physical limit. Each thread keeps its 19 MiB of working memory
/// across verifies (as the server's argon2 pool does), so the limit is the
/// hash alone, not the allocator.
fn raw_argon2(secs: u64) -> f64 {
    let params = Params::new(19_456, 2, 1, None).unwrap();
    let salt = b"bench-salt-16byt";
    let expected = {
        let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut out = [0u8; 32];
        a.hash_password_into(PASSWORD.as_bytes(), salt, &mut out).unwrap();
        out
    };
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (count, stop, params) = (count.clone(), stop.clone(), params.clone());
            std::thread::spawn(move || {
                let mut blocks = vec![argon2::Block::default(); params.block_count()];
                let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                while !stop.load(Ordering::Relaxed) {
                    let mut out = [0u8; 32];
                    a.hash_password_into_with_memory(PASSWORD.as_bytes(), salt, &mut out, &mut blocks[..]).unwrap();
                    assert_eq!(out, expected);
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / secs as f64
}

struct Http {
    c: reqwest::Client,
    base: String,
}

impl Http {
    async fn post(&self, path: &str, cookies: &mut HashMap<String, String>, form: &[(&str, &str)]) -> (u16, Value) {
        let jar: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let r = self
            .c
            .post(format!("{}/api/{path}", self.base))
            .header("accept", "application/json")
            .header("cookie", jar.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let kv = v.split(';').next().unwrap();
            let (k, val) = kv.split_once('=').unwrap();
            cookies.insert(k.into(), val.into());
        }
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// Completed calls per second in steady state: CONCURRENCY tasks call `f`
/// for WARM, then for `secs` that are counted. Calls still running at the
/// end finish uncounted, so neither ramp-up nor the tail skews the rate.
async fn rate<F, Fut>(secs: u64, f: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let done = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicU64::new(0));
    let from = Instant::now() + WARM;
    let to = from + Duration::from_secs(secs);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (f, done, next) = (f.clone(), done.clone(), next.clone());
        set.spawn(async move {
            while Instant::now() < to {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let ok = f(i).await;
                let t = Instant::now();
                if ok && t >= from && t <= to {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    done.load(Ordering::Relaxed) as f64 / secs as f64
}

/// A figure against the physical limit. The raw argon2id rate drifts on a
/// shared VM (seen: 87 to 121/s within one run), so raw and server take
/// turns, ROUNDS times SLICE seconds each: slow drift hits both alike.
/// Answers (server rate, raw rate, raw per round, where the server's
/// cores went).
async fn against_raw<F, Fut>(server: u32, f: F) -> (f64, f64, Vec<f64>, String)
where
    F: Fn(u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let (mut sum, mut raws, mut cpu) = (0.0, vec![], CpuShare::default());
    for _ in 0..ROUNDS {
        raws.push(raw_argon2(SLICE));
        let snap = cpu.snapshot(server);
        sum += rate(SLICE, f.clone()).await;
        cpu.add(server, snap);
    }
    let n = ROUNDS as f64;
    (sum / n, raws.iter().sum::<f64>() / n, raws, cpu.report())
}

async fn create_user(http: &Http, email: &str, totp: bool) -> Value {
    let r = http
        .c
        .post(format!("{}/dev/users", http.base))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD, "totp": totp }))
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

fn totp_now(secret: &str) -> String {
    let t = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .with_digits(6)
        .with_step_duration(30)
        .with_account_name("b")
        .build()
        .unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    t.generate(now).to_string()
}

/// better-auth (npm, two-factor plugin, SQLite), started from bench/better-auth.
struct Peer {
    child: Child,
    base: String,
    _dir: std::path::PathBuf,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Peer {
    fn start() -> Option<Peer> {
        let script = std::path::Path::new("bench/better-auth/server.mjs");
        if !std::path::Path::new("bench/better-auth/node_modules").exists() {
            eprintln!("better-auth not installed (bench/better-auth): skipping the comparison");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let dir = std::env::temp_dir().join(format!("mfa-bench-peer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let mut child = Command::new("node")
            .arg(script)
            .env("PORT", port.to_string())
            .env("DB", dir.join("peer.db"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut lines = BufReader::new(child.stdout.take()?).lines();
        let base = loop {
            let l = lines.next()?.ok()?;
            if let Some(a) = l.strip_prefix("listening on ") {
                break a.trim().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Some(Peer { child, base, _dir: dir })
    }

    fn rss_kb(&self) -> u64 {
        rss_of(self.child.id())
    }
}

fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time (clock ticks) of process `pid`: its argon2 threads, and the rest.
fn cpu_ticks(pid: u32) -> (u64, u64) {
    let (mut argon, mut rest) = (0, 0);
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return (0, 0) };
    for t in tasks.flatten() {
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        // After the ")" closing the thread name: state is field 3, utime 14, stime 15.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let f: Vec<&str> = tail.split_whitespace().collect();
        let ticks: u64 =
            f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        if head.contains("(argon2-") {
            argon += ticks;
        } else {
            rest += ticks;
        }
    }
    (argon, rest)
}

/// Where the cores went during a figure (summed over its slices): the
/// server's argon2 threads, the rest of the server, this load generator,
/// and idle.
#[derive(Default)]
struct CpuShare {
    wall: f64,
    argon: u64,
    rest: u64,
    own: u64,
}

struct Snap {
    at: Instant,
    server: (u64, u64),
    own: u64,
}

impl CpuShare {
    fn snapshot(&self, server: u32) -> Snap {
        Snap { at: Instant::now(), server: cpu_ticks(server), own: cpu_ticks(std::process::id()).1 }
    }

    /// Adds what went on since `s`.
    fn add(&mut self, server: u32, s: Snap) {
        let (a, r) = cpu_ticks(server);
        self.wall += s.at.elapsed().as_secs_f64();
        // Saturating: a thread that exits takes its ticks with it.
        self.argon += a.saturating_sub(s.server.0);
        self.rest += r.saturating_sub(s.server.1);
        self.own += cpu_ticks(std::process::id()).1.saturating_sub(s.own);
    }

    fn report(&self) -> String {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        // Linux reports CPU time in USER_HZ = 100 ticks per second.
        let pct = |ticks: u64| ticks as f64 / 100.0 / (self.wall * cores) * 100.0;
        let (a, r, own) = (pct(self.argon), pct(self.rest), pct(self.own));
        format!(
            "cores: argon2 {a:.0}%, rest of server {r:.0}%, load generator {own:.0}%, other/idle {:.0}%",
            (100.0 - a - r - own).max(0.0)
        )
    }
}

/// A JSON call to better-auth with its cookie jar.
async fn peer_post(c: &reqwest::Client, base: &str, path: &str, jar: &mut HashMap<String, String>, body: Value) -> u16 {
    let cookie: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let r = c
        .post(format!("{base}/api/auth/{path}"))
        .header("origin", base)
        .header("cookie", cookie.join("; "))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    for v in r.headers().get_all("set-cookie") {
        let kv = v.to_str().unwrap().split(';').next().unwrap();
        if let Some((k, val)) = kv.split_once('=') {
            jar.insert(k.into(), val.into());
        }
    }
    let _ = r.bytes().await;
    status
}

/// Sends `jars.len() * per` wrong TOTP codes, `per` per sign-in (better-auth
/// voids a two-factor cookie after 5), CONCURRENCY at a time; requests/s.
async fn wrong_totp_rate<F, Fut>(jars: Vec<HashMap<String, String>>, per: usize, send: F) -> f64
where
    F: Fn(HashMap<String, String>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work: Vec<HashMap<String, String>> = jars.into_iter().flat_map(|j| std::iter::repeat_n(j, per)).collect();
    let total = work.len();
    let work = Arc::new(Mutex::new(work));
    let send = Arc::new(send);
    let ok = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (work, send, ok) = (work.clone(), send.clone(), ok.clone());
        set.spawn(async move {
            loop {
                let Some(jar) = work.lock().unwrap().pop() else { break };
                if send(jar).await {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    let secs = t.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed) as usize;
    assert_eq!(ok, total, "every wrong code must be answered as wrong");
    total as f64 / secs
}

fn bench_client() -> reqwest::Client {
    reqwest::Client::new()
}

struct PeerFigures {
    totp_rps: f64,
    session_rps: f64,
    mfa_rate: f64,
    rss_kb: u64,
}

/// The same flow against better-auth: sign up and enrol TOTP, then the same
/// measures as ours.
async fn peer_figures(c: &reqwest::Client) -> Option<PeerFigures> {
    let peer = Peer::start()?;
    let base = peer.base.clone();
    // Users with TOTP enrolled (without a first verification).
    let users = 400;
    let mut secrets = vec![];
    for i in 0..users {
        let mut jar = HashMap::new();
        let email = format!("p{i}@example.com");
        let body = serde_json::json!({ "email": email, "password": PASSWORD, "name": "P" });
        assert_eq!(peer_post(c, &base, "sign-up/email", &mut jar, body).await, 200);
        let r = c
            .post(format!("{base}/api/auth/two-factor/enable"))
            .header("origin", &base)
            .header("cookie", jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
            .json(&serde_json::json!({ "password": PASSWORD }))
            .send()
            .await
            .ok()?;
        let v: Value = r.json().await.ok()?;
        let uri = v["totpURI"].as_str()?;
        let secret = uri.split("secret=").nth(1)?.split('&').next()?.to_string();
        secrets.push((email, secret));
    }
    let sign_in = |email: String| {
        let (c, base) = (c.clone(), base.clone());
        async move {
            let mut jar = HashMap::new();
            let body = serde_json::json!({ "email": email, "password": PASSWORD });
            let st = peer_post(&c, &base, "sign-in/email", &mut jar, body).await;
            (st, jar)
        }
    };
    // Wrong TOTP codes: 300 sign-ins, 4 codes each.
    let mut jars = vec![];
    for (email, _) in secrets.iter().take(300) {
        let (st, jar) = sign_in(email.clone()).await;
        assert_eq!(st, 200);
        jars.push(jar);
    }
    let (c2, b2) = (c.clone(), base.clone());
    let totp_rps = wrong_totp_rate(jars, 4, move |mut jar| {
        let (c, base) = (c2.clone(), b2.clone());
        async move {
            peer_post(&c, &base, "two-factor/verify-totp", &mut jar, serde_json::json!({ "code": "000000" })).await
                == 401
        }
    })
    .await;
    // Session look-ups (no session: the same answer as ours, null).
    let (c2, b2) = (c.clone(), base.clone());
    let session_rps = rate(SECS, move |_| {
        let (c, base) = (c2.clone(), b2.clone());
        async move {
            let r = c.get(format!("{base}/api/auth/get-session")).header("origin", &base).send().await;
            match r {
                Ok(r) => {
                    let ok = r.status() == 200;
                    let _ = r.bytes().await;
                    ok
                }
                Err(_) => false,
            }
        }
    })
    .await;
    // Full MFA sign-ins: password, then the right TOTP code; one user each.
    let secrets = Arc::new(secrets);
    let (c2, b2, sc) = (c.clone(), base.clone(), secrets.clone());
    let mfa_rate = rate(4, move |i| {
        let (c, base, sc) = (c2.clone(), b2.clone(), sc.clone());
        async move {
            let Some((email, secret)) = sc.get(i as usize) else { return false };
            let mut jar = HashMap::new();
            let body = serde_json::json!({ "email": email, "password": PASSWORD });
            if peer_post(&c, &base, "sign-in/email", &mut jar, body).await != 200 {
                return false;
            }
            let code = totp_now(secret);
            peer_post(&c, &base, "two-factor/verify-totp", &mut jar, serde_json::json!({ "code": code })).await == 200
        }
    })
    .await;
    let rss_kb = peer.rss_kb();
    Some(PeerFigures { totp_rps, session_rps, mfa_rate, rss_kb })
}

/// Bytes of each encoding, brotli, gzip and none: "kB br / kB gzip (kB
/// raw)".
#[derive(Default)]
struct Sizes {
    br: u64,
    gz: u64,
    raw: u64,
}

impl Sizes {
    fn add(&mut self, o: &Sizes) {
        (self.br, self.gz, self.raw) = (self.br + o.br, self.gz + o.gz, self.raw + o.raw);
    }

    fn show(&self) -> String {
        let kb = |n: u64| n as f64 / 1000.0;
        format!("{:.1} br / {:.1} gzip ({:.1} raw)", kb(self.br), kb(self.gz), kb(self.raw))
    }
}

/// The files `/sign-in` loads at once, as a browser receives them from the
/// server (`accept-encoding` br, then gzip, then none): what its HTML
/// names under /pkg/, and the split loader its JS imports.
async fn page_transfer(base: &str) -> Option<(Sizes, String)> {
    let c = reqwest::Client::new();
    let html = c.get(format!("{base}/sign-in")).send().await.ok()?.text().await.ok()?;
    let mut files: Vec<String> = names(&html, "/pkg/").into_iter().map(|n| format!("/pkg/{n}")).collect();
    files.sort();
    files.dedup();
    let js: Vec<String> = files.iter().filter(|f| f.ends_with(".js")).cloned().collect();
    for f in js {
        let text = c.get(format!("{base}{f}")).send().await.ok()?.text().await.ok()?;
        files.extend(names(&text, "__wasm_split.").into_iter().map(|n| format!("/pkg/__wasm_split.{n}")));
    }
    files.sort();
    files.dedup();
    let (mut total, mut parts) = (Sizes::default(), vec![]);
    for f in &files {
        let mut one = Sizes::default();
        for (enc, size) in [("br", &mut one.br), ("gzip", &mut one.gz), ("identity", &mut one.raw)] {
            let r = c.get(format!("{base}{f}")).header("accept-encoding", enc).send().await.ok()?;
            *size = r.bytes().await.ok()?.len() as u64;
        }
        let short = f.rsplit('/').next().unwrap_or(f);
        parts.push(format!("{short} {:.1}/{:.1}", one.br as f64 / 1000.0, one.raw as f64 / 1000.0));
        total.add(&one);
    }
    (!files.is_empty()).then(|| (total, parts.join(", ")))
}

/// File names that follow `prefix` in `text`, up to a quote, space or
/// bracket.
fn names(text: &str, prefix: &str) -> Vec<String> {
    text.split(prefix)
        .skip(1)
        .filter_map(|rest| {
            let n: String = rest.chars().take_while(|c| !"\"'` )>;,\\".contains(*c)).collect();
            (!n.is_empty()).then_some(n)
        })
        .collect()
}

/// The floor's files on disk, with the `.br` and `.gz` twins the same
/// build step (`cargo leptos --precompress`) made for ours.
fn floor_transfer(dir: &str, files: &[&str]) -> Option<Sizes> {
    let dir = std::path::Path::new(dir);
    let len = |f: String| std::fs::metadata(dir.join(f)).map(|m| m.len()).ok();
    let mut total = Sizes::default();
    for f in files {
        total.add(&Sizes { br: len(format!("{f}.br"))?, gz: len(format!("{f}.gz"))?, raw: len(f.to_string())? });
    }
    Some(total)
}

/// Tokens of `alg` signed, then verified, per second on this thread:
/// the cost of the algorithm alone, without HTTP or the database.
fn sign_verify(alg: domain::tokens::Alg) -> (f64, f64) {
    use domain::tokens::{claims, jwks, new_key, open, Facts};
    let sealer = domain::secrets::SecretBox::from_hex(&"ab".repeat(32)).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let k = new_key(&sealer, alg, now, now).unwrap();
    let signer = open(&k, &sealer).unwrap();
    let f = Facts {
        user_id: "user_x",
        session_id: "s",
        email: "e@example.com",
        pending: false,
        first_factor_at: now,
        second_factor_at: Some(now),
        party: None,
        custom: Default::default(),
    };
    let c = claims(&f, "https://auth.example", now, 60, false);
    let per_sec = |mut f: Box<dyn FnMut()>| {
        let (mut n, start) = (0u64, Instant::now());
        while start.elapsed() < Duration::from_secs(2) {
            f();
            n += 1;
        }
        n as f64 / start.elapsed().as_secs_f64()
    };
    let jwt = signer.sign(&c).unwrap();
    let signed = per_sec(Box::new(|| {
        signer.sign(&c).unwrap();
    }));
    let v = verify::Verifier::new("https://auth.example").with_keys(&jwks(&[k], now, 60));
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let verified = per_sec(Box::new(|| {
        assert!(rt.block_on(v.verify_cached(&jwt)).is_ok());
    }));
    (signed, verified)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bin = args.get(1).cloned().unwrap_or_else(|| "target/release/mfa-signin".into());
    let out_path = args.get(2).cloned().unwrap_or_else(|| "bench/results.md".into());
    // `hashing`: figures 1 and 2 only (a quick run while tuning the hot path).
    let hashing_only = args.get(3).is_some_and(|a| a == "hashing");
    let rows: std::cell::RefCell<Vec<(String, String, String)>> = Default::default();
    let add = |name: &str, value: String, target: &str| {
        eprintln!("{name}: {value} (target {target})");
        rows.borrow_mut().push((name.into(), value, target.into()));
    };

    add("raw argon2id verifies/s (m=19456, t=2, p=1, all cores)", String::new(), "—");
    // The server inherits MFA_METRICS_ADDR: run once without and once with
    // it to measure what /metrics costs figures 1 and 2.
    let metrics = std::env::var("MFA_METRICS_ADDR").map_or("off".to_string(), |a| format!("on ({a})"));
    add("server metrics (MFA_METRICS_ADDR)", metrics, "—");
    let s = start(&bin, false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = s.rss_kb();
    let http = Arc::new(Http { c: reqwest::Client::new(), base: s.base.clone() });
    let pid = s.child.id();
    let rounds = |raws: &[f64]| raws.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", ");

    // 1. Password sign-ins (no second factor).
    create_user(&http, "plain@example.com", false).await;
    let h = http.clone();
    eprintln!("figure 1: {ROUNDS} rounds of raw argon2id and password sign-ins, {SLICE} s each…");
    let (pw, raw1, raws1, cpu) = against_raw(pid, move |_| {
        let h = h.clone();
        async move {
            let mut jar = HashMap::new();
            let (st, v) = h
                .post("sign_in/password", &mut jar, &[("identifier", "plain@example.com"), ("password", PASSWORD)])
                .await;
            st == 200 && v["status"] == "complete"
        }
    })
    .await;
    add(
        "1. password sign-ins/s ÷ raw argon2id/s",
        format!("{:.2} ({pw:.1}/s ÷ {raw1:.1}/s; {cpu})", pw / raw1),
        "≥ 0.90",
    );

    // 2. Full MFA sign-ins: password → TOTP → finalize. One user per sign-in
    //    (a TOTP code is accepted once per user and step); figure 3 uses the
    //    last 300.
    let users = (raw1 * (ROUNDS * SLICE) as f64 * 1.5) as usize + 320;
    eprintln!("creating {users} TOTP users…");
    let mut secrets = vec![];
    for i in 0..users {
        let u = create_user(&http, &format!("mfa{i}@example.com"), true).await;
        secrets.push(u["totp_secret"].as_str().unwrap().to_string());
    }
    let secrets = Arc::new(secrets);
    let h = http.clone();
    let sc = secrets.clone();
    // Shared by the rounds: each sign-in takes the next unused user.
    let next = Arc::new(AtomicU64::new(0));
    eprintln!("figure 2: {ROUNDS} rounds of raw argon2id and full MFA sign-ins, {SLICE} s each…");
    let (mfa, raw2, raws2, cpu) = against_raw(pid, move |_| {
        let (h, sc) = (h.clone(), sc.clone());
        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
        async move {
            if i + 300 >= sc.len() {
                return false;
            }
            let email = format!("mfa{i}@example.com");
            let mut jar = HashMap::new();
            let (st, _) = h.post("sign_in/password", &mut jar, &[("identifier", &email), ("password", PASSWORD)]).await;
            if st != 200 {
                return false;
            }
            let code = totp_now(&sc[i]);
            let (st, _) =
                h.post("sign_in/attempt_second_factor", &mut jar, &[("strategy", "totp"), ("code", &code)]).await;
            if st != 200 {
                return false;
            }
            h.post("sign_in/finalize", &mut jar, &[]).await.0 == 200
        }
    })
    .await;
    add(
        "2. full MFA sign-ins/s ÷ raw argon2id/s",
        format!("{:.2} ({mfa:.1}/s ÷ {raw2:.1}/s; {cpu})", mfa / raw2),
        "≥ 0.85",
    );
    rows.borrow_mut()[0].1 = format!(
        "{:.1} (mean; per round, figure 1: {}; figure 2: {})",
        (raw1 + raw2) / 2.0,
        rounds(&raws1),
        rounds(&raws2)
    );
    if hashing_only {
        return write_results(&rows.borrow(), &out_path);
    }

    // 3. Steps without password hashing: wrong TOTP codes, 4 per sign-in
    //    (the peer allows 5 per sign-in), the same count on both.
    const SIGN_INS: usize = 300;
    const PER: usize = 4;
    let mut jars = vec![];
    for i in 0..SIGN_INS {
        let mut jar = HashMap::new();
        let email = format!("mfa{}@example.com", secrets.len() - 1 - i);
        http.post("sign_in/password", &mut jar, &[("identifier", &email), ("password", PASSWORD)]).await;
        jars.push(jar);
    }
    let h = http.clone();
    let totp_rps = wrong_totp_rate(jars, PER, move |mut jar| {
        let h = h.clone();
        async move {
            h.post("sign_in/attempt_second_factor", &mut jar, &[("strategy", "totp"), ("code", "000000")]).await.0
                == 422
        }
    })
    .await;
    let h = http.clone();
    let session_rps = rate(SECS, move |_| {
        let h = h.clone();
        async move {
            let mut jar = HashMap::new();
            h.post("session", &mut jar, &[]).await.0 == 200
        }
    })
    .await;
    let get = |path: &'static str| {
        let h = http.clone();
        move |_| {
            let h = h.clone();
            async move {
                let r =
                    h.c.get(format!("{}{path}", h.base))
                        .header("accept", "text/html")
                        .header("accept-encoding", "br, gzip")
                        .send()
                        .await
                        .unwrap();
                let ok = r.status() == 200;
                let _ = r.bytes().await;
                ok
            }
        }
    };
    let ssr = rate(SECS, get("/sign-in")).await;
    // The page's stylesheet, by its hashed name, brotli as a browser takes it.
    let page = http.c.get(format!("{}/sign-in", http.base)).send().await.unwrap().text().await.unwrap();
    let css = names(&page, "/pkg/").into_iter().find(|n| n.ends_with(".css")).expect("the page names its CSS");
    let css: &'static str = Box::leak(format!("/pkg/{css}").into_boxed_str());
    let stat = rate(SECS, get(css)).await;
    let ours_rss = s.rss_kb();
    match peer_figures(&bench_client()).await {
        Some(p) => {
            add(
                "3a. wrong-TOTP verify requests/s: ours vs better-auth",
                format!("{totp_rps:.0} vs {:.0} = {:.1}×", p.totp_rps, totp_rps / p.totp_rps),
                "≥ 3×",
            );
            add(
                "3b. session look-ups/s (no hashing): ours vs better-auth",
                format!("{session_rps:.0} vs {:.0} = {:.1}×", p.session_rps, session_rps / p.session_rps),
                "≥ 3×",
            );
            add(
                "3c. full MFA sign-ins/s: ours (argon2id) vs better-auth (scrypt, its default)",
                format!("{mfa:.1} vs {:.1}", p.mfa_rate),
                "—",
            );
            add(
                "3d. server RSS after these loads, MB: ours vs better-auth",
                format!("{:.1} vs {:.1}", ours_rss as f64 / 1024.0, p.rss_kb as f64 / 1024.0),
                "—",
            );
        }
        None => add("3a–d. better-auth comparison", "not measured (bench/better-auth not installed)".into(), "≥ 3×"),
    }
    add("3e. server-rendered /sign-in requests/s (better-auth renders no page)", format!("{ssr:.0}"), "—");

    // 8. Session tokens: issued by the server, verified by an app's backend.
    // An active session (MFA is required: a TOTP user).
    let u = create_user(&http, "token@example.com", true).await;
    let mut jar = HashMap::new();
    http.post("sign_in/password", &mut jar, &[("identifier", "token@example.com"), ("password", PASSWORD)]).await;
    let code = totp_now(u["totp_secret"].as_str().unwrap());
    http.post("sign_in/attempt_second_factor", &mut jar, &[("strategy", "totp"), ("code", &code)]).await;
    assert_eq!(http.post("sign_in/finalize", &mut jar, &[]).await.0, 200);
    let (h, issuing) = (http.clone(), jar.clone());
    let issued = rate(SECS, move |_| {
        let (h, mut jar) = (h.clone(), issuing.clone());
        async move { h.post("session/token", &mut jar, &[]).await.0 == 200 }
    })
    .await;
    add("8a. session tokens issued/s by the server (RS256, the default; all cores)", format!("{issued:.0}"), "≥ 1,000");
    // On a thread of its own: it runs a runtime of its own.
    let on_thread = |alg| std::thread::spawn(move || sign_verify(alg)).join().unwrap();
    let (rs, ed) = (on_thread(domain::tokens::Alg::RS256), on_thread(domain::tokens::Alg::EdDSA));
    add(
        "8e. session tokens signed / verified per second on one core: RS256 vs EdDSA",
        format!("{:.0} / {:.0} vs {:.0} / {:.0}", rs.0, rs.1, ed.0, ed.1),
        "—",
    );

    // 8d. A native client's read: its client token opened, the user read, the
    // token sealed afresh; beside the same read with the browser's cookies.
    let n = create_user(&http, "native@example.com", true).await;
    let v1 = |path: &str| format!("{}/v1{path}", http.base);
    let pw = serde_json::json!({ "identifier": "native@example.com", "password": PASSWORD });
    let r = http.c.post(v1("/client/sign_ins?_is_native=1")).json(&pw).send().await.unwrap();
    let bearer = r.headers()["authorization"].to_str().unwrap().to_string();
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let code = serde_json::json!({ "strategy": "totp", "code": totp_now(n["totp_secret"].as_str().unwrap()) });
    let path = format!("/client/sign_ins/{id}/attempt_second_factor");
    let r = http.c.post(v1(&path)).bearer_auth(&bearer).json(&code).send().await.unwrap();
    let bearer = r.headers()["authorization"].to_str().unwrap().to_string();
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "complete");
    let (c, url) = (http.c.clone(), v1("/me"));
    let native = rate(SECS, move |_| {
        let (c, url, bearer) = (c.clone(), url.clone(), bearer.clone());
        async move {
            let r = c.get(url).bearer_auth(bearer).send().await.unwrap();
            let ok = r.status() == 200 && r.headers().contains_key("authorization");
            let _ = r.bytes().await;
            ok
        }
    })
    .await;
    let (h, reading) = (http.clone(), jar.clone());
    let browser = rate(SECS, move |_| {
        let (h, mut jar) = (h.clone(), reading.clone());
        async move { h.post("user", &mut jar, &[]).await.0 == 200 }
    })
    .await;
    add(
        "8d. the signed-in user's read, requests/s: GET /v1/me with a client token vs POST /api/user with cookies",
        format!("{native:.0} vs {browser:.0} = {:.2}", native / browser),
        "—",
    );
    let token = http.post("session/token", &mut jar, &[]).await.1["jwt"].as_str().unwrap().to_string();
    let verifier = verify::Verifier::new(&http.base);
    assert!(verifier.verify(&token).await.is_ok(), "the JWKS is fetched once");
    let per_core = std::thread::scope(|t| {
        t.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let (mut n, start) = (0u64, Instant::now());
                while start.elapsed() < Duration::from_secs(3) {
                    for _ in 0..100 {
                        assert!(verifier.verify_cached(&token).await.is_ok());
                    }
                    n += 100;
                }
                n as f64 / start.elapsed().as_secs_f64()
            })
        })
        .join()
        .unwrap()
    });
    add(
        "8b. session tokens verified/s on one core (RS256; the example backend's check, `verify` crate)",
        format!("{per_core:.0}"),
        "≥ 20,000",
    );
    match backend_rate(&http.base, &token).await {
        Some(rps) => add(
            "8c. example backend GET /whoami requests/s over loopback (all cores, load included)",
            format!("{rps:.0}"),
            "—",
        ),
        None => add("8c. example backend", "not measured (target/release/examples/backend not built)".into(), "—"),
    }
    add(
        "5. SSR /sign-in ÷ static file (its CSS, brotli) requests/s",
        format!("{:.2} ({ssr:.0} / {stat:.0})", ssr / stat),
        "≥ 0.5",
    );

    // 4. Transfer size of /sign-in, as a browser receives it: brotli (and
    // gzip) from the server's precompressed files. Islands: the main wasm
    // holds the sign-in island; the lazy islands (sign-up, account pages)
    // are split off and not fetched by /sign-in. The page's own HTML (with
    // its inline island loader) is not counted.
    let site = page_transfer(&http.base).await;
    add(
        "4. /sign-in transfer, kB — wasm + JS + CSS as sent (the steps after the password and the other islands load on demand)",
        site.map_or("not measured (no site served)".into(), |(t, parts)| format!("{}; {parts}", t.show())),
        "≤ 100",
    );
    // What limits it: the same stack and wasm profile hydrating the least
    // such a page needs (bench/floor, built by scripts/bench.sh).
    let split_js = "__wasm_split.______________________.js";
    let floor = floor_transfer("bench/floor/target/floor-site/pkg", &["floor.wasm", "floor.js", split_js]);
    add(
        "4′. floor: one island with one prop and one server-function call, same stack and profile (bench/floor), kB — wasm + JS, the same precompression",
        floor.map_or("not measured (bench/floor not built with --precompress)".into(), |t| t.show()),
        "—",
    );

    // 6. Memory: idle, then after 100,000 sessions exist (rows written
    //    directly, then a sample looked up through the server).
    let busy_rss = s.rss_kb();
    let db_url = format!("sqlite://{}/bench.db", s._dir.display());
    let uid: i64 = {
        use sqlx::{Connection, Row};
        let mut db = sqlx::SqliteConnection::connect(&db_url).await.unwrap();
        let uid: i64 = sqlx::query("SELECT id FROM users LIMIT 1").fetch_one(&mut db).await.unwrap().get(0);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let mut tx = db.begin().await.unwrap();
        for i in 0..100_000u32 {
            let token = format!("bench-session-{i:08}");
            let key = domain::secrets::token_key(&token);
            sqlx::query(
                "INSERT INTO sessions (key, user_id, created_at, last_active_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(key)
            .bind(uid)
            .bind(now)
            .bind(now)
            .bind(now + 86_400)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        uid
    };
    let _ = uid;
    let h = http.clone();
    let looked = rate(4, move |i| {
        let h = h.clone();
        async move {
            let mut jar = HashMap::from([("session".to_string(), format!("bench-session-{:08}", i % 100_000))]);
            let (st, v) = h.post("session", &mut jar, &[]).await;
            st == 200 && !v.is_null()
        }
    })
    .await;
    let after_rss = s.rss_kb();
    add("6a. server RSS idle, MB", format!("{:.1}", idle_rss as f64 / 1024.0), "≤ 40");
    add(
        "6b. server RSS after 100,000 sessions exist (and all of the above), MB",
        format!(
            "{:.1} (after load: {:.1}; {looked:.0} session lookups/s)",
            after_rss as f64 / 1024.0,
            busy_rss as f64 / 1024.0
        ),
        "≤ 150",
    );
    drop(s);

    // 7. Database writes per full MFA sign-in, from sqlx's own statement log.
    let s = start(&bin, true);
    let http = Http { c: reqwest::Client::new(), base: s.base.clone() };
    let u = create_user(&http, "count@example.com", true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = s.log.lock().unwrap().len();
    let mut jar = HashMap::new();
    http.post("sign_in/password", &mut jar, &[("identifier", "count@example.com"), ("password", PASSWORD)]).await;
    let code = totp_now(u["totp_secret"].as_str().unwrap());
    http.post("sign_in/attempt_second_factor", &mut jar, &[("strategy", "totp"), ("code", &code)]).await;
    let (st, _) = http.post("sign_in/finalize", &mut jar, &[]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines: Vec<String> = s.log.lock().unwrap()[before..].to_vec();
    // A write is a commit: each unit of work that wrote something, and each
    // write statement outside a unit (the database commits it on its own).
    let (mut commits, mut in_unit, mut unit_wrote) = (0, false, false);
    let mut kinds: Vec<String> = Vec::new();
    for l in &lines {
        if l.contains("unit begin") {
            (in_unit, unit_wrote) = (true, false);
        } else if l.contains("unit commit") {
            commits += unit_wrote as usize;
            in_unit = false;
        } else if let Some(q) = l.split("summary=\"").nth(1) {
            let q = q.split('"').next().unwrap_or("").trim_start();
            let verb = q.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if ["INSERT", "UPDATE", "DELETE"].contains(&verb.as_str()) {
                kinds.push(q.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
                if in_unit {
                    unit_wrote = true;
                } else {
                    commits += 1;
                }
            }
        }
    }
    kinds.sort();
    add(
        "7. database writes (commits) per full MFA sign-in, from the server's log",
        format!("{commits} (finalize {st}), holding {} write statements: {}", kinds.len(), kinds.join("; ")),
        "≤ 4",
    );

    write_results(&rows.borrow(), &out_path);
}

/// The example backend (release) answering `/whoami` for `token`.
async fn backend_rate(issuer: &str, token: &str) -> Option<f64> {
    let bin = "target/release/examples/backend";
    let mut child =
        Command::new(bin).args(["--issuer", issuer, "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).spawn().ok()?;
    let line = BufReader::new(child.stdout.take()?).lines().next()?.ok()?;
    let base = line.strip_prefix("listening on ")?.trim().to_string();
    let (c, auth) = (reqwest::Client::new(), format!("Bearer {token}"));
    let rps = rate(SECS, move |_| {
        let (c, url, auth) = (c.clone(), format!("{base}/whoami"), auth.clone());
        async move { c.get(url).header("authorization", auth).send().await.is_ok_and(|r| r.status() == 200) }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    Some(rps)
}

fn write_results(rows: &[(String, String, String)], out_path: &str) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut md = format!(
        "# Benchmark results\n\nRelease build, SQLite, {cores} cores, load from a second process over loopback \
         ({CONCURRENCY} concurrent clients, {SECS} s per figure after {} ms of warm-up; figures 1 and 2: \
         {ROUNDS} rounds of {SLICE} s of raw argon2id, then {SLICE} s of the server). Produced by `scripts/bench.sh`.\n\n\
         | figure | measured | target |\n|---|---|---|\n",
        WARM.as_millis()
    );
    for (n, v, t) in rows {
        md.push_str(&format!("| {n} | {v} | {t} |\n"));
    }
    if let Some(dir) = std::path::Path::new(out_path).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(out_path, &md).unwrap();
    println!("{md}");
}
