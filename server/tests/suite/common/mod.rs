//! Test harness: starts the real server binary on a fresh SQLite file and talks
//! to it over HTTP, keeping cookies by hand so their attributes can be checked.

#![allow(dead_code)]

pub mod authenticator;

use serde_json::Value;
use std::{
    collections::HashMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_mfa-signin");

static N: AtomicU32 = AtomicU32::new(0);

/// The database a test server gets: a fresh SQLite file, or with
/// `TEST_DB=postgres` a fresh PostgreSQL database (dropped afterwards).
pub enum TempDb {
    Sqlite(PathBuf),
    Postgres(String),
}

pub fn pg_admin() -> String {
    std::env::var("TEST_PG_ADMIN").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn on_postgres() -> bool {
    std::env::var("TEST_DB").is_ok_and(|v| v == "postgres")
}

fn psql(sql: &str) {
    let out = Command::new("psql").args([&pg_admin(), "-qAtc", sql]).output().expect("psql");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn temp_db() -> (TempDb, String) {
    let name = format!("mfa_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    if on_postgres() {
        psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        psql(&format!("CREATE DATABASE {name}"));
        let base = pg_admin();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        return (TempDb::Postgres(name), url);
    }
    let dir = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/test.db", dir.display());
    (TempDb::Sqlite(dir), url)
}

impl Drop for TempDb {
    fn drop(&mut self) {
        match self {
            TempDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TempDb::Postgres(name) => psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
        }
    }
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub struct Server {
    child: Child,
    pub base: String,
    pub db_url: String,
    /// Everything the server logged so far (also echoed to the test's stderr).
    pub logs: std::sync::Arc<std::sync::Mutex<String>>,
    /// The temporary database this server owns (removed after it stops).
    db: Option<TempDb>,
    /// Where `/metrics` is, when the server serves it.
    pub metrics: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.db.take();
    }
}

#[derive(Clone)]
pub struct Opts {
    pub dev: bool,
    pub env: Vec<(&'static str, String)>,
    /// Another copy of the binary, run in `cwd` (a deployed layout).
    pub bin: Option<PathBuf>,
    pub cwd: Option<PathBuf>,
}

/// The key production-mode servers and CLI calls use in tests.
pub const TEST_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

impl Default for Opts {
    /// Development mode, with rate limits out of the way of ordinary tests
    /// (the tests of the limits set their own), and client trust off so that
    /// a user without MFA signs in with the password alone (tests/sign_up.rs
    /// turns it on), and MFA not required, so that such a user's session is
    /// active rather than pending `setup-mfa` (tests/account.rs requires it).
    fn default() -> Self {
        Opts {
            dev: true,
            env: vec![
                ("MFA_RESEND_AFTER", "1".into()),
                ("MFA_RATE_CREATE", "100000".into()),
                ("MFA_RATE_VERIFY", "100000".into()),
                ("MFA_CLIENT_TRUST", "0".into()),
                ("MFA_REQUIRE_MFA", "0".into()),
            ],
            bin: None,
            cwd: None,
        }
    }
}

impl Opts {
    pub fn with(mut self, k: &'static str, v: &str) -> Opts {
        self.env.retain(|(key, _)| *key != k);
        self.env.push((k, v.to_string()));
        self
    }
}

/// The admin CLI against a test server's database.
pub fn cli(s: &Server, args: &[&str]) -> std::process::Output {
    cli_env(s, &[], args)
}

/// The admin CLI with settings from `env`.
pub fn cli_env(s: &Server, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .env("MFA_SECRET_KEY", TEST_KEY)
        .env_remove("MFA_DEV")
        .envs(env.iter().copied())
        .args(["--database-url", &s.db_url])
        .args(args)
        .output()
        .unwrap()
}

pub fn start(opts: Opts) -> Server {
    let (db, db_url) = temp_db();
    start_at(opts, db_url, Some(db))
}

/// A second server on an existing server's database.
pub fn start_with_db(opts: Opts, db_url: &str) -> Server {
    start_at(opts, db_url.to_string(), None)
}

fn start_at(opts: Opts, db_url: String, db: Option<TempDb>) -> Server {
    let mut cmd = Command::new(opts.bin.clone().unwrap_or_else(|| BIN.into()));
    cmd.current_dir(opts.cwd.clone().unwrap_or_else(workspace))
        .env_remove("LEPTOS_OUTPUT_NAME")
        .env_remove("MFA_DEV")
        .env("RUST_LOG", "warn")
        .env("MFA_SECRET_KEY", TEST_KEY)
        .args(["--database-url", &db_url, "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if opts.dev {
        cmd.arg("--dev");
    } else {
        // Production serves only the hosts it is told of (tests may override).
        cmd.env("MFA_ALLOWED_HOSTS", "127.0.0.1");
    }
    for (k, v) in &opts.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start server");
    let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let err = child.stderr.take().unwrap();
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            eprintln!("{line}");
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let mut metrics = None;
    let base = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(addr) = line.strip_prefix("metrics on ") {
            metrics = Some(addr.trim().to_string());
        }
        if let Some(addr) = line.strip_prefix("listening on ") {
            break addr.trim().to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base, db_url, db, logs, metrics }
}

impl Server {
    /// Asks the server to stop, as systemd does (SIGTERM).
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    }

    /// How the server exited, once it has (within `within`).
    pub fn exited(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + within;
        while std::time::Instant::now() < until {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }

    /// Kills the server as `kill -9` would (its database stays).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the server logs a line containing every one of `needles`
    /// within 10 s: its stderr is read on a thread of its own, so a line
    /// may arrive after the answer it belongs to.
    pub async fn logged(&self, needles: &[&str]) -> bool {
        for _ in 0..500 {
            if needles.iter().all(|n| self.logs.lock().unwrap().contains(n)) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        false
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or("")
    }
    /// Every error's code, in order.
    pub fn codes(&self) -> Vec<&str> {
        let errors = self.body["errors"].as_array();
        errors.map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect()).unwrap_or_default()
    }

    pub fn param(&self) -> &str {
        self.body["errors"][0]["meta"]["param_name"].as_str().unwrap_or("")
    }
    pub fn status_field(&self) -> &str {
        self.body["status"].as_str().unwrap_or("")
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok().map(String::from)).collect()
    }
}

/// A browser-less client with its own cookie jar.
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub headers: Vec<(&'static str, String)>,
}

impl Client {
    pub fn new(s: &Server) -> Client {
        Client::new_for(&s.base)
    }

    pub fn new_for(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            cookies: HashMap::new(),
            headers: vec![],
        }
    }

    /// Another client holding the same cookies (a stolen or replayed jar).
    pub fn fork(&self) -> Client {
        self.fork_to(&self.base)
    }

    /// The same browser, talking to another server node.
    pub fn fork_to(&self, base: &str) -> Client {
        Client { cookies: self.cookies.clone(), headers: self.headers.clone(), ..Client::new_for(base) }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep(&mut self, headers: &reqwest::header::HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Resp {
        let mut req = req.header("cookie", self.cookie_header());
        for (k, v) in &self.headers {
            req = req.header(*k, v);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        self.keep(&headers);
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    /// A server-function call as the Leptos client makes it.
    pub async fn api(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.http.post(format!("{}/api/{path}", self.base)).header("accept", "application/json").form(form);
        self.send(req).await
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        // As a browser navigates: leptos answers redirects only to text/html.
        let req = self.http.get(format!("{}{path}", self.base)).header("accept", "text/html");
        self.send(req).await
    }

    pub async fn raw(&mut self, req: impl FnOnce(&reqwest::Client, &str) -> reqwest::RequestBuilder) -> Resp {
        let r = req(&self.http, &self.base);
        self.send(r).await
    }

    pub async fn password(&mut self, email: &str, password: &str) -> Resp {
        self.api("sign_in/password", &[("identifier", email), ("password", password)]).await
    }

    pub async fn verify(&mut self, strategy: &str, code: &str) -> Resp {
        self.api("sign_in/attempt_second_factor", &[("strategy", strategy), ("code", code)]).await
    }

    pub async fn session_email(&mut self) -> Option<String> {
        let r = self.api("session", &[]).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["email"].as_str().map(String::from)
    }
}

pub const PASSWORD: &str = "a long enough password";

/// Every endpoint of the API (docs/api.md), under /api/.
pub const API_PATHS: [&str; 41] = [
    "sign_in",
    "sign_in/passkey",
    "sign_in/password",
    "sign_in/create",
    "sign_in/prepare_first_factor",
    "sign_in/attempt_first_factor",
    "sign_in/reset_password",
    "sign_in/prepare_second_factor",
    "sign_in/attempt_second_factor",
    "sign_in/finalize",
    "sign_in/reset",
    "session",
    "session/token",
    "session/sign_out",
    "language",
    "sign_up",
    "sign_up/password",
    "sign_up/send_email_code",
    "sign_up/verify_email_code",
    "sign_up/finalize",
    "sign_up/reset",
    "user",
    "user/reverify",
    "user/totp",
    "user/totp/verify",
    "user/phone",
    "user/phone/verify",
    "user/default",
    "user/delete",
    "user/backup_codes",
    "user/remove",
    "user/password",
    "user/passkeys",
    "user/passkeys/finish",
    "user/passkeys/rename",
    "user/passkeys/remove",
    "trusted_devices",
    "trusted_devices/revoke",
    "sessions",
    "sessions/revoke",
    "sessions/revoke_others",
];

/// The endpoints that need a session: `user/*`, `sessions*`, `trusted_devices*`.
pub fn account_paths() -> Vec<&'static str> {
    let account = |p: &str| ["user/", "sessions", "trusted_devices"].iter().any(|a| p.starts_with(a));
    API_PATHS.into_iter().filter(|p| account(p)).collect()
}

/// Creates a user through the development endpoint; answers its secrets.
pub async fn user(s: &Server, email: &str, phone: bool, totp: bool, backup: bool) -> Value {
    let mut spec = serde_json::json!({ "email": email, "password": PASSWORD, "totp": totp, "backup_codes": backup });
    if phone {
        spec["phone"] = "+15555550123".into();
    }
    let r = reqwest::Client::new().post(format!("{}/dev/users", s.base)).json(&spec).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap()
}

/// The newest outbox message to `to` (email or SMS), if any.
pub async fn outbox_to(s: &Server, to: &str) -> Option<Value> {
    let msgs: Value = reqwest::get(format!("{}/dev/outbox.json", s.base)).await.unwrap().json().await.unwrap();
    msgs.as_array().unwrap().iter().find(|m| m["recipient"] == to).cloned()
}

/// The first 6-digit number in `text`.
pub fn six_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).map(String::from)
}

/// The newest code emailed to `to` (from the development outbox).
pub async fn email_code(s: &Server, to: &str) -> String {
    let m = outbox_to(s, to).await.unwrap_or_else(|| panic!("no email to {to}"));
    assert_eq!(m["channel"], "email");
    six_digits(m["body"].as_str().unwrap()).expect("a code in the email")
}

/// How many messages the development outbox holds for `to`.
pub async fn outbox_count(s: &Server, to: &str) -> usize {
    let msgs: Value = reqwest::get(format!("{}/dev/outbox.json", s.base)).await.unwrap().json().await.unwrap();
    msgs.as_array().unwrap().iter().filter(|m| m["recipient"] == to).count()
}

/// The code of the `n`th email to `to`, waiting for it: some emails are
/// sent after the answer (their timing must tell nothing).
pub async fn nth_email_code(s: &Server, to: &str, n: usize) -> String {
    for _ in 0..100 {
        if outbox_count(s, to).await >= n {
            return email_code(s, to).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no email #{n} to {to}");
}

/// The latest SMS code the development outbox holds for anyone.
pub async fn last_sms_code(s: &Server) -> String {
    let msgs: Value = reqwest::get(format!("{}/dev/outbox.json", s.base)).await.unwrap().json().await.unwrap();
    let body = msgs[0]["body"].as_str().unwrap();
    body.split_whitespace().next().unwrap().to_string()
}

/// The middle of the timings (the timing tests compare medians).
pub fn median(mut v: Vec<std::time::Duration>) -> std::time::Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn totp_at(secret: &str, time: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .with_digits(6)
        .with_step_duration(30)
        .with_account_name("t")
        .build()
        .unwrap()
        .generate(time)
        .to_string()
}

/// The real server runs on the wall clock, so its black-box tests read it.
#[allow(clippy::disallowed_methods)]
pub fn unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A native client of `/v1`: no cookies, its client token in
/// `Authorization`, the rotated one kept from each answer.
pub struct Native {
    pub base: String,
    http: reqwest::Client,
    pub token: Option<String>,
    pub headers: Vec<(&'static str, String)>,
}

impl Native {
    pub fn new(s: &Server) -> Native {
        Native {
            base: s.base.clone(),
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            token: None,
            headers: vec![],
        }
    }

    /// `method` on `/v1{path}` with a JSON body (`Value::Null`: none).
    pub async fn call(&mut self, method: reqwest::Method, path: &str, body: Value) -> Resp {
        let mut req = self.http.request(method, format!("{}/v1{path}", self.base));
        if !body.is_null() {
            req = req.json(&body);
        }
        self.send(req).await
    }

    /// A POST with a form body, as Clerk's SDKs send.
    pub async fn http_form(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.http.post(format!("{}/v1{path}", self.base)).form(form);
        self.send(req).await
    }

    /// Any request: `url` makes `/v1` URLs.
    pub async fn raw(
        &mut self,
        make: impl FnOnce(&reqwest::Client, &dyn Fn(&str) -> String) -> reqwest::RequestBuilder,
    ) -> Resp {
        let base = self.base.clone();
        let url = move |p: &str| format!("{base}/v1{p}");
        let req = make(&self.http, &url);
        self.send(req).await
    }

    async fn send(&mut self, mut req: reqwest::RequestBuilder) -> Resp {
        req = match &self.token {
            Some(t) => req.header("authorization", format!("Bearer {t}")),
            None => req.query(&[("_is_native", "1")]),
        };
        for (k, v) in &self.headers {
            req = req.header(*k, v);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        assert!(headers.get("set-cookie").is_none(), "a native client gets no cookie");
        if let Some(t) = headers.get("authorization") {
            self.token = Some(t.to_str().unwrap().to_string());
        }
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.call(reqwest::Method::GET, path, Value::Null).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Resp {
        self.call(reqwest::Method::POST, path, body).await
    }

    pub async fn patch_me(&mut self, body: Value) -> Resp {
        self.call(reqwest::Method::PATCH, "/me", body).await
    }
}
