//! Running it: a stop (SIGTERM) lets what is in flight finish.

use crate::common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A sign-in whose request is half sent when SIGTERM comes: the server
/// refuses new connections at once, answers it in full, then exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_a_sign_in_in_flight_finish() {
    let mut s = start(Opts::default().with("RUST_LOG", "info,sqlx=warn"));
    user(&s, "stopping@example.com", false, false, false).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let body = format!("identifier=stopping%40example.com&password={}", PASSWORD.replace(' ', "+"));
    let (first, rest) = body.split_at(12);
    let mut conn = TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/sign_in/password HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    conn.flush().unwrap();
    // The server has the request's head before it is told to stop.
    std::thread::sleep(Duration::from_millis(300));
    s.terminate();
    let refused = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        TcpStream::connect(&addr).is_err()
    });
    assert!(refused, "new connections are refused once stopping");
    assert!(s.exited(Duration::from_millis(200)).is_none(), "it waits for the sign-in in flight");

    conn.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"complete\""), "the sign-in finished: {answer}");
    let status = s.exited(Duration::from_secs(10)).expect("the server stops after the answer");
    assert!(status.success(), "{status:?}");
    assert!(s.logged(&["every request in flight was answered"]).await);
}

/// Readiness: ready when the database answers with this build's schema and
/// a key signs; a database a newer release migrated makes it 503, and a
/// server refuses to start on it. Liveness asks nothing of the database.
#[tokio::test]
async fn readiness_says_what_is_not_ready() {
    use sqlx::Connection;
    let s = start(Opts::default());
    let mut c = Client::new(&s);
    let r = c.get("/readyz").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ready =
        serde_json::json!({ "ready": true, "database": "ok", "migrations": "current", "signing_key": "present" });
    assert_eq!(r.body, ready);
    assert_eq!(r.headers["cache-control"], "no-store");

    // A newer release's migration in the database.
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&s.db_url).await.unwrap();
    let checksum = if on_postgres() { "decode('00', 'hex')" } else { "X'00'" };
    let newer = format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from a newer release', TRUE, {checksum}, 0)"
    );
    sqlx::query(sqlx::AssertSqlSafe(newer)).execute(&mut db).await.unwrap();
    let r = c.get("/readyz").await;
    assert_eq!((r.status, r.body["migrations"].as_str()), (503, Some("not this build's")), "{}", r.text);
    assert_eq!(r.body["ready"], false);
    assert_eq!(c.get("/healthz").await.status, 200, "alive all the same");

    let out = std::process::Command::new(BIN)
        .env("MFA_SECRET_KEY", TEST_KEY)
        .args(["--database-url", &s.db_url, "serve", "--dev", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "started on a newer schema");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("99990101000000"), "{err}");
}

