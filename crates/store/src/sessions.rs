//! The `sessions` repository: live sessions, their last activity, task and re-verification time.

use super::*;

const INSERT_SESSION: &str =
    "INSERT INTO sessions (key, user_id, created_at, last_active_at, expires_at, ip, user_agent, task, verified_at,
     first_factor_at, second_factor_at, device, public_id)
     SELECT $1, $2, $3, $3, $4, $5, $6, $7, $3, $3, $8, $9, $10 FROM users WHERE id = $2 AND NOT banned";
const SESSION_BY_PUBLIC_ID: &str = "SELECT key, user_id FROM sessions WHERE public_id = $1";
const SESSIONS_WITHOUT_IDS: &str = "SELECT key FROM sessions WHERE public_id IS NULL LIMIT $1";
const SET_SESSION_ID: &str = "UPDATE sessions SET public_id = $2 WHERE key = $1 AND public_id IS NULL";
// A banned user's session reads as none: a sign-in that raced the ban
// (its session written after the ban ended the others) is of no use.
const SESSION: &str = "SELECT s.user_id, s.created_at, s.last_active_at, s.expires_at, s.task, s.verified_at,
     s.first_factor_at, s.second_factor_at
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key = $1 AND NOT u.banned";
const SESSIONS_OF: &str = "SELECT key, created_at, last_active_at, expires_at, ip, user_agent, task, device
     FROM sessions WHERE user_id = $1 ORDER BY last_active_at DESC";
const SET_TASK: &str = "UPDATE sessions SET task = $1 WHERE key = $2";
const FIRST_FACTOR_VERIFIED: &str = "UPDATE sessions SET verified_at = $1, first_factor_at = $1 WHERE key = $2";
const SECOND_FACTOR_VERIFIED: &str = "UPDATE sessions SET verified_at = $1, second_factor_at = $1 WHERE key = $2";
const DELETE_USER_SESSION: &str = "DELETE FROM sessions WHERE key = $1 AND user_id = $2";
const DELETE_OTHER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1 AND key <> $2";
const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";
const TOUCH_SESSION: &str = "UPDATE sessions SET last_active_at = $1 WHERE key = $2";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE key = $1";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Sessions for $t {
            async fn session(&self, key: &str) -> Result<Option<Session>> {
                Ok(sqlx::query_as(SESSION).bind(key).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionRow>> {
                Ok(recs(sqlx::query_as(SESSIONS_OF).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn session_by_public_id(&self, public_id: &str) -> Result<Option<(String, i64)>> {
                let r = sqlx::query(SESSION_BY_PUBLIC_ID)
                    .bind(public_id)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                match r {
                    Some(r) => Ok(Some((r.try_get(0).db()?, r.try_get(1).db()?))),
                    None => Ok(None),
                }
            }

            async fn sessions_without_ids(&self, limit: i64) -> Result<Vec<String>> {
                let rows = sqlx::query(SESSIONS_WITHOUT_IDS).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?;
                rows.iter().map(|r| r.try_get(0).db()).collect()
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl SessionsWrite for $t {
            async fn insert_session(&self, s: &NewSession<'_>) -> Result<bool> {
                let r = sqlx::query(INSERT_SESSION)
                    .bind(s.key)
                    .bind(s.user_id)
                    .bind(s.now)
                    .bind(s.expires_at)
                    .bind(&s.ip)
                    .bind(&s.user_agent)
                    .bind(s.task)
                    .bind(s.second_factor.then_some(s.now))
                    .bind(&s.device)
                    .bind(s.public_id)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn set_session_id(&self, key: &str, public_id: &str) -> Result<()> {
                sqlx::query(SET_SESSION_ID).bind(key).bind(public_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn set_task(&self, key: &str, task: Option<&str>) -> Result<()> {
                sqlx::query(SET_TASK).bind(task).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn session_verified(&self, key: &str, now: i64, second_factor: bool) -> Result<()> {
                let q = if second_factor { SECOND_FACTOR_VERIFIED } else { FIRST_FACTOR_VERIFIED };
                sqlx::query(q).bind(now).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn delete_user_session(&self, key: &str, user_id: i64) -> Result<bool> {
                let r = sqlx::query(DELETE_USER_SESSION).bind(key).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn delete_other_sessions(&self, user_id: i64, keep: &str) -> Result<u64> {
                let r = sqlx::query(DELETE_OTHER_SESSIONS).bind(user_id).bind(keep).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected())
            }

            async fn delete_user_sessions(&self, user_id: i64) -> Result<u64> {
                let r = sqlx::query(DELETE_USER_SESSIONS).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected())
            }

            async fn touch_session(&self, key: &str, now: i64) -> Result<()> {
                sqlx::query(TOUCH_SESSION).bind(now).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn delete_session(&self, key: &str) -> Result<()> {
                sqlx::query(DELETE_SESSION).bind(key).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
