//! The HTTP API: one server function per sign-in step (documented in docs/api.md).
//! Bodies are thin adapters: they hand the request to the domain's use case
//! (`Service`), then apply its token changes and HTTP status.

use leptos::prelude::*;
use proto::*;

#[cfg(feature = "ssr")]
pub use glue::{Api, Call};

/// The current sign-in attempt (from the attempt cookie), or `needs_identifier`.
#[server(prefix = "/api", endpoint = "sign_in", output = JsonStr)]
pub async fn get_sign_in() -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_in(&mut c.req).await;
    c.finish(r)
}

/// First factor: email address and password.
#[server(prefix = "/api", endpoint = "sign_in/password", output = JsonStr)]
pub async fn sign_in_password(
    #[server(default)] identifier: String,
    #[server(default)] password: String,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    // The form shows every empty field's error at once (the use case stops
    // at the first).
    let empty = [(Field::Identifier, identifier.trim().is_empty()), (Field::Password, password.is_empty())];
    let r = c.api.service.password(&mut c.req, identifier, password).await;
    let r = c.finalize_form_post(r).await;
    c.finish(r).map_err(|e| e.and_missing(&empty))
}

/// Starts a sign-in from the identifier alone (`needs_first_factor`); with
/// `strategy` (`reset_password_email_code`, `email_code`, `unlock_email_code`)
/// its code is sent too. A form post goes on at /sign-in.
#[server(prefix = "/api", endpoint = "sign_in/create", output = JsonStr)]
pub async fn sign_in_create(
    #[server(default)] identifier: String,
    #[server(default)] strategy: Option<String>,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match strategy.as_deref().filter(|s| !s.is_empty()).map(Strategy::parse) {
        Some(None) => Err(Fault::StrategyInvalid),
        Some(s) => c.api.service.create(&mut c.req, identifier, s).await,
        None => c.api.service.create(&mut c.req, identifier, None).await,
    };
    if r.is_ok() {
        c.redirect_form_post("/sign-in");
    }
    c.finish(r)
}

