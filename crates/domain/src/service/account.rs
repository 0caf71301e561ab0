//! Managing one's own second factors and sessions: the account pages' backend.
//! Every change needs a session that is active (or pending, for the
//! `setup-mfa` task's enrolment steps) and a recent re-verification; each
//! change is audited and the user gets an email notice.

use super::{db, mask_phone, Dest, Purpose, Service, Unit, MAX_PASSWORD_BYTES};
use crate::audit::Event;
use crate::mail;
use crate::request::Request;
use crate::secrets;
use crate::store::Store;
use crate::store::{Session, User};
use crate::users;
use proto::*;
use sha2::{Digest, Sha256};
use std::ops::Deref;

/// The check-and-change that completes an enrolment.
enum Confirm<'a> {
    /// The pending secret, still as sealed, becomes the user's; `step` is used.
    Totp { sealed: &'a str, step: i64 },
    /// The phone's code checks out, and the pending phone becomes the user's.
    Phone { phone: &'a str, code: &'a str },
}

impl Confirm<'_> {
    fn strategy(&self) -> Strategy {
        match self {
            Confirm::Totp { .. } => Strategy::Totp,
            Confirm::Phone { .. } => Strategy::PhoneCode,
        }
    }

    /// What the user's notice email says was added.
    fn notice(&self) -> &'static str {
        match self {
            Confirm::Totp { .. } => "an authenticator app was added",
            Confirm::Phone { .. } => "a phone number was added for text-message codes",
        }
    }
}

/// The request's session and its user.
pub struct Current {
    pub token: String,
    pub key: String,
    pub session: Session,
    pub user: User,
}

/// A session's public id: derived from its key, revealing neither it nor the token.
pub fn public_id(key: &str) -> String {
    hex::encode(&Sha256::digest(format!("session-id:{key}").as_bytes())[..12])
}

