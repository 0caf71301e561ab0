//! The `audit` repository: the audit trail.

use super::*;

const AUDIT: &str = "INSERT INTO audit_log (at, event, user_id, identifier, ip, user_agent, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const AUDIT_LOG: &str = "SELECT at, event, user_id, identifier, ip, user_agent, detail
     FROM audit_log ORDER BY id DESC LIMIT $1";

// The Backend API's filters: each applies when given. Users are named by
// their public id (gone with a deleted user: the rows stay).
macro_rules! audit_filter {
    () => {
        " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE (CAST($1 AS TEXT) IS NULL OR u.public_id = $1) AND (CAST($2 AS TEXT) IS NULL OR a.event = $2)"
    };
}
const AUDIT_PAGE: &str = concat!(
    "SELECT a.id, a.at, a.event, u.public_id AS user_id, a.identifier, a.ip, a.user_agent, a.detail",
    audit_filter!(),
    " ORDER BY a.id DESC LIMIT $3 OFFSET $4"
);
const AUDIT_AFTER: &str =
    "SELECT a.id, a.at, a.event, u.public_id AS user_id, a.identifier, a.ip, a.user_agent, a.detail
     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.at >= $1 AND a.id > $2 ORDER BY a.id LIMIT $3";
const AUDIT_COUNT: &str = concat!("SELECT COUNT(*)", audit_filter!());

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl AuditLog for $t {
            async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEvent>> {
                Ok(recs(sqlx::query_as(AUDIT_LOG).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn audit_after(&self, since: i64, after: i64, limit: i64) -> Result<Vec<AuditEntry>> {
                let rows: Vec<Rec<AuditEntry>> = sqlx::query_as(AUDIT_AFTER)
                    .bind(since)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(recs(rows))
            }

            async fn audit_page(&self, f: &AuditFilter<'_>, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, i64)> {
                let rows: Vec<Rec<AuditEntry>> = sqlx::query_as(AUDIT_PAGE)
                    .bind(f.user_id)
                    .bind(f.event)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                let total = sqlx::query(AUDIT_COUNT)
                    .bind(f.user_id)
                    .bind(f.event)
                    .fetch_one(&mut *self.conn().await.db()?)
                    .await
                    .db()?
                    .try_get(0)
                    .db()?;
                Ok((recs(rows), total))
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
