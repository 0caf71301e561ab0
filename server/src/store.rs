//! Storage behind one trait, so PostgreSQL can sit beside SQLite without
//! touching the flow. Every check-and-change is one conditional statement:
//! concurrent requests are settled by the database, not by process memory.

use crate::flow::{Attempt, Factors};
use app::model::Status;
use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow},
    Row, SqlitePool,
};
use std::{str::FromStr, time::Duration};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A user row. Holds secrets: never serialized.
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub phone: Option<String>,
    pub totp_secret: Option<String>,
    pub created_at: i64,
}

pub struct NewUser {
    pub email: String,
    pub password_hash: String,
    pub phone: Option<String>,
    pub totp_secret: Option<String>,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
pub struct BackupCode {
    pub id: i64,
    pub salt: String,
    pub code_hash: String,
}

#[derive(sqlx::FromRow)]
pub struct OneTimeCode {
    pub id: i64,
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub failures: i64,
    pub used: bool,
}

#[derive(sqlx::FromRow)]
pub struct Session {
    pub user_id: i64,
    pub created_at: i64,
    pub last_active_at: i64,
    pub expires_at: i64,
}

pub struct NewSession<'a> {
    pub key: &'a str,
    pub user_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub created_at: i64,
}

/// One line of the audit trail.
#[derive(Clone, Debug, Default, serde::Serialize, sqlx::FromRow)]
pub struct AuditEvent {
    pub at: i64,
    pub event: String,
    pub user_id: Option<i64>,
    pub identifier: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Counts one try against `subject` before it is checked, so parallel
    /// tries can never exceed `max`. Err(until) while locked; the try that
    /// reaches `max` starts a lock of `lock_secs`.
    async fn lockout_reserve(&self, subject: &str, now: i64, max: i64, lock_secs: i64)
        -> Result<std::result::Result<(), i64>>;
    /// The reserved try was right: take it back (the count is not reset),
    /// lifting a lock that only this try's reservation had set.
    async fn lockout_release(&self, subject: &str, max: i64) -> Result<()>;
    /// A sign-in completed: forget the failures.
    async fn lockout_reset(&self, subject: &str) -> Result<()>;
    /// Until when `subject` is locked, if it is.
    async fn locked_until(&self, subject: &str, now: i64) -> Result<Option<i64>>;
    /// Counts a request in the fixed window; returns (hits, window_start).
    async fn rate_hit(&self, bucket: &str, client: &str, now: i64, window: i64) -> Result<(i64, i64)>;
    async fn audit(&self, e: &AuditEvent) -> Result<()>;
    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>>;

    async fn create_user(&self, u: &NewUser) -> Result<i64>;
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    /// Replaces the user's whole set of backup codes.
    async fn set_backup_codes(&self, user_id: i64, codes: &[(String, String)]) -> Result<()>;
    async fn unused_backup_codes(&self, user_id: i64) -> Result<Vec<BackupCode>>;
    /// Marks a code used; false if it already was (a lost race).
    async fn use_backup_code(&self, id: i64, now: i64) -> Result<bool>;
    /// Records `step` as the last accepted TOTP step; false if it (or a later
    /// one) was accepted before: a replay.
    async fn advance_totp(&self, user_id: i64, step: i64) -> Result<bool>;

    async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()>;
    async fn attempt(&self, key: &str) -> Result<Option<Attempt>>;
    /// Saves `a` only if the stored status is still `from`.
    async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool>;
    async fn delete_attempt(&self, key: &str) -> Result<()>;
    /// Deletes a complete attempt and returns it; at most one caller wins.
    async fn take_complete_attempt(&self, key: &str) -> Result<Option<Attempt>>;