/// Sends a first-factor code (`reset_password_email_code`, `email_code`,
/// `unlock_email_code`).
#[server(prefix = "/api", endpoint = "sign_in/prepare_first_factor", output = JsonStr)]
pub async fn prepare_first_factor(#[server(default)] strategy: String) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.prepare_first_factor(&mut c.req, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// `signIn.passkey()`: a new attempt with a passkey challenge (no email);
/// `flow=autofill` asks for the browser's conditional mediation.
#[server(prefix = "/api", endpoint = "sign_in/passkey", output = JsonStr)]
pub async fn sign_in_passkey(#[server(default)] flow: Option<String>) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.passkey_sign_in(&mut c.req, flow.as_deref() == Some("autofill")).await;
    c.finish(r)
}

/// Verifies a first-factor code, or (`strategy=passkey`) the passkey's
/// answer in `public_key_credential`.
#[server(prefix = "/api", endpoint = "sign_in/attempt_first_factor", output = JsonStr)]
pub async fn attempt_first_factor(
    #[server(default)] strategy: String,
    #[server(default)] code: String,
    #[server(default)] public_key_credential: String,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.attempt_first_factor(&mut c.req, s, Answer { code, public_key_credential }).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    let r = c.finalize_form_post(r).await;
    // Without JavaScript the page after the post says that the lock is
    // lifted, with the address filled in.
    if let Some(v) = r.as_ref().ok().filter(|v| v.is_unlocked()) {
        c.flash_form_post(Kept { identifier: v.identifier.clone(), notice: Some(Notice::Unlocked), ..Kept::default() });
    }
    c.finish(r)
}

/// `needs_new_password`: the new password. `sign_out_of_other_sessions`
/// defaults to true (without JavaScript an unticked box sends nothing: no).
#[server(prefix = "/api", endpoint = "sign_in/reset_password", output = JsonStr)]
pub async fn sign_in_reset_password(
    #[server(default)] password: String,
    #[server(default)] sign_out_of_other_sessions: Option<String>,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let others = c.flag(sign_out_of_other_sessions);
    let r = c.api.service.reset_password(&mut c.req, password, others).await;
    let r = c.finalize_form_post(r).await;
    c.finish(r)
}

/// Sends a second-factor code (`strategy=phone_code`), or a passkey
/// challenge (`strategy=passkey`).
#[server(prefix = "/api", endpoint = "sign_in/prepare_second_factor", output = JsonStr)]
pub async fn prepare_second_factor(#[server(default)] strategy: String) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.prepare_second_factor(&mut c.req, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// Verifies a second factor. `backup_code` takes the code in `backup_code`
/// (the form's own field for it) or in `code`; `passkey` takes the answer in
/// `public_key_credential`.
#[server(prefix = "/api", endpoint = "sign_in/attempt_second_factor", output = JsonStr)]
pub async fn attempt_second_factor(
    #[server(default)] strategy: String,
    #[server(default)] code: String,
    #[server(default)] backup_code: String,
    #[server(default)] public_key_credential: String,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    // The form's own backup-code field, when the code field is empty.
    let code = match Strategy::parse(&strategy) {
        Some(Strategy::BackupCode) if code.trim().is_empty() => backup_code,
        _ => code,
    };
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.attempt_second_factor(&mut c.req, s, Answer { code, public_key_credential }).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    let r = c.finalize_form_post(r).await;
    c.finish(r)
}

/// Turns a complete attempt into the active session (sets the session
/// cookie). `redirect_url` (else the page's own `?redirect_url=`) is where
/// the browser goes next, if it is allowed and no task comes first.
#[server(prefix = "/api", endpoint = "sign_in/finalize", output = JsonStr)]
pub async fn finalize_sign_in(#[server(default)] redirect_url: Option<String>) -> Result<FinalizeView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match c.api.service.finalize(&mut c.req).await {
        Ok(done) => Ok(c.finished(done, redirect_url.as_deref()).await),
        Err(f) => Err(f),
    };
    if let Ok(done) = &r {
        c.redirect_form_post(&done.redirect_url);
    }
    c.finish(r)
}

/// Abandons the current attempt ("use another account").
#[server(prefix = "/api", endpoint = "sign_in/reset", output = JsonStr)]
pub async fn reset_sign_in() -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.reset(&mut c.req).await;
    c.finish(r)
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "session", output = JsonStr)]
pub async fn get_session() -> Result<Option<SessionView>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.session(&mut c.req).await;
    c.finish(r)
}

/// A session token (JWT) for the app's backend, also set as the
/// `__session` cookie (Clerk's `session.getToken()`).
#[server(prefix = "/api", endpoint = "session/token", output = JsonStr)]
pub async fn get_token() -> Result<TokenView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.token(&mut c.req).await;
    c.finish(r)
}

/// Ends the session on the server and clears its cookie.
#[server(prefix = "/api", endpoint = "session/sign_out", output = JsonStr)]
pub async fn sign_out() -> Result<(), ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_out(&mut c.req).await;
    if r.is_ok() {
        c.redirect_form_post("/sign-in");
    }
    c.finish(r)
}

/// The language chosen in the pages' menu: kept in this browser (a cookie)
/// and, signed in, on the account, whose notices are then written in it. A
/// form post goes back to its page, now in that language.
#[server(prefix = "/api", endpoint = "language", output = JsonStr)]
pub async fn set_language(#[server(default)] lang: String) -> Result<(), ApiErrors> {
    let mut c = Call::begin().await?;
    let Some(chosen) = Lang::from_tag(&lang) else { return c.finish(Err(Fault::BadRequest)) };
    c.req.lang = chosen;
    let r = match c.api.service.set_language(&mut c.req, chosen).await {
        Err(Fault::SignedOut) => Ok(()),
        r => r,
    };
    if r.is_ok() {
        c.keep_language(chosen);
    }
    c.finish(r)
}

/// The current sign-up (from the sign-up cookie), or `abandoned`.
#[server(prefix = "/api", endpoint = "sign_up", output = JsonStr)]
pub async fn get_sign_up() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_up(&mut c.req).await;
    c.finish(r)
}

