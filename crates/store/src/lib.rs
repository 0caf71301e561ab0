//! The storage ports (`domain::store::Store`, reads; `Tx`, writes) on SQLite
//! and PostgreSQL, from one SQL text and one set of migrations per database,
//! a file per table (`users.rs`, `sessions.rs`, …). Every check-and-change
//! is one conditional statement: concurrent requests are settled by the
//! database, not by process memory.

use async_trait::async_trait;
use domain::flow::{Attempt, Factors, SignUp};
use domain::store::prelude::*;
use domain::store::{
    ApiKey, AuditEntry, AuditEvent, AuditFilter, BackupCode, ClientUse, Gauges, Identity, Metadata, NewSession,
    NewUser, OneTimeCode, OutboxMessage, Passkey, Result, Session, SessionRow, SigningKey, StoreError, Subject,
    TrustedClient, User, WebhookDelivery, WebhookEndpoint,
};
use proto::{SignUpStatus, Status, Strategy};
use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
    Row,
};
use sqlx::{sqlite::SqliteTransactionManager, ConnectOptions, SqlSafeStr};
use sqlx_core::transaction::TransactionManager;
use std::{str::FromStr, sync::Arc, time::Duration};

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
    public_id,
    email,
    password_hash,
    phone,
    totp_secret,
    created_at,
    default_factor,
    pending_totp_secret,
    pending_phone,
    password_compromised,
    banned,
    public_metadata,
    private_metadata,
    unsafe_metadata,
    lang,
    has_passkey
});
from_row!(Passkey {
    id,
    public_id,
    user_id,
    credential_id,
    name,
    passkey,
    sign_count,
    backup_eligible,
    backup_state,
    created_at,
    last_used_at
});
from_row!(TrustedClient { client_key, trusted_at, last_used_at, ip, user_agent, device });
from_row!(Identity { public_id, email, created_at, public_metadata, unsafe_metadata });
from_row!(ApiKey { id, name, created_at, last_used_at, revoked_at });
from_row!(WebhookEndpoint { id, url, secret, events, created_at });
from_row!(WebhookDelivery {
    id,
    msg_id,
    endpoint_id,
    event,
    user_id,
    session_id,
    detail,
    ip,
    user_agent,
    at,
    payload,
    state,
    attempts,
    next_at,
    last_error,
    done_at
});
from_row!(BackupCode { id, salt, code_hash });
from_row!(OneTimeCode { id, code_hash, sent_at, expires_at, failures, used });
from_row!(Session {
    user_id,
    created_at,
    last_active_at,
    expires_at,
    task,
    verified_at,
    first_factor_at,
    second_factor_at
});
from_row!(SigningKey { kid, alg, public_key, private_key, created_at, signs_from, signs_until });
from_row!(SessionRow { key, created_at, last_active_at, expires_at, ip, user_agent, task, device });
from_row!(OutboxMessage { id, channel, recipient, body, created_at });
from_row!(AuditEvent { at, event, user_id, identifier, ip, user_agent, detail });
from_row!(AuditEntry { id, at, event, user_id, identifier, ip, user_agent, detail });

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

impl Sqlite {
    /// Opens (creating if needed) the database; migrates it or checks it
    /// (`Schema`).
    pub async fn open(url: &str, schema: Schema) -> Result<Sqlite> {
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
        match schema {
            Schema::Migrate => SQLITE_MIGRATIONS.run(&pool).await.db()?,
            Schema::Check => {
                let applied = sqlx::query_scalar::<_, i64>(APPLIED).fetch_one(&pool).await;
                checked(applied, &SQLITE_MIGRATIONS)?
            }
        }
        let writer = opts.connect().await.db()?;
        Ok(Sqlite { pool, writer: Arc::new(tokio::sync::Mutex::new(writer)), opts })
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
    /// Connects; migrates (safe from every node at once: sqlx takes an
    /// advisory lock) or checks the schema (`Schema`).
    pub async fn open(url: &str, schema: Schema) -> Result<Postgres> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .db()?;
        match schema {
            Schema::Migrate => POSTGRES_MIGRATIONS.run(&pool).await.db()?,
            Schema::Check => {
                let applied = sqlx::query_scalar::<_, i64>(APPLIED).fetch_one(&pool).await;
                checked(applied, &POSTGRES_MIGRATIONS)?
            }
        }
        Ok(Postgres { pool })
    }

    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        self.pool.acquire().await.db()
    }
}