/// Migrations as their own step: `serve --no-migrate` refuses a database
/// that is not this build's, `mfa-signin migrate` brings it up, and then
/// the node serves without touching the schema.
#[tokio::test]
async fn migrate_is_a_step_of_its_own_for_rolling_upgrades() {
    let (_db, url) = temp_db();
    let serve = |extra: &[&str]| {
        std::process::Command::new(BIN)
            .env("MFA_SECRET_KEY", TEST_KEY)
            .env("MFA_NO_MIGRATE", "1")
            .args(["--database-url", &url, "serve", "--dev", "--addr", "127.0.0.1:0"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = serve(&[]);
    assert!(!out.status.success(), "served a database without a schema");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mfa-signin migrate"), "{err}");

    let out = std::process::Command::new(BIN)
        .env("MFA_SECRET_KEY", TEST_KEY)
        .args(["--database-url", &url, "--json", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let s = start_with_db(Opts::default().with("MFA_NO_MIGRATE", "1"), &url);
    user(&s, "rolling@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    assert_eq!(c.password("rolling@example.com", PASSWORD).await.status_field(), "complete");
    assert_eq!(c.get("/readyz").await.status, 200);
}

/// `mfa-signin backup FILE` while the server serves; the copy, served by
/// another server, signs the user in with TOTP and with a backup code.
/// PostgreSQL is backed up with its own tools: the command says so.
#[tokio::test]
async fn a_backup_taken_while_serving_restores_with_every_factor() {
    let s = start(Opts::default());
    let u = user(&s, "backed-up@example.com", false, true, true).await;
    let (dir, _) = temp_db();
    let file = match &dir {
        TempDb::Sqlite(d) => d.join("backup.db"),
        TempDb::Postgres(_) => std::env::temp_dir().join(format!("mfa-backup-{}.db", std::process::id())),
    };
    let out = cli(&s, &["backup", file.to_str().unwrap()]);
    if on_postgres() {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"), "{}", String::from_utf8_lossy(&out.stderr));
        return;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A second backup to the same file is refused, not overwritten.
    assert!(!cli(&s, &["backup", file.to_str().unwrap()]).status.success());

    let restored = start_with_db(Opts::default(), &format!("sqlite://{}", file.display()));
    let secret = u["totp_secret"].as_str().unwrap();
    let mut c = Client::new(&restored);
    assert_eq!(c.password("backed-up@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = c.verify("totp", &totp_at(secret, unix())).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let mut c = Client::new(&restored);
    c.password("backed-up@example.com", PASSWORD).await;
    let code = u["backup_codes"][0].as_str().unwrap();
    let r = c.verify("backup_code", code).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
}

/// `mfa-signin audit --since T`: every row from T on, oldest first, one
/// JSON object a line, users by public id, never a password.
#[tokio::test]
async fn the_audit_trail_exports_as_json_lines() {
    let s = start(Opts::default());
    let since = unix() as i64 - 5;
    for n in 0..3 {
        user(&s, &format!("exported-{n}@example.com"), false, false, false).await;
        let mut c = Client::new(&s);
        c.password(&format!("exported-{n}@example.com"), "a wrong password here").await;
    }
    let out = cli(&s, &["audit", "--since", &since.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    let made: Vec<&serde_json::Value> = rows.iter().filter(|r| r["event"] == "user.created").collect();
    assert_eq!(made.len(), 3, "{text}");
    assert!(made.iter().all(|r| r["user_id"].as_str().unwrap().starts_with("user_")), "{text}");
    assert!(rows.iter().any(|r| r["event"] == "sign_in.password_failed"), "{text}");
    assert!(!text.contains("a wrong password here") && !text.contains(PASSWORD), "no password: {text}");
    // Nothing from before `since`.
    let later = cli(&s, &["audit", "--since", &(unix() as i64 + 60).to_string()]);
    assert!(later.stdout.is_empty());
}

/// JSON logs (`MFA_LOG_FORMAT=json`): every line an object, the request's
/// id in the lines it causes and in its answer. And no password, code,
/// secret, token, cookie or key in any line, at debug level, through a
/// sign-in with TOTP, one with a backup code, a session token, a Backend
/// API call and a webhook endpoint made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_json_lines_with_request_ids_and_no_secret() {
    logs_without_secrets("json").await;
}

/// The same in the text format: the id in the request's span.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_logs_carry_request_ids_and_no_secret() {
    logs_without_secrets("text").await;
}

async fn logs_without_secrets(format: &str) {
    let s = start(Opts::default().with("MFA_LOG_FORMAT", format).with("RUST_LOG", "debug,hyper=info,h2=info"));
    let u = user(&s, "logged@example.com", false, true, true).await;
    let totp_secret = u["totp_secret"].as_str().unwrap().to_string();
    let backup = u["backup_codes"][0].as_str().unwrap().to_string();

    let mut c = Client::new(&s);
    c.password("logged@example.com", PASSWORD).await;
    let code = totp_at(&totp_secret, unix());
    assert_eq!(c.verify("totp", &code).await.status_field(), "complete");
    let fin = c.api("sign_in/finalize", &[]).await;
    assert_eq!(fin.status, 200, "{}", fin.text);
    let id = fin.headers["x-request-id"].to_str().unwrap().to_string();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    let jwt = c.api("session/token", &[]).await.body["jwt"].as_str().unwrap().to_string();
    let mut d = Client::new(&s);
    d.password("logged@example.com", PASSWORD).await;
    assert_eq!(d.verify("backup_code", &backup).await.status_field(), "complete");

    let (_, key) = crate::backend::api_key(&s, "logs");
    let http = reqwest::Client::new();
    let r = http.get(format!("{}/backend/v1/users", s.base)).bearer_auth(&key).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let made: serde_json::Value = http
        .post(format!("{}/backend/v1/webhooks/endpoints", s.base))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "url": "https://hooks.example.com/clerk" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let whsec = made["secret"].as_str().unwrap().to_string();

    // The finalize's lines carry its id.
    let tagged = if format == "json" { format!("\"id\":\"{id}\"") } else { format!("id=\"{id}\"") };
    assert!(s.logged(&[&tagged]).await, "{}", s.logs.lock().unwrap());
    let logs = s.logs.lock().unwrap().clone();
    for line in logs.lines().filter(|_| format == "json") {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()), "not JSON: {line}");
    }
    let mut secrets = vec![PASSWORD.to_string(), totp_secret, code, backup, jwt, key, whsec];
    secrets.extend(c.cookies.values().chain(d.cookies.values()).filter(|v| v.len() >= 16).cloned());
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "{secret} is in the logs");
    }
}
