//! The `native_clients` repository: what each native client carries (its
//! client token is a handle to its row).

use super::*;
use domain::request::Jar;
use domain::store::NativeClient;

/// A `native_clients` row's tokens.
#[derive(sqlx::FromRow)]
struct NativeClientRow {
    client: Option<String>,
    sign_in: Option<String>,
    sign_up: Option<String>,
    session: Option<String>,
}

const NATIVE_CLIENT: &str =
    "SELECT client, sign_in, sign_up, session FROM native_clients WHERE id = $1 AND expires_at > $2";
// An expired row that the sweep has not taken yet holds nothing to keep.
const DELETE_EXPIRED: &str = "DELETE FROM native_clients WHERE id = $1 AND expires_at <= $2";

/// One statement per jar: only that jar's column changes, so concurrent
/// requests of one client that change different jars both last.
macro_rules! keep {
    ($col:literal) => {
        concat!(
            "INSERT INTO native_clients (id, ",
            $col,
            ", created_at, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET ",
            $col,
            " = excluded.",
            $col,
            ", expires_at = excluded.expires_at"
        )
    };
}

fn keep_statement(jar: Jar) -> Option<&'static str> {
    match jar {
        Jar::Client => Some(keep!("client")),
        Jar::SignIn => Some(keep!("sign_in")),
        Jar::SignUp => Some(keep!("sign_up")),
        Jar::Session => Some(keep!("session")),
        // The session token (a JWT) is given, never read back: not kept.
        Jar::Token => None,
    }
}

macro_rules! reads {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl NativeClients for $t {
            async fn native_client(&self, id: &str, now: i64) -> Result<Option<NativeClient>> {
                let r: Option<NativeClientRow> = sqlx::query_as(NATIVE_CLIENT)
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&mut *self.conn().await.db()?)
                    .await
                    .db()?;
                Ok(r.map(|r| NativeClient { client: r.client, sign_in: r.sign_in, sign_up: r.sign_up, session: r.session }))
            }
        }
    )*};
}
reads!(Sqlite, Postgres, SqliteUnit, PgUnit);

macro_rules! writes {
    ($($t:ty),*) => {$(
        #[async_trait]
        impl NativeClientsWrite for $t {
            async fn keep_native_tokens(
                &self,
                id: &str,
                jars: &[(Jar, Option<String>)],
                now: i64,
                expires_at: i64,
            ) -> Result<()> {
                sqlx::query(DELETE_EXPIRED).bind(id).bind(now).execute(&mut *self.conn().await.db()?).await.db()?;
                for (jar, sealed) in jars {
                    let Some(keep) = keep_statement(*jar) else { continue };
                    sqlx::query(keep)
                        .bind(id)
                        .bind(sealed.as_deref())
                        .bind(now)
                        .bind(expires_at)
                        .execute(&mut *self.conn().await.db()?)
                        .await
                        .db()?;
                }
                Ok(())
            }
        }
    )*};
}
writes!(SqliteUnit, PgUnit);