/// What opening a database does to its schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// Brings it up to this build's (`mfa-signin migrate`, and by default
    /// every command).
    Migrate,
    /// Leaves it, and refuses one that is not this build's: for nodes of a
    /// rolling upgrade, after one `migrate`.
    Check,
}

/// The newest migration applied (as read), against `known`'s newest.
fn checked(applied: std::result::Result<i64, sqlx::Error>, known: &sqlx::migrate::Migrator) -> Result<()> {
    let newest = known.iter().map(|m| m.version).max().unwrap_or(0);
    match applied {
        Ok(v) if v == newest => Ok(()),
        Ok(v) if v > newest => Err(StoreError::Migrate(format!(
            "the database is at migration {v}, newer than this build's {newest}: a newer release migrated it"
        ))),
        Ok(v) => Err(StoreError::Migrate(format!(
            "the database is at migration {v}, this build needs {newest}: run `mfa-signin migrate`"
        ))),
        Err(_) => Err(StoreError::Migrate("the database has no schema yet: run `mfa-signin migrate`".into())),
    }
}

/// A consistent copy of the SQLite database `url` at `to`, taken while it
/// serves (SQLite's `VACUUM INTO`: one read transaction, so every unit is
/// in it whole or not at all). PostgreSQL is backed up with its own tools.
pub async fn backup(url: &str, to: &std::path::Path) -> Result<()> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return Err(StoreError::Db(
            "PostgreSQL is backed up with its own tools (pg_dump, or a base backup with WAL archiving)".into(),
        ));
    }
    if to.exists() {
        return Err(StoreError::Db(format!("{} exists: a backup goes to a new file", to.display())));
    }
    let mut c = SqliteConnectOptions::from_str(url).db()?.connect().await.db()?;
    sqlx::query("VACUUM INTO $1").bind(to.to_string_lossy().into_owned()).execute(&mut c).await.db()?;
    Ok(())
}

/// Opens the store `url` names (`sqlite:` or `postgres:`/`postgresql:`)
/// and migrates it.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>> {
    open_with(url, Schema::Migrate).await
}

/// Opens the store `url` names, its schema migrated or checked.
pub async fn open_with(url: &str, schema: Schema) -> Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(Postgres::open(url, schema).await.db()?))
    } else {
        Ok(std::sync::Arc::new(Sqlite::open(url, schema).await.db()?))
    }
}

/// The schemas this build knows.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

// The newest migration applied, against the newest this build has: more is
// a database a newer release migrated (sqlx refuses to start on it too).
const APPLIED: &str = "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations WHERE success";

macro_rules! health {
    ($($t:ty => $known:expr),*) => {$(
        #[async_trait]
        impl Health for $t {
            async fn schema_current(&self) -> Result<bool> {
                let applied: i64 = sqlx::query_scalar(APPLIED).fetch_one(&mut *self.conn().await.db()?).await.db()?;
                let known = $known.iter().map(|m| m.version).max().unwrap_or(0);
                Ok(applied == known)
            }
        }
    )*};
}
health!(Sqlite => SQLITE_MIGRATIONS, SqliteUnit => SQLITE_MIGRATIONS, Postgres => POSTGRES_MIGRATIONS, PgUnit => POSTGRES_MIGRATIONS);

const LIVE_SESSIONS: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE expires_at > $1";
const WEBHOOK_BACKLOG: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM webhook_deliveries WHERE state = 'pending'";

