//! `use_sign_in()`: Clerk's `useSignIn()`.

use super::{Core, Errors, FetchStatus};
use crate::api::*;
use leptos::prelude::*;
use proto::*;

/// The sign-in resource. `Copy`, so it moves freely into closures and tasks.
#[derive(Clone, Copy)]
pub struct SignIn {
    latest: RwSignal<SignInView>,
    pub errors: RwSignal<Errors>,
    pub fetch_status: RwSignal<FetchStatus>,
    pub mfa: Mfa,
    /// `sign_in.resetPasswordEmailCode`: a forgotten password.
    pub reset_password_email_code: Code,
    /// `sign_in.emailCode`: an emailed code for the password.
    pub email_code: Code,
    /// `sign_in.unlockEmailCode` (ours): this browser past a lockout.
    pub unlock_email_code: Code,
}

/// A first factor's emailed code: `sendCode()` and `verifyCode({ code })`.
#[derive(Clone, Copy)]
pub struct Code {
    core: SignInCore,
    strategy: Strategy,
}

/// `sign_in.mfa`: the second-factor steps.
#[derive(Clone, Copy)]
pub struct Mfa {
    core: SignInCore,
}

type SignInCore = Core<SignInView>;

/// Makes the sign-in `state` (and `errors`, from a form post made before the
/// page hydrated) what `use_sign_in()` answers under the current owner.
pub fn provide_sign_in(state: SignInView, errors: Errors) -> SignIn {
    let latest = RwSignal::new(state);
    let errors = RwSignal::new(errors);
    let fetch_status = RwSignal::new(FetchStatus::Idle);
    let core = SignInCore { latest, errors, fetch_status, answered: RwSignal::new(0.0) };
    let code = |strategy| Code { core, strategy };
    let sign_in = SignIn {
        latest,
        errors,
        fetch_status,
        mfa: Mfa { core },
        reset_password_email_code: code(Strategy::ResetPasswordEmailCode),
        email_code: code(Strategy::EmailCode),
        unlock_email_code: code(Strategy::UnlockEmailCode),
    };
    provide_context(sign_in);
    sign_in
}

/// `useSignIn()`: the sign-in provided above this component; a blank attempt
/// if none was.
pub fn use_sign_in() -> SignIn {
    use_context().unwrap_or_else(|| provide_sign_in(SignInView::default(), Errors::default()))
}

impl SignIn {
    fn core(&self) -> SignInCore {
        self.mfa.core
    }

    /// When (browser seconds) this page last got the attempt from the
    /// server itself; 0 while it is what the server rendered.
    pub fn answered_at(&self) -> f64 {
        self.core().answered.get_untracked()
    }

    /// The attempt as last known (tracked).
    pub fn view(&self) -> SignInView {
        self.latest.get()
    }

    /// The attempt as last known, without tracking.
    pub fn view_untracked(&self) -> SignInView {
        untrack(|| self.view())
    }

    /// Reads the attempt as last known (tracked), without a clone.
    pub fn with_view<T>(&self, f: impl FnOnce(&SignInView) -> T) -> T {
        self.latest.with(f)
    }

    /// `sign_in.status` (tracked).
    pub fn status(&self) -> Status {
        self.view().status
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch_status.get() == FetchStatus::Fetching
    }

    /// `sign_in.password({ emailAddress, password })`.
    pub async fn password(&self, identifier: String, password: String) -> Result<(), ApiErrors> {
        self.core().step(sign_in_password(identifier, password)).await
    }

    /// `sign_in.finalize({ navigate })`: creates the session, then hands the
    /// result (with any pending task) to `navigate`.
    pub async fn finalize(&self, navigate: impl FnOnce(&FinalizeView)) -> Result<(), ApiErrors> {
        // The server takes the page's `?redirect_url=` itself (its Referer).
        let done = self.core().run(finalize_sign_in(None), |_| None).await?;
        navigate(&done);
        Ok(())
    }

    /// Starts over with another account.
    pub async fn reset(&self) -> Result<(), ApiErrors> {
        self.core().step(reset_sign_in()).await
    }

    /// `sign_in.create({ identifier })`: `needs_first_factor`; with a
    /// `strategy`, its code is sent too.
    pub async fn create(&self, identifier: String, strategy: Option<Strategy>) -> Result<(), ApiErrors> {
        self.core().step(sign_in_create(identifier, strategy.map(|s| s.as_str().into()))).await
    }

