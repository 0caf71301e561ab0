//! The `users` repository: accounts; their factors (rows of `credentials`) read as the user's fields; the clients they trust.

use super::*;

// A user's factors are rows of `credentials`; the domain reads them as the
// user's fields (one of each kind and state).
macro_rules! user_cols {
    () => {
        concat!(
            "id, public_id, email, password_hash, created_at, default_factor, password_compromised, banned, ",
            "public_metadata, private_metadata, unsafe_metadata, lang, ",
            credential!("label", "phone", "active"),
            " AS phone, ",
            credential!("secret", "totp", "active"),
            " AS totp_secret, ",
            credential!("secret", "totp", "pending"),
            " AS pending_totp_secret, ",
            credential!("label", "phone", "pending"),
            " AS pending_phone, EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = users.id) AS has_passkey"
        )
    };
}
macro_rules! credential {
    ($col:literal, $kind:literal, $state:literal) => {
        concat!(
            "(SELECT c.",
            $col,
            " FROM credentials c WHERE c.user_id = users.id AND c.kind = '",
            $kind,
            "' AND c.state = '",
            $state,
            "')"
        )
    };
}
// Any unique column taken (the address, an import's source id): Conflict.
const CREATE_USER: &str = "INSERT INTO users (email, password_hash, created_at, public_id, public_metadata,
     private_metadata, unsafe_metadata, source_id, hash_kind, lang) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT DO NOTHING RETURNING id";
const INSERT_CREDENTIAL: &str = "INSERT INTO credentials (user_id, kind, state, secret, label, last_step, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const USER_BY_EMAIL: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE email = $1");
const SIGN_IN_SUBJECT: &str = concat!(
    "SELECT ",
    user_cols!(),
    ",
     EXISTS (SELECT 1 FROM backup_codes b WHERE b.user_id = users.id AND b.used_at IS NULL) AS has_backup,
     EXISTS (SELECT 1 FROM trusted_clients t WHERE t.client_key = $2 AND t.user_id = users.id) AS client_known
     FROM users WHERE email = $1"
);
const USER_BY_ID: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE id = $1");
const IDENTITY: &str = "SELECT public_id, email, created_at, public_metadata, unsafe_metadata FROM users WHERE id = $1";
const USERS: &str = concat!("SELECT ", user_cols!(), " FROM users ORDER BY id LIMIT $1");
const USERS_AFTER: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE id > $1 ORDER BY id LIMIT $2");
const USER_BY_PUBLIC_ID: &str = concat!("SELECT ", user_cols!(), " FROM users WHERE public_id = $1");
// Newest first, as Clerk lists them.
const USERS_PAGE: &str =
    concat!("SELECT ", user_cols!(), " FROM users ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2");
const USER_COUNT: &str = "SELECT COUNT(*) FROM users";
const SET_PASSWORD: &str =
    "UPDATE users SET password_hash = $1, password_compromised = $2, hash_kind = $4 WHERE id = $3";
const SET_METADATA: &str = "UPDATE users SET public_metadata = $1, private_metadata = $2, unsafe_metadata = $3
     WHERE id = $4 AND public_metadata = $5 AND private_metadata = $6 AND unsafe_metadata = $7";
const SET_BANNED: &str = "UPDATE users SET banned = $1 WHERE id = $2";
const SET_LANG: &str = "UPDATE users SET lang = $1 WHERE id = $2";
const SET_EMAIL: &str = "UPDATE users SET email = $3 WHERE id = $1 AND email = $2";
const SET_COMPROMISED: &str = "UPDATE users SET password_compromised = TRUE WHERE id = $1";
const REHASH_PASSWORD: &str =
    "UPDATE users SET password_hash = $3, hash_kind = $4 WHERE id = $1 AND password_hash = $2";
// Each hash's kind is written with it (`secrets::kind_of`).
const IMPORTED_HASH_KINDS: &str = "SELECT DISTINCT hash_kind FROM users WHERE hash_kind IS NOT NULL";
const IMPORTED: &str = "SELECT id FROM users WHERE source_id = $1";
const SOURCE_OF: &str = "SELECT source_id FROM users WHERE id = $1";
const RESET_MFA: [&str; 4] = [
    "DELETE FROM credentials WHERE user_id = $1",
    "DELETE FROM passkeys WHERE user_id = $1",
    "DELETE FROM backup_codes WHERE user_id = $1",
    "UPDATE users SET default_factor = NULL WHERE id = $1",
];
// What a user's id names without a foreign key: attempts in flight, the
// clients they trusted (cascade too, stated here for SQLite's sake).
const DELETE_USER: [&str; 6] = [
    "DELETE FROM passkeys WHERE user_id = $1",
    "DELETE FROM sign_in_attempts WHERE user_id = $1",
    "DELETE FROM trusted_clients WHERE user_id = $1",
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM credentials WHERE user_id = $1",
    "DELETE FROM backup_codes WHERE user_id = $1",
];
const DELETE_USER_ROW: &str = "DELETE FROM users WHERE id = $1";
const SET_DEFAULT_FACTOR: &str = "UPDATE users SET default_factor = $1 WHERE id = $2";
const TRUST_CLIENT: &str = "INSERT INTO trusted_clients (client_key, user_id, trusted_at, last_used_at, ip,
     user_agent, device) VALUES ($1, $2, $3, $3, $4, $5, $6)
     ON CONFLICT (client_key, user_id) DO UPDATE SET last_used_at = excluded.last_used_at, ip = excluded.ip,
       user_agent = excluded.user_agent, device = excluded.device";
