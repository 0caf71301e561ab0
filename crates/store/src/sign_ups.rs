//! The `sign_ups` repository: sign-ups in progress.

use super::*;

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

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl SignUps for $t {
            async fn sign_up(&self, key: &str) -> Result<Option<SignUp>> {
                let r: Option<SignUpRow> =
                    sqlx::query_as(SIGN_UP).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(SignUp::from))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl SignUpsWrite for $t {
            async fn insert_sign_up(&self, key: &str, s: &SignUp) -> Result<()> {
                sqlx::query(INSERT_SIGN_UP)
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
                let r = sqlx::query(UPDATE_SIGN_UP)
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
                    sqlx::query_as(TAKE_COMPLETE_SIGN_UP).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(SignUp::from))
            }

            async fn delete_sign_up(&self, key: &str) -> Result<()> {
                let mut c = self.conn().await.db()?;
                let mut tx = sqlx::Connection::begin(&mut *c).await.db()?;
                sqlx::query(DELETE_CODES_OF).bind(key).execute(&mut *tx).await.db()?;
                sqlx::query(DELETE_SIGN_UP).bind(key).execute(&mut *tx).await.db()?;
                tx.commit().await.db()?;
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
