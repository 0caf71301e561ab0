//! Sign-in from an identifier alone: forgot password (a reset code, then a
//! new password, then the second factor all the same), an emailed code in
//! place of the password, and self-service unlock. Every address gets the
//! same steps, answers and timing: an unknown one holds a code nobody knows
//! and is sent nothing.

use super::{mask_email, Account, Dest, Ledger, Purpose, Service, Unit, MAX_PASSWORD_BYTES};
use crate::audit::Event;
use crate::flow::{Attempt, Claim, Lookup, Stage, Step, ATTEMPT_TTL};
use crate::mail::{Change, CodeFor, Message};
use crate::policy;
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::{Store, User};
use proto::*;
use std::ops::Deref;

/// Emailed first-factor codes per address and hour, whoever asks: the
/// resend interval holds per attempt, this across attempts (no mail bombing).
const EMAILS_PER_HOUR: i64 = 10;

/// What a first-factor strategy's code is stored as, and says in its email.
fn purpose(s: Strategy) -> Result<(Purpose, CodeFor), Fault> {
    match s {
        Strategy::ResetPasswordEmailCode => Ok((Purpose::ResetPassword, CodeFor::ResetPassword)),
        Strategy::EmailCode => Ok((Purpose::SignInEmail, CodeFor::SignIn)),
        Strategy::UnlockEmailCode => Ok((Purpose::Unlock, CodeFor::Unlock)),
        _ => Err(Fault::StrategyInvalid),
    }
}

impl Service {
    /// `signIn.create({ identifier, strategy? })`: an identifier-only attempt
    /// (`needs_first_factor`); with a first-factor `strategy`, its code is
    /// sent too (what a form without JavaScript needs).
    pub async fn create(
        &self,
        req: &mut Request,
        identifier: String,
        strategy: Option<Strategy>,
    ) -> Result<SignInView, Fault> {
        let now = req.now;
        if identifier.trim().is_empty() {
            return Err(Fault::Missing(Field::Identifier));
        }
        let email = policy::email(&identifier).ok_or(Fault::IdentifierInvalid)?;
        if let Some(s) = strategy {
            purpose(s)?;
        }
        // A pending session counts as signed out, as at the password.
        if self.active_session(req).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        self.rate_limit(req, "create", self.cfg.settings.rate_limits.create).await?;
        let client = self.client_key(req);
        let claim = self.store.sign_in_subject(&email, Some(&client)).await?.map(|s| Claim {
            user_id: s.user.id,
            identifier: s.user.email.clone(),
            factors: self.enabled_factors(&s.user, s.has_backup),
            client_known: s.client_known,
        });
        let lookup = Lookup { identifier: email, claim, email_code: self.cfg.settings.email_code_sign_in };
        let attempt = Attempt::identified(lookup, now);
        let token = secrets::token();
        let key = secrets::token_key(&token);
        self.alone(async |u| {
            if let Some(old) = req.token(Jar::SignIn) {
                u.store.delete_attempt(&secrets::token_key(old)).await?;
            }
            Ok(u.store.insert_attempt(&key, &attempt).await?)
        })
        .await?;
        req.set(Jar::SignIn, &token, ATTEMPT_TTL);
        match strategy {
            Some(s) => self.prepare_first_factor(req, s).await,
            None => self.view(req, Some(&key), &attempt).await,
        }
    }

    /// `signIn.resetPasswordEmailCode.sendCode()`, `signIn.emailCode.sendCode()`,
    /// and the unlock code's send.
    pub async fn prepare_first_factor(&self, req: &mut Request, s: Strategy) -> Result<SignInView, Fault> {
        let now = req.now;
        let (token, key, a) = self.load(req).await?;
        a.check(Step::Prepare(s), now)?;
        let (purpose, what) = purpose(s)?;
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        let Stage::NeedsFirstFactor(l) = &a.stage else { return Err(Fault::InvalidState) };
        if s == Strategy::UnlockEmailCode && self.store.locked_until(&l.identifier, now).await?.is_none() {
            // Nothing to lift (for any address: unknown ones lock alike).
            return Err(Fault::InvalidState);
        }
        self.alone(async |u| {
            let (hits, start) = u.store.rate_hit("email_codes", &l.identifier, now, 3600).await?;
            if hits > EMAILS_PER_HOUR {
                return Err(Fault::TooManyRequests((start + 3600 - now).max(1) as u32));
            }
            Ok(())
        })
        .await?;
        let dest = Dest::Later(l.claim.as_ref().map(|c| c.identifier.as_str()), what);
        self.issue_code(&token, &key, purpose, dest, req).await?;
        let user = l.claim.as_ref().map(|c| c.user_id);
        self.audit(req, Event::SignInCodeSent, user, Some(&l.identifier), Some(s.as_str())).await;
        self.view(req, Some(&key), &a).await
    }

