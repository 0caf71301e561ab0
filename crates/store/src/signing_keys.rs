//! The `signing_keys` repository: the keys of session tokens, one set for every node.

use super::*;

const KEYS: &str = "SELECT kid, alg, public_key, private_key, created_at, signs_from, signs_until
     FROM signing_keys ORDER BY signs_from DESC, kid DESC";
// One statement adds every key: with $8 (the first key of its algorithm),
// only if no key of that algorithm signs at $8. Two nodes starting at once
// on an empty table may both add one: both are published, so a token of
// either verifies.
const ADD_KEY: &str =
    "INSERT INTO signing_keys (kid, alg, public_key, private_key, created_at, signs_from, signs_until)
     SELECT $1, $2, $3, $4, $5, $6, $7
     WHERE $8 IS NULL OR NOT EXISTS (SELECT 1 FROM signing_keys
                       WHERE alg = $2 AND signs_from <= $8 AND (signs_until IS NULL OR signs_until > $8))";
const END_KEYS: &str = "UPDATE signing_keys SET signs_until = $1 WHERE signs_until IS NULL";
const DELETE_KEYS_UNTIL: &str = "DELETE FROM signing_keys WHERE signs_until IS NOT NULL AND signs_until < $1";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl SigningKeys for $t {
            async fn signing_keys(&self) -> Result<Vec<SigningKey>> {
                Ok(recs(sqlx::query_as(KEYS).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

/// `ADD_KEY` for `$k`, unless a key signs at `$unless` (None: always);
/// true if it was added.
macro_rules! add_key {
    ($self:ident, $k:ident, $unless:expr) => {{
        let r = sqlx::query(ADD_KEY)
            .bind(&$k.kid)
            .bind(&$k.alg)
            .bind(&$k.public_key)
            .bind(&$k.private_key)
            .bind($k.created_at)
            .bind($k.signs_from)
            .bind($k.signs_until)
            .bind($unless)
            .execute(&mut *$self.conn().await.db()?)
            .await
            .db()?;
        Ok(r.rows_affected() == 1)
    }};
}

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl SigningKeysWrite for $t {
            async fn add_first_key(&self, k: &SigningKey, now: i64) -> Result<bool> {
                add_key!(self, k, Some(now))
            }

            async fn rotate_to(&self, k: &SigningKey) -> Result<()> {
                sqlx::query(END_KEYS).bind(k.signs_from).execute(&mut *self.conn().await.db()?).await.db()?;
                add_key!(self, k, None::<i64>).map(|_| ())
            }

            async fn delete_keys_until(&self, before: i64) -> Result<u64> {
                let r = sqlx::query(DELETE_KEYS_UNTIL).bind(before).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
