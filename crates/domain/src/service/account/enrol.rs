//! Adding a second factor: an authenticator app or a phone, pending until
//! its first code; the first factor also makes the backup codes.

use super::super::{Dest, Purpose, Service, Unit};
use super::{Current, Open};
use crate::audit::Event;
use crate::mail::Change;
use crate::request::Request;
use crate::secrets;
use crate::store::Store;
use crate::users;
use proto::*;
use std::ops::Deref;

/// A new authenticator app's secret and its otpauth URI, shown once (the
/// edge draws the URI as a QR code: `web::totp_setup`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpSecret {
    pub secret: String,
    pub uri: String,
}

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
    fn notice(&self) -> Change {
        match self {
            Confirm::Totp { .. } => Change::AppAdded,
            Confirm::Phone { .. } => Change::PhoneAdded,
        }
    }
}

impl Service {
    pub async fn totp_start(&self, req: &mut Request) -> Result<TotpSecret, Fault> {
        let now = req.now;
        let c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        self.recent(&c)?;
        if !self.cfg.settings.second_factors.totp {
            return Err(Fault::StrategyInvalid);
        }
        let secret = secrets::totp_secret();
        let sealed = self.keys.seal(&secret).map_err(|e| {
            tracing::error!(error = %e, "sealing a TOTP secret");
            Fault::Unavailable
        })?;
        self.alone(async |u| Ok(u.store.set_pending_totp(c.user.id, Some(&sealed), now).await?)).await?;
        self.totp_setup(&c.user.email, secret)
    }

    /// What the page shows of a secret: itself and its otpauth URI.
    pub(super) fn totp_setup(&self, email: &str, secret: String) -> Result<TotpSecret, Fault> {
        let uri =
            secrets::totp_uri(&secret, email, &users::issuer(Some(&self.cfg.settings))).ok_or(Fault::Unavailable)?;
        Ok(TotpSecret { secret, uri })
    }

    pub async fn totp_verify(&self, req: &mut Request, code: String) -> Result<Changed, Fault> {
        let now = req.now;
        let (c, code) = self.enrol_code(req, &code).await?;
        let sealed = c.user.pending_totp_secret.clone().ok_or(Fault::CodeMissing)?;
        let secret = self.keys.open(&sealed).ok_or(Fault::Unavailable)?;
        let step = secrets::totp_step(&secret, &code, now).ok_or(Fault::CodeIncorrect(None))?;
        self.enrolled(req, c, Confirm::Totp { sealed: &sealed, step }).await
    }

    pub async fn phone_start(&self, req: &mut Request, phone: String) -> Result<UserView, Fault> {
        let now = req.now;
        let mut c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        self.recent(&c)?;
        if !self.cfg.settings.second_factors.phone_code {
            return Err(Fault::StrategyInvalid);
        }
        let phone: String = phone.chars().filter(|ch| !matches!(ch, ' ' | '-' | '(' | ')')).collect();
        if phone.is_empty() {
            return Err(Fault::Missing(Field::PhoneNumber));
        }
        if !users::valid_phone(&phone) {
            return Err(Fault::PhoneInvalid);
        }
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        self.alone(async |u| Ok(u.store.set_pending_phone(c.user.id, Some(&phone), now).await?)).await?;
        let origin = self.origin(req);
        let dest = Dest::Sms(&phone, crate::mail::origin_host(&origin));
        self.issue_code(&c.token, &c.key, Purpose::PhoneVerify, dest, req).await?;
        self.reload(&mut c).await?;
        self.user_view(&c).await
    }

    pub async fn phone_verify(&self, req: &mut Request, code: String) -> Result<Changed, Fault> {
        let (c, code) = self.enrol_code(req, &code).await?;
        let phone = c.user.pending_phone.clone().ok_or(Fault::CodeMissing)?;
        self.enrolled(req, c, Confirm::Phone { phone: &phone, code: &code }).await
    }

    /// The checks before an enrolment code is looked at.
    async fn enrol_code(&self, req: &Request, code: &str) -> Result<(Current, String), Fault> {
        let c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        self.recent(&c)?;
        let code = secrets::normalize_code(code);
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        Ok((c, code))
    }

    /// An enrolment, in one unit: the factor confirmed (its check-and-change),
    /// the default for a first factor, the task done, backup codes, the audit
    /// rows; then the notice.
    async fn enrolled(&self, req: &Request, mut c: Current, confirm: Confirm<'_>) -> Result<Changed, Fault> {
        let first = !(c.user.totp_secret.is_some() || c.user.phone.is_some() || c.user.has_passkey);
        let u = self.unit().await?;
        let r = u.enrol_unit(req, &mut c, &confirm, first).await;
        let backup_codes = u.commit(r).await?;
        self.notify(req, &c, confirm.notice()).await;
        self.reload(&mut c).await?;
        Ok(Changed { user: self.user_view(&c).await?, backup_codes })
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    pub(super) fn backup_codes_made(r: Result<Vec<String>, users::CreateError>) -> Result<Vec<String>, Fault> {
        r.map_err(|e| {
            tracing::error!(error = %e, "backup codes");
            Fault::Unavailable
        })
    }
}

impl Unit {
    async fn enrol_unit(
        &self,
        req: &Request,
        c: &mut Current,
        confirm: &Confirm<'_>,
        first: bool,
    ) -> Result<Vec<String>, Fault> {
        let now = req.now;
        let confirmed = match confirm {
            Confirm::Totp { sealed, step } => self.store.confirm_totp(c.user.id, sealed, *step).await?,
            Confirm::Phone { phone, code } => {
                self.verify_code(&c.token, &c.key, Purpose::PhoneVerify, code, now).await?;
                self.store.confirm_phone(c.user.id, phone).await?
            }
        };
        if !confirmed {
            return Err(Fault::CodeIncorrect(None));
        }
        if first {
            self.store.set_default_factor(c.user.id, Some(confirm.strategy().as_str())).await?;
        }
        let backup_codes = self.after_enrol(req, c, first).await?;
        self.audit(req, Event::FactorAdded, Some(c.user.id), Some(&c.user.email), Some(confirm.strategy().as_str()))
            .await;
        Ok(backup_codes)
    }

    /// After the first second factor: the pending `setup-mfa` session becomes
    /// active, and the user gets backup codes (shown once).
    pub(super) async fn after_enrol(&self, req: &Request, c: &mut Current, first: bool) -> Result<Vec<String>, Fault> {
        let now = req.now;
        // The new factor's code was just proven: a second factor, in this session.
        self.store.session_verified(&c.key, now, true).await?;
        if c.session.task.as_deref() == Some(TASK_SETUP_MFA) {
            self.store.set_task(&c.key, None).await?;
            c.session.task = None;
            self.audit(req, Event::SessionTaskDone, Some(c.user.id), Some(&c.user.email), Some(TASK_SETUP_MFA)).await;
        }
        if first && self.cfg.settings.second_factors.backup_code {
            return Self::backup_codes_made(users::regenerate_backup_codes(&*self.store, c.user.id, now).await);
        }
        Ok(vec![])
    }
}