/// Starts a sign-up: email address and password. Sends the email code.
#[server(prefix = "/api", endpoint = "sign_up/password", output = JsonStr)]
pub async fn sign_up_password(
    #[server(default)] email_address: String,
    #[server(default)] password: String,
) -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let empty = [(Field::EmailAddress, email_address.trim().is_empty()), (Field::Password, password.is_empty())];
    let r = c.api.service.sign_up_password(&mut c.req, email_address, password).await;
    c.finish(r).map_err(|e| e.and_missing(&empty))
}

/// Sends a new email code (at most one per resend interval).
#[server(prefix = "/api", endpoint = "sign_up/send_email_code", output = JsonStr)]
pub async fn sign_up_send_email_code() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_up_send_email_code(&mut c.req).await;
    c.finish(r)
}

/// Verifies the email code; the account exists from here on.
#[server(prefix = "/api", endpoint = "sign_up/verify_email_code", output = JsonStr)]
pub async fn sign_up_verify_email_code(#[server(default)] code: String) -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_up_verify_email_code(&mut c.req, code).await;
    let r = match r {
        // Without JavaScript nobody is there to call `finalize`: done here.
        Ok(view) if c.is_form_post() => match c.api.service.sign_up_finished(&mut c.req, view).await {
            Ok((view, done)) => {
                if let Some(done) = done {
                    c.redirect_form_post(&done.redirect_url);
                }
                Ok(view)
            }
            Err(f) => Err(f),
        },
        other => other,
    };
    c.finish(r)
}

/// Turns a complete sign-up into the active session.
#[server(prefix = "/api", endpoint = "sign_up/finalize", output = JsonStr)]
pub async fn sign_up_finalize() -> Result<FinalizeView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_up_finalize(&mut c.req).await;
    if let Ok(done) = &r {
        c.redirect_form_post(&done.redirect_url);
    }
    c.finish(r)
}

/// Abandons the current sign-up.
#[server(prefix = "/api", endpoint = "sign_up/reset", output = JsonStr)]
pub async fn sign_up_reset() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sign_up_reset(&mut c.req).await;
    c.finish(r)
}

/// The signed-in user (or a pending session's), with their second factors.
#[server(prefix = "/api", endpoint = "user", output = JsonStr)]
pub async fn get_user() -> Result<Option<UserView>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.user(&mut c.req).await;
    c.finish(r)
}

/// Re-verification: `strategy` is `password` (field `password`), `totp` or
/// `backup_code` (field `code`). Changes are allowed for the window after
/// (`UserView::reverification_minutes`).
#[server(prefix = "/api", endpoint = "user/reverify", output = JsonStr)]
pub async fn reverify(
    #[server(default)] strategy: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(Strategy::Password) => c.api.service.reverify(&mut c.req, Strategy::Password, password).await,
        Some(s) => c.api.service.reverify(&mut c.req, s, code).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.flash_done(&r, Notice::Reverified);
    c.finish(r)
}

/// Starts enrolling an authenticator app: a new secret and its QR code.
#[server(prefix = "/api", endpoint = "user/totp", output = JsonStr)]
pub async fn totp_start() -> Result<TotpSetup, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.totp_start(&mut c.req).await.and_then(web::totp_setup);
    // Without JavaScript the page shows the secret after the post.
    c.flash_done(&r, Notice::TotpStarted);
    c.finish(r)
}

/// Enables the authenticator app once a code from it checks out.
#[server(prefix = "/api", endpoint = "user/totp/verify", output = JsonStr)]
pub async fn totp_verify(#[server(default)] code: String) -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.totp_verify(&mut c.req, code).await;
    c.flash_codes(&r, Kept { strategy: Some("totp".into()), notice: Some(Notice::FactorAdded), ..Kept::default() })
        .await;
    c.finish(r)
}

/// Adds a phone number (E.164) and texts it a code.
#[server(prefix = "/api", endpoint = "user/phone", output = JsonStr)]
pub async fn phone_start(#[server(default)] phone_number: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.phone_start(&mut c.req, phone_number).await;
    c.finish(r)
}

/// Verifies the phone's code; the phone becomes a second factor.
#[server(prefix = "/api", endpoint = "user/phone/verify", output = JsonStr)]
pub async fn phone_verify(#[server(default)] code: String) -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.phone_verify(&mut c.req, code).await;
    let added = Kept { strategy: Some("phone_code".into()), notice: Some(Notice::FactorAdded), ..Kept::default() };
    c.flash_codes(&r, added).await;
    c.finish(r)
}