    /// `sign_in.passkey({ flow: 'discoverable' })`: a new attempt, the
    /// browser's passkey dialog, and its answer (complete on success).
    pub async fn passkey(&self) -> Result<(), ApiErrors> {
        let start = self.core().run(sign_in_passkey(None), |_| None).await?;
        self.answer_passkey(start.passkey_challenge, false).await
    }

    /// The `autofill` flow's first half, quietly (no error shown: the
    /// offer is a courtesy): the options for a conditional `get()`.
    pub async fn passkey_autofill_options(&self) -> Option<PasskeyChallenge> {
        sign_in_passkey(Some("autofill".into())).await.ok().and_then(|v| v.passkey_challenge)
    }

    /// Runs the browser's ceremony for `challenge` and sends its answer, as
    /// the first factor (a passkey sign-in) or the second. `quiet`: a
    /// ceremony that ends without an answer shows no error (the autofill
    /// offer, cancelled when a dialog starts or the page moves on).
    pub async fn answer_passkey(&self, challenge: Option<PasskeyChallenge>, quiet: bool) -> Result<(), ApiErrors> {
        let core = self.core();
        let nonce = challenge.map(|c| c.nonce).ok_or_else(|| ApiErrors::from(Fault::Unavailable))?;
        let answer = match crate::webauthn::get(&nonce).await {
            Ok(a) => a,
            Err(_) => {
                let e = ApiErrors::from(Fault::PasskeyInvalid);
                if !quiet {
                    core.errors.set(Errors::from(&e));
                }
                return Err(e);
            }
        };
        let second = self.view_untracked().status == Status::NeedsSecondFactor;
        match second {
            true => core.step(attempt_second_factor("passkey".into(), String::new(), String::new(), answer)).await,
            false => core.step(attempt_first_factor("passkey".into(), String::new(), answer)).await,
        }
    }

    /// `sign_in.submitPassword({ password, signOutOfOtherSessions })` at
    /// `needs_new_password`.
    pub async fn submit_password(&self, password: String, sign_out_of_other_sessions: bool) -> Result<(), ApiErrors> {
        self.core().step(sign_in_reset_password(password, Some(sign_out_of_other_sessions.to_string()))).await
    }
}

impl Code {
    /// `sendCode()`: emails a code (a new one after the resend interval).
    pub async fn send_code(&self) -> Result<(), ApiErrors> {
        self.core.step(prepare_first_factor(self.strategy.as_str().into())).await
    }

    /// `verifyCode({ code })`.
    pub async fn verify_code(&self, code: String) -> Result<(), ApiErrors> {
        self.core.step(attempt_first_factor(self.strategy.as_str().into(), code, String::new())).await
    }
}

impl Mfa {
    async fn step(
        &self,
        fut: impl std::future::Future<Output = Result<SignInView, ApiErrors>>,
    ) -> Result<(), ApiErrors> {
        self.core.step(fut).await
    }

    /// `sign_in.mfa.sendPhoneCode()`.
    pub async fn send_phone_code(&self) -> Result<(), ApiErrors> {
        self.step(prepare_second_factor("phone_code".into())).await
    }

    /// `sign_in.mfa.verifyPhoneCode({ code })`.
    pub async fn verify_phone_code(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("phone_code".into(), code, String::new(), String::new())).await
    }

    /// `sign_in.mfa.verifyTOTP({ code })`.
    pub async fn verify_totp(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("totp".into(), code, String::new(), String::new())).await
    }

    /// `sign_in.mfa.verifyBackupCode({ code })`.
    pub async fn verify_backup_code(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("backup_code".into(), code, String::new(), String::new())).await
    }

    /// `sign_in.mfa.verifyPasskey()` (Clerk's native SDKs): a challenge for
    /// the user's passkeys, the browser's dialog, its answer.
    pub async fn verify_passkey(&self, sign_in: SignIn) -> Result<(), ApiErrors> {
        let start = self.core.run(prepare_second_factor("passkey".into()), |_| None).await?;
        sign_in.answer_passkey(start.passkey_challenge, false).await
    }

    /// `sign_in.mfa.sendEmailCode()`: a new code for `needs_client_trust`
    /// (the first is sent with the password step).
    pub async fn send_email_code(&self) -> Result<(), ApiErrors> {
        self.step(prepare_second_factor("email_code".into())).await
    }

    /// `sign_in.mfa.verifyEmailCode({ code })`: trusts this browser.
    pub async fn verify_email_code(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("email_code".into(), code, String::new(), String::new())).await
    }
}