/// "Chrome on Linux" from a user agent, good enough to tell devices apart.
pub fn device(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("");
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
    /// The live session of this request. A pending one passes only when
    /// `allow_pending` (its task's own steps).
    pub(crate) async fn current(&self, req: &Request, allow_pending: bool, now: i64) -> Result<Current, Fault> {
        let Some((key, session)) = self.active_session(req, now).await? else { return Err(Fault::SignedOut) };
        if session.task.is_some() && !allow_pending {
            return Err(Fault::SignedOut);
        }
        let token = self.session_token(req).ok_or(Fault::SignedOut)?.to_string();
        let user = db(self.store.user(session.user_id).await)?.ok_or(Fault::SignedOut)?;
        Ok(Current { token, key, session, user })
    }

    pub async fn user(&self, req: &mut Request) -> Result<Option<UserView>, Fault> {
        let now = req.now;
        match self.current(req, true, now).await {
            Ok(c) => Ok(Some(self.user_view(&c, now).await?)),
            Err(Fault::SignedOut) => Ok(None),
            Err(f) => Err(f),
        }
    }

    pub async fn reverify(&self, req: &mut Request, s: Strategy, secret: String) -> Result<UserView, Fault> {
        let now = req.now;
        let c = self.current(req, true, now).await?;
        let secret = secret.trim().to_string();
        if secret.is_empty() {
            let field = if s == Strategy::Password { Field::Password } else { Field::Code };
            return Err(Fault::Missing(field));
        }
        // A method the account cannot use is refused before any try counts.
        let usable = match s {
            Strategy::Password | Strategy::BackupCode => true,
            // TOTP as sign-in takes it: not once switched off for a user with another factor.
            Strategy::Totp => self.factors(&c.user).await?.totp,
            _ => false,
        };
        if !usable {
            return Err(Fault::StrategyInvalid);
        }
        // Failures count toward the account's lockout, as at sign-in.
        let subject = c.user.email.clone();
        self.checked_try(req, (&subject, Some(c.user.id)), Event::UserReverifyFailed, now, async || {
            let ok = match s {
                Strategy::Password => {
                    secret.len() <= MAX_PASSWORD_BYTES
                        && secrets::verify_password_async(secret.clone(), c.user.password_hash.clone()).await
                }
                Strategy::Totp => alone!(self, u => u.check_totp(&c.user, &secret, now).await)?,
                _ => alone!(self, u => u.check_backup_code(c.user.id, &secret, now).await)?,
            };
            if ok {
                Ok(())
            } else if s == Strategy::Password {
                Err(Fault::PasswordIncorrect)
            } else {
                Err(Fault::CodeIncorrect)
            }
        })
        .await?;
        alone!(self, u => {
            db(u.store.lockout_release(&subject, self.cfg.s.lockout.threshold).await)?;
            db(u.store.session_verified(&c.key, now).await)?;
            u.audit(req, Event::UserReverified, Some(c.user.id), Some(&subject), Some(s.as_str())).await;
            Ok(())
        })?;
        let c = Current { session: Session { verified_at: now, ..c.session }, ..c };
        self.user_view(&c, now).await
    }

    pub async fn totp_start(&self, req: &mut Request) -> Result<TotpSetup, Fault> {
        let now = req.now;
        let c = self.current(req, true, now).await?;
        self.recent(&c, now)?;
        if !self.cfg.s.second_factors.totp {
            return Err(Fault::StrategyInvalid);
        }
        let secret = secrets::totp_secret();
        let sealed = self.keys.seal(&secret).map_err(|e| {
            tracing::error!(error = %e, "sealing a TOTP secret");
            Fault::Unavailable
        })?;
        alone!(self, u => db(u.store.set_pending_totp(c.user.id, Some(&sealed), now).await))?;
        let uri = secrets::totp_uri(&secret, &c.user.email, users::ISSUER).ok_or(Fault::Unavailable)?;
        let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|_| Fault::Unavailable)?;
        let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
        Ok(TotpSetup { secret, uri, qr_svg })
    }

    /// The checks before an enrolment code is looked at.
    async fn enrol_code<'a>(&self, req: &Request, code: &'a str, now: i64) -> Result<(Current, &'a str), Fault> {
        let c = self.current(req, true, now).await?;
        self.recent(&c, now)?;
        let code = code.trim();
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        self.rate_limit(req, "verify", self.cfg.s.rate_limits.verify, now).await?;
        Ok((c, code))
    }

    /// An enrolment, in one unit: the factor confirmed (its check-and-change),
    /// the default for a first factor, the task done, backup codes, the audit
    /// rows; then the notice.
    async fn enrolled(&self, req: &Request, mut c: Current, confirm: Confirm<'_>, now: i64) -> Result<Changed, Fault> {
        let first = !(c.user.totp_secret.is_some() || c.user.phone.is_some());
        let u = self.unit().await?;
        let r = u.enrol_unit(req, &mut c, &confirm, first, now).await;
        let backup_codes = u.commit(r).await?;
        self.notify(req, &c, confirm.notice(), now).await;
        self.reload(&mut c).await?;
        Ok(Changed { user: self.user_view(&c, now).await?, backup_codes })
    }

    pub async fn totp_verify(&self, req: &mut Request, code: String) -> Result<Changed, Fault> {
        let now = req.now;
        let (c, code) = self.enrol_code(req, &code, now).await?;
        let sealed = c.user.pending_totp_secret.clone().ok_or(Fault::CodeMissing)?;
        let secret = self.keys.open(&sealed).ok_or(Fault::Unavailable)?;
        let step = secrets::totp_step(&secret, code, now).ok_or(Fault::CodeIncorrect)?;
        self.enrolled(req, c, Confirm::Totp { sealed: &sealed, step }, now).await
    }

    pub async fn phone_start(&self, req: &mut Request, phone: String) -> Result<UserView, Fault> {
        let now = req.now;
        let mut c = self.current(req, true, now).await?;
        self.recent(&c, now)?;
        if !self.cfg.s.second_factors.phone_code {
            return Err(Fault::StrategyInvalid);
        }
        let phone: String = phone.chars().filter(|ch| !matches!(ch, ' ' | '-' | '(' | ')')).collect();
        if phone.is_empty() {
            return Err(Fault::Missing(Field::PhoneNumber));
        }
        if !users::valid_phone(&phone) {
            return Err(Fault::PhoneInvalid);
        }
        self.rate_limit(req, "verify", self.cfg.s.rate_limits.verify, now).await?;
        alone!(self, u => db(u.store.set_pending_phone(c.user.id, Some(&phone), now).await))?;
        self.issue_code(&c.token, &c.key, Purpose::PhoneVerify, Dest::Sms(&phone), now).await?;
        self.reload(&mut c).await?;
        self.user_view(&c, now).await
    }

    pub async fn phone_verify(&self, req: &mut Request, code: String) -> Result<Changed, Fault> {
        let now = req.now;
        let (c, code) = self.enrol_code(req, &code, now).await?;
        let phone = c.user.pending_phone.clone().ok_or(Fault::CodeMissing)?;
        self.enrolled(req, c, Confirm::Phone { phone: &phone, code }, now).await
    }

    pub async fn set_default(&self, req: &mut Request, s: Strategy) -> Result<UserView, Fault> {
        let now = req.now;
        let mut c = self.current(req, false, now).await?;
        self.recent(&c, now)?;
        let has = match s {
            Strategy::Totp => c.user.totp_secret.is_some(),
            Strategy::PhoneCode => c.user.phone.is_some(),
            _ => false,
        };
        if !has {
            return Err(Fault::StrategyInvalid);
        }
        let u = self.unit().await?;
        let r = db(u.store.set_default_factor(c.user.id, Some(s.as_str())).await);
        if r.is_ok() {
            u.audit_change(req, &c, Event::FactorDefault).await;
        }
        u.commit(r).await?;
        let what = if s == Strategy::Totp { "your authenticator app" } else { "text-message codes" };
        self.notify(req, &c, &format!("the default second factor is now {what}"), now).await;
        self.reload(&mut c).await?;
        self.user_view(&c, now).await
    }

    pub async fn backup_codes(&self, req: &mut Request) -> Result<Changed, Fault> {
        let now = req.now;
        let mut c = self.current(req, false, now).await?;
        self.recent(&c, now)?;
        if !self.cfg.s.second_factors.backup_code {
            return Err(Fault::StrategyInvalid);
        }
        // Backup codes only stand beside another factor.
        if c.user.totp_secret.is_none() && c.user.phone.is_none() {
            return Err(Fault::BackupCodesNotAvailable);
        }
        let u = self.unit().await?;
        let r = Self::backup_codes_made(users::regenerate_backup_codes(u.store.as_ref(), c.user.id, now).await);
        if r.is_ok() {
            u.audit_change(req, &c, Event::FactorBackupCodes).await;
        }
        let codes = u.commit(r).await?;
        self.notify(req, &c, "new backup codes were made; the old ones no longer work", now).await;
        self.reload(&mut c).await?;
        Ok(Changed { user: self.user_view(&c, now).await?, backup_codes: codes })
    }

    pub async fn remove_factor(&self, req: &mut Request, s: Strategy) -> Result<UserView, Fault> {
        let now = req.now;
        let mut c = self.current(req, false, now).await?;
        self.recent(&c, now)?;
        let u = self.unit().await?;
        let r = u.remove_unit(req, &c, s).await;
        u.commit(r).await?;
        let what = match s {
            Strategy::Totp => "an authenticator app was removed",
            Strategy::PhoneCode => "a phone number was removed",
            _ => "your backup codes were removed",
        };
        self.notify(req, &c, what, now).await;
        self.reload(&mut c).await?;
        self.user_view(&c, now).await
    }

    pub async fn sessions(&self, req: &mut Request) -> Result<Vec<SessionInfo>, Fault> {
        let now = req.now;
        let c = self.current(req, false, now).await?;
        self.session_list(&c, now).await
    }

    pub async fn revoke_session(&self, req: &mut Request, id: String) -> Result<Vec<SessionInfo>, Fault> {
        let now = req.now;
        let c = self.current(req, false, now).await?;
        let target = db(self.store.sessions_of(c.user.id).await)?
            .into_iter()
            .find(|s| secrets::same(&public_id(&s.key), id.trim()))
            .ok_or(Fault::SessionNotFound)?;
        alone!(self, u => {
            if !db(u.store.delete_user_session(&target.key, c.user.id).await)? {
                return Err(Fault::SessionNotFound);
            }
            u.audit(req, Event::SessionRevoked, Some(c.user.id), Some(&c.user.email), None).await;
            Ok(())
        })?;
        self.session_list(&c, now).await
    }

    pub async fn revoke_others(&self, req: &mut Request) -> Result<Vec<SessionInfo>, Fault> {
        let now = req.now;
        let c = self.current(req, false, now).await?;
        alone!(self, u => {
            let n = db(u.store.delete_other_sessions(c.user.id, &c.key).await)?;
            u.audit(req, Event::SessionRevokedOthers, Some(c.user.id), Some(&c.user.email), Some(&n.to_string())).await;
            Ok(())
        })?;
        self.session_list(&c, now).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// Changes need the password or a second factor in the last 10 minutes.
    fn recent(&self, c: &Current, now: i64) -> Result<(), Fault> {
        if now - c.session.verified_at < self.cfg.s.sessions.reverification {
            Ok(())
        } else {
            Err(Fault::ReverificationRequired)
        }
    }

    pub(crate) async fn user_view(&self, c: &Current, now: i64) -> Result<UserView, Fault> {
        let u = &c.user;
        let on = &self.cfg.s.second_factors;
        let backup = db(self.store.unused_backup_codes(u.id).await)?.len() as u32;
        // The factors sign-in asks for, a switched-off one a user relies on included.
        let usable = self.enabled_factors(u, backup > 0);
        let default = u.default_factor.as_deref();
        let mut factors = Vec::new();
        if usable.totp {
            factors.push(FactorView { strategy: Strategy::Totp, safe_identifier: None, default: false });
        }
        if usable.phone {
            if let Some(p) = &u.phone {
                factors.push(FactorView {
                    strategy: Strategy::PhoneCode,
                    safe_identifier: Some(mask_phone(p)),
                    default: false,
                });
            }
        }
        // The default first; without one, the first listed is it.
        if let Some(i) = factors.iter().position(|f| Some(f.strategy.as_str()) == default) {
            let f = factors.remove(i);
            factors.insert(0, f);
        }
        if let Some(f) = factors.first_mut() {
            f.default = true;
        }
        Ok(UserView {
            email: u.email.clone(),
            factors,
            backup_codes_remaining: if on.backup_code { backup } else { 0 },
            require_mfa: self.cfg.s.require_mfa,
            needs_reverification: now - c.session.verified_at >= self.cfg.s.sessions.reverification,
            task: c.session.task.clone(),
            pending_phone: u.pending_phone.as_deref().map(mask_phone),
        })
    }

    /// Reloads the user after a change.
    async fn reload(&self, c: &mut Current) -> Result<(), Fault> {
        c.user = db(self.store.user(c.user.id).await)?.ok_or(Fault::SignedOut)?;
        Ok(())
    }

    /// Tells the user of a change by email, after its unit committed (a send
    /// inside one would hold the database). A failed email is logged: the
    /// change itself stands.
    async fn notify(&self, req: &Request, c: &Current, what: &str, now: i64) {
        let link = format!("{}/account/security", self.origin(req));
        if !self.is_test(&c.user.email) {
            if let Err(e) = self.sender.send_email(&c.user.email, &mail::notice_mail(what, &link), now).await {
                tracing::error!(error = %e, "notice delivery failed");
            }
        }
    }

    fn backup_codes_made(r: Result<Vec<String>, users::CreateError>) -> Result<Vec<String>, Fault> {
        r.map_err(|e| {
            tracing::error!(error = %e, "backup codes");
            Fault::Unavailable
        })
    }

    async fn session_list(&self, c: &Current, now: i64) -> Result<Vec<SessionInfo>, Fault> {
        let idle = self.cfg.s.sessions.idle;
        Ok(db(self.store.sessions_of(c.user.id).await)?
            .into_iter()
            .filter(|s| s.expires_at > now && !crate::flow::idled_out(s.last_active_at, now, idle))
            .map(|s| SessionInfo {
                id: public_id(&s.key),
                device: device(s.user_agent.as_deref()),
                ip: s.ip,
                created_at: s.created_at,
                last_active_at: s.last_active_at,
                current: s.key == c.key,
            })
            .collect())
    }
}

