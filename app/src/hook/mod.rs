//! `use_sign_in()` and `use_sign_up()`: Clerk's `useSignIn()` and `useSignUp()`
//! in Leptos. The attempt lives on the server; these hooks mirror it in
//! signals and expose the steps as async methods.
//!
//! As Clerk's hooks read what `<ClerkProvider>` loaded, these read what an
//! island was given: the server renders the page with the attempt as it is,
//! the island calls `provide_sign_in(..)` with it, and every component under
//! it calls `use_sign_in()`. No second round trip when the page hydrates.
//!
//! One file per hook: [`sign_in`], [`sign_up`], [`session`], [`user`]; here
//! what they share (the errors, the request runner) and what a page reads of
//! a plain form post.

mod session;
mod sign_in;
mod sign_up;
mod user;

pub use session::*;
pub use sign_in::*;
pub use sign_up::*;
pub use user::*;

use crate::api::*;
use leptos::prelude::*;
use proto::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchStatus {
    #[default]
    Idle,
    Fetching,
}

/// Clerk's `errors.fields`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors {
    pub identifier: Option<ApiError>,
    pub email_address: Option<ApiError>,
    pub password: Option<ApiError>,
    pub code: Option<ApiError>,
}

/// Clerk's `errors`: per-field errors, the rest in `global`, and the raw list.
/// An island gets it as the raw list and sorts it again: less to decode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<ApiError>", into = "Vec<ApiError>")]
pub struct Errors {
    pub fields: FieldErrors,
    pub global: Vec<ApiError>,
    pub raw: Vec<ApiError>,
}

impl From<&ApiErrors> for Errors {
    fn from(e: &ApiErrors) -> Self {
        Errors::from(e.errors.iter().map(local).collect::<Vec<_>>())
    }
}

/// An error the browser made itself (no answer came, a passkey ceremony
/// failed) in the page's language; the server's are worded already.
fn local(e: &ApiError) -> ApiError {
    let id = match e.code.as_str() {
        "network_error" => "error-network",
        "passkey_invalid" => "error-passkey-invalid",
        _ => return e.clone(),
    };
    let message = crate::words::t(id);
    ApiError { long_message: message.clone(), message, ..e.clone() }
}

impl From<Errors> for Vec<ApiError> {
    fn from(e: Errors) -> Self {
        e.raw
    }
}