macro_rules! stats {
    ($($t:ty => $pool:expr),*) => {$(
        #[async_trait]
        impl Stats for $t {
            async fn gauges(&self, now: i64) -> Result<Gauges> {
                let mut c = self.conn().await?;
                let sessions = sqlx::query_scalar(LIVE_SESSIONS).bind(now).fetch_one(&mut *c).await.db()?;
                let webhook_backlog = sqlx::query_scalar(WEBHOOK_BACKLOG).fetch_one(&mut *c).await.db()?;
                drop(c);
                let (pool_open, pool_idle) = ($pool)(self);
                Ok(Gauges { sessions, webhook_backlog, pool_open, pool_idle })
            }
        }
    )*};
}
/// A pool's open and idle connections.
fn pool_use<D: sqlx::Database>(p: &sqlx::Pool<D>) -> (u32, u32) {
    (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX))
}
// A unit holds one connection of its own, outside any pool.
stats!(Sqlite => |s: &Sqlite| pool_use(&s.pool), Postgres => |s: &Postgres| pool_use(&s.pool),
       SqliteUnit => |_| (1, 0), PgUnit => |_| (1, 0));

// One SQL text for both databases: PostgreSQL placeholders, and only what
// both dialects accept (CASE rather than MIN/MAX, CAST rather than `::`).
// Column lists are macros, so every statement stays a static string.

mod api_keys;
mod attempts;
mod audit;
mod backup_codes;
mod codes;
mod credentials;
mod limits;
mod native_clients;
mod outbox;
mod passkeys;
mod sessions;
mod sign_ups;
mod signing_keys;
mod users;
mod webhooks;

// Codes are kept an hour past expiry, so a late try still hears "expired".
const SWEEP: [&str; 10] = [
    "DELETE FROM unlocks WHERE until <= $1",
    // An ended lock: the next failure would start its count afresh anyway.
    // (A count below the threshold, with no lock, stays: it is no older
    // news than the last failure, which is not kept.)
    "DELETE FROM lockouts WHERE locked_until IS NOT NULL AND locked_until <= $1",
    "DELETE FROM webauthn_challenges WHERE expires_at <= $1",
    "DELETE FROM sign_in_attempts WHERE expires_at <= $1",
    "DELETE FROM sign_ups WHERE expires_at <= $1",
    "DELETE FROM one_time_codes WHERE expires_at <= CAST($1 AS BIGINT) - 3600",
    "DELETE FROM sessions WHERE expires_at <= $1",
    "DELETE FROM native_clients WHERE expires_at <= $1",
    "DELETE FROM rate_limits WHERE window_start <= CAST($1 AS BIGINT) - 3600",
    // Delivered webhooks are kept 30 days (the dead ones until replayed).
    "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND done_at <= CAST($1 AS BIGINT) - 2592000",
];

macro_rules! begin {
    ($($t:ty => $begin:item)*) => {$(
        #[async_trait]
        impl Store for $t {
            $begin
        }
    )*};
}
begin! {
    Sqlite => async fn begin(&self) -> Result<Box<dyn Tx>> {
        Ok(Box::new(self.begin_unit().await.db()?))
    }
    Postgres => async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await.db()?;
        tracing::debug!("unit begin");
        Ok(Box::new(PgUnit { open: tokio::sync::Mutex::new(Some(tx)) }))
    }
    SqliteUnit => async fn begin(&self) -> Result<Box<dyn Tx>> {
        Err(StoreError::Nested)
    }
    PgUnit => async fn begin(&self) -> Result<Box<dyn Tx>> {
        Err(StoreError::Nested)
    }
}

macro_rules! tx {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Tx for $t {
            async fn commit(self: Box<Self>) -> Result<()> {
                self.finish().await
            }

            async fn sweep(&self, now: i64, audit_before: i64) -> Result<u64> {
                let mut n = 0;
                for q in SWEEP {
                    n += sqlx::query(q).bind(now).execute(&mut *self.conn().await.db()?).await.db()?.rows_affected();
                }
                let audit = sqlx::query("DELETE FROM audit_log WHERE at < $1").bind(audit_before);
                n += audit.execute(&mut *self.conn().await.db()?).await.db()?.rows_affected();
                Ok(n)
            }
        }
    )*};
}
tx!(SqliteUnit, PgUnit);

