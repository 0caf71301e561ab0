//! The Backend API's use cases: an app's backend, holding a secret key,
//! reads the accounts (served under `/backend/v1`, in Clerk's Backend API
//! shapes).

use super::account::Seen;
use super::Service;
use crate::admin::{self, Actor};
use crate::audit::Event;
use crate::mail::{Change, Message};
use crate::metadata::{self, How};
use crate::policy;
use crate::request::Request;
use crate::secrets;
use crate::settings::Settings;
use crate::store::prelude::*;
use crate::store::{ApiKey, AuditEntry, AuditEvent, AuditFilter, SessionRow, User, WebhookEndpoint};
use crate::users::{self, CreateError, Spec};
use crate::webhooks;
use proto::*;

/// Most users one page lists (Clerk's limit).
pub const MAX_PAGE: i64 = 500;
/// A page without a `limit` (Clerk's default).
const DEFAULT_PAGE: i64 = 10;
/// Most ids and addresses one filter names.
const MAX_FILTER: usize = 100;
/// A key's use is written at most this often (seconds).
const TOUCH_EVERY: i64 = 60;

/// The users a list asks for: any of `user_ids`, and any of `emails`
/// (both given: users in both), a page of them, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub user_ids: Vec<String>,
    pub emails: Vec<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A session as an app's backend sees it (Clerk's Backend API `Session`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendSession {
    /// `sess_…`.
    pub id: String,
    /// `user_…`.
    pub user_id: String,
    /// `active`, or `revoked` once the backend ended it.
    pub status: &'static str,
    pub created_at: i64,
    pub last_active_at: i64,
    /// When it ends if unused: its lifetime or its idle timeout.
    pub expire_at: i64,
    pub device: Device,
    pub ip: Option<String>,
}

/// A user as an app's backend sees it: the account with its numbers
/// whole, and whether it is locked or banned.
#[derive(Clone, Debug)]
pub struct BackendUser {
    pub user: UserView,
    pub locked: bool,
    pub banned: bool,
    /// The backend's own metadata (the user's view has the other two).
    pub private_metadata: metadata::Object,
}

impl Service {
    /// The live key `bearer` is (`sk_live_…`), and the call (`GET /users`)
    /// audited in its name. A missing, wrong or revoked key is refused and
    /// counts against the caller's IP.
    pub async fn backend_key(&self, req: &Request, bearer: Option<&str>, call: &str) -> Result<ApiKey, Fault> {
        let found = match bearer.filter(|b| b.starts_with(secrets::API_KEY_PREFIX)) {
            Some(b) => self.store.api_key(&secrets::token_key(b)).await?,
            None => None,
        };
        let Some(key) = found else {
            self.rate_limit(req, "api_key", self.cfg.settings.rate_limits.verify).await?;
            return Err(Fault::ApiKeyInvalid);
        };
        let row = AuditEvent {
            at: req.now,
            event: Event::ApiCall.name().into(),
            ip: Some(req.ip.to_string()),
            user_agent: Some(Actor::Key(&key).agent()),
            detail: Some(call.chars().take(200).collect()),
            ..Default::default()
        };
        let due = key.last_used_at.is_none_or(|t| req.now - t >= TOUCH_EVERY);
        self.alone(async |u| {
            if due {
                u.store.touch_api_key(&key.id, req.now).await?;
            }
            Ok(u.store.audit(&row).await?)
        })
        .await?;
        Ok(key)
    }

    /// `users.deleteUser(id)`: the account and all it holds (the CLI's
    /// `user delete`).
    pub async fn backend_delete(&self, req: &Request, key: &ApiKey, id: &str) -> Result<(), Fault> {
        let u = self.user_by_id(id).await?;
        admin::delete_user(&*self.store, &u, Actor::Key(key), req.now).await.map_err(failed)
    }