impl From<Vec<ApiError>> for Errors {
    fn from(raw: Vec<ApiError>) -> Self {
        let mut out = Errors { raw, ..Default::default() };
        for err in &out.raw {
            let slot = match err.meta.param_name {
                Some(Field::Identifier) => &mut out.fields.identifier,
                Some(Field::EmailAddress) => &mut out.fields.email_address,
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

/// What the hooks share: the last view, the errors, the fetch status.
struct Core<V: Send + Sync + 'static> {
    latest: RwSignal<V>,
    errors: RwSignal<Errors>,
    fetch_status: RwSignal<FetchStatus>,
    /// When (browser seconds) this page last got `latest` from the server
    /// itself; 0 while it is what the server rendered.
    answered: RwSignal<f64>,
}

impl<V: Send + Sync + 'static> Clone for Core<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: Send + Sync + 'static> Copy for Core<V> {}

/// Without JavaScript a failed form post comes back with its error in the URL
/// (`__err`); the page shows it like any other error (server side).
pub fn errors_from_form_post(ours: &[&str]) -> Errors {
    use leptos::server::ServerActionError;
    use leptos::server_fn::error::ServerFnUrlError;
    let Some(e) = use_context::<ServerActionError>() else { return Errors::default() };
    if !ours.contains(&e.path()) {
        return Errors::default();
    }
    Errors::from(&ServerFnUrlError::<ApiErrors>::decode_err(e.err()))
}

/// The email address typed into a plain form post that failed (server side:
/// the guard keeps it for the one page after the post).
pub fn kept_identifier() -> Option<String> {
    kept().identifier
}

/// The verification method chosen in a plain form post that failed.
pub fn kept_method() -> Option<Strategy> {
    kept().strategy.and_then(|s| Strategy::parse(&s))
}

/// What a plain form post that worked left for this page.
pub fn kept_notice() -> Option<Notice> {
    kept().notice
}

/// The backup codes a plain form post made, as sealed for its page.
pub fn kept_codes() -> Option<String> {
    kept().codes
}

/// What the guard kept of a plain form post (server side).
fn kept() -> Kept {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Kept>().cloned())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    Kept::default()
}

/// The endpoints whose form-post errors belong on the sign-in page.
pub fn sign_in_paths() -> [&'static str; 9] {
    use leptos::server_fn::ServerFn;
    [
        SignInPassword::PATH,
        SignInCreate::PATH,
        PrepareFirstFactor::PATH,
        AttemptFirstFactor::PATH,
        SignInResetPassword::PATH,
        PrepareSecondFactor::PATH,
        AttemptSecondFactor::PATH,
        FinalizeSignIn::PATH,
        ResetSignIn::PATH,
    ]
}

/// The endpoints whose form-post errors belong on the sign-up page.
pub fn sign_up_paths() -> [&'static str; 5] {
    use leptos::server_fn::ServerFn;
    [
        SignUpPassword::PATH,
        SignUpSendEmailCode::PATH,
        SignUpVerifyEmailCode::PATH,
        SignUpFinalize::PATH,
        SignUpReset::PATH,
    ]
}

impl<V: Clone + Send + Sync + 'static> Core<V> {
    async fn run<T>(
        self,
        fut: impl std::future::Future<Output = Result<T, ApiErrors>>,
        on_ok: impl FnOnce(&T) -> Option<V>,
    ) -> Result<T, ApiErrors> {
        self.fetch_status.set(FetchStatus::Fetching);
        let r = fut.await;
        match &r {
            Ok(v) => {
                if let Some(view) = on_ok(v) {
                    self.answered.set(js_sys::Date::now() / 1000.0);
                    self.latest.set(view);
                }
                self.errors.set(Errors::default());
            }
            Err(e) => self.errors.set(Errors::from(e)),
        }
        self.fetch_status.set(FetchStatus::Idle);
        r
    }

    async fn step(self, fut: impl std::future::Future<Output = Result<V, ApiErrors>>) -> Result<(), ApiErrors> {
        self.run(fut, |v| Some(v.clone())).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_split_into_fields_and_global() {
        let mut e = ApiErrors::from(Fault::CodeIncorrect(None));
        e.errors.extend(ApiErrors::from(Fault::Unavailable).errors);
        e.errors.extend(ApiErrors::from(Fault::Missing(Field::Identifier)).errors);
        let errs = Errors::from(&e);
        assert_eq!(errs.fields.code.as_ref().map(|c| c.code.as_str()), Some("form_code_incorrect"));
        assert_eq!(errs.fields.identifier.as_ref().map(|c| c.code.as_str()), Some("form_param_missing"));
        assert!(errs.fields.password.is_none());
        assert_eq!(errs.global.len(), 1);
        assert_eq!(errs.raw.len(), 3);
        assert!(!errs.is_empty());
        assert!(Errors::default().is_empty());
    }

    #[test]
    fn errors_travel_as_their_raw_list_and_sort_again() {
        let mut e = ApiErrors::from(Fault::PasswordIncorrect(None));
        e.errors.extend(ApiErrors::from(Fault::Unavailable).errors);
        let errs = Errors::from(&e);
        // An island's props carry the list only.
        let json = leptos::serde_json::to_string(&errs).unwrap();
        assert!(json.starts_with('[') && !json.contains("\"fields\""), "{json}");
        let back: Errors = leptos::serde_json::from_str(&json).unwrap();
        assert_eq!(back, errs);
        assert!(back.fields.password.is_some());
        assert_eq!(back.global.len(), 1);
    }
}