#[cfg(test)]
mod tests {
    //! The atomic primitives the defences rest on: each check-and-change
    //! succeeds once, whatever the callers' interleaving.
    use super::*;
    use domain::store::PasskeyUse;

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
            public_id: domain::secrets::user_id(),
            email: "a@b.c".into(),
            password_hash: "x".into(),
            phone: None,
            totp_secret: None,
            created_at: 0,
            metadata: Default::default(),
            source_id: None,
            lang: None,
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_sweep_drops_ended_locks_and_audit_rows_past_retention() {
        let (_db, s) = db().await;
        s.lock_subject("ended", 100).await.unwrap();
        s.lock_subject("locked", 300).await.unwrap();
        assert!(s.lockout_reserve("counting", 150, 10, 3600).await.unwrap().is_ok());
        for at in [10, 150] {
            s.audit(&AuditEvent { at, event: "x".into(), ..Default::default() }).await.unwrap();
        }
        s.sweep(200, 100).await.unwrap();
        assert_eq!(s.locked_until("ended", 50).await.unwrap(), None, "an ended lock is gone");
        assert_eq!(s.locked_until("locked", 200).await.unwrap(), Some(300), "a lock in force stays");
        // The count below the threshold stays: the ninth failure still locks.
        for _ in 0..8 {
            s.lockout_reserve("counting", 250, 10, 3600).await.unwrap().unwrap();
        }
        assert!(s.lockout_reserve("counting", 250, 10, 3600).await.unwrap().is_ok());
        assert!(s.locked_until("counting", 250).await.unwrap().is_some(), "the tenth failure locked it");
        let left: Vec<i64> = s.audit_log(10).await.unwrap().iter().map(|e| e.at).collect();
        assert_eq!(left, [150], "audit rows before the retention are gone");
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
        let at = ClientUse { ip: Some("127.0.0.1"), user_agent: None, device: Some("Pixel 8") };
        s.trust_client("c1", uid, 1, &at).await.unwrap();
        assert_eq!(read(Some("c1")).await, (true, true));
        assert_eq!(read(Some("c2")).await, (true, false), "another client");
        assert_eq!(read(None).await, (true, false), "no client cookie");
        let id = s.unused_backup_codes(uid).await.unwrap()[0].id;
        assert!(s.use_backup_code(id, 2).await.unwrap());
        assert_eq!(read(Some("c1")).await, (false, true), "the only code is used");
    }

