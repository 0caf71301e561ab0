//! Moving users in (issue 40): imported hashes (a bcrypt digest and a
//! better-auth scrypt hash, made by other libraries) open with the
//! password and are hashed again as ours; while one is stored every
//! password check takes as long as the slowest's would (no timing tells
//! an imported user from a native or an unknown one). `mfa-signin import
//! clerk` reads Clerk's export: passwords, authenticator apps, verified
//! phones and ids kept; bad rows refused by line; run twice, no change.

use crate::common::*;
use std::time::Instant;

/// Made by bcryptjs 3 (npm), cost 10, of the harness' PASSWORD: as Clerk's
/// and Supabase's exports hold them.
const BCRYPTJS: &str = "$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";
/// Made by better-auth's own `hashPassword` (npm) of PASSWORD: `salt:key`.
const BETTER_AUTH: &str = "83aa2325017c7d37741c430c4136ab5d:08921c5fe556ae00dcf773fc8523ea94498121e3157ac2ff2f30c19be7d293acf848c3bc58f7326d08b52aaeb3f0b08914287b2108994b1a0d08b88bc62af143";

async fn stored_hash(db_url: &str, email: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(db_url).await.unwrap();
    let row = sqlx::query("SELECT password_hash FROM users WHERE email = $1").bind(email).fetch_one(&mut db).await;
    row.unwrap().get(0)
}

/// Puts `hash` in place of the user's, as an import would have stored it.
async fn import_hash(db_url: &str, email: &str, hash: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(db_url).await.unwrap();
    let kind = domain::secrets::kind_of(hash);
    let q = sqlx::query("UPDATE users SET password_hash = $1, hash_kind = $2 WHERE email = $3");
    let q = q.bind(hash).bind(kind).bind(email);
    assert_eq!(q.execute(&mut db).await.unwrap().rows_affected(), 1);
}

/// A report's refusals: (line, code).
fn refusals(report: &serde_json::Value) -> Vec<(u64, &str)> {
    let refused = report["refused"].as_array().unwrap().iter();
    refused.map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap())).collect()
}