/// Makes `strategy` (`totp` or `phone_code`) the default second factor.
#[server(prefix = "/api", endpoint = "user/default", output = JsonStr)]
pub async fn set_default_factor(#[server(default)] strategy: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.set_default(&mut c.req, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.flash_done(&r, Kept { strategy: Some(strategy), notice: Some(Notice::DefaultSet), ..Kept::default() });
    c.finish(r)
}

/// A new set of backup codes, replacing the old (shown once).
#[server(prefix = "/api", endpoint = "user/backup_codes", output = JsonStr)]
pub async fn regenerate_backup_codes() -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.backup_codes(&mut c.req).await;
    if r.is_ok() {
        // Not back to the question (`?new_codes`): to the page.
        c.redirect_form_post("/account/security");
    }
    c.flash_codes(&r, Notice::BackupCodesMade.into()).await;
    c.finish(r)
}

/// Deletes the signed-in user's account (after a recent re-verification);
/// the session ends with it.
#[server(prefix = "/api", endpoint = "user/delete", output = JsonStr)]
pub async fn delete_account() -> Result<(), ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.delete_account(&mut c.req).await;
    if r.is_ok() {
        c.redirect_form_post("/sign-in");
    }
    c.finish(r)
}

/// Removes a second factor (`totp`, `phone_code` or `backup_code`).
#[server(prefix = "/api", endpoint = "user/remove", output = JsonStr)]
pub async fn remove_factor(#[server(default)] strategy: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.api.service.remove_factor(&mut c.req, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    if r.is_ok() {
        // Not back to the confirmation (`?remove=`): to the page.
        c.redirect_form_post("/account/security");
    }
    c.flash_done(&r, Kept { strategy: Some(strategy), notice: Some(Notice::FactorRemoved), ..Kept::default() });
    c.finish(r)
}

/// A new password for the signed-in user (after a recent re-verification),
/// or the `reset-password` task's. `sign_out_of_other_sessions` as at reset.
#[server(prefix = "/api", endpoint = "user/password", output = JsonStr)]
pub async fn change_password(
    #[server(default)] password: String,
    #[server(default)] sign_out_of_other_sessions: Option<String>,
) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let others = c.flag(sign_out_of_other_sessions);
    let r = c.api.service.change_password(&mut c.req, password, others).await;
    if let Ok(u) = &r {
        c.redirect_form_post(&u.task.as_deref().map(task_url).unwrap_or_else(|| "/".into()));
    }
    c.finish(r)
}

/// `user.createPasskey()`, first half: the options for `navigator.credentials.create()`.
#[server(prefix = "/api", endpoint = "user/passkeys", output = JsonStr)]
pub async fn passkey_create() -> Result<PasskeyCreation, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.passkey_create(&mut c.req).await;
    c.finish(r)
}

/// `user.createPasskey()`, second half: the browser's answer, and a name.
#[server(prefix = "/api", endpoint = "user/passkeys/finish", output = JsonStr)]
pub async fn passkey_finish(
    #[server(default)] public_key_credential: String,
    #[server(default)] name: String,
) -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.passkey_finish(&mut c.req, public_key_credential, name).await;
    c.finish(r)
}

/// `passkey.update({ name })`.
#[server(prefix = "/api", endpoint = "user/passkeys/rename", output = JsonStr)]
pub async fn passkey_rename(
    #[server(default)] id: String,
    #[server(default)] name: String,
) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.passkey_rename(&mut c.req, id, name).await;
    if r.is_ok() {
        // Not back to the form (`?rename_passkey=`): to the page.
        c.redirect_form_post("/account/security");
    }
    c.flash_done(&r, Notice::PasskeyRenamed);
    c.finish(r)
}

/// `passkey.delete()`.
#[server(prefix = "/api", endpoint = "user/passkeys/remove", output = JsonStr)]
pub async fn passkey_remove(#[server(default)] id: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.passkey_remove(&mut c.req, id).await;
    if r.is_ok() {
        // Not back to the confirmation (`?remove_passkey=`): to the page.
        c.redirect_form_post("/account/security");
    }
    c.flash_done(&r, Notice::PasskeyRemoved);
    c.finish(r)
}

