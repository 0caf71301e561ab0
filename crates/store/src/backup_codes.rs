//! The `backup_codes` repository: hashed, single use.

use super::*;

const DELETE_BACKUP_CODES: &str = "DELETE FROM backup_codes WHERE user_id = $1";
const INSERT_BACKUP_CODE: &str = "INSERT INTO backup_codes (user_id, salt, code_hash) VALUES ($1, $2, $3)";
const UNUSED_BACKUP_CODES: &str = "SELECT id, salt, code_hash FROM backup_codes WHERE user_id = $1 AND used_at IS NULL";
const USE_BACKUP_CODE: &str = "UPDATE backup_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl BackupCodes for $t {
            async fn unused_backup_codes(&self, user_id: i64) -> Result<Vec<BackupCode>> {
                Ok(recs(sqlx::query_as(UNUSED_BACKUP_CODES).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl BackupCodesWrite for $t {
            async fn set_backup_codes(&self, user_id: i64, codes: &[(String, String)]) -> Result<()> {
                let mut c = self.conn().await.db()?;
                let mut tx = sqlx::Connection::begin(&mut *c).await.db()?;
                sqlx::query(DELETE_BACKUP_CODES).bind(user_id).execute(&mut *tx).await.db()?;
                for (salt, hash) in codes {
                    sqlx::query(INSERT_BACKUP_CODE)
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
                let r = sqlx::query(USE_BACKUP_CODE).bind(now).bind(id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
