//! Managing passkeys (Clerk's `user.createPasskey()`, `passkey.update()`,
//! `passkey.delete()`): added after a re-verification, in two halves (the
//! options, then the browser's answer), named, removed.

use super::super::passkey::{to_json, webauthn_fault};
use super::super::{Service, Unit};
use super::{Current, Open};
use crate::audit::Event;
use crate::mail::Change;
use crate::passkey::{self, Ceremony, RegisterPublicKeyCredential};
use crate::request::Request;
use crate::store::Passkey;
use proto::*;

impl Service {
    /// The options for `navigator.credentials.create()`. A pending session
    /// (the `setup-mfa` task) may add one: a passkey is a second factor.
    pub async fn passkey_create(&self, req: &mut Request) -> Result<PasskeyCreation, Fault> {
        let now = req.now;
        let c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        self.recent(&c)?;
        if !self.cfg.settings.passkeys.manage {
            return Err(Fault::StrategyInvalid);
        }
        let exclude = self.passkeys(c.user.id).await?.iter().map(|p| p.cred_id().clone()).collect();
        let rp = self.relying_party(req)?;
        let handle = passkey::user_handle(&c.user.public_id);
        let (ccr, state) = rp
            .start_passkey_registration(handle, &c.user.email, &c.user.email, Some(exclude))
            .map_err(webauthn_fault)?;
        let state = to_json(&state)?;
        let purpose = Ceremony::Registration.as_str();
        self.alone(async |u| Ok(u.store.put_challenge(&c.key, purpose, &state, now + passkey::CHALLENGE_TTL).await?))
            .await?;
        Ok(PasskeyCreation { nonce: passkey::discoverable(&ccr).ok_or(Fault::Unavailable)? })
    }

    /// The browser's answer: the passkey is the user's (named `name`, or
    /// after the browser it was made in). The first factor also makes the
    /// backup codes and ends the `setup-mfa` task, as an app or phone does.
    pub async fn passkey_finish(&self, req: &mut Request, credential: String, name: String) -> Result<Changed, Fault> {
        let mut c = self.current(req, Open::AndTask(TASK_SETUP_MFA)).await?;
        self.recent(&c)?;
        if !self.cfg.settings.passkeys.manage {
            return Err(Fault::StrategyInvalid);
        }
        if credential.trim().is_empty() {
            return Err(Fault::Missing(Field::PublicKeyCredential));
        }
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(&credential).map_err(|_| Fault::PasskeyInvalid)?;
        let device = Device::of(req.user_agent.as_deref(), req.device.as_deref());
        let name = passkey::clean_name(&name, &passkey::default_name(&device));
        let first = !self.factors(&c.user).await?.has_primary();
        let u = self.unit().await?;
        let r = u.passkey_register(req, &mut c, &answer, &name, first).await;
        let backup_codes = u.commit(r).await?;
        self.notify(req, &c, Change::PasskeyAdded).await;
        self.reload(&mut c).await?;
        Ok(Changed { user: self.user_view(&c).await?, backup_codes })
    }

    pub async fn passkey_rename(&self, req: &mut Request, id: String, name: String) -> Result<UserView, Fault> {
        let c = self.current(req, Open::Active).await?;
        let name = passkey::clean_name(&name, "");
        if name.is_empty() {
            return Err(Fault::Missing(Field::Name));
        }
        self.alone(async |u| {
            if !u.store.rename_passkey(c.user.id, &id, &name).await? {
                return Err(Fault::PasskeyNotFound);
            }
            u.audit_change(req, &c, Event::PasskeyRenamed).await;
            Ok(())
        })
        .await?;
        self.user_view(&c).await
    }

    /// Removes a passkey; the last second factor stays while the instance
    /// requires one, and takes the backup codes with it otherwise.
    pub async fn passkey_remove(&self, req: &mut Request, id: String) -> Result<UserView, Fault> {
        let mut c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        let u = self.unit().await?;
        let r = u.passkey_remove_unit(req, &c, &id).await;
        u.commit(r).await?;
        self.notify(req, &c, Change::PasskeyRemoved).await;
        self.reload(&mut c).await?;
        self.user_view(&c).await
    }
}

impl Unit {
    async fn passkey_register(
        &self,
        req: &Request,
        c: &mut Current,
        answer: &RegisterPublicKeyCredential,
        name: &str,
        first: bool,
    ) -> Result<Vec<String>, Fault> {
        let now = req.now;
        let purpose = Ceremony::Registration.as_str();
        let state = self.store.take_challenge(&c.key, purpose, now).await?.ok_or(Fault::PasskeyInvalid)?;
        let state = serde_json::from_str(&state).map_err(|_| Fault::PasskeyInvalid)?;
        let rp = self.relying_party(req)?;
        let key = rp.finish_passkey_registration(answer, &state).map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            Fault::PasskeyInvalid
        })?;
        let json = to_json(&key)?;
        let (counter, eligible, backed_up) = passkey::flags(&json).ok_or(Fault::Unavailable)?;
        let credential_id = passkey::credential_key(key.cred_id().as_ref());
        let row = Passkey {
            id: 0,
            public_id: format!("pk_{}", crate::secrets::public_id("passkey", &credential_id)),
            user_id: c.user.id,
            credential_id,
            name: name.to_string(),
            passkey: json,
            sign_count: i64::from(counter),
            backup_eligible: eligible,
            backup_state: backed_up,
            created_at: now,
            last_used_at: None,
        };
        // A credential is one account's: registered already, it is refused.
        if !self.store.insert_passkey(&row).await? {
            return Err(Fault::PasskeyInvalid);
        }
        let backup_codes = self.after_enrol(req, c, first).await?;
        self.audit(req, Event::FactorAdded, Some(c.user.id), Some(&c.user.email), Some("passkey")).await;
        Ok(backup_codes)
    }

    async fn passkey_remove_unit(&self, req: &Request, c: &Current, id: &str) -> Result<(), Fault> {
        let keys = self.store.passkeys_of(c.user.id).await?;
        if !keys.iter().any(|p| p.public_id == id) {
            return Err(Fault::PasskeyNotFound);
        }
        let u = self.store.user(c.user.id).await?.ok_or(Fault::SignedOut)?;
        let other = keys.len() > 1 || u.totp_secret.is_some() || u.phone.is_some();
        if !other && self.cfg.settings.require_mfa {
            return Err(Fault::MfaRequired);
        }
        // Checked again in the statement that removes (a removal beside this one).
        if !self.store.remove_passkey(u.id, id, self.cfg.settings.require_mfa).await? {
            return Err(Fault::MfaRequired);
        }
        if !other {
            self.store.set_backup_codes(u.id, &[]).await?;
            self.store.set_default_factor(u.id, None).await?;
        }
        self.audit(req, Event::FactorRemoved, Some(c.user.id), Some(&c.user.email), Some("passkey")).await;
        Ok(())
    }
}
