//! The `audit` repository: the audit trail.

use super::*;

const AUDIT: &str = "INSERT INTO audit_log (at, event, user_id, identifier, ip, user_agent, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const AUDIT_LOG: &str = "SELECT at, event, user_id, identifier, ip, user_agent, detail
     FROM audit_log ORDER BY id DESC LIMIT $1";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl AuditLog for $t {
            async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>> {
                Ok(recs(sqlx::query_as(AUDIT_LOG).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl AuditLogWrite for $t {
            async fn audit(&self, e: &AuditEvent) -> Result<()> {
                sqlx::query(AUDIT)
                    .bind(e.at)
                    .bind(&e.event)
                    .bind(e.user_id)
                    .bind(&e.identifier)
                    .bind(&e.ip)
                    .bind(&e.user_agent)
                    .bind(&e.detail)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