const UNTRUST_CLIENT: &str = "DELETE FROM trusted_clients WHERE client_key = $1 AND user_id = $2";
const TRUSTED_CLIENTS: &str = "SELECT client_key, trusted_at, last_used_at, ip, user_agent, device
     FROM trusted_clients WHERE user_id = $1 ORDER BY last_used_at DESC";
const USERS_ON_DISABLED_FACTORS: &str = "SELECT COUNT(DISTINCT user_id) FROM credentials c WHERE c.state = 'active'
     AND NOT EXISTS (SELECT 1 FROM credentials e WHERE e.user_id = c.user_id AND e.state = 'active'
                     AND ((e.kind = 'totp' AND $1 = 1) OR (e.kind = 'phone' AND $2 = 1)))";

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl Users for $t {
            async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
                Ok(sqlx::query_as(USER_BY_EMAIL).bind(email).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn sign_in_subject(&self, email: &str, client_key: Option<&str>) -> Result<Option<Subject>> {
                Ok(sqlx::query_as(SIGN_IN_SUBJECT)
                    .bind(email)
                    .bind(client_key)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await.db()?
                    .map(|Rec(r)| r))
            }

            async fn identity(&self, id: i64) -> Result<Option<Identity>> {
                Ok(sqlx::query_as(IDENTITY).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn user(&self, id: i64) -> Result<Option<User>> {
                Ok(sqlx::query_as(USER_BY_ID).bind(id).fetch_optional(&mut *self.conn().await.db()?).await.db()?.map(|Rec(r)| r))
            }

            async fn users(&self, limit: i64) -> Result<Vec<User>> {
                let v: Vec<Rec<User>> = sqlx::query_as(USERS).bind(limit).fetch_all(&mut *self.conn().await.db()?).await.db()?;
                Ok(recs(v))
            }

            async fn users_after(&self, after: i64, limit: i64) -> Result<Vec<User>> {
                let v: Vec<Rec<User>> = sqlx::query_as(USERS_AFTER)
                    .bind(after)
                    .bind(limit)
                    .fetch_all(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(recs(v))
            }

            async fn user_by_public_id(&self, public_id: &str) -> Result<Option<User>> {
                let r: Option<Rec<User>> = sqlx::query_as(USER_BY_PUBLIC_ID)
                    .bind(public_id)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(r.map(|Rec(u)| u))
            }

            async fn users_page(&self, limit: i64, offset: i64) -> Result<Vec<User>> {
                let v: Vec<Rec<User>> = sqlx::query_as(USERS_PAGE)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(recs(v))
            }

            async fn user_count(&self) -> Result<i64> {
                let r = sqlx::query(USER_COUNT).fetch_one(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.try_get(0).db()?)
            }

            async fn trusted_clients(&self, user_id: i64) -> Result<Vec<TrustedClient>> {
                Ok(recs(sqlx::query_as(TRUSTED_CLIENTS).bind(user_id).fetch_all(&mut *self.conn().await.db()?).await.db()?))
            }

            async fn imported_hash_kinds(&self) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar(IMPORTED_HASH_KINDS).fetch_all(&mut *self.conn().await.db()?).await.db()?)
            }

            async fn imported(&self, source_id: &str) -> Result<Option<i64>> {
                Ok(sqlx::query_scalar(IMPORTED).bind(source_id).fetch_optional(&mut *self.conn().await.db()?).await.db()?)
            }

            async fn source_of(&self, user_id: i64) -> Result<Option<String>> {
                let r: Option<Option<String>> =
                    sqlx::query_scalar(SOURCE_OF).bind(user_id).fetch_optional(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.flatten())
            }

            async fn users_on_disabled_factors(&self, totp_on: i64, phone_on: i64) -> Result<i64> {
                let r = sqlx::query(USERS_ON_DISABLED_FACTORS)
                    .bind(totp_on)
                    .bind(phone_on)
                    .fetch_one(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.try_get(0).db()?)
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl UsersWrite for $t {
            async fn create_user(&self, u: &NewUser) -> Result<i64> {
                let mut conn = self.conn().await.db()?;
                let r = sqlx::query(CREATE_USER)
                    .bind(&u.email)
                    .bind(&u.password_hash)
                    .bind(u.created_at)
                    .bind(&u.public_id)
                    .bind(&u.metadata.public)
                    .bind(&u.metadata.private)
                    .bind(&u.metadata.unsafe_)
                    .bind(&u.source_id)
                    .bind(domain::secrets::kind_of(&u.password_hash))
                    .bind(u.lang.map(|l| l.tag()))
                    .fetch_optional(&mut *conn)
                    .await.db()?;
                let id: i64 = match r {
                    Some(row) => row.try_get(0).db()?,
                    None => return Err(StoreError::Conflict),
                };
                let factors = [("totp", u.totp_secret.as_deref(), None), ("phone", None, u.phone.as_deref())];
                for (kind, secret, label) in factors {
                    if secret.is_none() && label.is_none() {
                        continue;
                    }
                    sqlx::query(INSERT_CREDENTIAL)
                        .bind(id)
                        .bind(kind)
                        .bind("active")
                        .bind(secret)
                        .bind(label)
                        .bind(None::<i64>)
                        .bind(u.created_at)
                        .execute(&mut *conn)
                        .await.db()?;
                }
                Ok(id)
            }

            async fn set_default_factor(&self, user_id: i64, factor: Option<&str>) -> Result<()> {
                sqlx::query(SET_DEFAULT_FACTOR).bind(factor).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn set_password(&self, user_id: i64, hash: &str, compromised: bool) -> Result<()> {
                sqlx::query(SET_PASSWORD)
                    .bind(hash)
                    .bind(compromised)
                    .bind(user_id)
                    .bind(domain::secrets::kind_of(hash))
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn set_metadata(&self, user_id: i64, old: &Metadata, new: &Metadata) -> Result<bool> {
                let r = sqlx::query(SET_METADATA)
                    .bind(&new.public)
                    .bind(&new.private)
                    .bind(&new.unsafe_)
                    .bind(user_id)
                    .bind(&old.public)
                    .bind(&old.private)
                    .bind(&old.unsafe_)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn set_banned(&self, user_id: i64, banned: bool) -> Result<bool> {
                let r = sqlx::query(SET_BANNED).bind(banned).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn set_lang(&self, user_id: i64, lang: &str) -> Result<()> {
                sqlx::query(SET_LANG).bind(lang).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(())
            }

            async fn set_email(&self, user_id: i64, old: &str, new: &str) -> Result<bool> {
                let r = sqlx::query(SET_EMAIL).bind(user_id).bind(old).bind(new).execute(&mut *self.conn().await.db()?).await;
                match r {
                    Ok(r) => Ok(r.rows_affected() == 1),
                    // The address is another account's (the column is unique).
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict),
                    Err(e) => Err(e).db(),
                }
            }

            async fn rehash_password(&self, user_id: i64, old: &str, new: &str) -> Result<bool> {
                let r = sqlx::query(REHASH_PASSWORD)
                    .bind(user_id)
                    .bind(old)
                    .bind(new)
                    .bind(domain::secrets::kind_of(new))
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn set_compromised(&self, user_id: i64) -> Result<bool> {
                let r = sqlx::query(SET_COMPROMISED).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn reset_mfa(&self, user_id: i64) -> Result<()> {
                let mut conn = self.conn().await.db()?;
                for q in RESET_MFA {
                    sqlx::query(q).bind(user_id).execute(&mut *conn).await.db()?;
                }
                Ok(())
            }

            async fn delete_user(&self, user_id: i64) -> Result<bool> {
                let mut conn = self.conn().await.db()?;
                for q in DELETE_USER {
                    sqlx::query(q).bind(user_id).execute(&mut *conn).await.db()?;
                }
                let r = sqlx::query(DELETE_USER_ROW).bind(user_id).execute(&mut *conn).await.db()?;
                Ok(r.rows_affected() == 1)
            }

            async fn trust_client(&self, client_key: &str, user_id: i64, now: i64, at: &ClientUse<'_>) -> Result<()> {
                sqlx::query(TRUST_CLIENT)
                    .bind(client_key)
                    .bind(user_id)
                    .bind(now)
                    .bind(at.ip)
                    .bind(at.user_agent)
                    .bind(at.device)
                    .execute(&mut *self.conn().await.db()?)
                    .await.db()?;
                Ok(())
            }

            async fn untrust_client(&self, client_key: &str, user_id: i64) -> Result<bool> {
                let r = sqlx::query(UNTRUST_CLIENT).bind(client_key).bind(user_id).execute(&mut *self.conn().await.db()?).await.db()?;
                Ok(r.rows_affected() == 1)
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
