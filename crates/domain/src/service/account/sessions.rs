//! The user's sessions: listed by device, revoked one by one or all others.

use super::super::Service;
use super::{Current, Open};
use crate::audit::Event;
use crate::request::Request;
use crate::secrets;
use crate::store::prelude::*;
use crate::store::Store;
use proto::*;
use std::ops::Deref;

/// A session's public id (`sess_…`, as Clerk's): derived from its key,
/// revealing neither it nor the token.
pub fn public_id(key: &str) -> String {
    format!("sess_{}", crate::secrets::public_id("session", key))
}

/// A sign-in attempt's public id (`sia_…`), from its key.
pub fn sign_in_id(key: &str) -> String {
    format!("sia_{}", crate::secrets::public_id("sign-in", key))
}

/// A sign-up's public id (`sua_…`), from its key.
pub fn sign_up_id(key: &str) -> String {
    format!("sua_{}", crate::secrets::public_id("sign-up", key))
}

impl Service {
    pub async fn sessions(&self, req: &mut Request) -> Result<Vec<SessionInfo>, Fault> {
        let c = self.current(req, Open::Active).await?;
        self.session_list(&c).await
    }

    pub async fn revoke_session(&self, req: &mut Request, id: String) -> Result<Vec<SessionInfo>, Fault> {
        let c = self.current(req, Open::Active).await?;
        // Ending a session needs a recent re-verification (as in Clerk).
        self.recent(&c)?;
        let target = self
            .store
            .sessions_of(c.user.id)
            .await?
            .into_iter()
            .find(|s| secrets::same(&public_id(&s.key), id.trim()))
            .ok_or(Fault::SessionNotFound)?;
        self.alone(async |u| {
            if !u.store.delete_user_session(&target.key, c.user.id).await? {
                return Err(Fault::SessionNotFound);
            }
            let id = public_id(&target.key);
            u.audit_session(req, Event::SessionRevoked, Some(c.user.id), Some(&c.user.email), None, Some(&id)).await;
            Ok(())
        })
        .await?;
        self.session_list(&c).await
    }

    pub async fn revoke_others(&self, req: &mut Request) -> Result<Vec<SessionInfo>, Fault> {
        let c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        self.alone(async |u| {
            let n = u.store.delete_other_sessions(c.user.id, &c.key).await?;
            u.audit(req, Event::SessionRevokedOthers, Some(c.user.id), Some(&c.user.email), Some(&n.to_string())).await;
            Ok(())
        })
        .await?;
        self.session_list(&c).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    async fn session_list(&self, c: &Current) -> Result<Vec<SessionInfo>, Fault> {
        let idle = self.cfg.settings.sessions.idle;
        Ok(self
            .store
            .sessions_of(c.user.id)
            .await?
            .into_iter()
            .filter(|s| s.expires_at > c.now && !crate::flow::idled_out(s.last_active_at, c.now, idle))
            .map(|s| SessionInfo {
                id: public_id(&s.key),
                device: Device::of(s.user_agent.as_deref(), s.device.as_deref()),
                ip: s.ip,
                created_at: s.created_at,
                last_active_at: s.last_active_at,
                current: s.key == c.key,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_hide_the_key() {
        let id = public_id("abc");
        assert!(id.starts_with("sess_") && id.len() == 29, "{id}");
        assert!(!id.contains("abc"));
        assert_ne!(public_id("abd"), id);
    }
}
