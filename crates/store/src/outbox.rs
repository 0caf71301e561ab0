//! The `outbox` repository: the development outbox.

use super::*;

const PUSH_OUTBOX: &str = "INSERT INTO outbox (channel, recipient, body, created_at) VALUES ($1, $2, $3, $4)";
const OUTBOX: &str = "SELECT id, channel, recipient, body, created_at FROM outbox ORDER BY id DESC LIMIT $1";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Outbox for $t {
            async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
                Ok(recs(sqlx::query_as(OUTBOX).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl OutboxWrite for $t {
            async fn push_outbox(&self, channel: &str, recipient: &str, body: &str, now: i64) -> Result<()> {
                sqlx::query(PUSH_OUTBOX)
                    .bind(channel)
                    .bind(recipient)
                    .bind(body)
                    .bind(now)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