    #[tokio::test]
    async fn a_banned_users_sessions_are_neither_written_nor_read() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        let new = |key| NewSession {
            key,
            public_id: key,
            task: None,
            user_id: uid,
            now: 1,
            expires_at: 100,
            ip: None,
            user_agent: None,
            device: None,
            second_factor: false,
        };
        assert!(s.insert_session(&new("k1")).await.unwrap());
        // A session written before the ban (as by a sign-in racing it) reads as none.
        assert!(s.set_banned(uid, true).await.unwrap());
        assert!(s.session("k1").await.unwrap().is_none());
        assert!(!s.insert_session(&new("k2")).await.unwrap(), "no new one");
        assert!(s.user(uid).await.unwrap().unwrap().banned);
        assert!(s.set_banned(uid, false).await.unwrap());
        assert_eq!(s.session("k1").await.unwrap().map(|x| x.user_id), Some(uid));
        assert!(s.insert_session(&new("k2")).await.unwrap());
        assert!(!s.set_banned(uid + 1, true).await.unwrap(), "no such user");
    }

    #[tokio::test]
    async fn trusted_clients_note_their_last_use_and_can_be_forgotten() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        let at = |ip| ClientUse { ip: Some(ip), user_agent: Some("curl/8"), device: None };
        s.trust_client("c1", uid, 10, &at("10.0.0.1")).await.unwrap();
        s.trust_client("c1", uid, 20, &at("10.0.0.2")).await.unwrap();
        let t = s.trusted_clients(uid).await.unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].trusted_at, t[0].last_used_at, t[0].ip.as_deref()), (10, 20, Some("10.0.0.2")));
        assert!(s.untrust_client("c1", uid).await.unwrap());
        assert!(!s.untrust_client("c1", uid).await.unwrap(), "forgotten once");
        assert!(!s.sign_in_subject("a@b.c", Some("c1")).await.unwrap().unwrap().client_known);
    }

    fn passkey(uid: i64, n: u8) -> Passkey {
        Passkey {
            id: 0,
            public_id: format!("pk_{n}"),
            user_id: uid,
            credential_id: format!("cred{n}"),
            name: "Key".into(),
            passkey: "{}".into(),
            sign_count: 5,
            backup_eligible: true,
            backup_state: false,
            created_at: 1,
            last_used_at: None,
        }
    }

    #[tokio::test]
    async fn a_passkey_is_used_only_with_a_growing_counter() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        assert!(s.insert_passkey(&passkey(uid, 1)).await.unwrap());
        assert!(!s.insert_passkey(&passkey(uid, 1)).await.unwrap(), "one row per credential");
        assert!(s.user(uid).await.unwrap().unwrap().has_passkey);
        let id = s.passkey_by_credential("cred1").await.unwrap().unwrap().id;
        let at = |sign_count, now| PasskeyUse { id, passkey: "{}", sign_count, backup_state: true, now };
        assert!(s.use_passkey(&at(6, 2)).await.unwrap());
        assert!(!s.use_passkey(&at(6, 3)).await.unwrap(), "the same counter twice: a clone or a replay");
        assert!(!s.use_passkey(&at(2, 4)).await.unwrap(), "a counter gone back");
        let p = s.passkey_by_credential("cred1").await.unwrap().unwrap();
        assert_eq!((p.sign_count, p.last_used_at, p.backup_state), (6, Some(2), true));
    }

    #[tokio::test]
    async fn the_last_passkey_stays_when_one_is_required() {
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        s.insert_passkey(&passkey(uid, 1)).await.unwrap();
        s.insert_passkey(&passkey(uid, 2)).await.unwrap();
        assert!(s.remove_passkey(uid, "pk_1", true).await.unwrap(), "another passkey stays");
        assert!(!s.remove_passkey(uid, "pk_2", true).await.unwrap(), "the last factor");
        assert!(s.rename_passkey(uid, "pk_2", "Phone").await.unwrap());
        assert!(!s.rename_passkey(uid + 1, "pk_2", "Mine").await.unwrap(), "another user's");
        assert!(s.remove_passkey(uid, "pk_2", false).await.unwrap());
        assert!(!s.user(uid).await.unwrap().unwrap().has_passkey);
    }

    #[tokio::test]
    async fn a_challenge_is_taken_once_and_not_after_it_expired() {
        let (_db, s) = db().await;
        s.put_challenge("k", "sign_in", "state1", 100).await.unwrap();
        s.put_challenge("k", "sign_in", "state2", 100).await.unwrap();
        assert_eq!(s.take_challenge("k", "second_factor", 50).await.unwrap(), None, "another purpose");
        assert_eq!(s.take_challenge("k", "sign_in", 50).await.unwrap().as_deref(), Some("state2"));
        assert_eq!(s.take_challenge("k", "sign_in", 50).await.unwrap(), None, "single use");
        s.put_challenge("k", "sign_in", "state3", 100).await.unwrap();
        assert_eq!(s.take_challenge("k", "sign_in", 100).await.unwrap(), None, "expired");
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
                public_id: domain::secrets::user_id(),
                email: "app@b.c".into(),
                password_hash: "x".into(),
                phone: None,
                totp_secret: Some("v1:sealed".into()),
                created_at: 0,
                metadata: Default::default(),
                source_id: None,
                lang: None,
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
        use domain::flow::{Claim, Stage};
        let (_db, s) = db().await;
        let uid = user(&*s).await;
        let mut a = domain::flow::Attempt::new(0);
        s.insert_attempt("k", &a).await.unwrap();
        assert!(s.take_complete_attempt("k").await.unwrap().is_none(), "not complete yet");
        let who = Claim { user_id: uid, identifier: "a@b.c".into(), factors: Factors::default(), client_known: false };
        a.stage = Stage::Complete(who);
        assert!(s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap());
        assert!(!s.update_attempt("k", Status::NeedsIdentifier, &a).await.unwrap(), "stale status");
        let taken = s.take_complete_attempt("k").await.unwrap().unwrap();
        assert_eq!(taken.claim().map(|c| c.user_id), Some(uid), "the user it learnt on the way");
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
                public_id: domain::secrets::user_id(),
                email: "two@b.c".into(),
                password_hash: "x".into(),
                phone: Some("+15555550100".into()),
                totp_secret: Some("v1:sealed".into()),
                created_at: 0,
                metadata: Default::default(),
                source_id: None,
                lang: None,
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