/// The browsers that skip the client-trust code, last used first.
#[server(prefix = "/api", endpoint = "trusted_devices", output = JsonStr)]
pub async fn list_trusted_devices() -> Result<Vec<TrustedDevice>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.trusted_devices(&mut c.req).await;
    c.finish(r)
}

/// Forgets one: it proves itself again at its next sign-in.
#[server(prefix = "/api", endpoint = "trusted_devices/revoke", output = JsonStr)]
pub async fn revoke_trusted_device(#[server(default)] id: String) -> Result<Vec<TrustedDevice>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.revoke_trusted_device(&mut c.req, id).await;
    c.flash_done(&r, Notice::DeviceRevoked);
    c.redirect_form_post("/account/sessions");
    c.finish(r)
}

/// The user's active sessions, newest activity first.
#[server(prefix = "/api", endpoint = "sessions", output = JsonStr)]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.sessions(&mut c.req).await;
    c.finish(r)
}

/// Ends one of the user's sessions.
#[server(prefix = "/api", endpoint = "sessions/revoke", output = JsonStr)]
pub async fn revoke_session(#[server(default)] id: String) -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.revoke_session(&mut c.req, id).await;
    c.flash_done(&r, Notice::SessionRevoked);
    c.finish(r)
}

/// Ends every session of the user but this one.
#[server(prefix = "/api", endpoint = "sessions/revoke_others", output = JsonStr)]
pub async fn revoke_other_sessions() -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.api.service.revoke_others(&mut c.req).await;
    c.flash_done(&r, Notice::OtherSessionsRevoked);
    c.finish(r)
}

#[cfg(feature = "ssr")]
mod glue {
    use domain::{request::Request, service::Service};
    use http::{header, request::Parts, StatusCode};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use proto::*;
    use std::sync::Arc;

    /// What the server provides to every server function: the use cases and
    /// the HTTP edge.
    #[derive(Clone)]
    pub struct Api {
        pub service: Arc<Service>,
        pub edge: Arc<web::Edge>,
    }

    /// One server-function call: the HTTP request, and the domain's view of
    /// it (whose token changes become cookies).
    pub struct Call {
        pub parts: Parts,
        pub req: Request,
        pub api: Api,
    }

    impl Call {
        pub async fn begin() -> Result<Call, ApiErrors> {
            let parts = use_context::<Parts>().ok_or(ApiErrors::from(Fault::Unavailable))?;
            let api = use_context::<Api>().ok_or(ApiErrors::from(Fault::Unavailable))?;
            let req = api.edge.request(&parts);
            Ok(Call { parts, req, api })
        }

        /// A plain HTML form post (no JavaScript): answered with redirects.
        pub fn is_form_post(&self) -> bool {
            is_form_post(&self.parts)
        }

        /// Without JavaScript nobody is there to call `finalize`: do it here.
        pub async fn finalize_form_post(&mut self, r: Result<SignInView, Fault>) -> Result<SignInView, Fault> {
            match r {
                Ok(view) if self.is_form_post() => {
                    let (view, done) = self.api.service.sign_in_finished(&mut self.req, view).await?;
                    if let Some(done) = done {
                        let done = self.finished(done, None).await;
                        self.redirect_form_post(&done.redirect_url);
                    }
                    Ok(view)
                }
                other => other,
            }
        }

        /// A finished sign-in: the first session token goes into the
        /// `__session` cookie (for apps on this site), and the browser on to
        /// the allowed `redirect_url`, unless a task comes first.
        pub async fn finished(&mut self, done: FinalizeView, asked: Option<&str>) -> FinalizeView {
            // The session stands even if no token could be signed now (the
            // use case logs why).
            let _ = self.api.service.token(&mut self.req).await;
            match self.api.edge.onward(&self.parts, asked) {
                Some(to) if done.current_task.is_none() => FinalizeView { redirect_url: to, ..done },
                _ => done,
            }
        }

        /// A yes/no field: yes unless it says no; absent is no in a form
        /// post (an unticked box sends nothing), unsaid (the use case's
        /// default) in an API call.
        pub fn flag(&self, v: Option<String>) -> Option<bool> {
            match v.as_deref() {
                None => self.is_form_post().then_some(false),
                Some(v) => Some(!matches!(v, "false" | "off" | "0" | "")),
            }
        }

