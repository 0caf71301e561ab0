//! Sign-up: email and password, the emailed code (a notice instead to an
//! address that has an account), and finalize.

use super::{Account, Dest, Ledger, Purpose, Service, Unit};
use crate::audit::Event;
use crate::flow::{Claim, Factors, SignUp, SignUpStep, SIGN_UP_TTL};
use crate::mail::{CodeFor, Message};
use crate::policy;
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::prelude::*;
use crate::store::Store;
use crate::store::{NewUser, StoreError};
use proto::*;
use std::ops::Deref;

impl Service {
    pub async fn sign_up(&self, req: &mut Request) -> Result<SignUpView, Fault> {
        match self.load_sign_up(req).await {
            Ok((_, key, su)) => self.sign_up_view(req, &key, &su).await,
            Err(Fault::SignUpNotFound) => Ok(SignUpView::default()),
            Err(f) => Err(f),
        }
    }

    pub async fn sign_up_password(
        &self,
        req: &mut Request,
        email: String,
        password: String,
    ) -> Result<SignUpView, Fault> {
        let now = req.now;
        if email.trim().is_empty() {
            return Err(Fault::Missing(Field::EmailAddress));
        }
        let email = policy::email(&email).ok_or(Fault::EmailInvalid)?;
        if password.is_empty() {
            return Err(Fault::Missing(Field::Password));
        }
        policy::check(&password, &email, self.cfg.settings.require_mfa)?;
        // A pending session counts as signed out: its user may sign in again.
        if self.active_session(req).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        self.rate_limit(req, "create", self.cfg.settings.rate_limits.create).await?;
        let existing = self.store.user_by_email(&email).await?;
        // Hashed either way: an existing address costs the same time.
        let hash = secrets::hash_password_async(password).await.map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            Fault::Unavailable
        })?;
        let su = SignUp::start(email.clone(), existing.is_none().then_some(hash), now);
        let old = self.sign_up_token(req).map(secrets::token_key);
        let token = secrets::token();
        let key = secrets::token_key(&token);
        let detail = if existing.is_some() { "existing_account" } else { "new_account" };
        let existing_id = existing.map(|u| u.id);
        self.alone(async |u| {
            if let Some(old) = &old {
                u.store.delete_sign_up(old).await?;
            }
            u.store.insert_sign_up(&key, &su).await?;
            u.audit(req, Event::SignUpStarted, existing_id, Some(&email), Some(detail)).await;
            Ok(())
        })
        .await?;
        req.set(Jar::SignUp, &token, SIGN_UP_TTL);
        self.client_key(req);
        self.send_sign_up_email(req, &token, &key, &su).await?;
        self.sign_up_view(req, &key, &su).await
    }

    pub async fn sign_up_send_email_code(&self, req: &mut Request) -> Result<SignUpView, Fault> {
        let now = req.now;
        let (token, key, su) = self.load_sign_up(req).await?;
        su.check(SignUpStep::SendCode, now)?;
        self.rate_limit(req, "verify", self.cfg.settings.rate_limits.verify).await?;
        // The first send after the password step is answered with the code it sent.
        if !self.sent_by_step(&key, Purpose::SignUp, su.created_at, now).await? {
            self.send_sign_up_email(req, &token, &key, &su).await?;
        }
        self.sign_up_view(req, &key, &su).await
    }

    pub async fn sign_up_verify_email_code(&self, req: &mut Request, code: String) -> Result<SignUpView, Fault> {
        let now = req.now;
        let (token, key, su) = self.load_sign_up(req).await?;
        su.check(SignUpStep::Verify, now)?;
        let code = &secrets::normalize_code(&code);
        if code.is_empty() {
            return Err(Fault::Missing(Field::Code));
        }
        // One unit: the limit, the counted try, the code used up, the new
        // user and the sign-up's new state commit together.
        let u = self.unit().await?;
        let r = u.sign_up_verify_unit(req, code, (&token, &key, &su)).await;
        let next = u.commit(r).await?;
        self.sign_up_view(req, &key, &next).await
    }

    /// A step's answer for a client that will not call `finalize` itself
    /// (`sign_in_finished`'s twin): a `complete` sign-up becomes the session.
    pub async fn sign_up_finished(
        &self,
        req: &mut Request,
        mut view: SignUpView,
    ) -> Result<(SignUpView, Option<FinalizeView>), Fault> {
        if view.status != SignUpStatus::Complete {
            return Ok((view, None));
        }
        let done = self.sign_up_finalize(req).await?;
        view.created_session_id = Some(done.session_id.clone());
        Ok((view, Some(done)))
    }

    pub async fn sign_up_finalize(&self, req: &mut Request) -> Result<FinalizeView, Fault> {
        let now = req.now;
        let (_, key, su) = self.load_sign_up(req).await?;
        su.check(SignUpStep::Finalize, now)?;
        // One unit, as a sign-in's finalize: exactly one finalize wins.
        let u = self.unit().await?;
        let r = u.sign_up_finalize_unit(req, &key).await;
        u.commit(r).await
    }

    pub async fn sign_up_reset(&self, req: &mut Request) -> Result<SignUpView, Fault> {
        if let Some(key) = self.sign_up_token(req).map(secrets::token_key) {
            self.alone(async |u| Ok(u.store.delete_sign_up(&key).await?)).await?;
        }
        req.clear(Jar::SignUp);
        Ok(SignUpView::default())
    }

    /// Sends the sign-up's email: the code, or to an existing account's
    /// address a notice (and a code nobody knows, so that both look alike).
    async fn send_sign_up_email(&self, req: &Request, token: &str, key: &str, su: &SignUp) -> Result<(), Fault> {
        let dest = if su.password_hash.is_some() {
            Dest::Email(&su.email, CodeFor::SignUp)
        } else {
            Dest::Notice(&su.email, Message::AccountExists { link: format!("{}/sign-in", self.origin(req)) })
        };
        self.issue_code(token, key, Purpose::SignUp, dest, req).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    fn sign_up_token<'a>(&self, req: &'a Request) -> Option<&'a str> {
        req.token(Jar::SignUp)
    }

    /// The sign-up behind the cookie: (token, key, sign-up).
    async fn load_sign_up(&self, req: &Request) -> Result<(String, String, SignUp), Fault> {
        let now = req.now;
        let token = self.sign_up_token(req).ok_or(Fault::SignUpNotFound)?.to_string();
        let key = secrets::token_key(&token);
        match self.store.sign_up(&key).await? {
            Some(s) if s.expires_at > now => Ok((token, key, s)),
            _ => Err(Fault::SignUpNotFound),
        }
    }

    async fn sign_up_view(&self, req: &Request, key: &str, su: &SignUp) -> Result<SignUpView, Fault> {
        let missing = su.status == SignUpStatus::MissingRequirements;
        let sent_at = if missing { self.pending_code_sent_at(key, Purpose::SignUp, req.now).await? } else { None };
        let email_address = match (su.status, sent_at) {
            (SignUpStatus::Complete, _) => Some(Verification::verified(Strategy::EmailCode)),
            (SignUpStatus::MissingRequirements, Some(_)) => Some(Verification::unverified(Strategy::EmailCode)),
            _ => None,
        };
        // Only a completed sign-up has a user (an existing address's never does).
        let created_user_id = match su.user_id {
            Some(id) if su.status == SignUpStatus::Complete => self.store.user(id).await?.map(|u| u.public_id),
            _ => None,
        };
        Ok(SignUpView {
            id: Some(super::sign_up_id(key)),
            status: su.status,
            email_address: Some(su.email.clone()),
            unverified_fields: if missing { vec!["email_address".into()] } else { vec![] },
            email_code_sent_at: sent_at,
            created_user_id,
            verifications: SignUpVerifications { email_address },
            ..SignUpView::default()
        })
    }
}