    /// Stores a new code for (attempt, purpose), replacing the old one, unless
    /// the old one was sent after `not_after` (too soon to resend).
    async fn put_code(
        &self,
        attempt_key: &str,
        purpose: &str,
        code_hash: &str,
        now: i64,
        expires_at: i64,
        not_after: i64,
    ) -> Result<bool>;
    async fn code(&self, attempt_key: &str, purpose: &str) -> Result<Option<OneTimeCode>>;
    async fn delete_code(&self, id: i64) -> Result<()>;
    /// Counts a wrong try, up to `max`; returns the new count.
    async fn fail_code(&self, id: i64, max: i64) -> Result<i64>;
    /// Uses the code once; false if it was used or locked meanwhile.
    async fn consume_code(&self, id: i64, now: i64, max: i64) -> Result<bool>;

    async fn insert_session(&self, s: &NewSession<'_>) -> Result<()>;
    async fn session(&self, key: &str) -> Result<Option<Session>>;
    async fn touch_session(&self, key: &str, now: i64) -> Result<()>;
    async fn delete_session(&self, key: &str) -> Result<()>;

    async fn push_outbox(&self, channel: &str, recipient: &str, body: &str, now: i64) -> Result<()>;
    async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>>;
}

pub struct Sqlite {
    pool: SqlitePool,
}

impl Sqlite {
    /// Opens (creating if needed) the database and runs the migrations.
    pub async fn open(url: &str) -> Result<Sqlite> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Sqlite { pool })
    }
}

