//! Passkey sign-in: begun with a passkey alone (discoverable, no email
//! typed; it satisfies MFA), or a passkey as the second factor after the
//! password. The challenge is stored with the attempt and answered once.

use super::{Account, Ledger, Service, Unit};
use crate::audit::Event;
use crate::flow::{Attempt, Claim, Stage, Step};
use crate::passkey::{self, Ceremony, PublicKeyCredential, WebauthnError};
use crate::request::{Jar, Request};
use crate::secrets;
use crate::store::prelude::*;
use crate::store::{Passkey as StoredPasskey, PasskeyUse, Store};
use proto::*;
use std::ops::Deref;

/// Longer than any passkey answer: refused without a look.
const MAX_CREDENTIAL_BYTES: usize = 16 * 1024;

impl Service {
    /// `signIn.passkey()`: a fresh attempt whose challenge any of the
    /// user's passkeys answers; `autofill` asks the browser to offer them
    /// in the email field (conditional mediation) instead of a dialog.
    pub async fn passkey_sign_in(&self, req: &mut Request, autofill: bool) -> Result<SignInView, Fault> {
        let now = req.now;
        if !self.cfg.settings.passkeys.sign_in {
            return Err(Fault::StrategyInvalid);
        }
        let rp = self.relying_party(req)?;
        let (mut rcr, state) = rp.start_discoverable_authentication().map_err(webauthn_fault)?;
        rcr.mediation = if autofill { rcr.mediation } else { None };
        let state = to_json(&state)?;
        let u = self.unit().await?;
        let r = u.passkey_attempt(req, &state, autofill).await;
        let key = u.commit(r).await?;
        let view = self.view(req, Some(&key), &Attempt::for_passkey(now)).await?;
        Ok(view.challenged(to_json(&rcr)?, to_json(&rcr.public_key)?))
    }

    /// `prepare_second_factor({ strategy: 'passkey' })`: a challenge for the
    /// attempt's user's passkeys.
    pub(super) async fn passkey_second_factor(
        &self,
        req: &Request,
        key: &str,
        a: &Attempt,
    ) -> Result<SignInView, Fault> {
        let now = req.now;
        let claim = a.claim().ok_or(Fault::InvalidState)?;
        let keys = self.passkeys(claim.user_id).await?;
        if keys.is_empty() {
            return Err(Fault::StrategyInvalid);
        }
        let rp = self.relying_party(req)?;
        let (rcr, state) = rp.start_passkey_authentication(&keys).map_err(webauthn_fault)?;
        let state = to_json(&state)?;
        let purpose = Ceremony::SecondFactor.as_str();
        self.alone(async |u| Ok(u.store.put_challenge(key, purpose, &state, now + passkey::CHALLENGE_TTL).await?))
            .await?;
        let view = self.view(req, Some(key), a).await?;
        Ok(view.challenged(to_json(&rcr)?, to_json(&rcr.public_key)?))
    }