    /// `verifyCode({ code })` of the three: a reset code leads to
    /// `needs_new_password`, an email code to the second factor (or
    /// `complete`); an unlock code lets this browser try again and starts
    /// the sign-in over at the password. A passkey's answer (begun with a
    /// passkey) is its credential.
    pub async fn attempt_first_factor(
        &self,
        req: &mut Request,
        s: Strategy,
        answer: impl Into<Answer>,
    ) -> Result<SignInView, Fault> {
        let Answer { code, public_key_credential } = answer.into();
        if s == Strategy::Passkey {
            return self.attempt_passkey(req, public_key_credential).await;
        }
        let now = req.now;
        let (token, key, a) = self.load(req).await?;
        a.check(Step::Verify(s), now)?;
        let (purpose, _) = purpose(s)?;
        let code = &secrets::normalize_code(&code);
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        let Stage::NeedsFirstFactor(l) = &a.stage else { return Err(Fault::InvalidState) };
        let subject = l.identifier.clone();
        let user = l.claim.as_ref().map(|c| c.user_id);
        let code = Code { token: &token, key: &key, purpose, code };
        let u = self.unit().await?;
        let r = if s == Strategy::UnlockEmailCode {
            // The account is locked, so these tries cannot count toward it:
            // the code's own cap and the per-IP limit bound them.
            u.unlock_unit(req, &subject, user, code).await
        } else {
            // Wrong codes count toward the account's lockout, known or not.
            u.first_factor_unit(req, s, (&subject, user), &a, code).await
        };
        let next = u.commit(r).await?;
        match next {
            Some(next) => self.view(req, Some(&key), &next).await,
            None => {
                req.clear(Jar::SignIn);
                Ok(SignInView::unlocked(subject))
            }
        }
    }

    /// `signIn.submitPassword({ password, signOutOfOtherSessions })` at
    /// `needs_new_password`: the sign-up policy, not the old password; then
    /// the second factor if the user has one.
    pub async fn reset_password(
        &self,
        req: &mut Request,
        password: String,
        sign_out_others: impl Into<Option<bool>>,
    ) -> Result<SignInView, Fault> {
        let sign_out_others = super::sign_out_others(sign_out_others.into());
        let now = req.now;
        let (_, key, a) = self.load(req).await?;
        a.check(Step::NewPassword, now)?;
        let claim = a.claim().ok_or(Fault::InvalidState)?.clone();
        let user = self.store.user(claim.user_id).await?.ok_or(Fault::SignInNotFound)?;
        let hash = self.new_password_hash(&password, &user).await?;
        let next = a.new_password_set(now)?;
        self.alone(async |u| {
            if !u.store.update_attempt(&key, a.status(), &next).await? {
                return Err(Fault::InvalidState);
            }
            u.store.set_password(user.id, &hash, false).await?;
            let ended = if sign_out_others { u.store.delete_user_sessions(user.id).await? } else { 0 };
            if next.status() == Status::Complete {
                // A completed sign-in forgets the failures (as after a second factor).
                u.forget_failures(&u.lock_subject(req, &claim.identifier).await?).await?;
            }
            let detail = format!("sessions_ended={ended}");
            u.audit(req, Event::PasswordReset, Some(user.id), Some(&user.email), Some(&detail)).await;
            Ok(())
        })
        .await?;
        self.password_notice(req, &user);
        self.view(req, Some(&key), &next).await
    }

