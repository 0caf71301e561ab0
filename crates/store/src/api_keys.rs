//! The `api_keys` repository: the Backend API's secret keys, by hash.

use super::*;
use domain::store::ApiKey;

const LIVE_KEY: &str =
    "SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL";
const KEYS: &str =
    "SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at DESC, id DESC";
const INSERT_KEY: &str = "INSERT INTO api_keys (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)";
const REVOKE_KEY: &str = "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
// A use is written at most once a minute: busy backends do not write on
// every call.
const TOUCH_KEY: &str =
    "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2 - 60)";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl ApiKeys for $t {
            async fn api_key(&self, key_hash: &str) -> Result<Option<ApiKey>> {
                let r: Option<Rec<ApiKey>> =
                    sqlx::query_as(LIVE_KEY).bind(key_hash).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(|Rec(k)| k))
            }

            async fn api_keys(&self) -> Result<Vec<ApiKey>> {
                Ok(recs(sqlx::query_as(KEYS).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl ApiKeysWrite for $t {
            async fn insert_api_key(&self, k: &ApiKey, key_hash: &str) -> Result<()> {
                sqlx::query(INSERT_KEY)
                    .bind(&k.id)
                    .bind(&k.name)
                    .bind(key_hash)
                    .bind(k.created_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(())
            }

            async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool> {
                let r = sqlx::query(REVOKE_KEY).bind(id).bind(now).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn touch_api_key(&self, id: &str, now: i64) -> Result<()> {
                sqlx::query(TOUCH_KEY).bind(id).bind(now).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