impl Unit {
    /// Finalize, in one unit: the complete sign-up `key` becomes a session.
    async fn sign_up_finalize_unit(&self, req: &mut Request, key: &str) -> Result<FinalizeView, Fault> {
        let su = self.store.take_complete_sign_up(key).await?.ok_or(Fault::SignUpNotFound)?;
        let user_id = su.user_id.ok_or(Fault::InvalidState)?;
        // The address was proven on this client: it counts as a sign-in here.
        let task = self.task_for(Factors::default(), false);
        // A claim with no factor: no second factor in this session.
        let c = Claim { user_id, identifier: su.email.clone(), factors: Factors::default(), client_known: false };
        let done = self.start_session(req, &c, task).await?;
        req.clear(Jar::SignUp);
        Ok(done)
    }

    /// The sign-up's email code checked, in one unit, for the sign-up (token,
    /// key, sign-up) already loaded and checked. Returns the sign-up after.
    async fn sign_up_verify_unit(
        &self,
        req: &mut Request,
        code: &str,
        (token, key, su): (&str, &str, &SignUp),
    ) -> Result<SignUp, Fault> {
        let now = req.now;
        // Counted apart from sign-in, so that guessing here cannot lock the
        // address's real account.
        let subject = format!("sign_up:{}", su.email);
        let lock = self
            .checked_try(
                req,
                Account { subject: &subject, user_id: None },
                (Event::SignUpCodeFailed, None),
                async || self.verify_code(token, key, Purpose::SignUp, code, now).await,
            )
            .await?;
        let hash = su.password_hash.clone().ok_or(Fault::CodeIncorrect(None))?;
        // Asked first: a unique violation would end PostgreSQL's transaction.
        if self.store.user_by_email(&su.email).await?.is_some() {
            return Err(Fault::EmailTaken);
        }
        let new = NewUser {
            public_id: secrets::user_id(),
            email: su.email.clone(),
            password_hash: hash,
            phone: None,
            totp_secret: None,
            created_at: now,
            metadata: Default::default(),
            source_id: None,
            lang: Some(req.lang),
        };
        let user_id = match self.store.create_user(&new).await {
            Ok(id) => id,
            Err(StoreError::Conflict) => return Err(Fault::EmailTaken),
            Err(e) => {
                tracing::error!(error = %e, "storage failure");
                return Err(Fault::Unavailable);
            }
        };
        let next = su.verified(user_id, now)?;
        if !self.store.update_sign_up(key, su.status, &next).await? {
            return Err(Fault::InvalidState);
        }
        self.forget_failures(&lock).await?;
        self.audit(req, Event::UserCreated, Some(user_id), Some(&su.email), Some("sign_up")).await;
        Ok(next)
    }
}
