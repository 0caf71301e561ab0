//! One-time codes sent by email or SMS: issued within the resend window,
//! checked once, with a cap on wrong tries.

use super::{Service, Unit, MAX_CODE_BYTES};
use crate::mail::{self, CodeFor, Message};
use crate::request::Request;
use crate::secrets;
use crate::store::prelude::*;
use crate::store::Store;
use proto::*;
use std::ops::Deref;

/// What a one-time code is for. Stored with it: an owner's codes for
/// different steps never stand in for each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The second factor by SMS.
    PhoneCode,
    /// The email code of `needs_client_trust`.
    EmailCode,
    /// The email code of a sign-up.
    SignUp,
    /// The code that proves a phone being added.
    PhoneVerify,
    /// `reset_password_email_code`: a forgotten password.
    ResetPassword,
    /// `email_code` as a first factor: sign-in without the password.
    SignInEmail,
    /// `unlock_email_code`: this browser may sign in to a locked account.
    Unlock,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::PhoneCode => "phone_code",
            Purpose::EmailCode => "email_code",
            Purpose::SignUp => "sign_up_email",
            Purpose::PhoneVerify => "phone_verify",
            Purpose::ResetPassword => "reset_password",
            Purpose::SignInEmail => "sign_in_email",
            Purpose::Unlock => "unlock",
        }
    }
}

/// Where a new one-time code goes.
pub(crate) enum Dest<'a> {
    /// A text message; the second part is this site's host, for the
    /// domain-bound line (`Message::SmsCode`).
    Sms(&'a str, &'a str),
    /// An email saying what the code is for.
    Email(&'a str, CodeFor),
    /// A code nobody can know, and this message instead of it (to the
    /// owner of an address that already has an account).
    Notice(&'a str, Message),
    /// An email worded and sent after the answer (`Sender::send_later`),
    /// so that the time taken says nothing. To `None`, an address with no
    /// account answered as if it had one: a code nobody can know, its
    /// mail worded all the same and sent nowhere.
    Later(Option<&'a str>, CodeFor),
}
impl Service {
    /// Stores a fresh code for (key, purpose), replacing the old one unless
    /// that was sent within the resend interval, and sends it.
    pub(crate) async fn issue_code(
        &self,
        token: &str,
        key: &str,
        purpose: Purpose,
        dest: Dest<'_>,
        req: &Request,
    ) -> Result<(), Fault> {
        let (now, lang) = (req.now, req.lang);
        let gap = self.cfg.settings.codes.resend_after;
        let (to, known) = match &dest {
            Dest::Sms(to, _) | Dest::Email(to, _) | Dest::Later(Some(to), _) => (*to, true),
            Dest::Notice(to, _) => (*to, false),
            Dest::Later(None, _) => ("", false),
        };
        let test = self.is_test(to);
        let code = if test && known { mail::TEST_CODE.to_string() } else { secrets::otp_code() };
        let hash = secrets::code_hash(token, &code);
        let ttl = self.cfg.settings.codes.ttl;
        // Stored and committed before it is sent: a send must not hold a unit.
        self.alone(async |u| {
            if let Some(c) = u.store.code(key, purpose.name()).await? {
                let wait = c.sent_at + gap - now;
                if wait > 0 {
                    return Err(Fault::ResendTooSoon(wait as u32));
                }
            }
            if !u.store.put_code(key, purpose.name(), &hash, now, now + ttl, now - gap).await? {
                return Err(Fault::ResendTooSoon(gap.max(1) as u32));
            }
            Ok(())
        })
        .await?;
        let minutes = (ttl + 59) / 60;
        let email = |purpose| Message::EmailCode { code: code.clone(), purpose, minutes };
        let sent = match dest {
            _ if test => Ok(()),
            Dest::Later(to, purpose) => {
                self.sender.clone().send_later(to.map(String::from), lang, email(purpose), now);
                Ok(())
            }
            Dest::Notice(to, msg) => self.sender.send(to, lang, &msg, now).await,
            Dest::Sms(to, host) => {
                let sms = Message::SmsCode { code: code.clone(), minutes, host: host.into() };
                self.sender.send(to, lang, &sms, now).await
            }
            Dest::Email(to, purpose) => self.sender.send(to, lang, &email(purpose), now).await,
        };
        if let Err(e) = sent {
            tracing::error!(error = %e, purpose = purpose.name(), "code delivery failed");
            // Let the user retry at once.
            self.alone(async |u| match u.store.code(key, purpose.name()).await? {
                Some(c) => Ok(u.store.delete_code(c.id).await?),
                None => Ok(()),
            })
            .await?;
            return Err(Fault::DeliveryFailed);
        }
        Ok(())
    }
}

impl<D: Deref<Target: Store> + Send + Sync> Service<D> {
    /// Is the code for (key, purpose) the one its step sent when it began
    /// (`started_at`), untried, inside the resend interval? Then a first
    /// "send the code" (Clerk's guides make one) is answered with that one.
    pub(crate) async fn sent_by_step(
        &self,
        key: &str,
        purpose: Purpose,
        started_at: i64,
        now: i64,
    ) -> Result<bool, Fault> {
        let gap = self.cfg.settings.codes.resend_after;
        Ok(self
            .store
            .code(key, purpose.name())
            .await?
            .is_some_and(|c| c.sent_at == started_at && !c.used && c.failures == 0 && now < started_at + gap))
    }

    /// When the pending (unused, unexpired) code for (key, purpose) was sent.
    pub(crate) async fn pending_code_sent_at(
        &self,
        key: &str,
        purpose: Purpose,
        now: i64,
    ) -> Result<Option<i64>, Fault> {
        Ok(self.store.code(key, purpose.name()).await?.filter(|c| !c.used && c.expires_at > now).map(|c| c.sent_at))
    }
}

impl Unit {
    /// Checks an emailed or texted code; Ok only if it is right and now used up.
    pub(crate) async fn verify_code(
        &self,
        token: &str,
        key: &str,
        purpose: Purpose,
        code: &str,
        now: i64,
    ) -> Result<(), Fault> {
        // Longer than any code: wrong without a look.
        if code.len() > MAX_CODE_BYTES {
            return Err(Fault::CodeIncorrect(None));
        }
        let max = self.cfg.settings.codes.max_failures;
        let c = self.store.code(key, purpose.name()).await?.ok_or(Fault::CodeMissing)?;
        if c.used {
            return Err(Fault::CodeMissing);
        }
        if c.expires_at <= now {
            return Err(Fault::CodeExpired);
        }
        if c.failures >= max {
            return Err(Fault::CodeLocked);
        }
        if !secrets::same(&secrets::code_hash(token, code), &c.code_hash) {
            let n = self.store.fail_code(c.id, max).await?;
            return Err(if n >= max { Fault::CodeLocked } else { Fault::CodeIncorrect(None) });
        }
        if !self.store.consume_code(c.id, now, max).await? {
            return Err(Fault::CodeIncorrect(None));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_purposes_keep_their_stored_names() {
        // Rows already hold these: a rename would orphan codes in flight.
        let names = [
            Purpose::PhoneCode,
            Purpose::EmailCode,
            Purpose::SignUp,
            Purpose::PhoneVerify,
            Purpose::ResetPassword,
            Purpose::SignInEmail,
            Purpose::Unlock,
        ]
        .map(Purpose::name);
        assert_eq!(
            names,
            ["phone_code", "email_code", "sign_up_email", "phone_verify", "reset_password", "sign_in_email", "unlock"]
        );
    }
}