    /// The hash of a new password for `user`, checked first: the sign-up
    /// policy, and not the current password (one more argon2 verify).
    pub(crate) async fn new_password_hash(&self, password: &str, user: &crate::store::User) -> Result<String, Fault> {
        if password.is_empty() {
            return Err(Fault::Missing(Field::Password));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Fault::PasswordTooLong(policy::MAX as u16));
        }
        // The length rule follows the user's factors, as at sign-up (8 with
        // MFA, 15 without).
        let with_mfa = self.cfg.settings.require_mfa || self.factors(user).await?.has_primary();
        policy::check(password, &user.email, with_mfa)?;
        if secrets::verify_password_async(password.to_string(), user.password_hash.clone(), self.floor.get()).await {
            return Err(Fault::PasswordSame);
        }
        secrets::hash_password_async(password.to_string()).await.map_err(|e| {
            tracing::error!(error = %e, "hashing a new password");
            Fault::Unavailable
        })
    }

    /// The email a user gets after their password changed, sent after the
    /// answer (a reset's timing must not differ from an unknown address's).
    pub(crate) fn password_notice(&self, req: &Request, user: &User) {
        let (now, email) = (req.now, user.email.as_str());
        if !self.is_test(email) {
            let link = format!("{}/account/security", self.origin(req));
            let msg = Message::Changed { change: Change::PasswordSet, link };
            self.sender.clone().send_later(Some(email.into()), user.language(req.lang), msg, now);
        }
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// The view at `needs_first_factor`: the same for every address.
    pub(super) async fn first_factor_view(
        &self,
        req: &Request,
        key: Option<&str>,
        l: &Lookup,
    ) -> Result<SignInView, Fault> {
        let masked = mask_email(&l.identifier);
        let mut email_code = None;
        for s in [Strategy::ResetPasswordEmailCode, Strategy::EmailCode, Strategy::UnlockEmailCode] {
            let (p, _) = purpose(s)?;
            let Some(key) = key else { break };
            if let Some(sent_at) = self.pending_code_sent_at(key, p, req.now).await? {
                if email_code.as_ref().is_none_or(|c: &CodeSent| c.sent_at < Some(sent_at)) {
                    email_code =
                        Some(CodeSent { safe_identifier: masked.clone(), sent_at: Some(sent_at), strategy: Some(s) });
                }
            }
        }
        Ok(SignInView {
            id: key.map(super::sign_in_id),
            status: Status::NeedsFirstFactor,
            identifier: Some(l.identifier.clone()),
            supported_first_factors: l
                .supported()
                .into_iter()
                .map(|strategy| SecondFactor::new(strategy, Some(masked.clone())))
                .collect(),
            email_code,
            ..SignInView::default()
        })
    }
}

/// A code typed for an attempt: (token, key) name the attempt.
#[derive(Clone, Copy)]
struct Code<'a> {
    token: &'a str,
    key: &'a str,
    purpose: Purpose,
    code: &'a str,
}

impl Unit {
    /// Is `c` the attempt's pending code? Uses it up.
    async fn check(&self, c: Code<'_>, now: i64) -> Result<(), Fault> {
        self.verify_code(c.token, c.key, c.purpose, c.code, now).await
    }

    /// A reset or email code checked, in one unit, counted toward the
    /// account's lockout. Returns the attempt after.
    async fn first_factor_unit(
        &self,
        req: &Request,
        s: Strategy,
        (subject, user): (&str, Option<i64>),
        a: &Attempt,
        code: Code<'_>,
    ) -> Result<Option<Attempt>, Fault> {
        let lock = self
            .checked_try(
                req,
                Account { subject, user_id: user },
                (Event::SignInFirstFactorFailed, Some(s.as_str())),
                async || self.check(code, req.now).await,
            )
            .await?;
        if let Some(u) = user {
            self.admit(req, &self.store.user(u).await?.ok_or(Fault::SignInNotFound)?).await?;
        }
        let next = a.first_factor_passed(s, req.now)?;
        if !self.store.update_attempt(code.key, a.status(), &next).await? {
            return Err(Fault::InvalidState);
        }
        self.release_try(&lock).await?;
        if next.status() == Status::Complete {
            self.forget_failures(&lock).await?;
        }
        self.audit(req, Event::SignInFirstFactorOk, user, Some(subject), Some(s.as_str())).await;
        Ok(Some(next))
    }

    /// An unlock code checked, in one unit: this client's tries count apart
    /// from the lock until it ends; the attempt is done with (`None`).
    async fn unlock_unit(
        &self,
        req: &Request,
        subject: &str,
        user: Option<i64>,
        code: Code<'_>,
    ) -> Result<Option<Attempt>, Fault> {
        let now = req.now;
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        if let Err(f) = self.check(code, now).await {
            self.audit(req, Event::SignInFirstFactorFailed, user, Some(subject), Some("unlock_email_code")).await;
            return Err(f);
        }
        let until = self.store.locked_until(subject, now).await?.ok_or(Fault::InvalidState)?;
        let client = self.known_client_key(req).ok_or(Fault::InvalidState)?;
        self.store.unlock_client(subject, &client, until).await?;
        self.store.delete_attempt(code.key).await?;
        self.audit(req, Event::UserUnlocked, user, Some(subject), Some("this_client")).await;
        Ok(None)
    }
}
