//! Upgrades: a database the previous release made (tag `v0.1.0`, kept in
//! `server/tests/fixtures/upgrade/`) is migrated by this build, and its
//! users sign in with every factor they had.

use crate::common::authenticator::{Authenticator, Credential};
use crate::common::*;
use crate::passkeys::{add_passkey, answer_first, by_name, challenge, signed_in};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

const RELEASE: &str = "v0.1.0";

fn fixtures() -> PathBuf {
    workspace().join("server/tests/fixtures/upgrade")
}

/// The fixture's files for this pass' database: the data, and what the
/// test needs to sign in (TOTP secret, backup codes, the passkey).
fn fixture_files() -> (PathBuf, PathBuf) {
    let kind = if on_postgres() { "pg.sql" } else { "sqlite" };
    let data = fixtures().join(format!("{RELEASE}.{kind}"));
    let facts = fixtures().join(format!("{RELEASE}.{}.json", if on_postgres() { "pg" } else { "sqlite" }));
    (data, facts)
}

/// Makes the fixture with the previous release's binary (see the
/// fixtures' README): run once per database, never in the test command.
#[tokio::test]
#[ignore = "makes the upgrade fixture: UPGRADE_FROM=<the release's binary>"]
async fn make_upgrade_fixture() {
    let old = PathBuf::from(std::env::var("UPGRADE_FROM").expect("UPGRADE_FROM: the previous release's binary"));
    let s = start(Opts { bin: Some(old.clone()), ..Opts::default() });
    let totp = user(&s, "totp@example.com", false, true, true).await;
    user(&s, "sms@example.com", true, false, false).await;
    user(&s, "passkey@example.com", false, false, false).await;
    let mut c = by_name(&s);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "passkey@example.com").await;
    add_passkey(&mut c, &mut auth, "Old laptop").await;

    let (data, facts) = fixture_files();
    std::fs::create_dir_all(fixtures()).unwrap();
    let _ = std::fs::remove_file(&data);
    let out = if on_postgres() {
        let file = data.to_str().unwrap();
        Command::new("pg_dump").args([&s.db_url, "--no-owner", "--no-privileges", "-f", file]).output().unwrap()
    } else {
        Command::new(&old)
            .env("MFA_SECRET_KEY", TEST_KEY)
            .args(["--database-url", &s.db_url, "backup", data.to_str().unwrap()])
            .output()
            .unwrap()
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json!({
        "release": RELEASE,
        "totp_secret": totp["totp_secret"],
        "backup_codes": totp["backup_codes"],
        "passkey": auth.credentials[0].to_json(),
    });
    std::fs::write(&facts, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// A fresh database holding the fixture's data: its handle (dropped
/// afterwards), its URL, and the facts.
fn previous_release() -> (TempDb, String, Value) {
    let (data, facts) = fixture_files();
    let facts: Value = serde_json::from_str(&std::fs::read_to_string(facts).unwrap()).unwrap();
    let (db, url) = temp_db();
    if on_postgres() {
        let out = Command::new("psql")
            .args([&url, "-q", "-v", "ON_ERROR_STOP=1", "-f", data.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "restoring {}: {}", data.display(), String::from_utf8_lossy(&out.stderr));
    } else {
        let file = url.strip_prefix("sqlite://").unwrap();
        std::fs::copy(&data, file).unwrap();
    }
    (db, url, facts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_previous_release_upgrades_and_every_factor_signs_in() {
    let (_db, url, f) = previous_release();
    // Migrated as the server starts, as a single node upgrades.
    let s = start_with_db(Opts::default(), &url);
    let ready: Value = reqwest::get(format!("{}/readyz", s.base)).await.unwrap().json().await.unwrap();
    assert_eq!(ready["ready"], true, "{ready}");

    // The authenticator app: its secret was sealed by the old release.
    let mut c = Client::new(&s);
    assert_eq!(c.password("totp@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let code = totp_at(f["totp_secret"].as_str().unwrap(), unix());
    assert_eq!(c.verify("totp", &code).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.session_email().await.as_deref(), Some("totp@example.com"));

    // A backup code it made.
    let mut b = Client::new(&s);
    b.password("totp@example.com", PASSWORD).await;
    let backup = f["backup_codes"][0].as_str().unwrap();
    assert_eq!(b.verify("backup_code", backup).await.status_field(), "complete");
    assert_eq!(b.api("sign_in/finalize", &[]).await.status, 200);

    // A texted code to the phone it stored.
    let mut p = Client::new(&s);
    assert_eq!(p.password("sms@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = p.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let sms = last_sms_code(&s).await;
    assert_eq!(p.verify("phone_code", &sms).await.status_field(), "complete");
    assert_eq!(p.api("sign_in/finalize", &[]).await.status, 200);

    // The passkey it registered signs in alone.
    let mut k = by_name(&s);
    let mut auth = Authenticator::new(&k.base);
    auth.credentials.push(Credential::from_json(&f["passkey"]));
    let nonce = challenge(&mut k).await;
    let answer = auth.get(&nonce, 0);
    let r = answer_first(&mut k, &answer).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(k.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(k.session_email().await.as_deref(), Some("passkey@example.com"));

    // Its browser trusted before held its device as English words ("Unknown
    // device"); migrated, it is told in parts, as this one (no user agent).
    let r = k.api("trusted_devices", &[]).await;
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 2, "{}", r.text);
    assert!(list.iter().all(|d| d["device"] == json!({})), "{}", r.text);
}