    /// The browser's answer (`navigator.credentials.get()` as JSON), for an
    /// attempt begun with a passkey or at its second factor. Tries count
    /// toward the account's lockout like any factor's.
    pub async fn attempt_passkey(&self, req: &mut Request, credential: String) -> Result<SignInView, Fault> {
        let now = req.now;
        let (_, key, a) = self.load(req).await?;
        a.check(Step::Verify(Strategy::Passkey), now)?;
        if credential.trim().is_empty() {
            return Err(Fault::Missing(Field::PublicKeyCredential));
        }
        if credential.len() > MAX_CREDENTIAL_BYTES {
            return Err(Fault::PasskeyInvalid);
        }
        let answer: PublicKeyCredential = serde_json::from_str(&credential).map_err(|_| Fault::PasskeyInvalid)?;
        // Whose passkey: the attempt's user, or (begun with one) its owner.
        let found = self.store.passkey_by_credential(&passkey::credential_key(answer.get_credential_id())).await?;
        let owner = match (&a.stage, &found) {
            (Stage::NeedsSecondFactor(c), _) => Some(c.user_id),
            (_, Some(p)) => Some(p.user_id),
            _ => None,
        };
        let Some(user) = (match owner {
            Some(id) => self.store.user(id).await?,
            None => None,
        }) else {
            // An unknown passkey names no account: nothing to count against.
            self.audit(req, Event::SignInPasskeyFailed, None, None, Some("unknown_credential")).await;
            return Err(Fault::PasskeyInvalid);
        };
        // Another user's passkey at the second factor is a wrong answer.
        let row = found.filter(|p| p.user_id == user.id);
        let u = self.unit().await?;
        let r = u.passkey_unit(req, (&answer, row.as_ref()), &user, (&key, &a)).await;
        let next = u.commit(r).await?;
        self.view(req, Some(&key), &next).await
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// The relying party for this request's origin.
    pub(crate) fn relying_party(&self, req: &Request) -> Result<webauthn_rs::Webauthn, Fault> {
        let name = self.cfg.settings.branding.name.trim();
        passkey::relying_party(&self.origin(req), self.cfg.settings.passkeys.rp_id.as_deref(), name)
    }

    /// A user's passkeys as webauthn-rs reads them (a row that does not
    /// parse is logged and left out).
    pub(crate) async fn passkeys(&self, user_id: i64) -> Result<Vec<passkey::Passkey>, Fault> {
        let rows = self.store.passkeys_of(user_id).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                serde_json::from_str(&r.passkey)
                    .inspect_err(|e| tracing::error!(error = %e, id = r.id, "stored passkey"))
                    .ok()
            })
            .collect())
    }
}

impl Unit {
    /// The attempt a passkey sign-in starts (replacing this browser's
    /// attempt), with its challenge; returns the attempt's key.
    async fn passkey_attempt(&self, req: &mut Request, state: &str, autofill: bool) -> Result<String, Fault> {
        let now = req.now;
        // A pending session counts as signed out: its user may sign in again.
        if self.active_session(req).await?.is_some_and(|(_, s)| s.task.is_none()) {
            return Err(Fault::SessionExists);
        }
        // The autofill offer starts with every visit to the sign-in page:
        // counted apart from the sign-ins, with room for more.
        match autofill {
            true => self.rate_limit(req, "autofill", self.cfg.settings.rate_limits.create * 4).await?,
            false => self.rate_limit(req, "create", self.cfg.settings.rate_limits.create).await?,
        }
        if let Some(old) = req.token(Jar::SignIn) {
            self.store.delete_attempt(&secrets::token_key(old)).await?;
        }
        let token = secrets::token();
        let key = secrets::token_key(&token);
        self.store.insert_attempt(&key, &Attempt::for_passkey(now)).await?;
        let purpose = Ceremony::SignIn.as_str();
        self.store.put_challenge(&key, purpose, state, now + passkey::CHALLENGE_TTL).await?;
        req.set(Jar::SignIn, &token, crate::flow::ATTEMPT_TTL);
        // A browser without a client cookie gets one now.
        self.client_key(req);
        Ok(key)
    }

    /// The answer checked, in one unit: the counted try, the challenge used
    /// up, the counter moved on, the attempt's new state. Returns it.
    async fn passkey_unit(
        &self,
        req: &mut Request,
        answer: (&PublicKeyCredential, Option<&StoredPasskey>),
        user: &crate::store::User,
        (key, a): (&str, &Attempt),
    ) -> Result<Attempt, Fault> {
        let now = req.now;
        let subject = user.email.clone();
        let first = matches!(a.stage, Stage::NeedsPasskey);
        let lock = self
            .checked_try(
                req,
                Account { subject: &subject, user_id: Some(user.id) },
                (Event::SignInPasskeyFailed, None),
                async || self.check_passkey(req, answer, user, key, first).await,
            )
            .await?;
        self.admit(req, user).await?;
        let next = if first {
            let s = self
                .store
                .sign_in_subject(&subject, self.known_client_key(req).as_deref())
                .await?
                .ok_or(Fault::PasskeyInvalid)?;
            let factors = self.enabled_factors(&s.user, s.has_backup);
            let claim = Claim { user_id: user.id, identifier: subject.clone(), factors, client_known: s.client_known };
            a.passkey_passed(claim, now)?
        } else {
            a.second_factor_passed(Strategy::Passkey, now)?
        };
        if !self.store.update_attempt(key, a.status(), &next).await? {
            return Err(Fault::InvalidState);
        }
        self.forget_failures(&lock).await?;
        self.forget_failures(&self.second_factor_lock(&subject)).await?;
        let event = if first { Event::SignInPasskeyOk } else { Event::SignInSecondFactorOk };
        self.audit(req, event, Some(user.id), Some(&subject), Some("passkey")).await;
        Ok(next)
    }

