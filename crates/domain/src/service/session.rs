//! Sessions: started by finalize, read by every page, ended by sign-out;
//! idle and lifetime limits.

use super::account::Open;
use super::{Service, Unit};
use crate::audit::Event;
use crate::flow;
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::prelude::*;
use crate::store::Store;
use crate::store::{ClientUse, NewSession, Session, User};
use proto::*;
use std::ops::Deref;

impl Service {
    /// The signed-in user; a pending session counts as signed out
    /// everywhere but its task.
    pub async fn session(&self, req: &mut Request) -> Result<Option<SessionView>, Fault> {
        Ok(self.client_session(req).await?.filter(|s| s.current_task.is_none()))
    }

    /// The client's session, active or pending (with its task).
    pub async fn client_session(&self, req: &mut Request) -> Result<Option<SessionView>, Fault> {
        let Some((key, sess)) = self.active_session(req).await? else { return Ok(None) };
        let Some(user) = self.store.user(sess.user_id).await? else { return Ok(None) };
        Ok(Some(self.session_view(&key, &sess, &user).await?))
    }

    async fn session_view(&self, key: &str, sess: &Session, user: &User) -> Result<SessionView, Fault> {
        let second_factors = self.factors(user).await?.supported();
        let status = if sess.task.is_some() { STS_PENDING } else { STS_ACTIVE };
        Ok(SessionView {
            object: v1::SESSION_OBJECT.into(),
            status: status.into(),
            current_task: sess.task.clone(),
            user_id: user.public_id.clone(),
            id: super::public_id(key),
            email: user.email.clone(),
            created_at: sess.created_at,
            last_active_at: sess.last_active_at,
            expire_at: sess.expires_at.min(sess.last_active_at + self.cfg.settings.sessions.idle),
            second_factors,
        })
    }

    /// `GET /v1/client`: the sign-in, sign-up and session this client carries.
    pub async fn client(&self, req: &mut Request) -> Result<v1::ClientView, Fault> {
        let session = self.client_session(req).await?;
        self.client_with(req, session).await
    }

    /// The client and its session's user, from one read of the session
    /// (what Clerk's envelope needs after a write).
    pub async fn client_and_user(&self, req: &mut Request) -> Result<(v1::ClientView, Option<UserView>), Fault> {
        let (session, user) = match self.current(req, Open::Any).await {
            Ok(c) => (Some(self.session_view(&c.key, &c.session, &c.user).await?), Some(self.user_view(&c).await?)),
            Err(Fault::SignedOut) => (None, None),
            Err(f) => return Err(f),
        };
        Ok((self.client_with(req, session).await?, user))
    }

    async fn client_with(&self, req: &mut Request, session: Option<SessionView>) -> Result<v1::ClientView, Fault> {
        let sign_in = Some(self.sign_in(req).await?).filter(|v| v.id.is_some());
        let sign_up = Some(self.sign_up(req).await?).filter(|v| v.id.is_some());
        let sessions: Vec<SessionView> = session.into_iter().collect();
        Ok(v1::ClientView {
            object: v1::CLIENT_OBJECT.into(),
            sign_in,
            sign_up,
            last_active_session_id: sessions.first().map(|s| s.id.clone()),
            sessions,
        })
    }

    pub async fn sign_out(&self, req: &mut Request) -> Result<(), Fault> {
        // One unit ends it, live or expired; a touch first would be wasted.
        if let Some((key, sess, upkeep)) = self.read_session(req).await? {
            self.alone(async |u| {
                u.store.delete_session(&key).await?;
                if upkeep != Upkeep::End {
                    let id = super::public_id(&key);
                    u.audit_session(req, Event::SessionEnded, Some(sess.user_id), None, None, Some(&id)).await;
                }
                Ok(())
            })
            .await?;
        }
        req.clear(Jar::Session);
        req.clear(Jar::Token);
        Ok(())
    }

    /// The session behind the cookie, if live: (key, session). Pending ones
    /// included; callers that need an active session check `task`. Its
    /// upkeep (an end, a touch) is a unit of its own.
    pub(crate) async fn active_session(&self, req: &Request) -> Result<Option<(String, Session)>, Fault> {
        let now = req.now;
        let Some((key, s, upkeep)) = self.read_session(req).await? else { return Ok(None) };
        if upkeep != Upkeep::None {
            self.alone(async |u| u.keep_up(&key, upkeep, now).await).await?;
        }
        Ok((upkeep != Upkeep::End).then_some((key, s)))
    }
}