impl Unit {
    async fn audit_change(&self, req: &Request, c: &Current, event: Event) {
        self.audit(req, event, Some(c.user.id), Some(&c.user.email), None).await;
    }

    /// After the first second factor: the pending `setup-mfa` session becomes
    /// active, and the user gets backup codes (shown once).
    async fn after_enrol(&self, req: &Request, c: &mut Current, first: bool, now: i64) -> Result<Vec<String>, Fault> {
        if c.session.task.as_deref() == Some(TASK_SETUP_MFA) {
            db(self.store.set_task(&c.key, None).await)?;
            c.session.task = None;
            self.audit(req, Event::SessionTaskDone, Some(c.user.id), Some(&c.user.email), Some(TASK_SETUP_MFA)).await;
        }
        if first && self.cfg.s.second_factors.backup_code {
            return Self::backup_codes_made(users::regenerate_backup_codes(self.store.as_ref(), c.user.id, now).await);
        }
        Ok(vec![])
    }

    async fn enrol_unit(
        &self,
        req: &Request,
        c: &mut Current,
        confirm: &Confirm<'_>,
        first: bool,
        now: i64,
    ) -> Result<Vec<String>, Fault> {
        let confirmed = match confirm {
            Confirm::Totp { sealed, step } => db(self.store.confirm_totp(c.user.id, sealed, *step).await)?,
            Confirm::Phone { phone, code } => {
                self.verify_code(&c.token, &c.key, Purpose::PhoneVerify, code, now).await?;
                db(self.store.confirm_phone(c.user.id, phone).await)?
            }
        };
        if !confirmed {
            return Err(Fault::CodeIncorrect);
        }
        if first {
            db(self.store.set_default_factor(c.user.id, Some(confirm.strategy().as_str())).await)?;
        }
        let backup_codes = self.after_enrol(req, c, first, now).await?;
        self.audit_change(req, c, Event::FactorAdded).await;
        Ok(backup_codes)
    }

