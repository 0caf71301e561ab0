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

/// "Chrome on Linux" from a user agent, good enough to tell devices apart.
pub fn device(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("");
    // The HTTP stacks of native apps (a model, when sent, is shown instead).
    let native = [("okhttp/", "Android app"), ("CFNetwork/", "iOS app"), ("mfa-native/", "Native app")];
    if let Some((_, n)) = native.iter().find(|(k, _)| ua.contains(k)) {
        return n.to_string();
    }
    let browser =
        [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl")]
            .iter()
            .find(|(k, _)| ua.contains(k))
            .map(|(_, n)| *n);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, n)| *n);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) => "Unknown device".into(),
    }
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
                device: s.device.unwrap_or_else(|| device(s.user_agent.as_deref())),
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
    fn devices_are_named() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(device(Some(chrome)), "Chrome on Linux");
        assert_eq!(device(Some("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1")), "Safari on iOS");
        assert_eq!(device(Some("curl/8.0")), "curl");
        assert_eq!(device(Some("okhttp/4.12.0")), "Android app");
        assert_eq!(device(Some("MyApp/3 CFNetwork/1494.0.7 Darwin/23.4.0")), "iOS app");
        assert_eq!(device(None), "Unknown device");
    }

    #[test]
    fn public_ids_hide_the_key() {
        let id = public_id("abc");
        assert!(id.starts_with("sess_") && id.len() == 29, "{id}");
        assert!(!id.contains("abc"));
        assert_ne!(public_id("abd"), id);
    }
}
