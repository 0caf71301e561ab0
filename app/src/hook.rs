//! `use_sign_in()`: Clerk's `useSignIn()` in Leptos. The attempt lives on the
//! server; this hook mirrors it in signals and exposes the steps as async methods.

use crate::api::*;
use crate::model::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchStatus {
    #[default]
    Idle,
    Fetching,
}

/// Clerk's `errors.fields`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub identifier: Option<ApiError>,
    pub password: Option<ApiError>,
    pub code: Option<ApiError>,
}

/// Clerk's `errors`: per-field errors, the rest in `global`, and the raw list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Errors {
    pub fields: FieldErrors,
    pub global: Vec<ApiError>,
    pub raw: Vec<ApiError>,
}

impl From<&ApiErrors> for Errors {
    fn from(e: &ApiErrors) -> Self {
        let mut out = Errors { raw: e.errors.clone(), ..Default::default() };
        for err in &e.errors {
            let slot = match err.meta.param_name {
                Some(Field::Identifier) => &mut out.fields.identifier,
                Some(Field::Password) => &mut out.fields.password,
                Some(Field::Code) => &mut out.fields.code,
                _ => {
                    out.global.push(err.clone());
                    continue;
                }
            };
            slot.get_or_insert_with(|| err.clone());
        }
        out
    }
}

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// The sign-in resource. `Copy`, so it moves freely into closures and tasks.
#[derive(Clone, Copy)]
pub struct SignIn {
    loaded: Resource<Result<SignInView, ApiErrors>>,
    latest: RwSignal<Option<SignInView>>,
    pub errors: RwSignal<Errors>,
    pub fetch_status: RwSignal<FetchStatus>,
    pub mfa: Mfa,
}

/// `sign_in.mfa`: the second-factor steps.
#[derive(Clone, Copy)]
pub struct Mfa {
    core: SignInCore,
}

#[derive(Clone, Copy)]
struct SignInCore {
    latest: RwSignal<Option<SignInView>>,
    errors: RwSignal<Errors>,
    fetch_status: RwSignal<FetchStatus>,
}

/// Creates the hook. Call it once per page; the state is loaded from the
/// server (so a reload mid-flow stays where it was).
pub fn use_sign_in() -> SignIn {
    let loaded = Resource::new_blocking(|| (), |_| get_sign_in());
    let latest = RwSignal::new(None);
    let errors = RwSignal::new(errors_from_form_post());
    let fetch_status = RwSignal::new(FetchStatus::Idle);
    let core = SignInCore { latest, errors, fetch_status };
    SignIn {
        loaded,
        latest,
        errors,
        fetch_status,
        mfa: Mfa { core },
    }
}

/// Without JavaScript a failed form post comes back with its error in the URL
/// (`__err`); show it like any other error.
fn errors_from_form_post() -> Errors {
    use leptos::server::ServerActionError;
    use leptos::server_fn::{error::ServerFnUrlError, ServerFn};
    let Some(e) = use_context::<ServerActionError>() else { return Errors::default() };
    let ours = [
        SignInPassword::PATH,
        PrepareSecondFactor::PATH,
        AttemptSecondFactor::PATH,
        FinalizeSignIn::PATH,
        ResetSignIn::PATH,
    ];
    if !ours.contains(&e.path()) {
        return Errors::default();
    }
    Errors::from(&ServerFnUrlError::<ApiErrors>::decode_err(e.err()))
}

impl SignInCore {
    async fn run<T>(
        self,
        fut: impl std::future::Future<Output = Result<T, ApiErrors>>,
        on_ok: impl FnOnce(&T) -> Option<SignInView>,
    ) -> Result<T, ApiErrors> {
        self.fetch_status.set(FetchStatus::Fetching);
        let r = fut.await;
        match &r {
            Ok(v) => {
                if let Some(view) = on_ok(v) {
                    self.latest.set(Some(view));
                }
                self.errors.set(Errors::default());
            }
            Err(e) => self.errors.set(Errors::from(e)),
        }
        self.fetch_status.set(FetchStatus::Idle);
        r
    }

    async fn step(
        self,
        fut: impl std::future::Future<Output = Result<SignInView, ApiErrors>>,
    ) -> Result<(), ApiErrors> {
        self.run(fut, |v| Some(v.clone())).await.map(|_| ())
    }
}

impl SignIn {
    fn core(&self) -> SignInCore {
        self.mfa.core
    }

    /// The attempt as last known (tracked).
    pub fn view(&self) -> SignInView {
        if let Some(v) = self.latest.get() {
            return v;
        }
        match self.loaded.get() {
            Some(Ok(v)) => v,
            _ => SignInView::default(),
        }
    }

    /// The attempt as last known, without tracking.
    pub fn view_untracked(&self) -> SignInView {
        untrack(|| self.view())
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
        let done = self.core().run(finalize_sign_in(), |_| None).await?;
        navigate(&done);
        Ok(())
    }

    /// Starts over with another account.
    pub async fn reset(&self) -> Result<(), ApiErrors> {
        self.core().step(reset_sign_in()).await
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
        self.step(attempt_second_factor("phone_code".into(), code, None)).await
    }

    /// `sign_in.mfa.verifyTOTP({ code })`.
    pub async fn verify_totp(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("totp".into(), code, None)).await
    }

    /// `sign_in.mfa.verifyBackupCode({ code })`.
    pub async fn verify_backup_code(&self, code: String) -> Result<(), ApiErrors> {
        self.step(attempt_second_factor("backup_code".into(), code, None)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_split_into_fields_and_global() {
        let mut e = ApiErrors::from(Fault::CodeIncorrect);
        e.errors.extend(ApiErrors::from(Fault::Unavailable).errors);
        e.errors.extend(ApiErrors::from(Fault::Missing(Field::Identifier)).errors);
        let errs = Errors::from(&e);
        assert_eq!(errs.fields.code.as_ref().map(|c| c.code.as_str()), Some("form_code_incorrect"));
        assert_eq!(
            errs.fields.identifier.as_ref().map(|c| c.code.as_str()),
            Some("form_param_missing")
        );
        assert!(errs.fields.password.is_none());
        assert_eq!(errs.global.len(), 1);
        assert_eq!(errs.raw.len(), 3);
        assert!(!errs.is_empty());
        assert!(Errors::default().is_empty());
    }
}