    /// A removal, in one unit, checked against the user as the unit reads it.
    async fn remove_unit(&self, req: &Request, c: &Current, s: Strategy) -> Result<(), Fault> {
        let u = db(self.store.user(c.user.id).await)?.ok_or(Fault::SignedOut)?;
        let (has, other) = match s {
            Strategy::Totp => (u.totp_secret.is_some(), u.phone.is_some()),
            Strategy::PhoneCode => (u.phone.is_some(), u.totp_secret.is_some()),
            Strategy::BackupCode => (!db(self.store.unused_backup_codes(u.id).await)?.is_empty(), true),
            _ => (false, true),
        };
        if !has {
            return Err(Fault::StrategyInvalid);
        }
        if !other && self.cfg.s.require_mfa {
            return Err(Fault::MfaRequired);
        }
        // The check above, again in the statement that removes: a removal
        // running beside this one may have taken the other factor.
        let keep_one = self.cfg.s.require_mfa;
        let removed = match s {
            Strategy::Totp => db(self.store.remove_totp(u.id, keep_one).await)?,
            Strategy::PhoneCode => db(self.store.remove_phone(u.id, keep_one).await)?,
            _ => db(self.store.set_backup_codes(u.id, &[]).await).map(|()| true)?,
        };
        if !removed {
            return Err(Fault::MfaRequired);
        }
        if s != Strategy::BackupCode {
            // The last factor takes the backup codes with it; the default
            // moves to what remains.
            let next = if other {
                Some(if s == Strategy::Totp { Strategy::PhoneCode } else { Strategy::Totp }.as_str())
            } else {
                db(self.store.set_backup_codes(u.id, &[]).await)?;
                None
            };
            if u.default_factor.as_deref() == Some(s.as_str()) || next.is_none() {
                db(self.store.set_default_factor(u.id, next).await)?;
            }
        }
        self.audit_change(req, c, Event::FactorRemoved).await;
        Ok(())
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
        assert_eq!(device(None), "Unknown device");
    }

    #[test]
    fn public_ids_hide_the_key() {
        let id = public_id("abc");
        assert_eq!(id.len(), 24);
        assert!(!id.contains("abc"));
        assert_ne!(public_id("abd"), id);
    }
}
