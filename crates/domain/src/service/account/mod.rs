//! Managing one's own second factors and sessions: the account pages' backend.
//! Every change needs a session that is active (or pending, for the
//! `setup-mfa` task's enrolment steps) and a recent re-verification; each
//! change is audited and the user gets an email notice. Here: the request's
//! account, and re-verification.

mod data;
mod devices;
mod enrol;
mod factors;
mod passkeys;
mod password;
mod profile;
mod sessions;
mod shown;

pub use enrol::TotpSecret;
pub use sessions::{public_id, sign_in_id, sign_up_id};

use super::{mask_phone, Account, Ledger, Service, Unit, MAX_PASSWORD_BYTES};
use crate::audit::Event;
use crate::mail::{Change, Message};
use crate::request::Request;
use crate::secrets;
use crate::settings::Settings;
use crate::store::prelude::*;
use crate::store::Store;
use crate::store::{Session, User};
use proto::*;
use std::ops::Deref;

/// The request's session and its user.
pub struct Current {
    pub token: String,
    pub key: String,
    pub session: Session,
    pub user: User,
    /// The time of the request it was read for.
    pub now: i64,
}

/// Who reads an account: the user themselves (phones masked, as on their
/// pages), or an app's backend with a secret key (the numbers whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    ByUser,
    ByBackend,
}

/// The sessions a step is open to. A pending session (one with a task)
/// may take only its task's steps: an enrolment made from a
/// `reset-password` session would replace the owner's factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Open {
    /// Active sessions only.
    Active,
    /// Active sessions, and pending ones whose task is this.
    AndTask(&'static str),
    /// Any live session: reading the account, re-verifying.
    Any,
}

impl Open {
    fn admits(self, task: Option<&str>) -> bool {
        match (self, task) {
            (_, None) | (Open::Any, _) => true,
            (Open::AndTask(t), Some(task)) => t == task,
            (Open::Active, Some(_)) => false,
        }
    }
}

impl Service {
    /// The live session of this request, if `open` admits it.
    pub(crate) async fn current(&self, req: &Request, open: Open) -> Result<Current, Fault> {
        let Some((key, session)) = self.active_session(req).await? else { return Err(Fault::SignedOut) };
        if !open.admits(session.task.as_deref()) {
            return Err(Fault::SignedOut);
        }
        let token = self.session_token(req).ok_or(Fault::SignedOut)?.to_string();
        let user = self.store.user(session.user_id).await?.ok_or(Fault::SignedOut)?;
        Ok(Current { token, key, session, user, now: req.now })
    }

    pub async fn user(&self, req: &mut Request) -> Result<Option<UserView>, Fault> {
        match self.current(req, Open::Any).await {
            Ok(c) => Ok(Some(self.user_view(&c).await?)),
            Err(Fault::SignedOut) => Ok(None),
            Err(f) => Err(f),
        }
    }

    /// The language the user chose (the pages' menu): the account's
    /// notices are written in it from now on.
    pub async fn set_language(&self, req: &mut Request, lang: proto::Lang) -> Result<(), Fault> {
        let c = self.current(req, Open::Any).await?;
        self.alone(async |u| Ok(u.store.set_lang(c.user.id, lang.tag()).await?)).await
    }

