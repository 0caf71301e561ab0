//! `use_session()`: Clerk's `useSession()`.

use crate::api::*;

/// Clerk's `useSession()`, for what an app needs of the session: its token.
#[derive(Clone, Copy, Debug, Default)]
pub struct Session;

pub fn use_session() -> Session {
    Session
}

impl Session {
    /// `session.getToken()`: a fresh session token (a JWT for the app's
    /// backend; also set as the `__session` cookie), or `None` when signed
    /// out.
    pub async fn get_token(&self) -> Option<String> {
        get_token().await.ok().map(|t| t.jwt)
    }
}
