//! The `limits` repository: lockouts and per-IP rate limits.

use super::*;

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
// An operator's lock: its failure count is past any threshold, so no
// in-flight try's release can lift it.
const LOCK_SUBJECT: &str = "INSERT INTO lockouts (subject, failures, locked_until) VALUES ($1, 1000000, $2)
     ON CONFLICT (subject) DO UPDATE SET failures = 1000000, locked_until = EXCLUDED.locked_until";
const UNLOCKED: &str = "SELECT 1 FROM unlocks WHERE subject = $1 AND client_key = $2 AND until > $3";
const UNLOCK_CLIENT: &str = "INSERT INTO unlocks (subject, client_key, until) VALUES ($1, $2, $3)
     ON CONFLICT (subject, client_key) DO UPDATE SET until = EXCLUDED.until";
const LOCKED_UNTIL: &str = "SELECT locked_until FROM lockouts WHERE subject = $1 AND locked_until > $2";
const RATE_HIT: &str = "INSERT INTO rate_limits (bucket, client, window_start, hits) VALUES ($1, $2, $3, 1)
     ON CONFLICT (bucket, client) DO UPDATE SET
       hits = CASE WHEN rate_limits.window_start <= CAST($3 AS BIGINT) - CAST($4 AS BIGINT)
              THEN 1 ELSE rate_limits.hits + 1 END,
       window_start = CASE WHEN rate_limits.window_start <= CAST($3 AS BIGINT) - CAST($4 AS BIGINT)
              THEN $3 ELSE rate_limits.window_start END
     RETURNING hits, window_start";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Limits for $t {
            async fn locked_until(&self, subject: &str, now: i64) -> Result<Option<i64>> {
                let r = sqlx::query(LOCKED_UNTIL).bind(subject).bind(now).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(match r {
                    Some(r) => r.try_get(0).db()?,
                    None => None,
                })
            }

            async fn unlocked(&self, subject: &str, client_key: &str, now: i64) -> Result<bool> {
                let r = sqlx::query(UNLOCKED)
                    .bind(subject)
                    .bind(client_key)
                    .bind(now)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.is_some())
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl LimitsWrite for $t {
            async fn lockout_reserve(
                &self,
                subject: &str,
                now: i64,
                max: i64,
                lock_secs: i64,
            ) -> Result<std::result::Result<i64, i64>> {
                let r = sqlx::query(LOCKOUT_RESERVE)
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
                sqlx::query(LOCKOUT_RELEASE).bind(subject).bind(max).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn lock_subject(&self, subject: &str, until: i64) -> Result<()> {
                sqlx::query(LOCK_SUBJECT).bind(subject).bind(until).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn lockout_reset(&self, subject: &str) -> Result<()> {
                sqlx::query(LOCKOUT_RESET).bind(subject).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn unlock_client(&self, subject: &str, client_key: &str, until: i64) -> Result<()> {
                sqlx::query(UNLOCK_CLIENT)
                    .bind(subject)
                    .bind(client_key)
                    .bind(until)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn rate_hit(&self, bucket: &str, client: &str, now: i64, window: i64) -> Result<(i64, i64)> {
                let r = sqlx::query(RATE_HIT)
                    .bind(bucket)
                    .bind(client)
                    .bind(now)
                    .bind(window)
                    .fetch_one(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok((r.try_get(0).db()?, r.try_get(1).db()?))
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
