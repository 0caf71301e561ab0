//! Native clients: what a browser keeps in cookies, a native client's row
//! in `native_clients` keeps, and the client token it sends is a sealed
//! handle to that row (`request::client_token`). Every copy of the token
//! sees the same state, so the token of a late answer (Clerk's SDKs keep
//! whichever arrives last) never signs the client out.

use super::{Service, CLIENT_MAX_AGE};
use crate::request::client_token::{self, Opened};
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::NativeClient;
use proto::Fault;

/// The client a native request names, for its answer to keep.
#[derive(Debug)]
pub struct Native {
    id: String,
    /// No row holds its tokens yet (a first call, or a token made before
    /// the state moved here): every token it carries is written.
    fresh: bool,
}

impl Native {
    fn new() -> Native {
        Native { id: secrets::token(), fresh: true }
    }
}

impl Service {
    /// The client behind a native request's client token (None: a first
    /// call) and the tokens it carries; `None` if the token is not ours.
    pub async fn native_client(
        &self,
        token: Option<&str>,
        now: i64,
    ) -> Result<Option<(Native, Vec<(Jar, String)>)>, Fault> {
        let Some(token) = token else { return Ok(Some((Native::new(), vec![]))) };
        Ok(match client_token::open(&self.keys, token) {
            None => None,
            Some(Opened::Legacy(carried)) => Some((Native::new(), carried)),
            Some(Opened::Handle(id)) => {
                let row = self.store.native_client(&id, now).await?.unwrap_or_default();
                Some((Native { id, fresh: false }, self.opened(row)))
            }
        })
    }

    /// After a native request: the tokens it changed written to its
    /// client's row (made now for a new client with anything to keep), and
    /// the client token to answer with, sealed afresh (None: nothing kept).
    pub async fn keep_native(&self, n: Native, req: &Request) -> Result<Option<String>, Fault> {
        // A new client keeps what it carries; a known one what changed.
        let kept = |j: &Jar| match n.fresh {
            true => req.token(*j).is_some(),
            false => req.changes().iter().any(|c| c.jar == *j),
        };
        let jars: Vec<(Jar, Option<&str>)> = Jar::ALL.into_iter().filter(kept).map(|j| (j, req.token(j))).collect();
        if jars.is_empty() {
            return Ok((!n.fresh).then(|| client_token::seal(&self.keys, &n.id)).flatten());
        }
        self.write_native(&n, &jars, req.now).await
    }

    /// A client for Clerk's "dev browser" (development only): a browser page
    /// with a development key sends this token in the URL
    /// (`__clerk_db_jwt`) instead of keeping cookies, and is then carried as
    /// a native client is. Made with its long-lived client token, so that
    /// its row exists from the start.
    pub async fn dev_browser(&self, now: i64) -> Result<String, Fault> {
        let client = secrets::token();
        let token = self.write_native(&Native::new(), &[(Jar::Client, Some(client.as_str()))], now).await?;
        token.ok_or(Fault::Unavailable)
    }

    /// Writes `jars` (tokens, or None to clear) to `n`'s row, sealed, and
    /// answers its client token.
    async fn write_native(&self, n: &Native, jars: &[(Jar, Option<&str>)], now: i64) -> Result<Option<String>, Fault> {
        let sealed = jars
            .iter()
            .map(|(j, t)| Ok((*j, t.map(|t| self.keys.seal(t)).transpose()?)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| {
                tracing::error!(error = %e, "client token");
                Fault::Unavailable
            })?;
        let until = now + CLIENT_MAX_AGE;
        self.alone(async |u| Ok(u.store.keep_native_tokens(&n.id, &sealed, now, until).await?)).await?;
        Ok(client_token::seal(&self.keys, &n.id))
    }

    /// A row's tokens, opened (one that does not open with this instance's
    /// key is dropped).
    fn opened(&self, row: NativeClient) -> Vec<(Jar, String)> {
        let jars = [
            (Jar::Client, row.client),
            (Jar::SignIn, row.sign_in),
            (Jar::SignUp, row.sign_up),
            (Jar::Session, row.session),
        ];
        jars.into_iter().filter_map(|(j, sealed)| Some((j, self.keys.open(&sealed?)?))).collect()
    }
}
