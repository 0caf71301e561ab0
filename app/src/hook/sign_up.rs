//! `use_sign_up()`: Clerk's `useSignUp()`.

use super::{Core, Errors, FetchStatus};
use crate::api::*;
use leptos::prelude::*;
use proto::*;

/// The sign-up resource, shaped like [`SignIn`].
#[derive(Clone, Copy)]
pub struct SignUp {
    latest: RwSignal<SignUpView>,
    pub errors: RwSignal<Errors>,
    pub fetch_status: RwSignal<FetchStatus>,
    pub verifications: Verifications,
}

/// `sign_up.verifications`: the email code.
#[derive(Clone, Copy)]
pub struct Verifications {
    core: Core<SignUpView>,
}

/// Like [`provide_sign_in`], for the sign-up.
pub fn provide_sign_up(state: SignUpView, errors: Errors) -> SignUp {
    let latest = RwSignal::new(state);
    let errors = RwSignal::new(errors);
    let fetch_status = RwSignal::new(FetchStatus::Idle);
    let core = Core { latest, errors, fetch_status, answered: RwSignal::new(0.0) };
    let sign_up = SignUp { latest, errors, fetch_status, verifications: Verifications { core } };
    provide_context(sign_up);
    sign_up
}

/// `useSignUp()`: the sign-up provided above this component.
pub fn use_sign_up() -> SignUp {
    use_context().unwrap_or_else(|| provide_sign_up(SignUpView::default(), Errors::default()))
}

impl SignUp {
    /// As [`SignIn::answered_at`].
    pub fn answered_at(&self) -> f64 {
        self.core().answered.get_untracked()
    }

    fn core(&self) -> Core<SignUpView> {
        self.verifications.core
    }

    /// The sign-up as last known (tracked).
    pub fn view(&self) -> SignUpView {
        self.latest.get()
    }

    pub fn view_untracked(&self) -> SignUpView {
        untrack(|| self.view())
    }

    /// `sign_up.status` (tracked).
    pub fn status(&self) -> SignUpStatus {
        self.view().status
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch_status.get() == FetchStatus::Fetching
    }

    /// `sign_up.password({ emailAddress, password })`: also sends the code.
    pub async fn password(&self, email_address: String, password: String) -> Result<(), ApiErrors> {
        self.core().step(sign_up_password(email_address, password)).await
    }

    /// `sign_up.finalize({ navigate })`.
    pub async fn finalize(&self, navigate: impl FnOnce(&FinalizeView)) -> Result<(), ApiErrors> {
        let done = self.core().run(sign_up_finalize(), |_| None).await?;
        navigate(&done);
        Ok(())
    }

    /// Starts over with another address.
    pub async fn reset(&self) -> Result<(), ApiErrors> {
        self.core().step(sign_up_reset()).await
    }
}

impl Verifications {
    /// `sign_up.verifications.sendEmailCode()`.
    pub async fn send_email_code(&self) -> Result<(), ApiErrors> {
        self.core.step(sign_up_send_email_code()).await
    }

    /// `sign_up.verifications.verifyEmailCode({ code })`.
    pub async fn verify_email_code(&self, code: String) -> Result<(), ApiErrors> {
        self.core.step(sign_up_verify_email_code(code)).await
    }
}
