//! Sign-in: the password, the second factor or the client-trust code, and
//! finalize, each one unit over the attempt's state machine.

use super::{
    mask_email, mask_phone, told, Account, Dest, Ledger, Purpose, Reserved, Service, Unit, MAX_CODE_BYTES,
    MAX_PASSWORD_BYTES,
};
use crate::audit::Event;
use crate::flow::{Attempt, PasswordOk, Stage, Step};
use crate::mail::CodeFor;
use crate::policy;
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::prelude::*;
use crate::store::Store;
use crate::store::{Subject, User};
use proto::*;
use std::ops::Deref;

impl Service {
    pub async fn sign_in(&self, req: &mut Request) -> Result<SignInView, Fault> {
        match self.load(req).await {
            Ok((_, key, a)) => self.view(req, Some(&key), &a).await,
            Err(Fault::SignInNotFound) => Ok(self.blank_view()),
            Err(f) => Err(f),
        }
    }

    pub async fn password(&self, req: &mut Request, identifier: String, password: String) -> Result<SignInView, Fault> {
        if identifier.trim().is_empty() {
            return Err(Fault::Missing(Field::Identifier));
        }
        let email = policy::email(&identifier).ok_or(Fault::IdentifierInvalid)?;
        if password.is_empty() {
            return Err(Fault::Missing(Field::Password));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Fault::PasswordIncorrect(None));
        }
        // Two units: the try is counted and committed before the slow hash
        // (which must not hold the database), its outcome after.
        let u = self.unit().await?;
        let r = u.password_gate(req, &email).await;
        let (user, lock) = u.commit(r).await?;
        // An unknown user, or one with no password, is checked against the
        // dummy hash: the same time, and never right.
        let phc = user
            .as_ref()
            .map(|s| s.user.password_hash.clone())
            .filter(|h| h != secrets::NO_PASSWORD)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        // A right password on the breached list is marked compromised: the
        // session gets the `reset-password` task.
        let breached = policy::breached(&password);
        self.floor_for(&phc).await;
        let ok = secrets::verify_password_async(password.clone(), phc.clone(), self.floor.get()).await;
        // An imported hash (or ours with old parameters) that a right
        // password opened is hashed again as ours, before the unit: the
        // slow hash holds no database.
        let rehash = match user.is_some() && ok && secrets::needs_rehash(&phc) {
            true => secrets::hash_password_async(password).await.ok().map(|new| (phc, new)),
            false => None,
        };
        let u = self.unit().await?;
        let r = u.password_outcome(req, &email, user, Hashed { ok, breached, rehash }, lock).await;
        let Started { token, key, attempt, user } = u.commit(r).await?;
        if attempt.status() == Status::NeedsClientTrust {
            // A new device: prove it with a code sent to the account's email.
            self.issue_code(&token, &key, Purpose::EmailCode, Dest::Email(&user.email, CodeFor::ThisDevice), req)
                .await?;
            self.audit(req, Event::SignInCodeSent, Some(user.id), Some(&email), Some("email_code")).await;
        }
        self.view(req, Some(&key), &attempt).await
    }

    pub async fn prepare_second_factor(&self, req: &mut Request, s: Strategy) -> Result<SignInView, Fault> {
        let now = req.now;
        let (token, key, a) = self.load(req).await?;
        a.check(Step::Prepare(s), now)?;
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        let claim = a.claim().ok_or(Fault::InvalidState)?;
        let subject = claim.identifier.clone();
        // No code is sent while the client's tries or the account's
        // second-factor guesses are spent.
        for lock in [self.lock_subject(req, &subject).await?, self.second_factor_lock(&subject)] {
            if let Some(until) = self.store.locked_until(&lock.name, now).await? {
                return Err(Fault::UserLocked((until - now).max(1) as u32));
            }
        }
        if s == Strategy::Passkey {
            return self.passkey_second_factor(req, &key, &a).await;
        }
        let user = self.user_of(&a).await?;
        let origin = self.origin(req);
        let dest = match s {
            Strategy::PhoneCode => {
                Dest::Sms(user.phone.as_deref().ok_or(Fault::StrategyInvalid)?, crate::mail::origin_host(&origin))
            }
            Strategy::EmailCode => Dest::Email(&user.email, CodeFor::ThisDevice),
            _ => return Err(Fault::StrategyInvalid),
        };
        let purpose = if s == Strategy::EmailCode { Purpose::EmailCode } else { Purpose::PhoneCode };
        // The password step sent the trust code already: a client that asks
        // for it right after (as Clerk's guide does) is answered, not refused.
        if s == Strategy::EmailCode && self.sent_by_step(&key, purpose, a.created_at, now).await? {
            return self.view(req, Some(&key), &a).await;
        }
        self.issue_code(&token, &key, purpose, dest, req).await?;
        self.audit(req, Event::SignInCodeSent, Some(claim.user_id), Some(&subject), Some(s.as_str())).await;
        self.view(req, Some(&key), &a).await
    }

    pub async fn attempt_second_factor(
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
        let code = &secrets::normalize_code(&code);
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        // One unit: the limit, the counted try, the code used up and the
        // attempt's new state commit together.
        let u = self.unit().await?;
        let r = u.second_factor_unit(req, s, code, (&token, &key, &a)).await;
        let next = u.commit(r).await?;
        self.view(req, Some(&key), &next).await
    }

    /// A step's answer for a client that will not call `finalize` itself
    /// (a native app, a form post without JavaScript): a `complete` sign-in
    /// becomes the session here, named in `created_session_id`.
    pub async fn sign_in_finished(
        &self,
        req: &mut Request,
        mut view: SignInView,
    ) -> Result<(SignInView, Option<FinalizeView>), Fault> {
        if view.status != Status::Complete {
            return Ok((view, None));
        }
        let done = self.finalize(req).await?;
        view.created_session_id = Some(done.session_id.clone());
        Ok((view, Some(done)))
    }

    pub async fn finalize(&self, req: &mut Request) -> Result<FinalizeView, Fault> {
        let now = req.now;
        let (_, key, a) = self.load(req).await?;
        a.check(Step::Finalize, now)?;
        let u = self.unit().await?;
        let r = u.finalize_unit(req, &key).await;
        u.commit(r).await
    }

    pub async fn reset(&self, req: &mut Request) -> Result<SignInView, Fault> {
        if let Some(key) = self.attempt_token(req).map(secrets::token_key) {
            self.alone(async |u| Ok(u.store.delete_attempt(&key).await?)).await?;
        }
        req.clear(Jar::SignIn);
        Ok(self.blank_view())
    }

    /// No attempt yet: the instance's first factors, so a form can offer them.
    fn blank_view(&self) -> SignInView {
        let passkey = self.cfg.settings.passkeys.sign_in.then_some(Strategy::Passkey);
        let supported_first_factors = crate::flow::first_factors(self.cfg.settings.email_code_sign_in)
            .into_iter()
            .chain(passkey)
            .map(|strategy| SecondFactor::new(strategy, None))
            .collect();
        SignInView { supported_first_factors, ..SignInView::default() }
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    fn attempt_token<'a>(&self, req: &'a Request) -> Option<&'a str> {
        req.token(Jar::SignIn)
    }

    /// The attempt behind the cookie: (token, key, attempt).
    pub(super) async fn load(&self, req: &Request) -> Result<(String, String, Attempt), Fault> {
        let now = req.now;
        let token = self.attempt_token(req).ok_or(Fault::SignInNotFound)?.to_string();
        let key = secrets::token_key(&token);
        match self.store.attempt(&key).await? {
            Some(a) if a.expires_at > now => Ok((token, key, a)),
            _ => Err(Fault::SignInNotFound),
        }
    }

    /// The attempt as the client sees it, with how its factors stand.
    pub(super) async fn view(&self, req: &Request, key: Option<&str>, a: &Attempt) -> Result<SignInView, Fault> {
        Ok(verifications(a, self.stage_view(req, key, a).await?))
    }

    async fn stage_view(&self, req: &Request, key: Option<&str>, a: &Attempt) -> Result<SignInView, Fault> {
        if let Stage::NeedsFirstFactor(l) = &a.stage {
            return self.first_factor_view(req, key, l).await;
        }
        if let Stage::NeedsPasskey = &a.stage {
            let passkey = SecondFactor::new(Strategy::Passkey, None);
            return Ok(SignInView {
                id: key.map(super::sign_in_id),
                status: a.status(),
                supported_first_factors: vec![passkey],
                ..SignInView::default()
            });
        }
        let mut phone = None;
        let mut phone_id = None;
        let mut sent_at = None;
        let mut phone_first = false;
        let mut supported = vec![];
        if let Stage::NeedsSecondFactor(c) = &a.stage {
            supported = c.factors.supported();
            if c.factors.phone {
                let user = self.store.user(c.user_id).await?;
                phone_first =
                    user.as_ref().and_then(|u| u.default_factor.as_deref()) == Some(Strategy::PhoneCode.as_str());
                phone_id = user.as_ref().map(|u| proto::clerk::identifier_id(&u.public_id, "phone"));
                phone = user.and_then(|u| u.phone);
                if let Some(key) = key {
                    sent_at = self.pending_code_sent_at(key, Purpose::PhoneCode, req.now).await?;
                }
            }
        }
        // The user's default first (TOTP unless they chose SMS).
        if phone_first {
            if let Some(i) = supported.iter().position(|s| *s == Strategy::PhoneCode) {
                let s = supported.remove(i);
                supported.insert(0, s);
            }
        }
        let (mut email_code, mut trust) = (None, None);
        if let (Stage::NeedsClientTrust(c), Some(key)) = (&a.stage, key) {
            let sent = CodeSent {
                safe_identifier: mask_email(&c.identifier),
                sent_at: self.pending_code_sent_at(key, Purpose::EmailCode, req.now).await?,
                strategy: None,
            };
            // Clerk lists the trust code as the one second factor, so a
            // client written to its guide finds it there.
            let user = self.store.user(c.user_id).await?;
            trust = Some(SecondFactor {
                email_address_id: user.map(|u| proto::clerk::identifier_id(&u.public_id, "email")),
                primary: Some(true),
                ..SecondFactor::new(Strategy::EmailCode, Some(sent.safe_identifier.clone()))
            });
            email_code = Some(sent);
        }
        Ok(SignInView {
            id: key.map(super::sign_in_id),
            status: a.status(),
            identifier: a.claim().map(|c| c.identifier.clone()),
            supported_second_factors: supported
                .into_iter()
                .map(|strategy| match strategy {
                    Strategy::PhoneCode => SecondFactor {
                        phone_number_id: phone_id.clone(),
                        primary: Some(true),
                        ..SecondFactor::new(strategy, phone.as_deref().map(mask_phone))
                    },
                    _ => SecondFactor::new(strategy, None),
                })
                .chain(trust)
                .collect(),
            phone_code_sent_at: sent_at,
            email_code,
            ..SignInView::default()
        })
    }

    async fn user_of(&self, a: &Attempt) -> Result<User, Fault> {
        let id = a.claim().ok_or(Fault::InvalidState)?.user_id;
        self.store.user(id).await?.ok_or(Fault::SignInNotFound)
    }
}