    /// `users.createUser({ emailAddress: [email], password })`: the
    /// sign-up rules apply (one address; the password policy), made in the
    /// key's name. Where MFA is required, the first sign-in enrols a factor.
    pub async fn backend_create_user(
        &self,
        req: &Request,
        key: &ApiKey,
        emails: &[String],
        password: Option<String>,
        meta: &metadata::Change,
    ) -> Result<BackendUser, Fault> {
        let email = match emails {
            [] => return Err(Fault::Missing(Field::EmailAddress)),
            [one] => one.clone(),
            // One address per user here.
            _ => return Err(Fault::BadRequest),
        };
        let password = password.filter(|p| !p.is_empty()).ok_or(Fault::Missing(Field::Password))?;
        let metadata = metadata::apply(&Default::default(), meta, How::Replace)?;
        // Checked as for the user to be (every id is as long).
        self.claims_fit((&secrets::user_id(), &email, req.now), &metadata)?;
        let spec = Spec { email, password, agent: Some(Actor::Key(key).agent()), metadata, ..Spec::default() };
        let require_mfa = self.cfg.settings.require_mfa;
        let made = users::create(&*self.store, &self.keys, spec, require_mfa, req.now, Some(&self.cfg.settings))
            .await
            .map_err(|e| match e {
                CreateError::Exists => Fault::EmailTaken,
                CreateError::Refused(f) => f,
                CreateError::Store(e) => e.into(),
                CreateError::Invalid(m) => failed(m),
            })?;
        let u = self.store.user(made.id).await?.ok_or(Fault::UserNotFound)?;
        self.account(req.now, &u).await
    }

    /// `PATCH /users/{id}`: a new password (`backend_set_password`) and
    /// metadata, each object named replaced whole (checked before the
    /// password changes).
    pub async fn backend_update_user(
        &self,
        req: &Request,
        key: &ApiKey,
        id: &str,
        (password, primary_email): (Option<String>, Option<&str>),
        meta: &metadata::Change,
    ) -> Result<BackendUser, Fault> {
        metadata::apply(&Default::default(), meta, How::Replace)?;
        // The one address is primary: naming it changes nothing, naming
        // another is refused (`createEmailAddress` replaces the address).
        let primary = primary_email.map(|p| p == clerk::identifier_id(id, "email"));
        if primary == Some(false) {
            return Err(Fault::AddressRefused);
        }
        let changed = match password {
            Some(p) => Some(self.backend_set_password(req, key, id, p).await?),
            None => None,
        };
        match (changed, meta.is_empty()) {
            (Some(u), true) => Ok(u),
            (_, false) => self.backend_metadata(req, key, id, (meta, How::Replace)).await,
            (None, true) if primary.is_some() => self.backend_user(req, id).await,
            (None, true) => Err(Fault::Missing(Field::Password)),
        }
    }

    /// `users.updateUser(id, { password })`: the policy applies (as for the
    /// user's own change), the sessions end and the user is told by email.
    async fn backend_set_password(
        &self,
        req: &Request,
        key: &ApiKey,
        id: &str,
        password: String,
    ) -> Result<BackendUser, Fault> {
        let u = self.user_by_id(id).await?;
        // The rules of the user's own new password (`new_password_hash`).
        let hash = self.new_password_hash(&password, &u).await?;
        admin::set_password_user(&*self.store, &u, &hash, Actor::Key(key), req.now).await.map_err(failed)?;
        self.password_notice(req, &u);
        self.account(req.now, &u).await
    }

    /// `users.updateUserMetadata(id, …)` (`How::Merge`) and
    /// `replaceUserMetadata` (`How::Replace`): the objects named, changed in
    /// one statement that checks they are as read (a write between is read
    /// again and merged with, never lost).
    pub async fn backend_metadata(
        &self,
        req: &Request,
        key: &ApiKey,
        id: &str,
        (change, how): (&metadata::Change, How),
    ) -> Result<BackendUser, Fault> {
        for _ in 0..metadata::TRIES {
            let u = self.user_by_id(id).await?;
            let old = u.metadata();
            let new = metadata::apply(&old, change, how)?;
            self.claims_fit((&u.public_id, &u.email, u.created_at), &new)?;
            if admin::set_metadata_user(&*self.store, &u, (&old, &new), (Actor::Key(key), &self.cfg.settings), req.now)
                .await
                .map_err(failed)?
            {
                let u = User {
                    public_metadata: new.public,
                    private_metadata: new.private,
                    unsafe_metadata: new.unsafe_,
                    ..u
                };
                return self.account(req.now, &u).await;
            }
        }
        Err(Fault::Unavailable)
    }