/// Asserts that a wrong password for each of `imported` takes as long as
/// for native@example.com and for an unknown address (a new one each
/// round): the medians of `rounds` tries within the enumeration bound.
async fn alike(c: &mut Client, imported: &[&str], rounds: usize) {
    let mut times = vec![vec![]; imported.len() + 2];
    for i in 0..rounds {
        let unknown = format!("nobody{i}@example.com");
        let who = imported.iter().copied().chain(["native@example.com", unknown.as_str()]);
        for (n, who) in who.enumerate() {
            let t = Instant::now();
            let r = c.password(who, "not the password at all").await;
            times[n].push(t.elapsed());
            assert_eq!(r.code(), "form_password_incorrect", "{}", r.text);
        }
    }
    let medians: Vec<_> = times.into_iter().map(median).collect();
    let (native, unknown) = (medians[imported.len()], medians[imported.len() + 1]);
    eprintln!(
        "median wrong password: {imported:?} {:?}, native {native:?}, unknown {unknown:?}",
        &medians[..imported.len()]
    );
    for (who, m) in imported.iter().zip(&medians) {
        for other in [native, unknown] {
            let ratio = m.as_secs_f64() / other.as_secs_f64();
            assert!((0.6..1.67).contains(&ratio), "{who}: {m:?} vs {other:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_bcrypt_and_scrypt_hashes_sign_in_are_rehashed_and_time_like_the_rest() {
    let opts = Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000");
    let first = start(opts.clone());
    user(&first, "native@example.com", false, false, false).await;
    user(&first, "imported@example.com", false, false, false).await;
    user(&first, "scrypted@example.com", false, false, false).await;
    import_hash(&first.db_url, "imported@example.com", BCRYPTJS).await;
    let scrypt = domain::secrets::from_better_auth(BETTER_AUTH).unwrap();
    import_hash(&first.db_url, "scrypted@example.com", &scrypt).await;
    // Started again on the same database: the floor is set from what is
    // stored as the server starts (and every five minutes).
    let db_url = first.db_url.clone();
    let s = start_with_db(opts, &db_url);

    // Wrong passwords: imported, native and unknown cost the same. The
    // bound of the enumeration test (attacker.rs): a cost-10 bcrypt check
    // is several times ours without the floor.
    let mut c = Client::new(&s);
    alike(&mut c, &["imported@example.com", "scrypted@example.com"], 11).await;

    // The right password opens each, and it is ours from then on.
    for email in ["imported@example.com", "scrypted@example.com"] {
        let r = c.password(email, PASSWORD).await;
        assert_eq!(r.status_field(), "complete", "{}", r.text);
        let now = stored_hash(&db_url, email).await;
        assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
        let mut again = Client::new(&s);
        assert_eq!(again.password(email, PASSWORD).await.status_field(), "complete");
    }
    let audit = cli(&s, &["--json", "audit", "--limit", "50"]);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("password.rehashed"));
    drop(first);
}

/// An import made beside a running server (as by the CLI): the first check
/// of the new kind measures it, and every check after is floored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_imported_while_serving_is_floored_from_its_first_check() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000"));
    user(&s, "native@example.com", false, false, false).await;
    user(&s, "late@example.com", false, false, false).await;
    let mut c = Client::new(&s);
    let mut wrong = async |who: &str, n: usize| {
        let mut times = vec![];
        for _ in 0..n {
            let t = Instant::now();
            c.password(who, "not the password at all").await;
            times.push(t.elapsed());
        }
        median(times)
    };
    wrong("native@example.com", 1).await;
    import_hash(&s.db_url, "late@example.com", BCRYPTJS).await;
    wrong("late@example.com", 1).await;
    let (native, late) = (wrong("native@example.com", 9).await, wrong("late@example.com", 9).await);
    eprintln!("median wrong password after the import: native {native:?}, imported {late:?}");
    let ratio = late.as_secs_f64() / native.as_secs_f64();
    assert!((0.6..1.67).contains(&ratio), "imported {late:?} vs native {native:?}");
}

/// Digests of `passwords` made by bcryptjs (npm), cost 10, as Clerk's
/// export holds them: fresh salts each run, by a library not ours.
fn bcryptjs(passwords: &[&str]) -> Vec<String> {
    let dir = workspace().join("end2end");
    assert!(dir.join("node_modules/bcryptjs").is_dir(), "bcryptjs is missing: run scripts/setup.sh");
    let script = "const b = require('bcryptjs'); for (const p of process.argv.slice(1)) console.log(b.hashSync(p, 10))";
    let out = std::process::Command::new("node").current_dir(dir).args(["-e", script]).args(passwords).output();
    let out = out.expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
}

/// The code an authenticator app shows now for `secret`, by oathtool.
fn oathtool(secret: &str) -> String {
    let out = std::process::Command::new("oathtool").args(["--totp", "--base32", secret]).output();
    let out = out.expect("oathtool is missing: run scripts/setup.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn import(s: &Server, file: &std::path::Path, apply: bool) -> serde_json::Value {
    import_from(s, "clerk", file, apply, &[])
}

fn import_from(
    s: &Server,
    source: &str,
    file: &std::path::Path,
    apply: bool,
    env: &[(&str, &str)],
) -> serde_json::Value {
    let mut args = vec!["--json", "import", source, file.to_str().unwrap()];
    if apply {
        args.push("--apply");
    }
    let out = cli_env(s, env, &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A Clerk Dashboard export, imported: a dry run writes nothing; the
/// import keeps passwords (bcrypt, re-hashed as ours at the first sign-in),
/// authenticator apps and verified phones, and the need for them; bad rows
/// are refused with their line; a second run changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_export_imports_with_passwords_and_factors_and_twice_changes_nothing() {
    let s = start(Opts::default());
    user(&s, "native@example.com", false, false, false).await;
    let d = bcryptjs(&[PASSWORD, PASSWORD, PASSWORD, "the other user's password"]);
    let header = "id,first_name,last_name,username,primary_email_address,primary_phone_number,\
        verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,\
        totp_secret,password_digest,password_hasher";
    let rows = [
        format!("user_totp,Ada,Lovelace,ada,ada@example.com,,ada@example.com,,,,{TOTP_SECRET},{},bcrypt", d[0]),
        format!("user_sms,Bo,,,bo@example.com,+15555550142,bo@example.com,,+15555550142,,,{},bcrypt", d[1]),
        format!("user_plain,,,,cy@example.com,,cy@example.com,,,,,{},bcrypt", d[2]),
        "user_nopass,,,,di@example.com,,di@example.com,,,,,,".to_string(),
        "user_md5,,,,ed@example.com,,,,,,,5f4dcc3b5aa765d61d8327deb882cf99,md5".into(),
        format!("user_again,,,,ADA@example.com,,,,,,,{},bcrypt", d[3]),
        format!("user_native,,,,native@example.com,,,,,,,{},bcrypt", d[3]),
    ];
    let file = std::env::temp_dir().join(format!("mfa_clerk_{}_{}.csv", std::process::id(), unix()));
    std::fs::write(&file, format!("{header}\n{}\n", rows.join("\n"))).unwrap();

    // The dry run reports and writes nothing.
    let dry = import(&s, &file, false);
    assert_eq!(dry["applied"], false);
    assert_eq!((dry["rows"].as_u64(), dry["imported"].as_u64()), (Some(7), Some(4)), "{dry}");
    let refused = refusals(&dry);
    assert_eq!(refused, [(6, "password_hasher_unsupported"), (7, "duplicate"), (8, "email_taken")]);
    assert_eq!(dry["not_kept"]["first_name"], 2, "{dry}");
    let mut c = Client::new(&s);
    assert_eq!(c.password("ada@example.com", PASSWORD).await.code(), "form_password_incorrect");

    // Applied: the counts of the dry run, and each user signs in as before.
    let done = import(&s, &file, true);
    assert_eq!(done["applied"], true);
    for (k, n) in [("imported", 4), ("with_password", 3), ("without_password", 1), ("with_totp", 1), ("with_phone", 1)]
    {
        assert_eq!(done[k], n, "{k}: {done}");
    }
    assert_eq!(done["refused"], dry["refused"]);

    // An authenticator app's code, by oathtool; the password is ours now.
    let r = c.password("ada@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "needs_second_factor", "{}", r.text);
    let r = c.verify("totp", &oathtool(TOTP_SECRET)).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    let sub = c.api("session", &[]).await;
    assert_eq!(sub.body["user_id"], "user_totp", "Clerk's id stays the user's: {}", sub.text);
    // Clerk's export holds no backup codes: the home page offers them.
    assert!(c.get("/").await.text.contains("no-backup-codes"), "new backup codes offered");
    let hash = stored_hash(&s.db_url, "ada@example.com").await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    // A verified phone: text-message codes.
    let mut c = Client::new(&s);
    assert_eq!(c.password("bo@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = c.verify("phone_code", &last_sms_code(&s).await).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);

    // No second factor there, none here; no password there: none works.
    let mut c = Client::new(&s);
    assert_eq!(c.password("cy@example.com", PASSWORD).await.status_field(), "complete");
    let mut c = Client::new(&s);
    for p in [PASSWORD, "", " "] {
        let r = c.password("di@example.com", p).await;
        assert_ne!(r.status_field(), "complete", "{}", r.text);
    }
    assert_eq!(stored_hash(&s.db_url, "di@example.com").await, "");
    // The Backend API says which users have a password (Clerk's `password_enabled`).
    let (_, key) = crate::backend::api_key(&s, "import check");
    let (_, list) = crate::backend::users(&s, Some(&format!("Bearer {key}"))).await;
    let enabled = |email: &str| {
        let u = list.as_array().unwrap().iter().find(|u| u["email_addresses"][0]["email_address"] == email);
        u.unwrap_or_else(|| panic!("{email} in {list}"))["password_enabled"].clone()
    };
    assert_eq!((enabled("di@example.com"), enabled("cy@example.com")), (false.into(), true.into()));

    // Again: nothing changes.
    let again = import(&s, &file, true);
    assert_eq!((again["imported"].as_u64(), again["already_imported"].as_u64()), (Some(0), Some(4)), "{again}");
    assert_eq!(again["refused"], dry["refused"]);
    let listed = cli(&s, &["--json", "user", "list"]);
    let users: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 5, "{users}");
    let audit = String::from_utf8(cli(&s, &["--json", "audit", "--limit", "100"]).stdout).unwrap();
    assert_eq!(audit.matches("\"user.imported\"").count(), 4, "{audit}");
    let _ = std::fs::remove_file(&file);
}

/// A user imported without a password is checked against the dummy hash,
/// as an unknown one is: no password opens the account, and the time of a
/// try tells them from no one (with no imported hash stored, no floor
/// hides it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_imported_without_a_password_times_like_anyone() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000"));
    user(&s, "native@example.com", false, false, false).await;
    let header = "id,first_name,last_name,username,primary_email_address,primary_phone_number,\
        verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,\
        totp_secret,password_digest,password_hasher";
    let file = std::env::temp_dir().join(format!("mfa_nopass_{}_{}.csv", std::process::id(), unix()));
    std::fs::write(&file, format!("{header}\nuser_np,,,,np@example.com,,,,,,,,\n")).unwrap();
    assert_eq!(import(&s, &file, true)["without_password"], 1);
    let _ = std::fs::remove_file(&file);
    let mut c = Client::new(&s);
    let (mut none, mut native) = (vec![], vec![]);
    for _ in 0..11 {
        for (times, who) in [(&mut none, "np@example.com"), (&mut native, "native@example.com")] {
            let t = Instant::now();
            let r = c.password(who, "not the password at all").await;
            times.push(t.elapsed());
            assert_eq!(r.code(), "form_password_incorrect", "{}", r.text);
        }
    }
    let (n, w) = (median(none), median(native));
    eprintln!("median wrong password: no password {n:?}, native {w:?}");
    let ratio = n.as_secs_f64() / w.as_secs_f64();
    assert!((0.6..1.67).contains(&ratio), "no password {n:?} vs native {w:?}");
    assert_eq!(c.password("np@example.com", "").await.code(), "form_param_missing");
}

/// A better-auth database filled by better-auth itself (npm; its sign-up,
/// scrypt hashing and two-factor enrolment), dumped as JSON: the tables,
/// and what each user was shown at enrolment.
fn better_auth_dump(secret: &str, users: serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let dir = workspace().join("end2end");
    assert!(dir.join("node_modules/better-auth").is_dir(), "better-auth is missing: run scripts/setup.sh");
    let out = std::process::Command::new("node")
        .current_dir(&dir)
        .env("BETTER_AUTH_SECRET", secret)
        .args(["tools/better-auth-dump.mjs", &users.to_string()])
        .output()
        .expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["tables"].take(), v["shown"].take())
}

/// better-auth's users come with their scrypt passwords, their
/// authenticator apps and their unused backup codes (opened with
/// BETTER_AUTH_SECRET); an address it never verified brings nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_better_auth_dump_imports_with_passwords_authenticators_and_backup_codes() {
    let s = start(Opts::default());
    let secret = "a-better-auth-secret-of-forty-characters";
    let users = serde_json::json!([
        { "email": "two@example.com", "password": PASSWORD, "twoFactor": true, "verified": true },
        { "email": "plain@example.com", "password": PASSWORD, "verified": true },
        { "email": "unproved@example.com", "password": PASSWORD },
    ]);
    let (tables, shown) = better_auth_dump(secret, users);
    let file = std::env::temp_dir().join(format!("mfa_better_auth_{}_{}.json", std::process::id(), unix()));
    std::fs::write(&file, tables.to_string()).unwrap();

    // Without the secret its two-factor secrets cannot be opened: refused whole.
    let out = cli(&s, &["import", "better-auth", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BETTER_AUTH_SECRET"));

    let env = [("BETTER_AUTH_SECRET", secret)];
    let done = import_from(&s, "better-auth", &file, true, &env);
    for (k, n) in
        [("imported", 3), ("with_password", 2), ("without_password", 1), ("with_totp", 1), ("with_backup_codes", 1)]
    {
        assert_eq!(done[k], n, "{k}: {done}");
    }

    // The authenticator app better-auth enrolled, by oathtool; its password is ours now.
    let uri = shown["two@example.com"]["totpURI"].as_str().unwrap();
    let key = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap();
    let mut c = Client::new(&s);
    assert_eq!(c.password("two@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = c.verify("totp", &oathtool(key)).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    let home = c.get("/").await.text;
    assert!(home.contains("signed-in-email") && !home.contains("no-backup-codes"), "its backup codes came along");
    let hash = stored_hash(&s.db_url, "two@example.com").await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    // A backup code better-auth showed works once.
    let code = shown["two@example.com"]["backupCodes"][3].as_str().unwrap();
    let mut c = Client::new(&s);
    c.password("two@example.com", PASSWORD).await;
    assert_eq!(c.verify("backup_code", code).await.status_field(), "complete");
    let mut c = Client::new(&s);
    c.password("two@example.com", PASSWORD).await;
    assert_eq!(c.verify("backup_code", code).await.code(), "form_code_incorrect", "used once");

    let mut c = Client::new(&s);
    assert_eq!(c.password("plain@example.com", PASSWORD).await.status_field(), "complete");
    let mut c = Client::new(&s);
    assert_eq!(c.password("unproved@example.com", PASSWORD).await.code(), "form_password_incorrect");

    let again = import_from(&s, "better-auth", &file, true, &env);
    assert_eq!((again["imported"].as_u64(), again["already_imported"].as_u64()), (Some(0), Some(3)), "{again}");
    let _ = std::fs::remove_file(&file);
}

/// Supabase's `auth.users` (its bcrypt digests as Go's bcrypt names them,
/// made here by bcryptjs) with `auth.mfa_factors` beside it: confirmed
/// users keep their password and their verified authenticator app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supabase_export_imports_with_passwords_and_authenticators() {
    let s = start(Opts::default());
    // GoTrue (Go's bcrypt) writes `$2a$`; bcryptjs `$2b$`: the same hash.
    let d: Vec<String> = bcryptjs(&[PASSWORD, PASSWORD]).into_iter().map(|h| h.replacen("$2b$", "$2a$", 1)).collect();
    let users = format!(
        "id,aud,role,email,encrypted_password,email_confirmed_at,phone,raw_user_meta_data,deleted_at,is_anonymous\n\
         8d3f0a52-1,authenticated,authenticated,sam@example.com,{},2026-03-01 10:00:00.1+00,,{{}},,false\n\
         8d3f0a52-2,authenticated,authenticated,tia@example.com,{},2026-03-01 10:00:00.1+00,,{{}},,false\n\
         8d3f0a52-3,authenticated,authenticated,gone@example.com,{},2026-03-01,,{{}},2026-04-01,false\n",
        d[0], d[1], d[1]
    );
    let factors = format!(
        "id,user_id,friendly_name,factor_type,status,created_at,updated_at,secret,phone\n\
         f-1,8d3f0a52-1,phone app,totp,verified,2026-03-02,2026-03-02,{TOTP_SECRET},\n"
    );
    let dir = std::env::temp_dir();
    let tag = format!("{}_{}", std::process::id(), unix());
    let (uf, ff) = (dir.join(format!("mfa_sb_users_{tag}.csv")), dir.join(format!("mfa_sb_factors_{tag}.csv")));
    std::fs::write(&uf, users).unwrap();
    std::fs::write(&ff, factors).unwrap();
    let out =
        cli(&s, &["--json", "import", "supabase", uf.to_str().unwrap(), "--factors", ff.to_str().unwrap(), "--apply"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let done: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((done["imported"].as_u64(), done["with_totp"].as_u64()), (Some(2), Some(1)), "{done}");
    assert_eq!(done["refused"][0]["code"], "deleted", "{done}");

    let mut c = Client::new(&s);
    assert_eq!(c.password("sam@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(c.verify("totp", &oathtool(TOTP_SECRET)).await.status_field(), "complete");
    assert!(stored_hash(&s.db_url, "sam@example.com").await.starts_with("$argon2id$"));
    let mut c = Client::new(&s);
    assert_eq!(c.password("tia@example.com", PASSWORD).await.status_field(), "complete");
    let _ = (std::fs::remove_file(&uf), std::fs::remove_file(&ff));
}

/// `mfa-signin export --with-secrets` on one instance, `import mfa-signin`
/// on another with its own secret key: every user keeps their id and signs
/// in there with every factor (TOTP, SMS, a backup code, a passkey).
/// Without `--with-secrets` the export holds nothing that signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_moves_every_user_and_factor_to_another_instance() {
    use crate::common::authenticator::Authenticator;
    use crate::passkeys::{add_passkey, answer_first, by_name, challenge, signed_in};
    let a = start(Opts::default());
    let made = user(&a, "all@example.com", true, true, true).await;
    user(&a, "pk@example.com", false, false, false).await;
    let mut c = by_name(&a);
    let mut auth = Authenticator::new(&c.base);
    signed_in(&mut c, "pk@example.com").await;
    add_passkey(&mut c, &mut auth, "Laptop").await;
    let id_at_a = c.api("session", &[]).await.body["user_id"].as_str().unwrap().to_string();

    // Without secrets: who and which factors, nothing that signs in.
    let plain = cli(&a, &["export"]);
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert_eq!(plain.lines().count(), 2, "{plain}");
    let secret = made["totp_secret"].as_str().unwrap();
    for leak in ["sealed", "$argon2id$", secret] {
        assert!(!plain.contains(leak), "{leak} in {plain}");
    }
    let first: serde_json::Value = serde_json::from_str(plain.lines().next().unwrap()).unwrap();
    assert_eq!(first["factors"], serde_json::json!(["totp", "phone_code"]), "{first}");
    assert_eq!(first["backup_codes_left"], 10);

    let key = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    let out = cli(&a, &["export", "--with-secrets", "--key", key]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = std::env::temp_dir().join(format!("mfa_export_{}_{}.jsonl", std::process::id(), unix()));
    std::fs::write(&file, &out.stdout).unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret), "the TOTP key is sealed");

    // Another instance, with its own secret key.
    let other = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000";
    let b = start(Opts::default().with("MFA_SECRET_KEY", other));
    let env = [("MFA_SECRET_KEY", other)];
    let wrong = import_from(&b, "mfa-signin", &file, false, &[("MFA_SECRET_KEY", other), ("MFA_EXPORT_KEY", other)]);
    assert_eq!(wrong["refused"][0]["code"], "two_factor_unreadable", "{wrong}");
    let args = ["--json", "import", "mfa-signin", file.to_str().unwrap(), "--key", key, "--apply"];
    let done = cli_env(&b, &env, &args);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let done: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    for (k, n) in [("imported", 2), ("with_password", 2), ("with_totp", 1), ("with_phone", 1), ("with_passkeys", 1)] {
        assert_eq!(done[k], n, "{k}: {done}");
    }
    assert_eq!(done["with_backup_codes"], 2, "the passkey made backup codes too: {done}");

    // TOTP, re-sealed under B's key; the id apps know is the same.
    let shown = cli(&a, &["--json", "user", "show", "all@example.com"]);
    let id_of_all = serde_json::from_slice::<serde_json::Value>(&shown.stdout).unwrap()["public_id"].clone();
    let mut c = Client::new(&b);
    assert_eq!(c.password("all@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(c.verify("totp", &totp_at(secret, unix())).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.api("session", &[]).await.body["user_id"], id_of_all);
    // A backup code made at A, once.
    let code = made["backup_codes"][2].as_str().unwrap();
    for expected in ["complete", ""] {
        let mut c = Client::new(&b);
        c.password("all@example.com", PASSWORD).await;
        assert_eq!(c.verify("backup_code", code).await.status_field(), expected);
    }
    // The phone: a text-message code.
    let mut c = Client::new(&b);
    c.password("all@example.com", PASSWORD).await;
    assert_eq!(c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await.status, 200);
    assert_eq!(c.verify("phone_code", &last_sms_code(&b).await).await.status_field(), "complete");

    // The passkey, from the same authenticator, signs in alone at B.
    let mut c = by_name(&b);
    let mut at_b = Authenticator::new(&c.base);
    at_b.credentials = auth.credentials.clone();
    let nonce = challenge(&mut c).await;
    let r = answer_first(&mut c, &at_b.get(&nonce, 0)).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.api("session", &[]).await.body["user_id"].as_str(), Some(id_at_a.as_str()));

    // Again: nothing changes.
    let again = cli_env(&b, &env, &args);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!((again["imported"].as_u64(), again["already_imported"].as_u64()), (Some(0), Some(2)), "{again}");
    let _ = std::fs::remove_file(&file);
}

/// Digests of `password` by other libraries, as other systems keep them:
/// argon2id and argon2i by hash-wasm (npm; the reference C, compiled), and
/// PBKDF2 by Node's crypto (OpenSSL) in Django's form, Clerk's form and
/// PHC's (SHA-512). Fresh salts each run.
fn outside_digests(password: &str) -> serde_json::Value {
    let dir = workspace().join("end2end");
    assert!(dir.join("node_modules/hash-wasm").is_dir(), "hash-wasm is missing: run scripts/setup.sh");
    let script = r#"
        const crypto = require('crypto');
        const { argon2id, argon2i } = require('hash-wasm');
        const pw = process.argv[1];
        const b64 = (b) => b.toString('base64');
        const bare = (b) => b64(b).replace(/=+$/, '');
        (async () => {
          const a = await argon2id({ password: pw, salt: crypto.randomBytes(16), parallelism: 2, iterations: 3,
                                     memorySize: 32768, hashLength: 32, outputType: 'encoded' });
          const i = await argon2i({ password: pw, salt: crypto.randomBytes(16), parallelism: 1, iterations: 3,
                                    memorySize: 4096, hashLength: 32, outputType: 'encoded' });
          const ds = crypto.randomBytes(11).toString('hex');
          const django = `pbkdf2_sha256$100000$${ds}$${b64(crypto.pbkdf2Sync(pw, ds, 100000, 32, 'sha256'))}`;
          const cs = crypto.randomBytes(16);
          const clerk = `pbkdf2_sha256$100000$${b64(cs)}$${b64(crypto.pbkdf2Sync(pw, cs, 100000, 32, 'sha256'))}`;
          const ss = crypto.randomBytes(16);
          const sha512 = `$pbkdf2-sha512$i=50000,l=64$${bare(ss)}$${bare(crypto.pbkdf2Sync(pw, ss, 50000, 64, 'sha512'))}`;
          console.log(JSON.stringify({ argon2id: a, argon2i: i, django, clerk, sha512 }));
        })();
    "#;
    let out = std::process::Command::new("node").current_dir(dir).args(["-e", script, password]).output();
    let out = out.expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The generic format (JSON lines naming each password's hasher), with
/// digests other libraries made: each opens with its password and is
/// ours after; while they are stored a wrong password costs the same for
/// every address; bad entries are refused by line; twice, no change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_export_imports_every_hasher_and_twice_changes_nothing() {
    let s = start(Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000"));
    user(&s, "native@example.com", false, false, false).await;
    let d = outside_digests(PASSWORD);
    let bcrypt = bcryptjs(&[PASSWORD]).remove(0);
    let codes = ["k7m2-x9p4-ab", "q3w8-e5r1-cd"];
    let entries = [
        serde_json::json!({ "id": "user_argonid", "email": "argon@example.com", "password_hasher": "argon2id",
            "password_digest": d["argon2id"], "totp_secret": TOTP_SECRET, "backup_codes": codes,
            "first_name": "Ada", "public_metadata": { "plan": "pro" } }),
        serde_json::json!({ "id": 2, "email": "argoni@example.com", "password_hasher": "argon2i", "password_digest": d["argon2i"] }),
        serde_json::json!({ "id": 3, "email": "django@example.com", "password_hasher": "pbkdf2_sha256_django",
            "password_digest": d["django"] }),
        serde_json::json!({ "id": 4, "email": "clerk@example.com", "password_hasher": "pbkdf2_sha256",
            "password_digest": d["clerk"], "phone_number": "+15555550143" }),
        serde_json::json!({ "id": 5, "email": "sha512@example.com", "password_hasher": "pbkdf2_sha512", "password_digest": d["sha512"] }),
        serde_json::json!({ "id": 6, "email": "bcrypt@example.com", "password_hasher": "bcrypt", "password_digest": bcrypt }),
        serde_json::json!({ "id": 7, "email": "md5@example.com", "password_hasher": "md5",
            "password_digest": "5f4dcc3b5aa765d61d8327deb882cf99" }),
        serde_json::json!({ "id": 8, "email": "typo@example.com", "password_digets": bcrypt }),
        serde_json::json!({ "id": 9, "email": "unproved@example.com", "email_verified": false,
            "password_hasher": "bcrypt", "password_digest": bcrypt }),
    ];
    let text: String = entries.iter().map(|e| format!("{e}\n")).collect();
    let file = std::env::temp_dir().join(format!("mfa_generic_{}_{}.jsonl", std::process::id(), unix()));
    std::fs::write(&file, text).unwrap();

    let dry = import_from(&s, "json", &file, false, &[]);
    assert_eq!((dry["imported"].as_u64(), dry["applied"].as_bool()), (Some(7), Some(false)), "{dry}");
    let refused = refusals(&dry);
    assert_eq!(refused, [(7, "password_hasher_unsupported"), (8, "unreadable")]);
    let done = import_from(&s, "json", &file, true, &[]);
    for (k, n) in [("imported", 7), ("with_password", 6), ("without_password", 1), ("with_totp", 1), ("with_phone", 1)]
    {
        assert_eq!(done[k], n, "{k}: {done}");
    }

    // Wrong passwords: the slowest imported kind, native and unknown alike.
    alike(&mut Client::new(&s), &["argon@example.com", "django@example.com"], 9).await;

    // Each opens with its password, and is ours from then on.
    for email in ["argoni@example.com", "django@example.com", "sha512@example.com", "bcrypt@example.com"] {
        let mut c = Client::new(&s);
        let r = c.password(email, PASSWORD).await;
        assert_eq!(r.status_field(), "complete", "{email}: {}", r.text);
        let now = stored_hash(&s.db_url, email).await;
        assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{email}: {now}");
    }
    let mut c = Client::new(&s);
    assert_eq!(c.password("clerk@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    let r = c.api("sign_in/prepare_second_factor", &[("strategy", "phone_code")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c.verify("phone_code", &last_sms_code(&s).await).await.status_field(), "complete");
    // The authenticator app by oathtool; a backup code, once; the id kept.
    let mut c = Client::new(&s);
    assert_eq!(c.password("argon@example.com", PASSWORD).await.status_field(), "needs_second_factor");
    assert_eq!(c.verify("totp", &oathtool(TOTP_SECRET)).await.status_field(), "complete");
    assert_eq!(c.api("sign_in/finalize", &[]).await.status, 200);
    assert_eq!(c.api("session", &[]).await.body["user_id"], "user_argonid");
    for (want, note) in [("complete", "the first time"), ("", "used once")] {
        let mut c = Client::new(&s);
        c.password("argon@example.com", PASSWORD).await;
        let r = c.verify("backup_code", codes[1]).await;
        match want {
            "complete" => assert_eq!(r.status_field(), want, "{note}: {}", r.text),
            _ => assert_eq!(r.code(), "form_code_incorrect", "{note}: {}", r.text),
        }
    }
    let mut c = Client::new(&s);
    assert_eq!(c.password("unproved@example.com", PASSWORD).await.code(), "form_password_incorrect");

    let again = import_from(&s, "json", &file, true, &[]);
    assert_eq!((again["imported"].as_u64(), again["already_imported"].as_u64()), (Some(0), Some(7)), "{again}");
    assert_eq!(again["refused"], dry["refused"]);
    let _ = std::fs::remove_file(&file);
}
