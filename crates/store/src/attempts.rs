//! The `attempts` repository: the sign-in attempts (the state machine, stored).

use super::*;
use domain::flow::{Claim, Stage};

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
    email_code: bool,
    created_at: i64,
    expires_at: i64,
}

impl From<AttemptRow> for Attempt {
    fn from(r: AttemptRow) -> Attempt {
        let claim = r.user_id.map(|user_id| Claim {
            user_id,
            identifier: r.identifier.clone().unwrap_or_default(),
            factors: Factors { phone: r.has_phone, totp: r.has_totp, backup_codes: r.has_backup },
            client_known: r.client_known,
        });
        let status = Status::parse(&r.status).unwrap_or(Status::NeedsIdentifier);
        let lookup = r.identifier.map(|id| (id, r.email_code));
        Attempt { stage: Stage::from_parts(status, claim, lookup), created_at: r.created_at, expires_at: r.expires_at }
    }
}

macro_rules! attempt_cols {
    () => {
        "status, user_id, identifier, has_phone, has_totp, has_backup, client_known, email_code, created_at, expires_at"
    };
}
const INSERT_ATTEMPT: &str = concat!(
    "INSERT INTO sign_in_attempts (key, ",
    attempt_cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
);
const ATTEMPT: &str = concat!("SELECT ", attempt_cols!(), " FROM sign_in_attempts WHERE key = $1");
const UPDATE_ATTEMPT: &str = "UPDATE sign_in_attempts SET status = $1, expires_at = $2 WHERE key = $3 AND status = $4";
const DELETE_ATTEMPT: &str = "DELETE FROM sign_in_attempts WHERE key = $1";
const TAKE_COMPLETE_ATTEMPT: &str =
    concat!("DELETE FROM sign_in_attempts WHERE key = $1 AND status = 'complete' RETURNING ", attempt_cols!());

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Attempts for $t {
            async fn attempt(&self, key: &str) -> Result<Option<Attempt>> {
                let r: Option<AttemptRow> =
                    sqlx::query_as(self.sql(ATTEMPT)).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(Attempt::from))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl AttemptsWrite for $t {
            async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()> {
                // An identifier-only attempt keeps its (maybe absent) user too.
                let (c, identifier, email_code) = match &a.stage {
                    Stage::NeedsFirstFactor(l) => (l.claim.as_ref(), Some(l.identifier.as_str()), l.email_code),
                    _ => (a.claim(), a.claim().map(|c| c.identifier.as_str()), false),
                };
                let factors = c.map(|c| c.factors).unwrap_or_default();
                sqlx::query(self.sql(INSERT_ATTEMPT))
                    .bind(key)
                    .bind(a.status().as_str())
                    .bind(c.map(|c| c.user_id))
                    .bind(identifier)
                    .bind(factors.phone)
                    .bind(factors.totp)
                    .bind(factors.backup_codes)
                    .bind(c.is_some_and(|c| c.client_known))
                    .bind(email_code)
                    .bind(a.created_at)
                    .bind(a.expires_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool> {
                let r = sqlx::query(self.sql(UPDATE_ATTEMPT))
                    .bind(a.status().as_str())
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
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
