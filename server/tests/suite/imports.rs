//! Imported password hashes (issue 40, its first step): a bcrypt digest
//! and a better-auth scrypt hash, made by other libraries, open with the
//! password and are hashed again as ours; while one is stored every
//! password check takes as long as the slowest's would (no timing tells
//! an imported user from a native or an unknown one).

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
    let q = sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2").bind(hash).bind(email);
    assert_eq!(q.execute(&mut db).await.unwrap().rows_affected(), 1);
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

    // Wrong passwords: imported, native and unknown cost the same.
    let mut c = Client::new(&s);
    let (mut imported, mut scrypted, mut native, mut unknown) = (vec![], vec![], vec![], vec![]);
    for i in 0..11 {
        for (times, who) in [
            (&mut imported, "imported@example.com".to_string()),
            (&mut scrypted, "scrypted@example.com".to_string()),
            (&mut native, "native@example.com".to_string()),
            (&mut unknown, format!("nobody{i}@example.com")),
        ] {
            let t = Instant::now();
            let r = c.password(&who, "not the password at all").await;
            times.push(t.elapsed());
            assert_eq!(r.code(), "form_password_incorrect", "{}", r.text);
        }
    }
    let (i, sc, n, u) = (median(imported), median(scrypted), median(native), median(unknown));
    eprintln!("median wrong password: bcrypt {i:?}, scrypt {sc:?}, native {n:?}, unknown {u:?}");
    // The bound of the enumeration test (attacker.rs): a cost-10 bcrypt
    // check is several times ours without the floor.
    for (a, b) in [(i, n), (i, u), (sc, n), (sc, u)] {
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        assert!((0.6..1.67).contains(&ratio), "imported {a:?} vs {b:?}");
    }

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