    /// Verifies `answer` against the stored challenge (used up either way)
    /// and `user`'s passkey `row`; Ok only if it checks out and its use is
    /// recorded (the counter checked again in that statement).
    async fn check_passkey(
        &self,
        req: &Request,
        (answer, row): (&PublicKeyCredential, Option<&StoredPasskey>),
        user: &crate::store::User,
        key: &str,
        first: bool,
    ) -> Result<(), Fault> {
        let now = req.now;
        let ceremony = if first { Ceremony::SignIn } else { Ceremony::SecondFactor };
        let state = self.store.take_challenge(key, ceremony.as_str(), now).await?.ok_or(Fault::PasskeyInvalid)?;
        let row = row.ok_or(Fault::PasskeyInvalid)?;
        let mut stored: passkey::Passkey = serde_json::from_str(&row.passkey).map_err(|_| Fault::Unavailable)?;
        let rp = self.relying_party(req)?;
        let result = if first {
            // The handle the authenticator keeps must be this user's.
            let (handle, _) = rp.identify_discoverable_authentication(answer).map_err(|_| Fault::PasskeyInvalid)?;
            if handle != passkey::user_handle(&user.public_id) {
                return Err(Fault::PasskeyInvalid);
            }
            let state = serde_json::from_str(&state).map_err(|_| Fault::PasskeyInvalid)?;
            rp.finish_discoverable_authentication(answer, state, &[passkey::DiscoverableKey::from(&stored)])
        } else {
            let state = serde_json::from_str(&state).map_err(|_| Fault::PasskeyInvalid)?;
            rp.finish_passkey_authentication(answer, &state)
        };
        let result = match result {
            Ok(r) => r,
            Err(WebauthnError::CredentialPossibleCompromise) => {
                self.audit(req, Event::PasskeyCloned, Some(user.id), Some(&user.email), Some(&row.public_id)).await;
                return Err(Fault::PasskeyInvalid);
            }
            Err(e) => {
                tracing::info!(error = %e, "passkey answer refused");
                return Err(Fault::PasskeyInvalid);
            }
        };
        if result.cred_id().as_ref() != answer.get_credential_id() {
            return Err(Fault::PasskeyInvalid);
        }
        let seen = result.counter();
        if !passkey::counter_ok(u32::try_from(row.sign_count).unwrap_or(u32::MAX), seen) {
            self.audit(req, Event::PasskeyCloned, Some(user.id), Some(&user.email), Some(&row.public_id)).await;
            return Err(Fault::PasskeyInvalid);
        }
        stored.update_credential(&result);
        let json = to_json(&stored)?;
        let used = PasskeyUse {
            id: row.id,
            passkey: &json,
            sign_count: i64::from(seen),
            backup_state: result.backup_state(),
            now,
        };
        // The counter check again, in the statement: a use racing this one.
        if !self.store.use_passkey(&used).await? {
            self.audit(req, Event::PasskeyCloned, Some(user.id), Some(&user.email), Some(&row.public_id)).await;
            return Err(Fault::PasskeyInvalid);
        }
        Ok(())
    }
}

/// A ceremony that webauthn-rs could not even start is ours to fix.
pub(crate) fn webauthn_fault(e: WebauthnError) -> Fault {
    tracing::error!(error = %e, "passkey ceremony");
    Fault::Unavailable
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Fault> {
    serde_json::to_string(v).map_err(|e| {
        tracing::error!(error = %e, "passkey state");
        Fault::Unavailable
    })
}