    pub async fn reverify(&self, req: &mut Request, s: Strategy, secret: String) -> Result<UserView, Fault> {
        let now = req.now;
        let c = self.current(req, Open::Any).await?;
        let secret = if s == Strategy::Password { secret.trim().to_string() } else { secrets::normalize_code(&secret) };
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
        let lock = self
            .checked_try(
                req,
                Account { subject: &subject, user_id: Some(c.user.id) },
                (Event::UserReverifyFailed, Some(s.as_str())),
                async || {
                    let ok = match s {
                        Strategy::Password => {
                            secret.len() <= MAX_PASSWORD_BYTES
                                && secrets::verify_password_async(
                                    secret.clone(),
                                    c.user.password_hash.clone(),
                                    self.floor.get(),
                                )
                                .await
                        }
                        Strategy::Totp => self.alone(async |u| u.check_totp(&c.user, &secret, now).await).await?,
                        _ => self.alone(async |u| u.check_backup_code(c.user.id, &secret, now).await).await?,
                    };
                    if ok {
                        Ok(())
                    } else if s == Strategy::Password {
                        Err(Fault::PasswordIncorrect(None))
                    } else {
                        Err(Fault::CodeIncorrect(None))
                    }
                },
            )
            .await?;
        self.alone(async |u| {
            u.release_try(&lock).await?;
            u.store.session_verified(&c.key, now, s != Strategy::Password).await?;
            u.audit(req, Event::UserReverified, Some(c.user.id), Some(&subject), Some(s.as_str())).await;
            Ok(())
        })
        .await?;
        let session = match s {
            Strategy::Password => Session { verified_at: now, first_factor_at: now, ..c.session },
            _ => Session { verified_at: now, second_factor_at: Some(now), ..c.session },
        };
        let c = Current { session, ..c };
        self.user_view(&c).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// Changes need the password or a second factor within the window
    /// (`[sessions] reverification`).
    fn recent(&self, c: &Current) -> Result<(), Fault> {
        if c.now - c.session.verified_at < self.cfg.settings.sessions.reverification {
            Ok(())
        } else {
            Err(Fault::ReverificationRequired)
        }
    }

    pub(crate) async fn user_view(&self, c: &Current) -> Result<UserView, Fault> {
        let view = self.account_view(&c.user, Seen::ByUser).await?;
        Ok(UserView {
            needs_reverification: c.now - c.session.verified_at >= self.cfg.settings.sessions.reverification,
            task: c.session.task.clone(),
            ..view
        })
    }

    /// The account as the user (phones masked) or an app's backend sees
    /// it, without a session's state (`account_view`).
    pub(crate) async fn account_view(&self, u: &User, seen: Seen) -> Result<UserView, Fault> {
        account_view(&*self.store, &self.cfg.settings, u, seen).await
    }

    /// Reloads the user after a change.
    async fn reload(&self, c: &mut Current) -> Result<(), Fault> {
        c.user = self.store.user(c.user.id).await?.ok_or(Fault::SignedOut)?;
        Ok(())
    }

    /// Tells the user of a change by email, after its unit committed (a send
    /// inside one would hold the database). A failed email is logged: the
    /// change itself stands.
    async fn notify(&self, req: &Request, c: &Current, change: Change) {
        let link = format!("{}/account/security", self.origin(req));
        if !self.is_test(&c.user.email) {
            if let Err(e) = self
                .sender
                .send(&c.user.email, c.user.language(req.lang), &Message::Changed { change, link }, req.now)
                .await
            {
                tracing::error!(error = %e, "notice delivery failed");
            }
        }
    }
}

impl Unit {
    async fn audit_change(&self, req: &Request, c: &Current, event: Event) {
        self.audit(req, event, Some(c.user.id), Some(&c.user.email), None).await;
    }
}

/// The account as the user (phones masked) or an app's backend sees
/// it, without a session's state.
pub(crate) async fn account_view<S: Store + ?Sized>(
    store: &S,
    settings: &Settings,
    u: &User,
    seen: Seen,
) -> Result<UserView, Fault> {
    let phone = |p: &str| match seen {
        Seen::ByUser => mask_phone(p),
        Seen::ByBackend => p.to_string(),
    };
    let on = &settings.second_factors;
    let backup = store.unused_backup_codes(u.id).await?.len() as u32;
    // The factors sign-in asks for, a switched-off one a user relies on included.
    let usable = super::enabled_factors(settings, u, backup > 0);
    let default = u.default_factor.as_deref();
    let mut factors = Vec::new();
    if usable.totp {
        factors.push(FactorView { strategy: Strategy::Totp, safe_identifier: None, default: false });
    }
    if usable.phone {
        if let Some(p) = &u.phone {
            factors.push(FactorView { strategy: Strategy::PhoneCode, safe_identifier: Some(phone(p)), default: false });
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
        id: u.public_id.clone(),
        email: u.email.clone(),
        created_at: u.created_at,
        factors,
        backup_codes_remaining: if on.backup_code { backup } else { 0 },
        require_mfa: settings.require_mfa,
        reverification_minutes: u32::try_from(settings.sessions.reverification.saturating_add(59) / 60).unwrap_or(0),
        pending_phone: u.pending_phone.as_deref().map(phone),
        passkeys: store
            .passkeys_of(u.id)
            .await?
            .into_iter()
            .map(|p| PasskeyView {
                id: p.public_id,
                name: p.name,
                created_at: p.created_at,
                last_used_at: p.last_used_at,
                synced: p.backup_state,
            })
            .collect(),
        passkeys_enabled: settings.passkeys.manage,
        backup_codes_enabled: settings.second_factors.backup_code,
        password_enabled: u.password_hash != secrets::NO_PASSWORD,
        public_metadata: crate::metadata::parse(&u.public_metadata),
        unsafe_metadata: crate::metadata::parse(&u.unsafe_metadata),
        ..UserView::default()
    })
}
