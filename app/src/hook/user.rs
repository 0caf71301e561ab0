//! `use_user()`: Clerk's `useUser()`.

use super::{Core, Errors, FetchStatus};
use crate::api::*;
use leptos::prelude::*;
use proto::*;

/// `use_user()`: the signed-in user's second factors, and the changes to
/// them. Changes may fail with `session_reverification_required`: then
/// `reverify_*` first, and try again.
#[derive(Clone, Copy)]
pub struct User {
    core: Core<Option<UserView>>,
    pub errors: RwSignal<Errors>,
    pub fetch_status: RwSignal<FetchStatus>,
}

/// Makes `user` (the signed-in user, as the server rendered the page) what
/// `use_user()` answers under the current owner.
pub fn provide_user(user: Option<UserView>) -> User {
    let errors = RwSignal::new(Errors::default());
    let fetch_status = RwSignal::new(FetchStatus::Idle);
    let core = Core { latest: RwSignal::new(user), errors, fetch_status, answered: RwSignal::new(0.0) };
    let user = User { core, errors, fetch_status };
    provide_context(user);
    user
}

/// `useUser()`: the user provided above this component; signed out if none.
pub fn use_user() -> User {
    use_context().unwrap_or_else(|| provide_user(None))
}

impl User {
    /// The user as last known (tracked); `None` when signed out.
    pub fn user(&self) -> Option<UserView> {
        self.core.latest.get()
    }

    /// Runs a change that answers the updated user.
    async fn apply(
        &self,
        fut: impl std::future::Future<Output = Result<UserView, ApiErrors>>,
    ) -> Result<(), ApiErrors> {
        self.core.run(fut, |u| Some(Some(u.clone()))).await.map(|_| ())
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch_status.get() == FetchStatus::Fetching
    }

    /// Did the last change fail for want of a recent re-verification?
    /// (Untracked: asked from event handlers, after a failed change.)
    pub fn needs_reverification(&self) -> bool {
        self.errors.with_untracked(|e| e.raw.iter().any(|x| x.code == "session_reverification_required"))
    }

    pub async fn reverify_password(&self, password: String) -> Result<(), ApiErrors> {
        self.apply(reverify("password".into(), password, String::new())).await
    }

    pub async fn reverify_totp(&self, code: String) -> Result<(), ApiErrors> {
        self.apply(reverify("totp".into(), String::new(), code)).await
    }

    pub async fn reverify_backup_code(&self, code: String) -> Result<(), ApiErrors> {
        self.apply(reverify("backup_code".into(), String::new(), code)).await
    }

    /// Starts enrolling an authenticator app: its secret and QR code.
    pub async fn create_totp(&self) -> Result<TotpSetup, ApiErrors> {
        self.core.run(totp_start(), |_| None).await
    }

    /// Enables the app with a code from it; answers new backup codes, if any.
    pub async fn verify_totp(&self, code: String) -> Result<Vec<String>, ApiErrors> {
        let c = self.core.run(totp_verify(code), |c| Some(Some(c.user.clone()))).await?;
        Ok(c.backup_codes)
    }

    pub async fn add_phone(&self, phone_number: String) -> Result<(), ApiErrors> {
        self.apply(phone_start(phone_number)).await
    }

    pub async fn verify_phone(&self, code: String) -> Result<Vec<String>, ApiErrors> {
        let c = self.core.run(phone_verify(code), |c| Some(Some(c.user.clone()))).await?;
        Ok(c.backup_codes)
    }

    pub async fn make_default(&self, strategy: Strategy) -> Result<(), ApiErrors> {
        self.apply(set_default_factor(strategy.as_str().into())).await
    }

    pub async fn remove(&self, strategy: Strategy) -> Result<(), ApiErrors> {
        self.apply(remove_factor(strategy.as_str().into())).await
    }

    /// `user.delete()`: the account and all it holds, gone (after a recent
    /// re-verification); signed out.
    pub async fn delete(&self) -> Result<(), ApiErrors> {
        self.core.run(delete_account(), |_| Some(None)).await
    }

    /// `user.updatePassword({ newPassword, signOutOfOtherSessions })`; also
    /// the `reset-password` task's step.
    pub async fn update_password(&self, password: String, sign_out_of_other_sessions: bool) -> Result<(), ApiErrors> {
        self.apply(change_password(password, Some(sign_out_of_other_sessions.to_string()))).await
    }

    /// `user.createPasskey()`: the options, the browser's dialog, the new
    /// passkey (named `name`, or after this browser); answers new backup
    /// codes when it is the first second factor.
    pub async fn create_passkey(&self, name: String) -> Result<Vec<String>, ApiErrors> {
        let options = self.core.run(passkey_create(), |_| None).await?;
        let answer = match crate::webauthn::create(&options.nonce).await {
            Ok(a) => a,
            Err(_) => {
                let e = ApiErrors::from(Fault::PasskeyInvalid);
                self.errors.set(Errors::from(&e));
                return Err(e);
            }
        };
        let c = self.core.run(passkey_finish(answer, name), |c| Some(Some(c.user.clone()))).await?;
        Ok(c.backup_codes)
    }

    /// `passkey.update({ name })`.
    pub async fn rename_passkey(&self, id: String, name: String) -> Result<(), ApiErrors> {
        self.apply(passkey_rename(id, name)).await
    }

    /// `passkey.delete()`.
    pub async fn remove_passkey(&self, id: String) -> Result<(), ApiErrors> {
        self.apply(passkey_remove(id)).await
    }

    /// A new set of backup codes (the old ones stop working).
    pub async fn regenerate_backup_codes(&self) -> Result<Vec<String>, ApiErrors> {
        let c = self.core.run(regenerate_backup_codes(), |c| Some(Some(c.user.clone()))).await?;
        Ok(c.backup_codes)
    }
}