/// What the password's hash said: right or not, and whether it is on the
/// breached list.
struct Hashed {
    ok: bool,
    breached: bool,
    /// The hash to swap for ours: (stored, new).
    rehash: Option<(String, String)>,
}

/// A sign-in attempt begun by a right password: its token (the cookie), its
/// key, the attempt and the user.
struct Started {
    token: String,
    key: String,
    attempt: Attempt,
    user: User,
}

impl Unit {
    /// Verifies `code` for `strategy`; Ok only if it is right and now used up.
    async fn verify(
        &self,
        token: &str,
        key: &str,
        a: &Attempt,
        s: Strategy,
        code: &str,
        now: i64,
    ) -> Result<(), Fault> {
        match s {
            Strategy::PhoneCode => self.verify_code(token, key, Purpose::PhoneCode, code, now).await,
            Strategy::EmailCode => self.verify_code(token, key, Purpose::EmailCode, code, now).await,
            Strategy::Totp => {
                let user = self.user_of(a).await?;
                self.check_totp(&user, code, now).await?.then_some(()).ok_or(Fault::CodeIncorrect(None))
            }
            Strategy::BackupCode => {
                let user = self.user_of(a).await?;
                self.check_backup_code(user.id, code, now).await?.then_some(()).ok_or(Fault::CodeIncorrect(None))
            }
            _ => Err(Fault::StrategyInvalid),
        }
    }

