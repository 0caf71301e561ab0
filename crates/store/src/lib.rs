//! The storage port (`domain::store::Store`) on SQLite and PostgreSQL, from
//! one SQL text and one set of migrations per database. Every
//! check-and-change is one conditional statement: concurrent requests are
//! settled by the database, not by process memory.

use async_trait::async_trait;
use domain::flow::{Attempt, Factors, SignUp};
use domain::store::{
    AuditEvent, BackupCode, NewSession, NewUser, OneTimeCode, OutboxMessage, Result, Session, SessionRow, Store,
    StoreError, Subject, Tx, User,
};
use proto::{SignUpStatus, Status};
use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
    Row,
};
use sqlx::{sqlite::SqliteTransactionManager, ConnectOptions, SqlSafeStr};
use sqlx_core::transaction::TransactionManager;
use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

/// Every database result on its way out: sqlx's errors become the port's.
trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for std::result::Result<T, sqlx::Error> {
    fn db(self) -> Result<T> {
        self.map_err(|e| StoreError::Db(e.to_string()))
    }
}

impl<T> Db<T> for std::result::Result<T, sqlx::migrate::MigrateError> {
    fn db(self) -> Result<T> {
        self.map_err(|e| StoreError::Migrate(e.to_string()))
    }
}

impl<T> Db<T> for Result<T> {
    fn db(self) -> Result<T> {
        self
    }
}

/// A domain row read by column name (the domain knows no sqlx).
struct Rec<T>(T);

macro_rules! from_row {
    ($t:ident { $($f:ident),* $(,)? }) => {
        from_row!(@on sqlx::sqlite::SqliteRow, $t { $($f),* });
        from_row!(@on sqlx::postgres::PgRow, $t { $($f),* });
    };
    (@on $row:ty, $t:ident { $($f:ident),* }) => {
        impl<'r> sqlx::FromRow<'r, $row> for Rec<$t> {
            fn from_row(r: &'r $row) -> std::result::Result<Self, sqlx::Error> {
                Ok(Rec($t { $($f: r.try_get(stringify!($f))?),* }))
            }
        }
    };
}

from_row!(User {
    id,
    email,
    password_hash,
    phone,
    totp_secret,
    created_at,
    default_factor,
    pending_totp_secret,
    pending_phone
});
from_row!(BackupCode { id, salt, code_hash });
from_row!(OneTimeCode { id, code_hash, sent_at, expires_at, failures, used });
from_row!(Session { user_id, created_at, last_active_at, expires_at, task, verified_at });
from_row!(SessionRow { key, created_at, last_active_at, expires_at, ip, user_agent, task });
from_row!(OutboxMessage { id, channel, recipient, body, created_at });
from_row!(AuditEvent { at, event, user_id, identifier, ip, user_agent, detail });

macro_rules! subject_from_row {
    ($($row:ty),*) => {$(
        impl<'r> sqlx::FromRow<'r, $row> for Rec<Subject> {
            fn from_row(r: &'r $row) -> std::result::Result<Self, sqlx::Error> {
                let Rec(user) = Rec::<User>::from_row(r)?;
                Ok(Rec(Subject { user, has_backup: r.try_get("has_backup")?, client_known: r.try_get("client_known")? }))
            }
        }
    )*};
}
subject_from_row!(sqlx::sqlite::SqliteRow, sqlx::postgres::PgRow);

/// The rows of a `fetch_all`, unwrapped.
fn recs<T>(v: Vec<Rec<T>>) -> Vec<T> {
    v.into_iter().map(|Rec(t)| t).collect()
}

/// SQLite: the embedded default (one node).
pub struct Sqlite {
    pool: sqlx::SqlitePool,
    /// SQLite has one writer, so units take turns on a connection of their
    /// own. Queueing here beats SQLite's busy handler (it sleeps in steps of
    /// milliseconds), and a unit skips the pool's acquire and release: each
    /// is a round trip to the connection's thread.
    writer: Arc<tokio::sync::Mutex<sqlx::SqliteConnection>>,
    opts: SqliteConnectOptions,
}

/// PostgreSQL: for many stateless nodes on one database.
pub struct Postgres {
    pool: sqlx::PgPool,
}

/// A unit of work on SQLite's writer connection (see [`Store::begin`]).
pub struct SqliteUnit {
    open: tokio::sync::Mutex<Option<tokio::sync::OwnedMutexGuard<sqlx::SqliteConnection>>>,
}

/// A unit of work in a PostgreSQL transaction.
pub struct PgUnit {
    open: tokio::sync::Mutex<Option<sqlx::Transaction<'static, sqlx::Postgres>>>,
}

/// The connection of an open unit, borrowed for one statement.
pub struct UnitConn<'a, C>(tokio::sync::MappedMutexGuard<'a, C>);

impl<C> std::ops::Deref for UnitConn<'_, C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C> std::ops::DerefMut for UnitConn<'_, C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0
    }
}

// The bench counts commits per sign-in from the "unit begin" and "unit
// commit" lines.
impl SqliteUnit {
    fn sql(&self, q: &'static str) -> &'static str {
        sqlite_sql(q)
    }

    async fn conn(&self) -> Result<UnitConn<'_, sqlx::SqliteConnection>> {
        let g = self.open.lock().await;
        tokio::sync::MutexGuard::try_map(g, |o| o.as_deref_mut()).map(UnitConn).map_err(|_| StoreError::Committed)
    }

    async fn finish(&self) -> Result<()> {
        let mut open = self.open.lock().await;
        let w = open.as_mut().ok_or(StoreError::Committed)?;
        let r = SqliteTransactionManager::commit(w).await;
        if r.is_err() {
            SqliteTransactionManager::start_rollback(w);
        }
        *open = None;
        r.db()?;
        tracing::debug!("unit commit");
        Ok(())
    }
}

impl Drop for SqliteUnit {
    /// Not committed: roll back. The writer runs its commands in order, so
    /// the rollback comes before the next unit's BEGIN.
    fn drop(&mut self) {
        if let Some(w) = self.open.get_mut().as_deref_mut() {
            SqliteTransactionManager::start_rollback(w);
        }
    }
}

impl PgUnit {
    fn sql(&self, q: &'static str) -> &'static str {
        q
    }

    async fn conn(&self) -> Result<UnitConn<'_, sqlx::PgConnection>> {
        let g = self.open.lock().await;
        tokio::sync::MutexGuard::try_map(g, |o| o.as_mut().map(|tx| &mut **tx))
            .map(UnitConn)
            .map_err(|_| StoreError::Committed)
    }

    async fn finish(&self) -> Result<()> {
        let tx = self.open.lock().await.take().ok_or(StoreError::Committed)?;
        tx.commit().await.db()?;
        tracing::debug!("unit commit");
        Ok(())
    }
}