    /// The audit trail (ours: Clerk has none to call), newest first: a
    /// page, and how many rows the filter matches.
    pub async fn backend_audit(
        &self,
        f: &AuditFilter<'_>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<(Vec<AuditEntry>, i64), Fault> {
        let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        Ok(self.store.audit_page(f, limit, offset.unwrap_or(0).max(0)).await?)
    }

    /// `users.lockUser(id)`: locked as too many wrong tries lock it, for the
    /// lockout's length (`lockout.seconds`), or until unlocked.
    pub async fn backend_lock(&self, req: &Request, key: &ApiKey, id: &str) -> Result<BackendUser, Fault> {
        let u = self.user_by_id(id).await?;
        let until = req.now + self.cfg.settings.lockout.seconds;
        admin::lock_user(&*self.store, &u, (Actor::Key(key), &self.cfg.settings), until, req.now)
            .await
            .map_err(failed)?;
        self.account(req.now, &u).await
    }

    /// `users.unlockUser(id)`: the lock lifted for every client.
    pub async fn backend_unlock(&self, req: &Request, key: &ApiKey, id: &str) -> Result<BackendUser, Fault> {
        let u = self.user_by_id(id).await?;
        admin::unlock_user(&*self.store, &u, Actor::Key(key), req.now).await.map_err(failed)?;
        self.account(req.now, &u).await
    }

    /// `users.banUser(id)` (no sign-in on any path, every session ended)
    /// or `users.unbanUser(id)`.
    pub async fn backend_ban(&self, req: &Request, key: &ApiKey, id: &str, banned: bool) -> Result<BackendUser, Fault> {
        let u = self.user_by_id(id).await?;
        admin::ban_user(&*self.store, &u, banned, (Actor::Key(key), &self.cfg.settings), req.now)
            .await
            .map_err(failed)?;
        self.account(req.now, &User { banned, ..u }).await
    }

    /// `users.disableUserMFA(id)`: every second factor removed and the
    /// sessions ended (where MFA is required, the next sign-in enrols one).
    pub async fn backend_disable_mfa(&self, req: &Request, key: &ApiKey, id: &str) -> Result<String, Fault> {
        let u = self.user_by_id(id).await?;
        admin::reset_mfa_user(&*self.store, &u, Actor::Key(key), req.now).await.map_err(failed)?;
        self.security_notice(req, &u, Change::FactorsRemoved);
        Ok(u.public_id)
    }

    /// `users.getUser(id)`.
    pub async fn backend_user(&self, req: &Request, id: &str) -> Result<BackendUser, Fault> {
        let u = self.user_by_id(id).await?;
        self.account(req.now, &u).await
    }

    /// `users.getUserList(query)`: a page.
    pub async fn backend_users(&self, req: &Request, q: &UserQuery) -> Result<Vec<BackendUser>, Fault> {
        let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let offset = q.offset.unwrap_or(0).max(0);
        let users = match self.filtered(q).await? {
            Some(found) => found.into_iter().skip(offset as usize).take(limit as usize).collect(),
            None => self.store.users_page(limit, offset).await?,
        };
        let mut out = Vec::with_capacity(users.len());
        for u in &users {
            out.push(self.account(req.now, u).await?);
        }
        Ok(out)
    }

    /// `users.getCount(query)`: how many the list's filter names.
    pub async fn backend_user_count(&self, q: &UserQuery) -> Result<i64, Fault> {
        Ok(match self.filtered(q).await? {
            Some(found) => found.len() as i64,
            None => self.store.user_count().await?,
        })
    }