    /// The password step before the hash: limits, the counted try, the
    /// user (None: unknown, checked against the dummy hash all the same).
    async fn password_gate(&self, req: &mut Request, email: &str) -> Result<(Option<Subject>, Reserved), Fault> {
        // A pending session counts as signed out: its user may sign in again.
        if self.active_session(req).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        self.rate_limit(req, "create", self.cfg.settings.rate_limits.create).await?;
        // Counted per email, known or not: lockout tells nothing either.
        let lock = self.reserve(req, email).await?;
        // Read with the user, not after the hash: two round trips fewer. No
        // cookie is set here; a browser without one gets it on success.
        let client = self.known_client_key(req);
        Ok((self.store.sign_in_subject(email, client.as_deref()).await?, lock))
    }

    /// The password step after the hash: a fresh attempt (and cookie), or
    /// the failure counted.
    async fn password_outcome(
        &self,
        req: &mut Request,
        email: &str,
        subject: Option<Subject>,
        Hashed { ok, breached, rehash }: Hashed,
        Reserved { lock, left }: Reserved,
    ) -> Result<Started, Fault> {
        let now = req.now;
        let Subject { user, has_backup, client_known } = match subject {
            Some(s) if ok => s,
            other => {
                let uid = other.map(|s| s.user.id);
                self.failed(req, email, uid, (Event::SignInPasswordFailed, None), left).await;
                return Err(told(Fault::PasswordIncorrect(None), left));
            }
        };
        self.release_try(&lock).await?;
        self.audit(req, Event::SignInPasswordOk, Some(user.id), Some(email), None).await;
        if let Some((old, new)) = rehash {
            if self.store.rehash_password(user.id, &old, &new).await? {
                self.audit(req, Event::PasswordRehashed, Some(user.id), Some(email), None).await;
            }
        }
        self.admit(req, &user).await?;
        if breached && !user.password_compromised && self.store.set_compromised(user.id).await? {
            self.audit(req, Event::PasswordMarkedCompromised, Some(user.id), Some(email), Some("breached_list")).await;
        }
        let factors = self.enabled_factors(&user, has_backup);
        // A browser without a client cookie gets one now.
        self.client_key(req);
        let ok = PasswordOk {
            user_id: user.id,
            identifier: user.email.clone(),
            factors,
            client_known,
            client_trust: self.cfg.settings.client_trust,
        };
        let attempt = Attempt::new(now).password_passed(ok, now)?;
        // A fresh attempt (and cookie) at every password step.
        if let Some(old) = self.attempt_token(req) {
            self.store.delete_attempt(&secrets::token_key(old)).await?;
        }
        let token = secrets::token();
        let key = secrets::token_key(&token);
        self.store.insert_attempt(&key, &attempt).await?;
        if attempt.status() == Status::Complete {
            self.forget_failures(&lock).await?;
        }
        req.set(Jar::SignIn, &token, crate::flow::ATTEMPT_TTL);
        Ok(Started { token, key, attempt, user })
    }