fn attempt_row(r: &SqliteRow) -> Result<Attempt> {
    let status: String = r.try_get("status")?;
    Ok(Attempt {
        status: Status::parse(&status).unwrap_or(Status::NeedsIdentifier),
        user_id: r.try_get("user_id")?,
        identifier: r.try_get("identifier")?,
        factors: Factors {
            phone: r.try_get("has_phone")?,
            totp: r.try_get("has_totp")?,
            backup_codes: r.try_get("has_backup")?,
        },
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

// Column lists as macros, so that every query stays a static string.
macro_rules! user_cols {
    () => {
        "id, email, password_hash, phone, totp_secret, created_at"
    };
}
macro_rules! attempt_cols {
    () => {
        "status, user_id, identifier, has_phone, has_totp, has_backup, created_at, expires_at"
    };
}

#[async_trait]
impl Store for Sqlite {
    async fn lockout_reserve(
        &self,
        subject: &str,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<std::result::Result<(), i64>> {
        // One statement: expired locks start over; a live lock refuses; the
        // try that reaches `max` sets the lock.
        let r = sqlx::query(
            "INSERT INTO lockouts (subject, failures, locked_until)
             VALUES (?1, 1, CASE WHEN 1 >= ?3 THEN ?2 + ?4 END)
             ON CONFLICT (subject) DO UPDATE SET
               failures = CASE WHEN lockouts.locked_until <= ?2 THEN 1 ELSE lockouts.failures + 1 END,
               locked_until = CASE
                 WHEN lockouts.locked_until <= ?2 THEN CASE WHEN 1 >= ?3 THEN ?2 + ?4 END
                 WHEN lockouts.failures + 1 >= ?3 THEN ?2 + ?4
                 ELSE NULL END
             WHERE lockouts.locked_until IS NULL OR lockouts.locked_until <= ?2
             RETURNING failures",
        )
        .bind(subject)
        .bind(now)
        .bind(max)
        .bind(lock_secs)
        .fetch_optional(&self.pool)
        .await?;
        if r.is_some() {
            return Ok(Ok(()));
        }
        Ok(Err(self.locked_until(subject, now).await?.unwrap_or(now + lock_secs)))
    }

    async fn lockout_release(&self, subject: &str, max: i64) -> Result<()> {
        sqlx::query(
            "UPDATE lockouts SET failures = MAX(failures - 1, 0),
               locked_until = CASE WHEN failures - 1 < ?2 THEN NULL ELSE locked_until END
             WHERE subject = ?1",
        )
        .bind(subject)
        .bind(max)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn lockout_reset(&self, subject: &str) -> Result<()> {
        sqlx::query("DELETE FROM lockouts WHERE subject = ?").bind(subject).execute(&self.pool).await?;
        Ok(())
    }

    async fn locked_until(&self, subject: &str, now: i64) -> Result<Option<i64>> {
        let r = sqlx::query("SELECT locked_until FROM lockouts WHERE subject = ? AND locked_until > ?")
            .bind(subject)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match r {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }

    async fn rate_hit(&self, bucket: &str, client: &str, now: i64, window: i64) -> Result<(i64, i64)> {
        let r = sqlx::query(
            "INSERT INTO rate_limits (bucket, client, window_start, hits) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (bucket, client) DO UPDATE SET
               hits = CASE WHEN rate_limits.window_start <= ?3 - ?4 THEN 1 ELSE rate_limits.hits + 1 END,
               window_start = CASE WHEN rate_limits.window_start <= ?3 - ?4 THEN ?3 ELSE rate_limits.window_start END
             RETURNING hits, window_start",
        )
        .bind(bucket)
        .bind(client)
        .bind(now)
        .bind(window)
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    async fn audit(&self, e: &AuditEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, event, user_id, identifier, ip, user_agent, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.at)
        .bind(&e.event)
        .bind(e.user_id)
        .bind(&e.identifier)
        .bind(&e.ip)
        .bind(&e.user_agent)
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        Ok(sqlx::query_as(
            "SELECT at, event, user_id, identifier, ip, user_agent, detail
             FROM audit_log ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn create_user(&self, u: &NewUser) -> Result<i64> {
        let r = sqlx::query(
            "INSERT INTO users (email, password_hash, phone, totp_secret, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(&u.email)
        .bind(&u.password_hash)
        .bind(&u.phone)
        .bind(&u.totp_secret)
        .bind(u.created_at)
        .fetch_optional(&self.pool)
        .await?;
        match r {
            Some(row) => Ok(row.try_get(0)?),
            None => Err(StoreError::Conflict),
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let q = concat!("SELECT ", user_cols!(), " FROM users WHERE email = ?");
        Ok(sqlx::query_as(q).bind(email).fetch_optional(&self.pool).await?)
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        let q = concat!("SELECT ", user_cols!(), " FROM users WHERE id = ?");
        Ok(sqlx::query_as(q).bind(id).fetch_optional(&self.pool).await?)
    }

    async fn set_backup_codes(&self, user_id: i64, codes: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM backup_codes WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for (salt, hash) in codes {
            sqlx::query("INSERT INTO backup_codes (user_id, salt, code_hash) VALUES (?, ?, ?)")
                .bind(user_id)
                .bind(salt)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn unused_backup_codes(&self, user_id: i64) -> Result<Vec<BackupCode>> {
        Ok(sqlx::query_as(
            "SELECT id, salt, code_hash FROM backup_codes WHERE user_id = ? AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn use_backup_code(&self, id: i64, now: i64) -> Result<bool> {
        let r = sqlx::query("UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn advance_totp(&self, user_id: i64, step: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE users SET totp_last_step = ?
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(user_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()> {
        let q = concat!(
            "INSERT INTO sign_in_attempts (key, ",
            attempt_cols!(),
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        );
        sqlx::query(q)
            .bind(key)
            .bind(a.status.as_str())
            .bind(a.user_id)
            .bind(&a.identifier)
            .bind(a.factors.phone)
            .bind(a.factors.totp)
            .bind(a.factors.backup_codes)
            .bind(a.created_at)
            .bind(a.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn attempt(&self, key: &str) -> Result<Option<Attempt>> {
        let q = concat!("SELECT ", attempt_cols!(), " FROM sign_in_attempts WHERE key = ?");
        let r = sqlx::query(q).bind(key).fetch_optional(&self.pool).await?;
        r.as_ref().map(attempt_row).transpose()
    }

    async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE sign_in_attempts SET status = ?, expires_at = ? WHERE key = ? AND status = ?",
        )
        .bind(a.status.as_str())
        .bind(a.expires_at)
        .bind(key)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn delete_attempt(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_attempts WHERE key = ?").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn take_complete_attempt(&self, key: &str) -> Result<Option<Attempt>> {
        let q = concat!(
            "DELETE FROM sign_in_attempts WHERE key = ? AND status = 'complete' RETURNING ",
            attempt_cols!()
        );
        let r = sqlx::query(q).bind(key).fetch_optional(&self.pool).await?;
        r.as_ref().map(attempt_row).transpose()
    }

    async fn put_code(
        &self,
        attempt_key: &str,
        purpose: &str,
        code_hash: &str,
        now: i64,
        expires_at: i64,
        not_after: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO one_time_codes (attempt_key, purpose, code_hash, sent_at, expires_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (attempt_key, purpose) DO UPDATE
               SET code_hash = excluded.code_hash, sent_at = excluded.sent_at,
                   expires_at = excluded.expires_at, failures = 0, used_at = NULL
             WHERE one_time_codes.sent_at <= ?",
        )
        .bind(attempt_key)
        .bind(purpose)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .bind(not_after)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn code(&self, attempt_key: &str, purpose: &str) -> Result<Option<OneTimeCode>> {
        Ok(sqlx::query_as(
            "SELECT id, code_hash, sent_at, expires_at, failures, used_at IS NOT NULL AS used
             FROM one_time_codes WHERE attempt_key = ? AND purpose = ?",
        )
        .bind(attempt_key)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn delete_code(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM one_time_codes WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn fail_code(&self, id: i64, max: i64) -> Result<i64> {
        let r = sqlx::query(
            "UPDATE one_time_codes SET failures = MIN(failures + 1, ?) WHERE id = ? RETURNING failures",
        )
        .bind(max)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match r {
            Some(r) => r.try_get(0)?,
            None => max,
        })
    }

    async fn consume_code(&self, id: i64, now: i64, max: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE one_time_codes SET used_at = ?
             WHERE id = ? AND used_at IS NULL AND failures < ? AND expires_at > ?",
        )
        .bind(now)
        .bind(id)
        .bind(max)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn insert_session(&self, s: &NewSession<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (key, user_id, created_at, last_active_at, expires_at, ip, user_agent)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.key)
        .bind(s.user_id)
        .bind(s.now)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, key: &str) -> Result<Option<Session>> {
        Ok(sqlx::query_as(
            "SELECT user_id, created_at, last_active_at, expires_at FROM sessions WHERE key = ?",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn touch_session(&self, key: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_active_at = ? WHERE key = ?")
            .bind(now)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE key = ?").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn push_outbox(&self, channel: &str, recipient: &str, body: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO outbox (channel, recipient, body, created_at) VALUES (?, ?, ?, ?)")
            .bind(channel)
            .bind(recipient)
            .bind(body)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, recipient, body, created_at FROM outbox ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    //! The atomic primitives the defences rest on: each check-and-change
    //! succeeds once, whatever the callers' interleaving.
    use super::*;

    async fn db() -> (Sqlite, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("mfa-store-{}", crate::secrets::token()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = Sqlite::open(&format!("sqlite://{}/t.db", dir.display())).await.unwrap();
        (s, dir)
    }

    async fn user(s: &Sqlite) -> i64 {
        s.create_user(&NewUser {
            email: "a@b.c".into(),
            password_hash: "x".into(),
            phone: None,
            totp_secret: None,
            created_at: 0,
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn backup_code_is_used_once() {
        let (s, dir) = db().await;
        let uid = user(&s).await;
        s.set_backup_codes(uid, &[("salt".into(), "hash".into())]).await.unwrap();
        let id = s.unused_backup_codes(uid).await.unwrap()[0].id;
        assert!(s.use_backup_code(id, 1).await.unwrap());
        assert!(!s.use_backup_code(id, 2).await.unwrap(), "used twice");
        assert!(s.unused_backup_codes(uid).await.unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn totp_steps_only_move_forward() {
        let (s, dir) = db().await;
        let uid = user(&s).await;
        assert!(s.advance_totp(uid, 100).await.unwrap());
        assert!(!s.advance_totp(uid, 100).await.unwrap(), "same step twice");
        assert!(!s.advance_totp(uid, 99).await.unwrap(), "earlier step after a later one");
        assert!(s.advance_totp(uid, 101).await.unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn codes_are_consumed_once_and_resends_wait() {
        let (s, dir) = db().await;
        let a = crate::flow::Attempt::new(0);
        s.insert_attempt("k", &a).await.unwrap();
        assert!(s.put_code("k", "p", "h1", 100, 700, 70).await.unwrap());
        assert!(!s.put_code("k", "p", "h2", 110, 710, 80).await.unwrap(), "resent too soon");
        let c = s.code("k", "p").await.unwrap().unwrap();
        assert_eq!(c.code_hash, "h1");
        assert!(s.consume_code(c.id, 120, 5).await.unwrap());
        assert!(!s.consume_code(c.id, 121, 5).await.unwrap(), "consumed twice");
        assert!(s.put_code("k", "p", "h3", 200, 800, 170).await.unwrap());
        let c = s.code("k", "p").await.unwrap().unwrap();
        assert_eq!((c.code_hash.as_str(), c.failures, c.used), ("h3", 0, false));
        for n in 1..=5 {
            assert_eq!(s.fail_code(c.id, 5).await.unwrap(), n);
        }
        assert_eq!(s.fail_code(c.id, 5).await.unwrap(), 5, "capped");
        assert!(!s.consume_code(c.id, 201, 5).await.unwrap(), "a voided code works");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_complete_attempt_is_taken_once() {
        let (s, dir) = db().await;
        let mut a = crate::flow::Attempt::new(0);
        s.insert_attempt("k", &a).await.unwrap();
        assert!(s.take_complete_attempt("k").await.unwrap().is_none(), "not complete yet");
        a.status = Status::Complete;
        assert!(s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap());
        assert!(!s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap(), "stale status");
        assert!(s.take_complete_attempt("k").await.unwrap().is_some());
        assert!(s.take_complete_attempt("k").await.unwrap().is_none(), "taken twice");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn lockout_reservations_stop_at_the_threshold() {
        let (s, dir) = db().await;
        for i in 0..10 {
            assert_eq!(s.lockout_reserve("x", 100, 10, 3600).await.unwrap(), Ok(()), "try {i}");
        }
        assert_eq!(s.lockout_reserve("x", 100, 10, 3600).await.unwrap(), Err(3700));
        assert_eq!(s.locked_until("x", 100).await.unwrap(), Some(3700));
        // Expired: counting starts over.
        assert_eq!(s.lockout_reserve("x", 3700, 10, 3600).await.unwrap(), Ok(()));
        assert_eq!(s.locked_until("x", 3700).await.unwrap(), None);
        // The tenth try was right: taking it back lifts the lock it set.
        for _ in 0..9 {
            s.lockout_reserve("y", 0, 10, 3600).await.unwrap().unwrap();
        }
        s.lockout_reserve("y", 0, 10, 3600).await.unwrap().unwrap();
        assert!(s.locked_until("y", 0).await.unwrap().is_some());
        s.lockout_release("y", 10).await.unwrap();
        assert_eq!(s.locked_until("y", 0).await.unwrap(), None);
        assert_eq!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap(), Ok(()));
        assert!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap().is_err());
        s.lockout_reset("y").await.unwrap();
        assert_eq!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap(), Ok(()));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn rate_windows_count_and_roll_over() {
        let (s, dir) = db().await;
        assert_eq!(s.rate_hit("b", "ip", 100, 10).await.unwrap(), (1, 100));
        assert_eq!(s.rate_hit("b", "ip", 105, 10).await.unwrap(), (2, 100));
        assert_eq!(s.rate_hit("b", "other", 105, 10).await.unwrap(), (1, 105));
        assert_eq!(s.rate_hit("b", "ip", 110, 10).await.unwrap(), (1, 110), "new window");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