    /// The users a filter names, newest first, each once (None: no filter).
    async fn filtered(&self, q: &UserQuery) -> Result<Option<Vec<User>>, Fault> {
        if q.user_ids.is_empty() && q.emails.is_empty() {
            return Ok(None);
        }
        if q.user_ids.len() + q.emails.len() > MAX_FILTER {
            return Err(Fault::BadRequest);
        }
        let mut by_id = vec![];
        for id in &q.user_ids {
            by_id.extend(self.store.user_by_public_id(id).await?);
        }
        let mut by_email = vec![];
        for e in q.emails.iter().filter_map(|e| policy::email(e)) {
            by_email.extend(self.store.user_by_email(&e).await?);
        }
        let mut found = match (q.user_ids.is_empty(), q.emails.is_empty()) {
            (false, false) => by_id.into_iter().filter(|u| by_email.iter().any(|e| e.id == u.id)).collect(),
            (false, true) => by_id,
            _ => by_email,
        };
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        found.dedup_by_key(|u| u.id);
        Ok(Some(found))
    }

    /// The user an app names by its public id (`user_…`).
    async fn user_by_id(&self, id: &str) -> Result<User, Fault> {
        self.store.user_by_public_id(id).await?.ok_or(Fault::UserNotFound)
    }

    pub(crate) async fn account(&self, now: i64, u: &User) -> Result<BackendUser, Fault> {
        backend_user(&*self.store, &self.cfg.settings, u, now).await
    }
}

impl Service {
    /// Gives the sessions made before public ids were stored theirs (at a
    /// server's start; such sessions are otherwise found only by key).
    pub async fn fill_session_ids(&self) -> Result<u64, Fault> {
        let mut filled = 0;
        loop {
            let keys = self.store.sessions_without_ids(500).await?;
            if keys.is_empty() {
                return Ok(filled);
            }
            self.alone(async |u| {
                for key in &keys {
                    u.store.set_session_id(key, &super::public_id(key)).await?;
                }
                Ok(())
            })
            .await?;
            filled += keys.len() as u64;
        }
    }

    /// `sessions.getSessionList({ userId })`: the user's live sessions,
    /// last used first.
    pub async fn backend_sessions(&self, req: &Request, user_id: &str) -> Result<Vec<BackendSession>, Fault> {
        let u = self.user_by_id(user_id).await?;
        let idle = self.cfg.settings.sessions.idle;
        Ok(self
            .store
            .sessions_of(u.id)
            .await?
            .into_iter()
            .filter(|s| s.expires_at > req.now && !crate::flow::idled_out(s.last_active_at, req.now, idle))
            .map(|s| self.backend_session(&u, s, "active"))
            .collect())
    }

    /// `sessions.revokeSession(id)`: ends it, in the key's name; answers it
    /// as it was, `revoked`.
    pub async fn backend_revoke_session(&self, req: &Request, key: &ApiKey, id: &str) -> Result<BackendSession, Fault> {
        let (skey, user_id) = self.store.session_by_public_id(id).await?.ok_or(Fault::SessionNotFound)?;
        let u = self.store.user(user_id).await?.ok_or(Fault::SessionNotFound)?;
        let row = self.store.sessions_of(u.id).await?.into_iter().find(|s| s.key == skey);
        let row = row.ok_or(Fault::SessionNotFound)?;
        let audit = AuditEvent {
            at: req.now,
            event: Event::SessionRevoked.name().into(),
            user_id: Some(u.id),
            identifier: Some(u.email.clone()),
            ip: Some(req.ip.to_string()),
            user_agent: Some(Actor::Key(key).agent()),
            detail: Some(id.to_string()),
        };
        self.alone(async |t| {
            if !t.store.delete_user_session(&skey, u.id).await? {
                return Err(Fault::SessionNotFound);
            }
            Ok(crate::audit::record(&*t.store, None, &audit, Some(id)).await?)
        })
        .await?;
        Ok(self.backend_session(&u, row, "revoked"))
    }

