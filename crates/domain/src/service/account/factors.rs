//! The default second factor, new backup codes, and removing a factor (the
//! last one stays while the instance requires one).

use super::super::{Service, Unit};
use super::{Current, Open};
use crate::audit::Event;
use crate::mail::Change;
use crate::request::Request;
use crate::users;
use proto::*;

impl Service {
    pub async fn set_default(&self, req: &mut Request, s: Strategy) -> Result<UserView, Fault> {
        let mut c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        let has = match s {
            Strategy::Totp => c.user.totp_secret.is_some(),
            Strategy::PhoneCode => c.user.phone.is_some(),
            _ => false,
        };
        if !has {
            return Err(Fault::StrategyInvalid);
        }
        let u = self.unit().await?;
        let r = u.store.set_default_factor(c.user.id, Some(s.as_str())).await.map_err(Fault::from);
        if r.is_ok() {
            u.audit_change(req, &c, Event::FactorDefault).await;
        }
        u.commit(r).await?;
        let change = if s == Strategy::Totp { Change::DefaultIsApp } else { Change::DefaultIsPhone };
        self.notify(req, &c, change).await;
        self.reload(&mut c).await?;
        self.user_view(&c).await
    }

    pub async fn backup_codes(&self, req: &mut Request) -> Result<Changed, Fault> {
        let now = req.now;
        let mut c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        if !self.cfg.settings.second_factors.backup_code {
            return Err(Fault::StrategyInvalid);
        }
        // Backup codes only stand beside another factor.
        if c.user.totp_secret.is_none() && c.user.phone.is_none() && !c.user.has_passkey {
            return Err(Fault::BackupCodesNotAvailable);
        }
        let u = self.unit().await?;
        let r = Self::backup_codes_made(users::regenerate_backup_codes(&*u.store, c.user.id, now).await);
        if r.is_ok() {
            u.audit_change(req, &c, Event::FactorBackupCodes).await;
        }
        let codes = u.commit(r).await?;
        self.notify(req, &c, Change::BackupCodesMade).await;
        self.reload(&mut c).await?;
        Ok(Changed { user: self.user_view(&c).await?, backup_codes: codes })
    }

    pub async fn remove_factor(&self, req: &mut Request, s: Strategy) -> Result<UserView, Fault> {
        let mut c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        let u = self.unit().await?;
        let r = u.remove_unit(req, &c, s).await;
        u.commit(r).await?;
        let change = match s {
            Strategy::Totp => Change::AppRemoved,
            Strategy::PhoneCode => Change::PhoneRemoved,
            _ => Change::BackupCodesRemoved,
        };
        self.notify(req, &c, change).await;
        self.reload(&mut c).await?;
        self.user_view(&c).await
    }
}

impl Unit {
    /// A removal, in one unit, checked against the user as the unit reads it.
    async fn remove_unit(&self, req: &Request, c: &Current, s: Strategy) -> Result<(), Fault> {
        let u = self.store.user(c.user.id).await?.ok_or(Fault::SignedOut)?;
        let (has, other) = match s {
            Strategy::Totp => (u.totp_secret.is_some(), u.phone.is_some() || u.has_passkey),
            Strategy::PhoneCode => (u.phone.is_some(), u.totp_secret.is_some() || u.has_passkey),
            Strategy::BackupCode => (!self.store.unused_backup_codes(u.id).await?.is_empty(), true),
            _ => (false, true),
        };
        if !has {
            return Err(Fault::StrategyInvalid);
        }
        if !other && self.cfg.settings.require_mfa {
            return Err(Fault::MfaRequired);
        }
        // The check above, again in the statement that removes: a removal
        // running beside this one may have taken the other factor.
        let keep_one = self.cfg.settings.require_mfa;
        let removed = match s {
            Strategy::Totp => self.store.remove_totp(u.id, keep_one).await?,
            Strategy::PhoneCode => self.store.remove_phone(u.id, keep_one).await?,
            _ => {
                self.store.set_backup_codes(u.id, &[]).await?;
                true
            }
        };
        if !removed {
            return Err(Fault::MfaRequired);
        }
        if s != Strategy::BackupCode {
            // The last factor takes the backup codes with it; the default
            // moves to what remains.
            let (code_factor, other_code) = match s {
                Strategy::Totp => (u.phone.is_some(), Strategy::PhoneCode),
                _ => (u.totp_secret.is_some(), Strategy::Totp),
            };
            let next = code_factor.then_some(other_code.as_str());
            if !other {
                self.store.set_backup_codes(u.id, &[]).await?;
            }
            if u.default_factor.as_deref() == Some(s.as_str()) || next.is_none() {
                self.store.set_default_factor(u.id, next).await?;
            }
        }
        self.audit(req, Event::FactorRemoved, Some(c.user.id), Some(&c.user.email), Some(s.as_str())).await;
        Ok(())
    }
}