/// The shared SQL is written with PostgreSQL's `$1`; SQLite reads `?1`.
/// Converted once per statement, then kept.
fn sqlite_sql(q: &'static str) -> &'static str {
    static CACHE: LazyLock<Mutex<HashMap<&'static str, &'static str>>> = LazyLock::new(Default::default);
    let Ok(mut cache) = CACHE.lock() else { return q };
    cache.entry(q).or_insert_with(|| Box::leak(q.replace('$', "?").into_boxed_str()))
}

impl Sqlite {
    /// Opens (creating if needed) the database and runs the migrations.
    pub async fn open(url: &str) -> Result<Sqlite> {
        let opts = SqliteConnectOptions::from_str(url)
            .db()?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No ping before each use: a local file has no link to go stale,
        // and each ping is a round trip to the connection's thread.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await
            .db()?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await.db()?;
        let writer = opts.connect().await.db()?;
        Ok(Sqlite { pool, writer: Arc::new(tokio::sync::Mutex::new(writer)), opts })
    }

    fn sql(&self, q: &'static str) -> &'static str {
        sqlite_sql(q)
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        self.pool.acquire().await.db()
    }

    /// The writer, in a fresh transaction; a writer whose thread died is
    /// replaced.
    async fn begin_unit(&self) -> Result<SqliteUnit> {
        let mut w = self.writer.clone().lock_owned().await;
        // Left open by a unit cancelled while it committed.
        if SqliteTransactionManager::get_transaction_depth(&w) > 0 {
            if let Err(e) = SqliteTransactionManager::rollback(&mut w).await {
                tracing::warn!(error = %e, "rolling back a unit left open");
            }
        }
        // IMMEDIATE: take the write lock now, so a unit that reads before it
        // writes cannot fail to upgrade.
        let begin = || Some(SqlSafeStr::into_sql_str("BEGIN IMMEDIATE"));
        match SqliteTransactionManager::begin(&mut w, begin()).await {
            Err(sqlx::Error::WorkerCrashed) => {
                tracing::warn!("SQLite writer connection lost; reconnecting");
                *w = self.opts.connect().await.db()?;
                SqliteTransactionManager::begin(&mut w, begin()).await.db()?;
            }
            r => r.db()?,
        }
        tracing::debug!("unit begin");
        Ok(SqliteUnit { open: tokio::sync::Mutex::new(Some(w)) })
    }
}

impl Postgres {
    /// Connects and runs the migrations (safe to run from every node at once:
    /// sqlx takes an advisory lock).
    pub async fn open(url: &str) -> Result<Postgres> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .db()?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await.db()?;
        Ok(Postgres { pool })
    }

    fn sql(&self, q: &'static str) -> &'static str {
        q
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.pool.acquire().await.db()
    }
}

/// Opens the store `url` names: `sqlite:` or `postgres:`/`postgresql:`.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(Postgres::open(url).await.db()?))
    } else {
        Ok(std::sync::Arc::new(Sqlite::open(url).await.db()?))
    }
}

/// A `sign_in_attempts` row.
#[derive(sqlx::FromRow)]
struct AttemptRow {
    status: String,
    user_id: Option<i64>,
    identifier: Option<String>,
    has_phone: bool,
    has_totp: bool,
    has_backup: bool,
    client_known: bool,
    created_at: i64,
    expires_at: i64,
}

/// A `sign_ups` row.
#[derive(sqlx::FromRow)]
struct SignUpRow {
    status: String,
    email: String,
    password_hash: Option<String>,
    user_id: Option<i64>,
    created_at: i64,
    expires_at: i64,
}