        /// What the page after a plain form post is to show (the guard's
        /// flash cookie, read once).
        pub fn flash_form_post(&self, kept: Kept) {
            let cookie = web::flash::set_cookie(self.api.edge.dev, &[], &kept);
            if let (true, Some(c), Some(res)) = (self.is_form_post(), cookie, use_context::<ResponseOptions>()) {
                res.append_header(header::SET_COOKIE, c);
            }
        }

        /// Keeps `lang` in this browser (the menu's cookie).
        pub fn keep_language(&self, lang: Lang) {
            if let (Some(v), Some(res)) = (self.api.edge.lang_cookie_header(lang), use_context::<ResponseOptions>()) {
                res.append_header(header::SET_COOKIE, v);
            }
        }

        /// A plain form post that worked: its page says what it did.
        pub fn flash_done<T, E>(&self, r: &Result<T, E>, done: impl Into<Kept>) {
            if r.is_ok() {
                self.flash_form_post(done.into());
            }
        }

        /// A plain form post that made backup codes: the page after it shows
        /// them (sealed to this session, for a minute), and says `done`.
        pub async fn flash_codes(&self, r: &Result<Changed, Fault>, done: Kept) {
            if let (true, Ok(changed)) = (self.is_form_post(), r) {
                let codes = self.api.service.seal_codes(&self.req, &changed.backup_codes).await;
                self.flash_form_post(Kept { codes, ..done });
            }
        }

        /// What the page after a plain form post shows once: the backup
        /// codes it made, and the authenticator app being added (server
        /// side).
        pub async fn shown_once(sealed: Option<&str>, totp: bool) -> (Vec<String>, Option<TotpSetup>) {
            let Ok(c) = Call::begin().await else { return (vec![], None) };
            let codes = match sealed {
                Some(s) => c.api.service.open_codes(&c.req, s).await,
                None => vec![],
            };
            let pending = if totp { c.api.service.totp_pending(&c.req).await.ok().flatten() } else { None };
            let setup = pending.and_then(|s| web::totp_setup(s).ok());
            (codes, setup)
        }

        pub fn redirect_form_post(&self, to: &str) {
            if self.is_form_post() {
                leptos_axum::redirect(to);
            }
        }

        /// Applies cookies and the HTTP status, and maps the fault to the wire.
        pub fn finish<T>(self, r: Result<T, Fault>) -> Result<T, ApiErrors> {
            let Some(res) = use_context::<ResponseOptions>() else {
                return self.worded(r);
            };
            for c in self.req.changes() {
                if let Some(v) = self.api.edge.set_cookie(c) {
                    res.append_header(header::SET_COOKIE, v);
                }
            }
            // Statuses only for API callers: a form post must keep its redirect,
            // and a page render its own status.
            if is_api_call(&self.parts) {
                let (status, retry_after) = r.as_ref().err().map(web::fault_status).unwrap_or((StatusCode::OK, None));
                res.set_status(status);
                if let Some(v) = retry_after {
                    res.insert_header(header::RETRY_AFTER, v);
                }
            }
            self.worded(r)
        }

        /// The fault on the wire, worded in the language of the page that asked.
        fn worded<T>(&self, r: Result<T, Fault>) -> Result<T, ApiErrors> {
            r.map_err(|f| words::errors(self.req.lang, ApiErrors::from(f)))
        }
    }

    pub fn is_form_post(parts: &Parts) -> bool {
        parts.uri.path().starts_with("/api/") && web::accepts_html(&parts.headers)
    }

    pub fn is_api_call(parts: &Parts) -> bool {
        parts.uri.path().starts_with("/api/") && !web::accepts_html(&parts.headers)
    }

    /// Runs before every server function: a request that never reaches the
    /// body (it could not be decoded) answers 400, not the default 500.
    pub fn preset_status() {
        if let (Some(parts), Some(res)) = (use_context::<Parts>(), use_context::<ResponseOptions>()) {
            if is_api_call(&parts) {
                res.set_status(StatusCode::BAD_REQUEST);
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub use glue::preset_status;
