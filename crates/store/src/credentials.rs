//! The `credentials` repository: the second factors, one row each: pending until proven, then active.

use super::*;

const ADVANCE_TOTP: &str = "UPDATE credentials SET last_step = $1
     WHERE user_id = $2 AND kind = 'totp' AND state = 'active' AND (last_step IS NULL OR last_step < $1)";
// A pending credential (an enrolment awaiting its first code) replaces the
// one before it: $1 user, $2 kind, $3 secret, $4 label, $5 now.
const PUT_PENDING: &str = "INSERT INTO credentials (user_id, kind, state, secret, label, created_at)
     VALUES ($1, $2, 'pending', $3, $4, $5)
     ON CONFLICT (user_id, kind, state) DO UPDATE
       SET secret = excluded.secret, label = excluded.label, created_at = excluded.created_at";
const DROP_PENDING: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'pending'";
// Confirming: the active credential of the kind goes, if the pending one is
// still the one proven ($3: its secret or label), and the pending one takes
// its place. Each statement checks the pending row: of two confirms at once,
// one changes nothing.
const DROP_REPLACED: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'active'
     AND EXISTS (SELECT 1 FROM credentials p WHERE p.user_id = $1 AND p.kind = $2 AND p.state = 'pending'
                 AND (p.secret = $3 OR p.label = $3))";
// The enrolment code's step counts as used: it cannot sign anyone in later.
const ACTIVATE: &str = "UPDATE credentials SET state = 'active', last_step = $4
     WHERE user_id = $1 AND kind = $2 AND state = 'pending' AND (secret = $3 OR label = $3)";
// On PostgreSQL two removals in parallel each see the other's row unless
// they queue: both first take the user's row lock (SQLite's units are
// serial already). Then the check and the change are one statement.
const LOCK_USER: &str = "UPDATE users SET default_factor = default_factor WHERE id = $1";
const REMOVE_CREDENTIAL: &str = "DELETE FROM credentials WHERE user_id = $1 AND kind = $2 AND state = 'active'
     AND ($3 = 0 OR EXISTS (SELECT 1 FROM credentials o
                            WHERE o.user_id = $1 AND o.kind <> $2 AND o.state = 'active')
                 OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = $1))";

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl CredentialsWrite for $t {
            async fn advance_totp(&self, user_id: i64, step: i64) -> Result<bool> {
                let r = sqlx::query(ADVANCE_TOTP).bind(step).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn set_pending_totp(&self, user_id: i64, sealed: Option<&str>, now: i64) -> Result<()> {
                self.put_pending(user_id, "totp", sealed, None, now).await
            }

            async fn confirm_totp(&self, user_id: i64, sealed: &str, step: i64) -> Result<bool> {
                self.activate(user_id, "totp", sealed, Some(step)).await
            }

            async fn set_pending_phone(&self, user_id: i64, phone: Option<&str>, now: i64) -> Result<()> {
                self.put_pending(user_id, "phone", None, phone, now).await
            }

            async fn confirm_phone(&self, user_id: i64, phone: &str) -> Result<bool> {
                self.activate(user_id, "phone", phone, None).await
            }

            async fn remove_totp(&self, user_id: i64, keep_one: bool) -> Result<bool> {
                self.remove_credential(user_id, "totp", keep_one).await
            }

            async fn remove_phone(&self, user_id: i64, keep_one: bool) -> Result<bool> {
                self.remove_credential(user_id, "phone", keep_one).await
            }
        }

        /// The credential statements each factor kind shares.
        impl $t {
            async fn put_pending(
                &self,
                user_id: i64,
                kind: &str,
                secret: Option<&str>,
                label: Option<&str>,
                now: i64,
            ) -> Result<()> {
                let mut conn = self.conn().await.db()?;
                if secret.is_none() && label.is_none() {
                    sqlx::query(DROP_PENDING).bind(user_id).bind(kind).execute(&mut *conn).await.db()?;
                    return Ok(());
                }
                sqlx::query(PUT_PENDING)
                    .bind(user_id)
                    .bind(kind)
                    .bind(secret)
                    .bind(label)
                    .bind(now)
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(())
            }

            async fn activate(&self, user_id: i64, kind: &str, proven: &str, step: Option<i64>) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                sqlx::query(DROP_REPLACED).bind(user_id).bind(kind).bind(proven).execute(&mut *conn).await.db()?;
                let r = sqlx::query(ACTIVATE)
                    .bind(user_id)
                    .bind(kind)
                    .bind(proven)
                    .bind(step)
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn remove_credential(&self, user_id: i64, kind: &str, keep_one: bool) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                sqlx::query(LOCK_USER).bind(user_id).execute(&mut *conn).await.db()?;
                let r = sqlx::query(REMOVE_CREDENTIAL)
                    .bind(user_id)
                    .bind(kind)
                    .bind(i64::from(keep_one))
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
