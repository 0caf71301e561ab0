//! The `passkeys` repository: WebAuthn credentials, one row each, and the
//! ceremonies in progress (`webauthn_challenges`).

use super::*;
use domain::store::{Passkey, PasskeyUse};

macro_rules! passkey_cols {
    () => {
        "id, public_id, user_id, credential_id, name, passkey, sign_count, backup_eligible, backup_state,
         created_at, last_used_at"
    };
}
const PASSKEYS_OF: &str = concat!("SELECT ", passkey_cols!(), " FROM passkeys WHERE user_id = $1 ORDER BY id");
const BY_CREDENTIAL: &str = concat!("SELECT ", passkey_cols!(), " FROM passkeys WHERE credential_id = $1");
const INSERT: &str = "INSERT INTO passkeys (public_id, user_id, credential_id, name, passkey, sign_count,
     backup_eligible, backup_state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (credential_id) DO NOTHING";
// The counter check and the change in one statement: of two uses with the
// same counter, one wins; a counter that went back changes nothing.
const USE: &str = "UPDATE passkeys SET passkey = $1, sign_count = $2, backup_state = $3, last_used_at = $4
     WHERE id = $5 AND (sign_count < $2 OR ($2 = 0 AND sign_count = 0))";
const RENAME: &str = "UPDATE passkeys SET name = $1 WHERE user_id = $2 AND public_id = $3";
// As for credentials: both removals first take the user's row lock on
// PostgreSQL, then check that another factor stays in the deleting statement.
const LOCK_USER: &str = "UPDATE users SET default_factor = default_factor WHERE id = $1";
const REMOVE: &str = "DELETE FROM passkeys WHERE user_id = $1 AND public_id = $2
     AND ($3 = 0
          OR EXISTS (SELECT 1 FROM passkeys o WHERE o.user_id = $1 AND o.public_id <> $2)
          OR EXISTS (SELECT 1 FROM credentials c WHERE c.user_id = $1 AND c.state = 'active'))";
const PUT_CHALLENGE: &str = "INSERT INTO webauthn_challenges (key, purpose, state, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key, purpose) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at";
const TAKE_CHALLENGE: &str =
    "DELETE FROM webauthn_challenges WHERE key = $1 AND purpose = $2 AND expires_at > $3 RETURNING state";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Passkeys for $t {
            async fn passkeys_of(&self, user_id: i64) -> Result<Vec<Passkey>> {
                Ok(recs(sqlx::query_as(PASSKEYS_OF).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<Passkey>> {
                Ok(sqlx::query_as(BY_CREDENTIAL)
                    .bind(credential_id)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?
                    .map(|Rec(r)| r))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl PasskeysWrite for $t {
            async fn insert_passkey(&self, p: &Passkey) -> Result<bool> {
                let r = sqlx::query(INSERT)
                    .bind(&p.public_id)
                    .bind(p.user_id)
                    .bind(&p.credential_id)
                    .bind(&p.name)
                    .bind(&p.passkey)
                    .bind(p.sign_count)
                    .bind(p.backup_eligible)
                    .bind(p.backup_state)
                    .bind(p.created_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn use_passkey(&self, u: &PasskeyUse<'_>) -> Result<bool> {
                let r = sqlx::query(USE)
                    .bind(u.passkey)
                    .bind(u.sign_count)
                    .bind(u.backup_state)
                    .bind(u.now)
                    .bind(u.id)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn rename_passkey(&self, user_id: i64, public_id: &str, name: &str) -> Result<bool> {
                let r = sqlx::query(RENAME)
                    .bind(name)
                    .bind(user_id)
                    .bind(public_id)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn remove_passkey(&self, user_id: i64, public_id: &str, keep_one: bool) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                sqlx::query(LOCK_USER).bind(user_id).execute(&mut *conn).await.db()?;
                let r = sqlx::query(REMOVE)
                    .bind(user_id)
                    .bind(public_id)
                    .bind(i64::from(keep_one))
                    .execute(&mut *conn)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn put_challenge(&self, key: &str, purpose: &str, state: &str, expires_at: i64) -> Result<()> {
                sqlx::query(PUT_CHALLENGE)
                    .bind(key)
                    .bind(purpose)
                    .bind(state)
                    .bind(expires_at)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn take_challenge(&self, key: &str, purpose: &str, now: i64) -> Result<Option<String>> {
                let r = sqlx::query(TAKE_CHALLENGE)
                    .bind(key)
                    .bind(purpose)
                    .bind(now)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?;
                r.map(|row| row.try_get(0)).transpose().db()
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