impl From<SignUpRow> for SignUp {
    fn from(r: SignUpRow) -> SignUp {
        SignUp {
            status: SignUpStatus::parse(&r.status).unwrap_or(SignUpStatus::Abandoned),
            email: r.email,
            password_hash: r.password_hash,
            user_id: r.user_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

impl From<AttemptRow> for Attempt {
    fn from(r: AttemptRow) -> Attempt {
        Attempt {
            status: Status::parse(&r.status).unwrap_or(Status::NeedsIdentifier),
            user_id: r.user_id,
            identifier: r.identifier,
            factors: Factors { phone: r.has_phone, totp: r.has_totp, backup_codes: r.has_backup },
            client_known: r.client_known,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

// One SQL text for both databases: PostgreSQL placeholders, and only what
// both dialects accept (CASE rather than MIN/MAX, CAST rather than `::`).
// Column lists are macros, so every statement stays a static string.
// A user's factors are rows of `credentials`; the domain reads them as the
// user's fields (one of each kind and state).
macro_rules! user_cols {
    () => {
        concat!(
            "id, email, password_hash, created_at, default_factor, ",
            credential!("label", "phone", "active"),
            " AS phone, ",
            credential!("secret", "totp", "active"),
            " AS totp_secret, ",
            credential!("secret", "totp", "pending"),
            " AS pending_totp_secret, ",
            credential!("label", "phone", "pending"),
            " AS pending_phone"
        )
    };
}
macro_rules! credential {
    ($col:literal, $kind:literal, $state:literal) => {
        concat!(
            "(SELECT c.",
            $col,
            " FROM credentials c WHERE c.user_id = users.id AND c.kind = '",
            $kind,
            "' AND c.state = '",
            $state,
            "')"
        )
    };
}
macro_rules! attempt_cols {
    () => {
        "status, user_id, identifier, has_phone, has_totp, has_backup, client_known, created_at, expires_at"
    };
}

const CREATE_USER: &str = "INSERT INTO users (email, password_hash, created_at)
     VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id";
const INSERT_CREDENTIAL: &str = "INSERT INTO credentials (user_id, kind, state, secret, label, last_step, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const USER_BY_EMAIL: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE email = $1");
const SIGN_IN_SUBJECT: &str = concat!(
    "SELECT ",
    user_cols!(),
    ",
     EXISTS (SELECT 1 FROM backup_codes b WHERE b.user_id = users.id AND b.used_at IS NULL) AS has_backup,
     EXISTS (SELECT 1 FROM trusted_clients t WHERE t.client_key = $2 AND t.user_id = users.id) AS client_known
     FROM users WHERE email = $1"
);
const USER_BY_ID: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE id = $1");
const DELETE_BACKUP_CODES: &str = "DELETE FROM backup_codes WHERE user_id = $1";
const INSERT_BACKUP_CODE: &str = "INSERT INTO backup_codes (user_id, salt, code_hash) VALUES ($1, $2, $3)";
const UNUSED_BACKUP_CODES: &str = "SELECT id, salt, code_hash FROM backup_codes WHERE user_id = $1 AND used_at IS NULL";
const USE_BACKUP_CODE: &str = "UPDATE backup_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL";
const ADVANCE_TOTP: &str = "UPDATE credentials SET last_step = $1
     WHERE user_id = $2 AND kind = 'totp' AND state = 'active' AND (last_step IS NULL OR last_step < $1)";
const INSERT_ATTEMPT: &str = concat!(
    "INSERT INTO sign_in_attempts (key, ",
    attempt_cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
);
const ATTEMPT: &str = concat!("SELECT ", attempt_cols!(), " FROM sign_in_attempts WHERE key = $1");
const UPDATE_ATTEMPT: &str = "UPDATE sign_in_attempts SET status = $1, expires_at = $2 WHERE key = $3 AND status = $4";
const DELETE_ATTEMPT: &str = "DELETE FROM sign_in_attempts WHERE key = $1";
const TAKE_COMPLETE_ATTEMPT: &str =
    concat!("DELETE FROM sign_in_attempts WHERE key = $1 AND status = 'complete' RETURNING ", attempt_cols!());
const PUT_CODE: &str = "INSERT INTO one_time_codes (attempt_key, purpose, code_hash, sent_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (attempt_key, purpose) DO UPDATE
       SET code_hash = excluded.code_hash, sent_at = excluded.sent_at,
           expires_at = excluded.expires_at, failures = 0, used_at = NULL
     WHERE one_time_codes.sent_at <= $6";
const CODE: &str = "SELECT id, code_hash, sent_at, expires_at, failures, used_at IS NOT NULL AS used
     FROM one_time_codes WHERE attempt_key = $1 AND purpose = $2";
const DELETE_CODE: &str = "DELETE FROM one_time_codes WHERE id = $1";
const FAIL_CODE: &str = "UPDATE one_time_codes
     SET failures = CASE WHEN failures + 1 > $1 THEN $1 ELSE failures + 1 END
     WHERE id = $2 RETURNING failures";
const CONSUME_CODE: &str = "UPDATE one_time_codes SET used_at = $1
     WHERE id = $2 AND used_at IS NULL AND failures < $3 AND expires_at > $1";
const INSERT_SESSION: &str =
    "INSERT INTO sessions (key, user_id, created_at, last_active_at, expires_at, ip, user_agent, task, verified_at)
     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $3)";
const SESSION: &str =
    "SELECT user_id, created_at, last_active_at, expires_at, task, verified_at FROM sessions WHERE key = $1";
const SESSIONS_OF: &str = "SELECT key, created_at, last_active_at, expires_at, ip, user_agent, task
     FROM sessions WHERE user_id = $1 ORDER BY last_active_at DESC";
const SET_TASK: &str = "UPDATE sessions SET task = $1 WHERE key = $2";
const SESSION_VERIFIED: &str = "UPDATE sessions SET verified_at = $1 WHERE key = $2";
const DELETE_USER_SESSION: &str = "DELETE FROM sessions WHERE key = $1 AND user_id = $2";
const DELETE_OTHER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1 AND key <> $2";
// A pending credential (an enrolment awaiting its first code) replaces the
// one before it: $1 user, $2 kind, $3 secret, $4 label, $5 now.
const PUT_PENDING: &str = "INSERT INTO credentials (user_id, kind, state, secret, label, created_at)
     VALUES ($1, $2, 'pending', $3, $4, $5)
     ON CONFLICT (user_id, kind, state) DO UPDATE
       SET secret = excluded.secret, label = excluded.label, created_at = excluded.created_at";
const DROP_PENDING: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'pending'";
// Confirming: the active credential of the kind goes, if the pending one is
// still the one proven ($3: its secret or label), and the pending one takes
// its place. Each statement checks the pending row: of two confirms at once,
// one changes nothing.
const DROP_REPLACED: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'active'
     AND EXISTS (SELECT 1 FROM credentials p WHERE p.user_id = $1 AND p.kind = $2 AND p.state = 'pending'
                 AND (p.secret = $3 OR p.label = $3))";
// The enrolment code's step counts as used: it cannot sign anyone in later.
const ACTIVATE: &str = "UPDATE credentials SET state = 'active', last_step = $4
     WHERE user_id = $1 AND kind = $2 AND state = 'pending' AND (secret = $3 OR label = $3)";
// On PostgreSQL two removals in parallel each see the other's row unless
// they queue: both first take the user's row lock (SQLite's units are
// serial already). Then the check and the change are one statement.
const LOCK_USER: &str = "UPDATE users SET default_factor = default_factor WHERE id = $1";
const REMOVE_CREDENTIAL: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'active'
     AND ($3 = 0 OR EXISTS (SELECT 1 FROM credentials o
                            WHERE o.user_id = $1 AND o.kind <> $2 AND o.state = 'active'))";
const SET_DEFAULT_FACTOR: &str = "UPDATE users SET default_factor = $1 WHERE id = $2";
const TOUCH_SESSION: &str = "UPDATE sessions SET last_active_at = $1 WHERE key = $2";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE key = $1";
const PUSH_OUTBOX: &str = "INSERT INTO outbox (channel, recipient, body, created_at) VALUES ($1, $2, $3, $4)";
const OUTBOX: &str = "SELECT id, channel, recipient, body, created_at FROM outbox ORDER BY id DESC LIMIT $1";
// Expired locks start over; a live lock refuses (no row returned); the try
// that reaches the threshold sets the lock.
const LOCKOUT_RESERVE: &str = "INSERT INTO lockouts (subject, failures, locked_until)
     VALUES ($1, 1, CASE WHEN 1 >= CAST($3 AS BIGINT) THEN CAST($2 AS BIGINT) + CAST($4 AS BIGINT) END)
     ON CONFLICT (subject) DO UPDATE SET
       failures = CASE WHEN lockouts.locked_until <= $2 THEN 1 ELSE lockouts.failures + 1 END,
       locked_until = CASE
         WHEN lockouts.locked_until <= $2 THEN
           CASE WHEN 1 >= CAST($3 AS BIGINT) THEN CAST($2 AS BIGINT) + CAST($4 AS BIGINT) END
         WHEN lockouts.failures + 1 >= $3 THEN CAST($2 AS BIGINT) + CAST($4 AS BIGINT)
         ELSE NULL END
     WHERE lockouts.locked_until IS NULL OR lockouts.locked_until <= $2
     RETURNING failures";
const LOCKOUT_RELEASE: &str = "UPDATE lockouts
     SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
         locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END
     WHERE subject = $1";
const LOCKOUT_RESET: &str = "DELETE FROM lockouts WHERE subject = $1";
const LOCKED_UNTIL: &str = "SELECT locked_until FROM lockouts WHERE subject = $1 AND locked_until > $2";
const RATE_HIT: &str = "INSERT INTO rate_limits (bucket, client, window_start, hits) VALUES ($1, $2, $3, 1)
     ON CONFLICT (bucket, client) DO UPDATE SET
       hits = CASE WHEN rate_limits.window_start <= CAST($3 AS BIGINT) - CAST($4 AS BIGINT)
              THEN 1 ELSE rate_limits.hits + 1 END,
       window_start = CASE WHEN rate_limits.window_start <= CAST($3 AS BIGINT) - CAST($4 AS BIGINT)
              THEN $3 ELSE rate_limits.window_start END
     RETURNING hits, window_start";
macro_rules! sign_up_cols {
    () => {
        "status, email, password_hash, user_id, created_at, expires_at"
    };
}
const INSERT_SIGN_UP: &str =
    concat!("INSERT INTO sign_ups (key, ", sign_up_cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7)");
const SIGN_UP: &str = concat!("SELECT ", sign_up_cols!(), " FROM sign_ups WHERE key = $1");
const UPDATE_SIGN_UP: &str = "UPDATE sign_ups SET status = $1, user_id = $2, expires_at = $3
     WHERE key = $4 AND status = $5";
const TAKE_COMPLETE_SIGN_UP: &str =
    concat!("DELETE FROM sign_ups WHERE key = $1 AND status = 'complete' RETURNING ", sign_up_cols!());
const DELETE_SIGN_UP: &str = "DELETE FROM sign_ups WHERE key = $1";
const DELETE_CODES_OF: &str = "DELETE FROM one_time_codes WHERE attempt_key = $1";
const TRUST_CLIENT: &str = "INSERT INTO trusted_clients (client_key, user_id, trusted_at) VALUES ($1, $2, $3)
     ON CONFLICT (client_key, user_id) DO NOTHING";
// Codes are kept an hour past expiry, so a late try still hears "expired".
const SWEEP: [&str; 5] = [
    "DELETE FROM sign_in_attempts WHERE expires_at <= $1",
    "DELETE FROM sign_ups WHERE expires_at <= $1",
    "DELETE FROM one_time_codes WHERE expires_at <= CAST($1 AS BIGINT) - 3600",
    "DELETE FROM sessions WHERE expires_at <= $1",
    "DELETE FROM rate_limits WHERE window_start <= CAST($1 AS BIGINT) - 3600",
];
const USERS_ON_DISABLED_FACTORS: &str = "SELECT COUNT(DISTINCT user_id) FROM credentials c WHERE c.state = 'active'
     AND NOT EXISTS (SELECT 1 FROM credentials e WHERE e.user_id = c.user_id AND e.state = 'active'
                     AND ((e.kind = 'totp' AND $1 = 1) OR (e.kind = 'phone' AND $2 = 1)))";
const AUDIT: &str = "INSERT INTO audit_log (at, event, user_id, identifier, ip, user_agent, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const AUDIT_LOG: &str = "SELECT at, event, user_id, identifier, ip, user_agent, detail
     FROM audit_log ORDER BY id DESC LIMIT $1";

/// The reads, generated for the pools and the units.
macro_rules! sql_reads {
    ($store:ty, { $($begin:tt)* }) => {
        #[async_trait]
        impl Store for $store {
            $($begin)*

            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                Ok(sqlx::query_as(self.sql(USER_BY_EMAIL)).bind(email).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn sign_in_subject(&self, email: &str, client_key: Option<&str>) -> Result<Option<Subject>> {
                Ok(sqlx::query_as(self.sql(SIGN_IN_SUBJECT))
                    .bind(email)
                    .bind(client_key)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?
                    .map(|Rec(r)| r))
            }

            async fn user(&self, id: i64) -> Result<Option<User>> {
                Ok(sqlx::query_as(self.sql(USER_BY_ID)).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn unused_backup_codes(&self, user_id: i64) -> Result<Vec<BackupCode>> {
                Ok(recs(sqlx::query_as(self.sql(UNUSED_BACKUP_CODES)).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn attempt(&self, key: &str) -> Result<Option<Attempt>> {
                let r: Option<AttemptRow> =
                    sqlx::query_as(self.sql(ATTEMPT)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(Attempt::from))
            }

            async fn code(&self, attempt_key: &str, purpose: &str) -> Result<Option<OneTimeCode>> {
                Ok(sqlx::query_as(self.sql(CODE))
                    .bind(attempt_key)
                    .bind(purpose)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?
                    .map(|Rec(r)| r))
            }

            async fn session(&self, key: &str) -> Result<Option<Session>> {
                Ok(sqlx::query_as(self.sql(SESSION)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionRow>> {
                Ok(recs(sqlx::query_as(self.sql(SESSIONS_OF)).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
                Ok(recs(sqlx::query_as(self.sql(OUTBOX)).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn locked_until(&self, subject: &str, now: i64) -> Result<Option<i64>> {
                let r = sqlx::query(self.sql(LOCKED_UNTIL)).bind(subject).bind(now).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(match r {
                    Some(r) => r.try_get(0).db()?,
                    None => None,
                })
            }

            async fn users_on_disabled_factors(&self, totp_on: i64, phone_on: i64) -> Result<i64> {
                let r = sqlx::query(self.sql(USERS_ON_DISABLED_FACTORS))
                    .bind(totp_on)
                    .bind(phone_on)
                    .fetch_one(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.try_get(0).db()?)
            }

            async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>> {
                Ok(recs(sqlx::query_as(self.sql(AUDIT_LOG)).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn sign_up(&self, key: &str) -> Result<Option<SignUp>> {
                let r: Option<SignUpRow> =
                    sqlx::query_as(self.sql(SIGN_UP)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(SignUp::from))
            }
        }
    };
}

/// The writes, generated for the units only: a write outside a
/// transaction does not compile.
macro_rules! sql_writes {
    ($store:ty, { $($commit:tt)* }) => {
        #[async_trait]
        impl Tx for $store {
            $($commit)*

            async fn create_user(&self, u: &NewUser) -> Result<i64> {
                let mut conn = self.conn().await.db()?;
                let r = sqlx::query(self.sql(CREATE_USER))
                    .bind(&u.email)
                    .bind(&u.password_hash)
                    .bind(u.created_at)
                    .fetch_optional(&mut *conn)
                    .await.db()?;
                let id: i64 = match r {
                    Some(row) => row.try_get(0).db()?,
                    None => return Err(StoreError::Conflict),
                };
                let factors = [("totp", u.totp_secret.as_deref(), None), ("phone", None, u.phone.as_deref())];
                for (kind, secret, label) in factors {
                    if secret.is_none() && label.is_none() {
                        continue;
                    }
                    sqlx::query(self.sql(INSERT_CREDENTIAL))
                        .bind(id)
                        .bind(kind)
                        .bind("active")
                        .bind(secret)
                        .bind(label)
                        .bind(None::<i64>)
                        .bind(u.created_at)
                        .execute(&mut *conn)
                        .await.db()?;
                }
                Ok(id)
            }

            async fn set_backup_codes(&self, user_id: i64, codes: &[(String, String)]) -> Result<()> {
                let mut c = self.conn().await.db()?;
                let mut tx = sqlx::Connection::begin(&mut *c).await.db()?;
                sqlx::query(self.sql(DELETE_BACKUP_CODES)).bind(user_id).execute(&mut *tx).await.db()?;
                for (salt, hash) in codes {
                    sqlx::query(self.sql(INSERT_BACKUP_CODE))
                        .bind(user_id)
                        .bind(salt)
                        .bind(hash)
                        .execute(&mut *tx)
                        .await.db()?;
                }
                tx.commit().await.db()?;
                Ok(())
            }

            async fn use_backup_code(&self, id: i64, now: i64) -> Result<bool> {
                let r = sqlx::query(self.sql(USE_BACKUP_CODE)).bind(now).bind(id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn advance_totp(&self, user_id: i64, step: i64) -> Result<bool> {
                let r = sqlx::query(self.sql(ADVANCE_TOTP)).bind(step).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()> {
                sqlx::query(self.sql(INSERT_ATTEMPT))
                    .bind(key)
                    .bind(a.status.as_str())
                    .bind(a.user_id)
                    .bind(&a.identifier)
                    .bind(a.factors.phone)
                    .bind(a.factors.totp)
                    .bind(a.factors.backup_codes)
                    .bind(a.client_known)
                    .bind(a.created_at)
                    .bind(a.expires_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool> {
                let r = sqlx::query(self.sql(UPDATE_ATTEMPT))
                    .bind(a.status.as_str())
                    .bind(a.expires_at)
                    .bind(key)
                    .bind(from.as_str())
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn delete_attempt(&self, key: &str) -> Result<()> {
                sqlx::query(self.sql(DELETE_ATTEMPT)).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn take_complete_attempt(&self, key: &str) -> Result<Option<Attempt>> {
                let r: Option<AttemptRow> =
                    sqlx::query_as(self.sql(TAKE_COMPLETE_ATTEMPT)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(Attempt::from))
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
                let r = sqlx::query(self.sql(PUT_CODE))
                    .bind(attempt_key)
                    .bind(purpose)
                    .bind(code_hash)
                    .bind(now)
                    .bind(expires_at)
                    .bind(not_after)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn delete_code(&self, id: i64) -> Result<()> {
                sqlx::query(self.sql(DELETE_CODE)).bind(id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn fail_code(&self, id: i64, max: i64) -> Result<i64> {
                let r = sqlx::query(self.sql(FAIL_CODE)).bind(max).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(match r {
                    Some(r) => r.try_get(0).db()?,
                    None => max,
                })
            }

            async fn consume_code(&self, id: i64, now: i64, max: i64) -> Result<bool> {
                let r = sqlx::query(self.sql(CONSUME_CODE))
                    .bind(now)
                    .bind(id)
                    .bind(max)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn insert_session(&self, s: &NewSession<'_>) -> Result<()> {
                sqlx::query(self.sql(INSERT_SESSION))
                    .bind(s.key)
                    .bind(s.user_id)
                    .bind(s.now)
                    .bind(s.expires_at)
                    .bind(&s.ip)
                    .bind(&s.user_agent)
                    .bind(s.task)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn set_task(&self, key: &str, task: Option<&str>) -> Result<()> {
                sqlx::query(self.sql(SET_TASK)).bind(task).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn session_verified(&self, key: &str, now: i64) -> Result<()> {
                sqlx::query(self.sql(SESSION_VERIFIED)).bind(now).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn delete_user_session(&self, key: &str, user_id: i64) -> Result<bool> {
                let r = sqlx::query(self.sql(DELETE_USER_SESSION)).bind(key).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn delete_other_sessions(&self, user_id: i64, keep: &str) -> Result<u64> {
                let r = sqlx::query(self.sql(DELETE_OTHER_SESSIONS)).bind(user_id).bind(keep).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected())
            }

            async fn set_pending_totp(&self, user_id: i64, sealed: Option<&str>, now: i64) -> Result<()> {
                self.put_pending(user_id, "totp", sealed, None, now).await
            }

            async fn confirm_totp(&self, user_id: i64, sealed: &str, step: i64) -> Result<bool> {
                self.activate(user_id, "totp", sealed, Some(step)).await
            }

            async fn set_pending_phone(&self, user_id: i64, phone: Option<&str>, now: i64) -> Result<()> {
                self.put_pending(user_id, "phone", None, phone, now).await
            }

            async fn confirm_phone(&self, user_id: i64, phone: &str) -> Result<bool> {
                self.activate(user_id, "phone", phone, None).await
            }

            async fn remove_totp(&self, user_id: i64, keep_one: bool) -> Result<bool> {
                self.remove_credential(user_id, "totp", keep_one).await
            }

            async fn remove_phone(&self, user_id: i64, keep_one: bool) -> Result<bool> {
                self.remove_credential(user_id, "phone", keep_one).await
            }

            async fn set_default_factor(&self, user_id: i64, factor: Option<&str>) -> Result<()> {
                sqlx::query(self.sql(SET_DEFAULT_FACTOR)).bind(factor).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn touch_session(&self, key: &str, now: i64) -> Result<()> {
                sqlx::query(self.sql(TOUCH_SESSION)).bind(now).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn delete_session(&self, key: &str) -> Result<()> {
                sqlx::query(self.sql(DELETE_SESSION)).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn push_outbox(&self, channel: &str, recipient: &str, body: &str, now: i64) -> Result<()> {
                sqlx::query(self.sql(PUSH_OUTBOX))
                    .bind(channel)
                    .bind(recipient)
                    .bind(body)
                    .bind(now)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn lockout_reserve(
                &self,
                subject: &str,
                now: i64,
                max: i64,
                lock_secs: i64,
            ) -> Result<std::result::Result<i64, i64>> {
                let r = sqlx::query(self.sql(LOCKOUT_RESERVE))
                    .bind(subject)
                    .bind(now)
                    .bind(max)
                    .bind(lock_secs)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?;
                if let Some(r) = r {
                    return Ok(Ok(r.try_get(0).db()?));
                }
                Ok(Err(self.locked_until(subject, now).await.db()?.unwrap_or(now + lock_secs)))
            }

            async fn lockout_release(&self, subject: &str, max: i64) -> Result<()> {
                sqlx::query(self.sql(LOCKOUT_RELEASE)).bind(subject).bind(max).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn lockout_reset(&self, subject: &str) -> Result<()> {
                sqlx::query(self.sql(LOCKOUT_RESET)).bind(subject).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn rate_hit(&self, bucket: &str, client: &str, now: i64, window: i64) -> Result<(i64, i64)> {
                let r = sqlx::query(self.sql(RATE_HIT))
                    .bind(bucket)
                    .bind(client)
                    .bind(now)
                    .bind(window)
                    .fetch_one(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok((r.try_get(0).db()?, r.try_get(1).db()?))
            }

            async fn audit(&self, e: &AuditEvent) -> Result<()> {
                sqlx::query(self.sql(AUDIT))
                    .bind(e.at)
                    .bind(&e.event)
                    .bind(e.user_id)
                    .bind(&e.identifier)
                    .bind(&e.ip)
                    .bind(&e.user_agent)
                    .bind(&e.detail)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn insert_sign_up(&self, key: &str, s: &SignUp) -> Result<()> {
                sqlx::query(self.sql(INSERT_SIGN_UP))
                    .bind(key)
                    .bind(s.status.as_str())
                    .bind(&s.email)
                    .bind(&s.password_hash)
                    .bind(s.user_id)
                    .bind(s.created_at)
                    .bind(s.expires_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn update_sign_up(&self, key: &str, from: SignUpStatus, s: &SignUp) -> Result<bool> {
                let r = sqlx::query(self.sql(UPDATE_SIGN_UP))
                    .bind(s.status.as_str())
                    .bind(s.user_id)
                    .bind(s.expires_at)
                    .bind(key)
                    .bind(from.as_str())
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn take_complete_sign_up(&self, key: &str) -> Result<Option<SignUp>> {
                let r: Option<SignUpRow> =
                    sqlx::query_as(self.sql(TAKE_COMPLETE_SIGN_UP)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(SignUp::from))
            }

            async fn delete_sign_up(&self, key: &str) -> Result<()> {
                let mut c = self.conn().await.db()?;
                let mut tx = sqlx::Connection::begin(&mut *c).await.db()?;
                sqlx::query(self.sql(DELETE_CODES_OF)).bind(key).execute(&mut *tx).await.db()?;
                sqlx::query(self.sql(DELETE_SIGN_UP)).bind(key).execute(&mut *tx).await.db()?;
                tx.commit().await.db()?;
                Ok(())
            }

            async fn trust_client(&self, client_key: &str, user_id: i64, now: i64) -> Result<()> {
                sqlx::query(self.sql(TRUST_CLIENT))
                    .bind(client_key)
                    .bind(user_id)
                    .bind(now)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn sweep(&self, now: i64) -> Result<u64> {
                let mut n = 0;
                for q in SWEEP {
                    n += sqlx::query(self.sql(q)).bind(now).execute(&mut *self.conn().await.db()?).await.db()?.rows_affected();
                }
                Ok(n)
            }
        }

        /// The credential statements each factor kind shares.
        impl $store {
            async fn put_pending(
                &self,
                user_id: i64,
                kind: &str,
                secret: Option<&str>,
                label: Option<&str>,
                now: i64,
            ) -> Result<()> {
                let mut conn = self.conn().await.db()?;
                if secret.is_none() && label.is_none() {
                    sqlx::query(self.sql(DROP_PENDING)).bind(user_id).bind(kind).execute(&mut *conn).await.db()?;
                    return Ok(());
                }
                sqlx::query(self.sql(PUT_PENDING))
                    .bind(user_id)
                    .bind(kind)
                    .bind(secret)
                    .bind(label)
                    .bind(now)
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(())
            }

            async fn activate(&self, user_id: i64, kind: &str, proven: &str, step: Option<i64>) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                sqlx::query(self.sql(DROP_REPLACED)).bind(user_id).bind(kind).bind(proven).execute(&mut *conn).await.db()?;
                let r = sqlx::query(self.sql(ACTIVATE))
                    .bind(user_id)
                    .bind(kind)
                    .bind(proven)
                    .bind(step)
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn remove_credential(&self, user_id: i64, kind: &str, keep_one: bool) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                sqlx::query(self.sql(LOCK_USER)).bind(user_id).execute(&mut *conn).await.db()?;
                let r = sqlx::query(self.sql(REMOVE_CREDENTIAL))
                    .bind(user_id)
                    .bind(kind)
                    .bind(i64::from(keep_one))
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }
        }
    };
}

sql_reads!(Sqlite, {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(self.begin_unit().await.db()?))
    }
});
sql_reads!(Postgres, {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await.db()?;
        tracing::debug!("unit begin");
        Ok(Box::new(PgUnit { open: tokio::sync::Mutex::new(Some(tx)) }))
    }
});
sql_reads!(SqliteUnit, {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        Err(StoreError::Nested)
    }
});
sql_writes!(SqliteUnit, {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.finish().await
    }
});
sql_reads!(PgUnit, {
    async fn begin(&self) -> Result<Box<dyn Tx>> {
        Err(StoreError::Nested)
    }
});
sql_writes!(PgUnit, {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.finish().await
    }
});

#[cfg(test)]
mod tests {
    //! The atomic primitives the defences rest on: each check-and-change
    //! succeeds once, whatever the callers' interleaving.
    use super::*;

    /// A fresh store: SQLite, or PostgreSQL with `TEST_DB=postgres`.
    struct Fresh {
        store: std::sync::Arc<dyn Store>,
        cleanup: Box<dyn FnOnce()>,
    }

    impl Drop for Fresh {
        fn drop(&mut self) {
            let f = std::mem::replace(&mut self.cleanup, Box::new(|| {}));
            f();
        }
    }

    impl std::ops::Deref for Fresh {
        type Target = dyn Store;
        fn deref(&self) -> &dyn Store {
            self.store.as_ref()
        }
    }

    /// A fresh, empty database: SQLite, or PostgreSQL with `TEST_DB=postgres`;
    /// its URL and how to drop it.
    fn fresh_url() -> (String, Box<dyn FnOnce()>) {
        let name = format!("mfa_store_{}", &domain::secrets::token()[..16]);
        if std::env::var("TEST_DB").is_ok_and(|v| v == "postgres") {
            let admin =
                std::env::var("TEST_PG_ADMIN").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let psql = {
                let admin = admin.clone();
                move |sql: String| {
                    let ok = std::process::Command::new("psql").args([&admin, "-qAtc", &sql]).status();
                    assert!(ok.is_ok_and(|s| s.success()), "psql {sql}");
                }
            };
            psql(format!("CREATE DATABASE {name}"));
            let url = format!("{}/{name}", &admin[..admin.rfind('/').unwrap_or(admin.len())]);
            return (url, Box::new(move || psql(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))));
        }
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/t.db", dir.display());
        (
            url,
            Box::new(move || {
                let _ = std::fs::remove_dir_all(dir);
            }),
        )
    }

    async fn pool() -> (Fresh, ()) {
        let (url, cleanup) = fresh_url();
        let store = open(&url).await.unwrap();
        (Fresh { store, cleanup }, ())
    }

    /// A fresh database and one transaction on it: each statement's own
    /// behaviour, tested where writes can be made.
    async fn db() -> (Fresh, Box<dyn Tx>) {
        let (fresh, ()) = pool().await;
        let tx = fresh.begin().await.unwrap();
        (fresh, tx)
    }

    async fn user(s: &dyn Tx) -> i64 {
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
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        s.set_backup_codes(uid, &[("salt".into(), "hash".into())]).await.unwrap();
        let id = s.unused_backup_codes(uid).await.unwrap()[0].id;
        assert!(s.use_backup_code(id, 1).await.unwrap());
        assert!(!s.use_backup_code(id, 2).await.unwrap(), "used twice");
        assert!(s.unused_backup_codes(uid).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_sign_in_subject_reads_backup_codes_and_trust_with_the_user() {
        let (_db, s) = db().await;
        assert!(s.sign_in_subject("a@b.c", Some("c1")).await.unwrap().is_none(), "no such user");
        let uid = user(&*s).await;
        let read = |client: Option<&'static str>| {
            let s = &s;
            async move {
                let r = s.sign_in_subject("a@b.c", client).await.unwrap().unwrap();
                assert_eq!((r.user.id, r.user.email.as_str()), (uid, "a@b.c"));
                (r.has_backup, r.client_known)
            }
        };
        assert_eq!(read(Some("c1")).await, (false, false));
        s.set_backup_codes(uid, &[("salt".into(), "hash".into())]).await.unwrap();
        s.trust_client("c1", uid, 1).await.unwrap();
        assert_eq!(read(Some("c1")).await, (true, true));
        assert_eq!(read(Some("c2")).await, (true, false), "another client");
        assert_eq!(read(None).await, (true, false), "no client cookie");
        let id = s.unused_backup_codes(uid).await.unwrap()[0].id;
        assert!(s.use_backup_code(id, 2).await.unwrap());
        assert_eq!(read(Some("c1")).await, (false, true), "the only code is used");
    }

    #[tokio::test]
    async fn users_on_switched_off_factor_types_are_counted() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        assert_eq!(s.users_on_disabled_factors(0, 0).await.unwrap(), 0, "no factor at all");
        s.set_pending_totp(uid, Some("v1:sealed"), 0).await.unwrap();
        assert!(s.confirm_totp(uid, "v1:sealed", 1).await.unwrap());
        assert_eq!(s.users_on_disabled_factors(0, 1).await.unwrap(), 1, "TOTP only, TOTP off");
        assert_eq!(s.users_on_disabled_factors(1, 0).await.unwrap(), 0, "TOTP only, TOTP on");
        s.set_pending_phone(uid, Some("+15555550100"), 0).await.unwrap();
        assert!(s.confirm_phone(uid, "+15555550100").await.unwrap());
        assert_eq!(s.users_on_disabled_factors(0, 1).await.unwrap(), 0, "the phone is still on");
        assert_eq!(s.users_on_disabled_factors(0, 0).await.unwrap(), 1, "both off");
    }

    #[tokio::test]
    async fn the_last_factor_stays_while_one_must() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        s.set_pending_totp(uid, Some("v1:sealed"), 0).await.unwrap();
        assert!(s.confirm_totp(uid, "v1:sealed", 1).await.unwrap());
        s.set_pending_phone(uid, Some("+15555550100"), 0).await.unwrap();
        assert!(s.confirm_phone(uid, "+15555550100").await.unwrap());
        assert!(s.remove_phone(uid, true).await.unwrap(), "the app remains");
        assert!(!s.remove_totp(uid, true).await.unwrap(), "the last factor, while one must stay");
        assert!(!s.remove_phone(uid, false).await.unwrap(), "no phone left to remove");
        assert!(s.remove_totp(uid, false).await.unwrap(), "the last factor, when none must stay");
        let u = s.user(uid).await.unwrap().unwrap();
        assert!(u.totp_secret.is_none() && u.phone.is_none());
    }

    #[tokio::test]
    async fn totp_steps_only_move_forward() {
        let (_db, s) = db().await;
        // Steps are the authenticator app's: a user with one.
        let uid = s
            .create_user(&NewUser {
                email: "app@b.c".into(),
                password_hash: "x".into(),
                phone: None,
                totp_secret: Some("v1:sealed".into()),
                created_at: 0,
            })
            .await
            .unwrap();
        assert!(s.advance_totp(uid, 100).await.unwrap());
        assert!(!s.advance_totp(uid, 100).await.unwrap(), "same step twice");
        assert!(!s.advance_totp(uid, 99).await.unwrap(), "earlier step after a later one");
        assert!(s.advance_totp(uid, 101).await.unwrap());
    }

    #[tokio::test]
    async fn codes_are_consumed_once_and_resends_wait() {
        let (_db, s) = db().await;
        let a = domain::flow::Attempt::new(0);
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
    }

    #[tokio::test]
    async fn a_complete_attempt_is_taken_once() {
        let (_db, s) = db().await;
        let mut a = domain::flow::Attempt::new(0);
        s.insert_attempt("k", &a).await.unwrap();
        assert!(s.take_complete_attempt("k").await.unwrap().is_none(), "not complete yet");
        a.status = Status::Complete;
        assert!(s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap());
        assert!(!s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap(), "stale status");
        assert!(s.take_complete_attempt("k").await.unwrap().is_some());
        assert!(s.take_complete_attempt("k").await.unwrap().is_none(), "taken twice");
    }

    #[tokio::test]
    async fn lockout_reservations_stop_at_the_threshold() {
        let (_db, s) = db().await;
        for i in 1..=10 {
            assert_eq!(s.lockout_reserve("x", 100, 10, 3600).await.unwrap(), Ok(i), "try {i}");
        }
        assert_eq!(s.lockout_reserve("x", 100, 10, 3600).await.unwrap(), Err(3700));
        assert_eq!(s.locked_until("x", 100).await.unwrap(), Some(3700));
        // Expired: counting starts over.
        assert_eq!(s.lockout_reserve("x", 3700, 10, 3600).await.unwrap(), Ok(1));
        assert_eq!(s.locked_until("x", 3700).await.unwrap(), None);
        // The tenth try was right: taking it back lifts the lock it set.
        for _ in 0..9 {
            s.lockout_reserve("y", 0, 10, 3600).await.unwrap().unwrap();
        }
        s.lockout_reserve("y", 0, 10, 3600).await.unwrap().unwrap();
        assert!(s.locked_until("y", 0).await.unwrap().is_some());
        s.lockout_release("y", 10).await.unwrap();
        assert_eq!(s.locked_until("y", 0).await.unwrap(), None);
        assert_eq!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap(), Ok(10));
        assert!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap().is_err());
        s.lockout_reset("y").await.unwrap();
        assert_eq!(s.lockout_reserve("y", 0, 10, 3600).await.unwrap(), Ok(1));
    }

    #[tokio::test]
    async fn a_unit_commits_together_or_not_at_all() {
        let (s, ()) = pool().await;
        // Dropped before commit: nothing happened.
        let u = s.begin().await.unwrap();
        u.rate_hit("b", "ip", 100, 60).await.unwrap();
        u.lockout_reserve("z", 100, 10, 3600).await.unwrap().unwrap();
        drop(u);
        let t = s.begin().await.unwrap();
        assert_eq!(t.rate_hit("b", "ip", 100, 60).await.unwrap(), (1, 100));
        t.commit().await.unwrap();
        // Committed: every write is there, and the unit is closed.
        let u = s.begin().await.unwrap();
        assert_eq!(u.rate_hit("b", "ip", 100, 60).await.unwrap(), (2, 100));
        assert_eq!(u.lockout_reserve("z", 100, 10, 3600).await.unwrap(), Ok(1));
        assert!(matches!(u.begin().await, Err(StoreError::Nested)));
        u.commit().await.unwrap();
        // After `commit` the unit is gone: a use of it does not compile
        // (the compile_fail examples on `domain::store::Tx`).
        let t = s.begin().await.unwrap();
        assert_eq!(t.lockout_reserve("z", 100, 10, 3600).await.unwrap(), Ok(2));
        t.commit().await.unwrap();
        // Units that touch the same rows one after another all count.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.store.clone();
                tokio::spawn(async move {
                    let u = s.begin().await.unwrap();
                    let n = u.rate_hit("c", "ip", 100, 60).await.unwrap().0;
                    u.commit().await.unwrap();
                    n
                })
            })
            .collect();
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort();
        assert_eq!(seen, (1..=8).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn rate_windows_count_and_roll_over() {
        let (_db, s) = db().await;
        assert_eq!(s.rate_hit("b", "ip", 100, 10).await.unwrap(), (1, 100));
        assert_eq!(s.rate_hit("b", "ip", 105, 10).await.unwrap(), (2, 100));
        assert_eq!(s.rate_hit("b", "other", 105, 10).await.unwrap(), (1, 105));
        assert_eq!(s.rate_hit("b", "ip", 110, 10).await.unwrap(), (1, 110), "new window");
    }

    /// Migration 5 moves the factor columns to `credentials` rows: users
    /// made before it keep their phone, app (and its last step), pending
    /// enrolments and default.
    #[tokio::test]
    async fn the_credentials_migration_carries_existing_factors_over() {
        use sqlx::{AnyConnection, Connection};
        sqlx::any::install_default_drivers();
        let (url, cleanup) = fresh_url();
        let _drop = OnDrop(Some(cleanup));
        migrate_before_credentials(&url).await;
        let mut db = AnyConnection::connect(&url).await.unwrap();
        for sql in [
            "INSERT INTO users (email, password_hash, phone, totp_secret, totp_last_step, created_at, default_factor)
             VALUES ('both@x.test', 'h', '+15555550100', 'v1:app', 100, 7, 'phone_code')",
            "INSERT INTO users (email, password_hash, pending_totp_secret, pending_phone, created_at)
             VALUES ('pending@x.test', 'h', 'v1:new', '+15555550199', 8)",
            "INSERT INTO users (email, password_hash, created_at) VALUES ('none@x.test', 'h', 9)",
        ] {
            sqlx::query(sql).execute(&mut db).await.unwrap();
        }
        db.close().await.unwrap();

        let pool = open(&url).await.unwrap();
        let s = pool.begin().await.unwrap();
        let both = s.user_by_email("both@x.test").await.unwrap().unwrap();
        assert_eq!((both.phone.as_deref(), both.totp_secret.as_deref()), (Some("+15555550100"), Some("v1:app")));
        assert_eq!(both.default_factor.as_deref(), Some("phone_code"));
        assert!(!s.advance_totp(both.id, 100).await.unwrap(), "the last used step came along");
        assert!(s.advance_totp(both.id, 101).await.unwrap());
        let pending = s.user_by_email("pending@x.test").await.unwrap().unwrap();
        assert_eq!((pending.phone, pending.totp_secret), (None, None));
        assert_eq!(pending.pending_totp_secret.as_deref(), Some("v1:new"));
        assert_eq!(pending.pending_phone.as_deref(), Some("+15555550199"));
        assert!(s.confirm_phone(pending.id, "+15555550199").await.unwrap());
        let none = s.user_by_email("none@x.test").await.unwrap().unwrap();
        assert!(none.phone.is_none() && none.totp_secret.is_none() && none.pending_phone.is_none());
        assert_eq!(s.users_on_disabled_factors(0, 0).await.unwrap(), 2, "both@ and (now) pending@ have one");
    }

    /// The schema as it was before factors were rows (migrations 1 to 4).
    async fn migrate_before_credentials(url: &str) {
        if url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::migrate!("./migrations/postgres").run_to(4, &pool).await.unwrap();
            pool.close().await;
            return;
        }
        let opts = SqliteConnectOptions::from_str(url).unwrap().create_if_missing(true);
        let pool = SqlitePoolOptions::new().connect_with(opts).await.unwrap();
        sqlx::migrate!("./migrations/sqlite").run_to(4, &pool).await.unwrap();
        pool.close().await;
    }

    struct OnDrop(Option<Box<dyn FnOnce()>>);

    impl Drop for OnDrop {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }

    #[tokio::test]
    async fn replacing_and_removing_credentials_keeps_one_of_each() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        s.set_pending_totp(uid, Some("v1:first"), 0).await.unwrap();
        assert!(s.confirm_totp(uid, "v1:first", 1).await.unwrap());
        assert!(!s.confirm_totp(uid, "v1:first", 1).await.unwrap(), "confirmed twice");
        s.set_pending_totp(uid, Some("v1:second"), 0).await.unwrap();
        s.set_pending_totp(uid, Some("v1:third"), 0).await.unwrap();
        assert!(!s.confirm_totp(uid, "v1:second", 2).await.unwrap(), "a replaced enrolment");
        assert_eq!(s.user(uid).await.unwrap().unwrap().totp_secret.as_deref(), Some("v1:first"), "kept meanwhile");
        assert!(s.confirm_totp(uid, "v1:third", 2).await.unwrap());
        let u = s.user(uid).await.unwrap().unwrap();
        assert_eq!((u.totp_secret.as_deref(), u.pending_totp_secret), (Some("v1:third"), None));
        assert!(!s.advance_totp(uid, 2).await.unwrap(), "the enrolment step is used");
        s.set_pending_phone(uid, Some("+15555550100"), 0).await.unwrap();
        s.set_pending_phone(uid, None, 0).await.unwrap();
        assert!(!s.confirm_phone(uid, "+15555550100").await.unwrap(), "a withdrawn enrolment");
    }

    /// Two units at once each remove one of a user's two factors while one
    /// must stay: on PostgreSQL too, one of them must find the other gone.
    #[tokio::test]
    async fn parallel_removals_in_units_leave_one_factor() {
        let (s, ()) = pool().await;
        let t = s.begin().await.unwrap();
        let uid = t
            .create_user(&NewUser {
                email: "two@b.c".into(),
                password_hash: "x".into(),
                phone: Some("+15555550100".into()),
                totp_secret: Some("v1:sealed".into()),
                created_at: 0,
            })
            .await
            .unwrap();
        t.commit().await.unwrap();
        let remove = async |totp: bool| {
            let u = s.begin().await.unwrap();
            let removed = if totp { u.remove_totp(uid, true).await } else { u.remove_phone(uid, true).await };
            // Hold the unit open a moment: the other one runs meanwhile.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            u.commit().await.unwrap();
            removed.unwrap()
        };
        let (a, b) = tokio::join!(remove(true), remove(false));
        assert_eq!(u8::from(a) + u8::from(b), 1, "removed: totp {a}, phone {b}");
        let u = s.user(uid).await.unwrap().unwrap();
        assert!(u.totp_secret.is_some() || u.phone.is_some(), "the last factor went");
    }
}
