//! `use_sign_in()` and `use_sign_up()`: Clerk's `useSignIn()` and `useSignUp()`
//! in Leptos. The attempt lives on the server; these hooks mirror it in
//! signals and expose the steps as async methods.
//!
//! As Clerk's hooks read what `<ClerkProvider>` loaded, these read what an
//! island was given: the server renders the page with the attempt as it is,
//! the island calls `provide_sign_in(..)` with it, and every component under
//! it calls `use_sign_in()`. No second round trip when the page hydrates.

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
        Errors::from(e.errors.clone())
    }
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

/// Clerk's `useSession()`, for what an app needs of the session: its token.
#[derive(Clone, Copy, Debug, Default)]
pub struct Session;

pub fn use_session() -> Session {
    Session
}

impl Session {
    /// `session.getToken()`: a fresh session token (a JWT for the app's
    /// backend; also set as the `__session` cookie), or `None` when signed
    /// out.
    pub async fn get_token(&self) -> Option<String> {
        get_token().await.ok().map(|t| t.jwt)
    }
}

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
