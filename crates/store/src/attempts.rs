//! The `attempts` repository: the sign-in attempts (the state machine, stored).

use super::*;
use domain::flow::{Claim, Proofs, Stage};

/// A `sign_in_attempts` row.
#[derive(sqlx::FromRow)]
struct AttemptRow {
    status: String,
    user_id: Option<i64>,
    identifier: Option<String>,
    has_phone: bool,
    has_totp: bool,
    has_backup: bool,
    has_passkey: bool,
    client_known: bool,
    passkey_first: bool,
    email_code: bool,
    first_factor: Option<String>,
    second_factor: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl From<AttemptRow> for Attempt {
    fn from(r: AttemptRow) -> Attempt {
        let claim = r.user_id.map(|user_id| Claim {
            user_id,
            identifier: r.identifier.clone().unwrap_or_default(),
            factors: Factors {
                phone: r.has_phone,
                totp: r.has_totp,
                backup_codes: r.has_backup,
                passkey: r.has_passkey,
            },
            client_known: r.client_known,
        });
        let status = Status::parse(&r.status).unwrap_or(Status::NeedsIdentifier);
        let lookup = r.identifier.map(|id| (id, r.email_code));
        Attempt {
            stage: Stage::from_parts(status, claim, lookup, r.passkey_first),
            proofs: Proofs {
                first: r.first_factor.as_deref().and_then(Strategy::parse),
                second: r.second_factor.as_deref().and_then(Strategy::parse),
            },
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

macro_rules! attempt_cols {
    () => {
        "status, user_id, identifier, has_phone, has_totp, has_backup, has_passkey, client_known, email_code,
         passkey_first, first_factor, second_factor, created_at, expires_at"
    };
}
const INSERT_ATTEMPT: &str = concat!(
    "INSERT INTO sign_in_attempts (key, ",
    attempt_cols!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
);
const ATTEMPT: &str = concat!("SELECT ", attempt_cols!(), " FROM sign_in_attempts WHERE key = $1");
// The whole row but its key and start: an attempt begun with a passkey
// learns its user only when the passkey answers.
const UPDATE_ATTEMPT: &str = "UPDATE sign_in_attempts SET status = $2, user_id = $3, identifier = $4, has_phone = $5,
     has_totp = $6, has_backup = $7, has_passkey = $8, client_known = $9, email_code = $10, passkey_first = $11,
     first_factor = $12, second_factor = $13, expires_at = $15 WHERE key = $1 AND status = $16 AND created_at = $14";
const DELETE_ATTEMPT: &str = "DELETE FROM sign_in_attempts WHERE key = $1";
const TAKE_COMPLETE_ATTEMPT: &str =
    concat!("DELETE FROM sign_in_attempts WHERE key = $1 AND status = 'complete' RETURNING ", attempt_cols!());

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Attempts for $t {
            async fn attempt(&self, key: &str) -> Result<Option<Attempt>> {
                let r: Option<AttemptRow> =
                    sqlx::query_as(ATTEMPT).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(Attempt::from))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

/// Binds $1 to $15 of an attempt row: key, then `attempt_cols!` in order.
fn bind_attempt<'q, DB: sqlx::Database>(
    q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    key: &'q str,
    a: &Attempt,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    // An identifier-only attempt keeps its (maybe absent) user too.
    let (c, identifier, email_code) = match &a.stage {
        Stage::NeedsFirstFactor(l) => (l.claim.as_ref(), Some(l.identifier.clone()), l.email_code),
        _ => (a.claim(), a.claim().map(|c| c.identifier.clone()), false),
    };
    let factors = c.map(|c| c.factors).unwrap_or_default();
    q.bind(key)
        .bind(a.status().as_str().to_string())
        .bind(c.map(|c| c.user_id))
        .bind(identifier)
        .bind(factors.phone)
        .bind(factors.totp)
        .bind(factors.backup_codes)
        .bind(factors.passkey)
        .bind(c.is_some_and(|c| c.client_known))
        .bind(email_code)
        .bind(matches!(a.stage, Stage::NeedsPasskey))
        .bind(a.proofs.first.map(|s| s.as_str().to_string()))
        .bind(a.proofs.second.map(|s| s.as_str().to_string()))
        .bind(a.created_at)
        .bind(a.expires_at)
}

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl AttemptsWrite for $t {
            async fn insert_attempt(&self, key: &str, a: &Attempt) -> Result<()> {
                bind_attempt(sqlx::query(INSERT_ATTEMPT), key, a).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn update_attempt(&self, key: &str, from: Status, a: &Attempt) -> Result<bool> {
                let r = bind_attempt(sqlx::query(UPDATE_ATTEMPT), key, a)
                    .bind(from.as_str())
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn delete_attempt(&self, key: &str) -> Result<()> {
                sqlx::query(DELETE_ATTEMPT).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn take_complete_attempt(&self, key: &str) -> Result<Option<Attempt>> {
                let r: Option<AttemptRow> =
                    sqlx::query_as(TAKE_COMPLETE_ATTEMPT).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(Attempt::from))
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
