//! The `webhooks` repository: endpoints and the durable delivery queue.

use super::*;
use domain::store::{Queued, WebhookDelivery, WebhookEndpoint};

macro_rules! endpoints {
    ($rest:literal) => {
        concat!("SELECT id, url, secret, events, created_at FROM webhook_endpoints ", $rest)
    };
}
macro_rules! deliveries {
    ($rest:literal) => {
        concat!(
            "SELECT id, msg_id, endpoint_id, event, user_id, session_id, detail, ip, user_agent, at,
             payload, state, attempts, next_at, last_error, done_at FROM webhook_deliveries ",
            $rest
        )
    };
}
const ENDPOINTS: &str = endpoints!("ORDER BY created_at, id");
const ENDPOINT: &str = endpoints!("WHERE id = $1");
const DUE: &str = deliveries!("WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2");
const DELIVERIES: &str = deliveries!("WHERE CAST($1 AS TEXT) IS NULL OR state = $1 ORDER BY id DESC LIMIT $2");
const INSERT_ENDPOINT: &str =
    "INSERT INTO webhook_endpoints (id, url, secret, events, created_at) VALUES ($1, $2, $3, $4, $5)";
const DELETE_ENDPOINT: &str = "DELETE FROM webhook_endpoints WHERE id = $1";
// One row per endpoint that wants the type, in the change's own unit; the
// user's public id read in the statement (event types hold no `_` or `%`).
const ENQUEUE: &str = "INSERT INTO webhook_deliveries
     (msg_id, endpoint_id, event, user_id, session_id, detail, ip, user_agent, at, next_at)
     SELECT $1, e.id, $2, (SELECT public_id FROM users WHERE id = $3), $4, $5, $6, $7, $8, $8
     FROM webhook_endpoints e
     WHERE e.events = '*' OR (' ' || e.events || ' ') LIKE ('% ' || CAST($2 AS TEXT) || ' %')";
const SET_PAYLOAD: &str = "UPDATE webhook_deliveries SET payload = $2 WHERE msg_id = $1";
// The lease: one statement checks the row is as read and takes it.
const CLAIM: &str = "UPDATE webhook_deliveries
     SET next_at = $3, attempts = attempts + 1, payload = COALESCE(payload, $4)
     WHERE id = $1 AND state = 'pending' AND next_at = $2";
const FINISH: &str = "UPDATE webhook_deliveries
     SET state = $2, next_at = $3, last_error = $4, done_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $5 END
     WHERE id = $1 AND state = 'pending'";
const REPLAY: &str = "UPDATE webhook_deliveries
     SET state = 'pending', next_at = $2, attempts = 0, done_at = NULL
     WHERE CAST(id AS TEXT) = $1 OR msg_id = $1";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Webhooks for $t {
            async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>> {
                Ok(recs(sqlx::query_as(ENDPOINTS).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn webhook_endpoint(&self, id: &str) -> Result<Option<WebhookEndpoint>> {
                let r: Option<Rec<WebhookEndpoint>> =
                    sqlx::query_as(ENDPOINT).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.map(|Rec(e)| e))
            }

            async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<WebhookDelivery>> {
                let rows = sqlx::query_as(DUE).bind(now).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?;
                Ok(recs(rows))
            }

            async fn deliveries(&self, state: Option<&str>, limit: i64) -> Result<Vec<WebhookDelivery>> {
                let rows = sqlx::query_as(DELIVERIES).bind(state).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?;
                Ok(recs(rows))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl WebhooksWrite for $t {
            async fn insert_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<()> {
                sqlx::query(INSERT_ENDPOINT)
                    .bind(&e.id)
                    .bind(&e.url)
                    .bind(&e.secret)
                    .bind(&e.events)
                    .bind(e.created_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(())
            }

            async fn delete_webhook_endpoint(&self, id: &str) -> Result<bool> {
                let r = sqlx::query(DELETE_ENDPOINT).bind(id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn enqueue_webhook(&self, q: &Queued) -> Result<u64> {
                let r = sqlx::query(ENQUEUE)
                    .bind(&q.msg_id)
                    .bind(&q.event)
                    .bind(q.user_id)
                    .bind(&q.session_id)
                    .bind(&q.detail)
                    .bind(&q.ip)
                    .bind(&q.user_agent)
                    .bind(q.at)
                    .execute(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(r.rows_affected())
            }

            async fn set_webhook_payload(&self, msg_id: &str, payload: &str) -> Result<()> {
                sqlx::query(SET_PAYLOAD).bind(msg_id).bind(payload).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn claim_delivery(&self, id: i64, due: i64, lease_until: i64, payload: &str) -> Result<bool> {
                let r = sqlx::query(CLAIM)
                    .bind(id)
                    .bind(due)
                    .bind(lease_until)
                    .bind(payload)
                    .execute(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn finish_delivery(&self, id: i64, state: &str, next_at: i64, error: Option<&str>, now: i64) -> Result<()> {
                sqlx::query(FINISH)
                    .bind(id)
                    .bind(state)
                    .bind(next_at)
                    .bind(error)
                    .bind(now)
                    .execute(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(())
            }

            async fn replay_delivery(&self, id: &str, now: i64) -> Result<u64> {
                let r = sqlx::query(REPLAY).bind(id).bind(now).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