    /// `emailAddresses.createEmailAddress({ userId, emailAddress, verified:
    /// true, primary: true })`: the user's one address becomes `raw` (the
    /// one email rule; another account's is `form_identifier_exists`), in
    /// the key's name, the old address told. Sessions stay; a lock on the
    /// old address does not follow.
    pub async fn backend_set_email(
        &self,
        req: &Request,
        key: &ApiKey,
        id: &str,
        raw: &str,
    ) -> Result<BackendUser, Fault> {
        let email = policy::email(raw).ok_or(Fault::EmailInvalid)?;
        for _ in 0..metadata::TRIES {
            let u = self.user_by_id(id).await?;
            if u.email == email {
                return self.account(req.now, &u).await;
            }
            self.claims_fit((&u.public_id, &email, u.created_at), &u.metadata())?;
            let by = (Actor::Key(key), &self.cfg.settings);
            match admin::set_email_user(&*self.store, &u, &email, by, req.now).await.map_err(failed)? {
                admin::EmailChange::Taken => return Err(Fault::EmailTaken),
                admin::EmailChange::Stale => continue,
                admin::EmailChange::Changed => {
                    self.security_notice(req, &u, Change::EmailChanged);
                    return self.backend_user(req, id).await;
                }
            }
        }
        // Changed under us every time.
        Err(Fault::Unavailable)
    }

    /// A webhook endpoint made over the Backend API, in the key's name:
    /// (it, its secret in clear, this once).
    pub async fn backend_add_webhook(
        &self,
        req: &Request,
        key: &ApiKey,
        url: &str,
        events: &[String],
    ) -> Result<(WebhookEndpoint, String), Fault> {
        let allow = self.cfg.settings.webhooks.allow_private;
        webhooks::check_url(url, allow).map_err(|_| Fault::WebhookInvalid)?;
        webhooks::events(events).map_err(|_| Fault::WebhookInvalid)?;
        let by = (Actor::Key(key), req.now);
        admin::add_webhook(&*self.store, &self.keys, (url, events), allow, by).await.map_err(failed)
    }

    /// Every webhook endpoint, oldest first.
    pub async fn backend_webhooks(&self) -> Result<Vec<WebhookEndpoint>, Fault> {
        Ok(self.store.webhook_endpoints().await?)
    }

    /// Removes endpoint `id` and its queue, in the key's name; None if there is none.
    pub async fn backend_remove_webhook(
        &self,
        req: &Request,
        key: &ApiKey,
        id: &str,
    ) -> Result<Option<WebhookEndpoint>, Fault> {
        admin::remove_webhook(&*self.store, id, (Actor::Key(key), req.now)).await.map_err(failed)
    }

    /// Tells the user of a change to their account's security, after it.
    fn security_notice(&self, req: &Request, u: &User, change: Change) {
        let email = u.email.as_str();
        if !self.is_test(email) {
            let msg = Message::Changed { change, link: format!("{}/account/security", self.origin(req)) };
            self.sender.clone().send_later(Some(email.into()), u.language(req.lang), msg, req.now);
        }
    }

    fn backend_session(&self, u: &User, s: SessionRow, status: &'static str) -> BackendSession {
        BackendSession {
            id: super::public_id(&s.key),
            user_id: u.public_id.clone(),
            status,
            created_at: s.created_at,
            last_active_at: s.last_active_at,
            expire_at: s.expires_at.min(s.last_active_at + self.cfg.settings.sessions.idle),
            device: Device::of(s.user_agent.as_deref(), s.device.as_deref()),
            ip: s.ip,
        }
    }
}

/// An operator's change that failed (its store, or the user gone meanwhile):
/// logged, answered as unavailable.
fn failed(e: String) -> Fault {
    tracing::error!(error = %e, "backend change");
    Fault::Unavailable
}

/// `u` as an app's backend sees it (`users.getUser`; webhooks' user events).
pub(crate) async fn backend_user<S: Store + ?Sized>(
    store: &S,
    settings: &Settings,
    u: &User,
    now: i64,
) -> Result<BackendUser, Fault> {
    let user = super::account::account_view(store, settings, u, Seen::ByBackend).await?;
    let locked = store.locked_until(&u.email, now).await?.is_some();
    let private_metadata = metadata::parse(&u.private_metadata);
    Ok(BackendUser { user, locked, banned: u.banned, private_metadata })
}
