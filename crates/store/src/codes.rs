//! The `codes` repository: emailed and texted one-time codes, hashed.

use super::*;

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

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Codes for $t {
            async fn code(&self, attempt_key: &str, purpose: &str) -> Result<Option<OneTimeCode>> {
                Ok(sqlx::query_as(CODE)
                    .bind(attempt_key)
                    .bind(purpose)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?
                    .map(|Rec(r)| r))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl CodesWrite for $t {
            async fn put_code(
                &self,
                attempt_key: &str,
                purpose: &str,
                code_hash: &str,
                now: i64,
                expires_at: i64,
                not_after: i64,
            ) -> Result<bool> {
                let r = sqlx::query(PUT_CODE)
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
                sqlx::query(DELETE_CODE).bind(id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn fail_code(&self, id: i64, max: i64) -> Result<i64> {
                let r = sqlx::query(FAIL_CODE).bind(max).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(match r {
                    Some(r) => r.try_get(0).db()?,
                    None => max,
                })
            }

            async fn consume_code(&self, id: i64, now: i64, max: i64) -> Result<bool> {
                let r = sqlx::query(CONSUME_CODE)
                    .bind(now)
                    .bind(id)
                    .bind(max)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