    /// A second factor checked, in one unit, for the attempt (token, key,
    /// attempt) already loaded and checked. Returns the attempt after.
    async fn second_factor_unit(
        &self,
        req: &mut Request,
        s: Strategy,
        code: &str,
        (token, key, a): (&str, &str, &Attempt),
    ) -> Result<Attempt, Fault> {
        let now = req.now;
        let claim = a.claim().ok_or(Fault::InvalidState)?;
        let subject = claim.identifier.clone();
        let budget = self.reserve_second_factor(req, &subject).await?;
        let checked = self
            .checked_try(
                req,
                Account { subject: &subject, user_id: Some(claim.user_id) },
                (Event::SignInSecondFactorFailed, Some(s.as_str())),
                async || {
                    if code.len() > MAX_CODE_BYTES {
                        Err(Fault::CodeIncorrect(None))
                    } else {
                        self.verify(token, key, a, s, code, now).await
                    }
                },
            )
            .await;
        let lock = match checked {
            Ok(lock) => lock,
            // Refused before the code was looked at: no guess was spent.
            Err(f @ (Fault::UserLocked(_) | Fault::TooManyRequests(_))) => {
                self.release_try(&budget).await?;
                return Err(f);
            }
            Err(f) => return Err(f),
        };
        let next = a.second_factor_passed(s, now)?;
        if !self.store.update_attempt(key, a.status(), &next).await? {
            return Err(Fault::InvalidState);
        }
        // A completed sign-in forgets the failures.
        self.forget_failures(&lock).await?;
        self.forget_failures(&budget).await?;
        self.audit(req, Event::SignInSecondFactorOk, Some(claim.user_id), Some(&subject), Some(s.as_str())).await;
        Ok(next)
    }

    /// Finalize, in one unit: the complete attempt `key` becomes a session.
    async fn finalize_unit(&self, req: &mut Request, key: &str) -> Result<FinalizeView, Fault> {
        // Exactly one finalize wins; a replayed cookie finds nothing.
        let a = self.store.take_complete_attempt(key).await?.ok_or(Fault::SignInNotFound)?;
        let c = a.claim().ok_or(Fault::InvalidState)?;
        let compromised = self.store.user(c.user_id).await?.ok_or(Fault::SignInNotFound)?.password_compromised;
        let task = self.task_for(c.factors, compromised);
        let done = self.start_session(req, c, task).await?;
        req.clear(Jar::SignIn);
        Ok(done)
    }
}

/// How the attempt's factors stand: verified by the strategies its proofs
/// name, or awaiting the code the view says was sent. (A passkey challenge
/// is added where it is made: `SignInView::challenged`.)
fn verifications(a: &Attempt, v: SignInView) -> SignInView {
    let sent = v.email_code.as_ref().filter(|c| c.sent_at.is_some());
    let first = match a.proofs.first {
        Some(s) => Some(Verification::verified(s)),
        None => sent.and_then(|c| c.strategy).map(Verification::unverified),
    };
    let second = match (a.proofs.second, &a.stage) {
        (Some(s), _) => Some(Verification::verified(s)),
        (None, Stage::NeedsSecondFactor(_)) if v.phone_code_sent_at.is_some() => {
            Some(Verification::unverified(Strategy::PhoneCode))
        }
        (None, Stage::NeedsClientTrust(_)) if sent.is_some() => Some(Verification::unverified(Strategy::EmailCode)),
        _ => None,
    };
    SignInView { first_factor_verification: first, second_factor_verification: second, ..v }
}