/// What reading a session asks to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Upkeep {
    None,
    /// Last activity is due to be written (every sixtieth of the idle window).
    Touch,
    /// Past its lifetime or idle timeout: delete it.
    End,
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// The session behind the cookie, and the upkeep it is due.
    pub(crate) async fn read_session(&self, req: &Request) -> Result<Option<(String, Session, Upkeep)>, Fault> {
        let now = req.now;
        let Some(token) = self.session_token(req) else { return Ok(None) };
        let key = secrets::token_key(token);
        let Some(s) = self.store.session(&key).await? else { return Ok(None) };
        let idle = self.cfg.settings.sessions.idle;
        let upkeep = if now >= s.expires_at || flow::idled_out(s.last_active_at, now, idle) {
            Upkeep::End
        } else if flow::needs_touch(s.last_active_at, now, idle) {
            Upkeep::Touch
        } else {
            Upkeep::None
        };
        Ok(Some((key, s, upkeep)))
    }

    pub(crate) fn session_token<'a>(&self, req: &'a Request) -> Option<&'a str> {
        req.token(Jar::Session)
    }
}

impl Unit {
    /// A banned user is refused once a factor is proven, not before: the
    /// answer would tell anyone that the account exists. (The session's
    /// insert checks again, in its statement.)
    pub(crate) async fn admit(&self, req: &Request, user: &User) -> Result<(), Fault> {
        match user.banned {
            true => Err(self.refuse_banned(req, user.id, &user.email).await),
            false => Ok(()),
        }
    }

    async fn refuse_banned(&self, req: &Request, user_id: i64, identifier: &str) -> Fault {
        self.audit(req, Event::SignInRefusedBanned, Some(user_id), Some(identifier), None).await;
        Fault::UserBanned
    }

    /// `Service::active_session` inside this unit.
    pub(crate) async fn active_session(&self, req: &Request) -> Result<Option<(String, Session)>, Fault> {
        let now = req.now;
        let Some((key, s, upkeep)) = self.read_session(req).await? else { return Ok(None) };
        self.keep_up(&key, upkeep, now).await?;
        Ok((upkeep != Upkeep::End).then_some((key, s)))
    }

    async fn keep_up(&self, key: &str, upkeep: Upkeep, now: i64) -> Result<(), Fault> {
        match upkeep {
            Upkeep::None => Ok(()),
            Upkeep::Touch => Ok(self.store.touch_session(key, now).await?),
            Upkeep::End => Ok(self.store.delete_session(key).await?),
        }
    }

    /// A new session for the claim's user (a new token; the old session
    /// ends), and the client remembered for the user, its use noted.
    pub(crate) async fn start_session(
        &self,
        req: &mut Request,
        c: &flow::Claim,
        task: Option<&str>,
    ) -> Result<FinalizeView, Fault> {
        let now = req.now;
        let user_id = c.user_id;
        if let Some(old) = self.session_token(req) {
            self.store.delete_session(&secrets::token_key(old)).await?;
        }
        let token = secrets::token();
        let key = secrets::token_key(&token);
        let ip = Some(req.ip.to_string());
        let written = self
            .store
            .insert_session(&NewSession {
                key: &key,
                public_id: &super::public_id(&key),
                task,
                user_id,
                now,
                expires_at: now + self.cfg.settings.sessions.lifetime,
                ip,
                user_agent: req.user_agent.clone(),
                device: req.device.clone(),
                second_factor: c.second_factor_verified(),
            })
            .await?;
        if !written {
            return Err(self.refuse_banned(req, user_id, &c.identifier).await);
        }
        req.set(Jar::Session, &token, self.cfg.settings.sessions.lifetime);
        // The client is remembered for the user (its use noted: the
        // trusted-device list shows where and when).
        let client = self.client_key(req);
        let ip = req.ip.to_string();
        let at = ClientUse { ip: Some(&ip), user_agent: req.user_agent.as_deref(), device: req.device.as_deref() };
        self.store.trust_client(&client, user_id, now, &at).await?;
        let session_id = super::public_id(&key);
        self.audit_session(req, Event::SessionCreated, Some(user_id), Some(&c.identifier), task, Some(&session_id))
            .await;
        Ok(match task {
            Some(t) => FinalizeView { redirect_url: task_url(t), current_task: Some(t.to_string()), session_id },
            None => FinalizeView { redirect_url: "/".into(), current_task: None, session_id },
        })
    }
}
