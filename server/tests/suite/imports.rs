//! Imported password hashes (issue 40, its first step): a bcrypt digest
//! made by another library opens with the password, is hashed again as
//! ours, and while one is stored every password check takes as long as
//! its check would (no timing tells an imported user from a native or an
//! unknown one).

use crate::common::*;
use std::time::{Duration, Instant};

/// Made by bcryptjs 3 (npm), cost 10, of the harness' PASSWORD: as Clerk's
/// and Supabase's exports hold them.
const BCRYPTJS: &str = "$2b$10$O9SZuiomf16HJUTjgbK1NejmJllVqFsx1wWMCc0btEBnGrS7UrLci";

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

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_bcrypt_hash_signs_in_is_rehashed_and_times_like_the_rest() {
    let opts = Opts::default().with("MFA_LOCKOUT_THRESHOLD", "100000");
    let first = start(opts.clone());
    user(&first, "native@example.com", false, false, false).await;
    user(&first, "imported@example.com", false, false, false).await;
    import_hash(&first.db_url, "imported@example.com", BCRYPTJS).await;
    // Started again on the same database: the floor is set from what is
    // stored as the server starts (and every five minutes).
    let db_url = first.db_url.clone();
    let s = start_with_db(opts, &db_url);

    // Wrong passwords: imported, native and unknown cost the same.
    let mut c = Client::new(&s);
    let (mut imported, mut native, mut unknown) = (vec![], vec![], vec![]);
    for i in 0..11 {
        for (times, who) in [
            (&mut imported, "imported@example.com".to_string()),
            (&mut native, "native@example.com".to_string()),
            (&mut unknown, format!("nobody{i}@example.com")),
        ] {
            let t = Instant::now();
            let r = c.password(&who, "not the password at all").await;
            times.push(t.elapsed());
            assert_eq!(r.code(), "form_password_incorrect", "{}", r.text);
        }
    }
    let (i, n, u) = (median(imported), median(native), median(unknown));
    eprintln!("median wrong password: imported {i:?}, native {n:?}, unknown {u:?}");
    // The bound of the enumeration test (attacker.rs): a cost-10 bcrypt
    // check is several times ours without the floor.
    for other in [n, u] {
        let ratio = i.as_secs_f64() / other.as_secs_f64();
        assert!((0.6..1.67).contains(&ratio), "imported {i:?} vs {other:?}");
    }

    // The right password opens it, and it is ours from then on.
    let r = c.password("imported@example.com", PASSWORD).await;
    assert_eq!(r.status_field(), "complete", "{}", r.text);
    let now = stored_hash(&db_url, "imported@example.com").await;
    assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
    let mut again = Client::new(&s);
    assert_eq!(again.password("imported@example.com", PASSWORD).await.status_field(), "complete");
    let audit = cli(&s, &["--json", "audit", "--limit", "50"]);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("password.rehashed"));
    drop(first);
}
