//! The HTTP API: one server function per sign-in step (documented in docs/api.md).
//! Bodies are thin adapters: they hand the request to the [`Backend`] the server
//! provides, then apply its cookies and HTTP status.

use leptos::prelude::*;
use proto::*;

#[cfg(feature = "ssr")]
pub use glue::{Backend, Call};

/// The current sign-in attempt (from the attempt cookie), or `needs_identifier`.
#[server(prefix = "/api", endpoint = "sign_in", output = JsonStr)]
pub async fn get_sign_in() -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_in(&mut c).await;
    c.finish(r)
}

/// First factor: email address and password.
#[server(prefix = "/api", endpoint = "sign_in/password", output = JsonStr)]
pub async fn sign_in_password(
    #[server(default)] identifier: String,
    #[server(default)] password: String,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().password(&mut c, identifier, password).await;
    let r = c.finalize_form_post(r).await;
    c.finish(r)
}

/// Sends a second-factor code (`strategy=phone_code`).
#[server(prefix = "/api", endpoint = "sign_in/prepare_second_factor", output = JsonStr)]
pub async fn prepare_second_factor(#[server(default)] strategy: String) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.backend().prepare_second_factor(&mut c, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// Verifies a second factor. `use_backup_code=on` (the form's checkbox) means
/// `backup_code`, whatever `strategy` says.
#[server(prefix = "/api", endpoint = "sign_in/attempt_second_factor", output = JsonStr)]
pub async fn attempt_second_factor(
    #[server(default)] strategy: String,
    #[server(default)] code: String,
    #[server(default)] use_backup_code: Option<String>,
) -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let strategy = if use_backup_code.is_some_and(|v| v == "on" || v == "true") {
        Some(Strategy::BackupCode)
    } else {
        Strategy::parse(&strategy)
    };
    let r = match strategy {
        Some(s) => c.backend().attempt_second_factor(&mut c, s, code).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    let r = c.finalize_form_post(r).await;
    c.finish(r)
}

/// Turns a complete attempt into the active session (sets the session cookie).
#[server(prefix = "/api", endpoint = "sign_in/finalize", output = JsonStr)]
pub async fn finalize_sign_in() -> Result<FinalizeView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().finalize(&mut c).await;
    if let Ok(done) = &r {
        c.redirect_form_post(&done.redirect_url);
    }
    c.finish(r)
}

/// Abandons the current attempt ("use another account").
#[server(prefix = "/api", endpoint = "sign_in/reset", output = JsonStr)]
pub async fn reset_sign_in() -> Result<SignInView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().reset(&mut c).await;
    c.finish(r)
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "session", output = JsonStr)]
pub async fn get_session() -> Result<Option<SessionView>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().session(&mut c).await;
    c.finish(r)
}

/// Ends the session on the server and clears its cookie.
#[server(prefix = "/api", endpoint = "session/sign_out", output = JsonStr)]
pub async fn sign_out() -> Result<(), ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_out(&mut c).await;
    if r.is_ok() {
        c.redirect_form_post("/sign-in");
    }
    c.finish(r)
}

/// The current sign-up (from the sign-up cookie), or `abandoned`.
#[server(prefix = "/api", endpoint = "sign_up", output = JsonStr)]
pub async fn get_sign_up() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up(&mut c).await;
    c.finish(r)
}

/// Starts a sign-up: email address and password. Sends the email code.
#[server(prefix = "/api", endpoint = "sign_up/password", output = JsonStr)]
pub async fn sign_up_password(
    #[server(default)] email_address: String,
    #[server(default)] password: String,
) -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up_password(&mut c, email_address, password).await;
    c.finish(r)
}

/// Sends a new email code (at most one per resend interval).
#[server(prefix = "/api", endpoint = "sign_up/send_email_code", output = JsonStr)]
pub async fn sign_up_send_email_code() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up_send_email_code(&mut c).await;
    c.finish(r)
}

/// Verifies the email code; the account exists from here on.
#[server(prefix = "/api", endpoint = "sign_up/verify_email_code", output = JsonStr)]
pub async fn sign_up_verify_email_code(#[server(default)] code: String) -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up_verify_email_code(&mut c, code).await;
    let r = match r {
        // Without JavaScript nobody is there to call `finalize`: do it here.
        Ok(view) if view.status == SignUpStatus::Complete && c.is_form_post() => {
            match c.backend().sign_up_finalize(&mut c).await {
                Ok(done) => {
                    c.redirect_form_post(&done.redirect_url);
                    Ok(view)
                }
                Err(f) => Err(f),
            }
        }
        other => other,
    };
    c.finish(r)
}

/// Turns a complete sign-up into the active session.
#[server(prefix = "/api", endpoint = "sign_up/finalize", output = JsonStr)]
pub async fn sign_up_finalize() -> Result<FinalizeView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up_finalize(&mut c).await;
    if let Ok(done) = &r {
        c.redirect_form_post(&done.redirect_url);
    }
    c.finish(r)
}

/// Abandons the current sign-up.
#[server(prefix = "/api", endpoint = "sign_up/reset", output = JsonStr)]
pub async fn sign_up_reset() -> Result<SignUpView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sign_up_reset(&mut c).await;
    c.finish(r)
}

/// The signed-in user (or a pending session's), with their second factors.
#[server(prefix = "/api", endpoint = "user", output = JsonStr)]
pub async fn get_user() -> Result<Option<UserView>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().user(&mut c).await;
    c.finish(r)
}

/// Re-verification: `strategy` is `password` (field `password`), `totp` or
/// `backup_code` (field `code`). Changes are allowed for 10 minutes after.
#[server(prefix = "/api", endpoint = "user/reverify", output = JsonStr)]
pub async fn reverify(
    #[server(default)] strategy: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(Strategy::Password) => c.backend().reverify(&mut c, Strategy::Password, password).await,
        Some(s) => c.backend().reverify(&mut c, s, code).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// Starts enrolling an authenticator app: a new secret and its QR code.
#[server(prefix = "/api", endpoint = "user/totp", output = JsonStr)]
pub async fn totp_start() -> Result<TotpSetup, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().totp_start(&mut c).await;
    c.finish(r)
}

/// Enables the authenticator app once a code from it checks out.
#[server(prefix = "/api", endpoint = "user/totp/verify", output = JsonStr)]
pub async fn totp_verify(#[server(default)] code: String) -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().totp_verify(&mut c, code).await;
    c.finish(r)
}

/// Adds a phone number (E.164) and texts it a code.
#[server(prefix = "/api", endpoint = "user/phone", output = JsonStr)]
pub async fn phone_start(#[server(default)] phone_number: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().phone_start(&mut c, phone_number).await;
    c.finish(r)
}

/// Verifies the phone's code; the phone becomes a second factor.
#[server(prefix = "/api", endpoint = "user/phone/verify", output = JsonStr)]
pub async fn phone_verify(#[server(default)] code: String) -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().phone_verify(&mut c, code).await;
    c.finish(r)
}

/// Makes `strategy` (`totp` or `phone_code`) the default second factor.
#[server(prefix = "/api", endpoint = "user/default", output = JsonStr)]
pub async fn set_default_factor(#[server(default)] strategy: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.backend().set_default(&mut c, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// A new set of backup codes, replacing the old (shown once).
#[server(prefix = "/api", endpoint = "user/backup_codes", output = JsonStr)]
pub async fn regenerate_backup_codes() -> Result<Changed, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().backup_codes(&mut c).await;
    c.finish(r)
}

/// Removes a second factor (`totp`, `phone_code` or `backup_code`).
#[server(prefix = "/api", endpoint = "user/remove", output = JsonStr)]
pub async fn remove_factor(#[server(default)] strategy: String) -> Result<UserView, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = match Strategy::parse(&strategy) {
        Some(s) => c.backend().remove_factor(&mut c, s).await,
        None => Err(Fault::Missing(Field::Strategy)),
    };
    c.finish(r)
}

/// The user's active sessions, newest activity first.
#[server(prefix = "/api", endpoint = "sessions", output = JsonStr)]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().sessions(&mut c).await;
    c.finish(r)
}

/// Ends one of the user's sessions.
#[server(prefix = "/api", endpoint = "sessions/revoke", output = JsonStr)]
pub async fn revoke_session(#[server(default)] id: String) -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().revoke_session(&mut c, id).await;
    c.finish(r)
}

/// Ends every session of the user but this one.
#[server(prefix = "/api", endpoint = "sessions/revoke_others", output = JsonStr)]
pub async fn revoke_other_sessions() -> Result<Vec<SessionInfo>, ApiErrors> {
    let mut c = Call::begin().await?;
    let r = c.backend().revoke_others(&mut c).await;
    c.finish(r)
}

#[cfg(feature = "ssr")]
mod glue {
    use http::{header, request::Parts, HeaderValue, StatusCode};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use proto::*;
    use std::sync::Arc;

    /// What the server implements: every step of the flow. Each method reads
    /// cookies and headers from `call.parts` and queues cookies on `call`.
    #[async_trait::async_trait]
    pub trait Backend: Send + Sync + 'static {
        async fn sign_in(&self, call: &mut Call) -> Result<SignInView, Fault>;
        async fn password(&self, call: &mut Call, identifier: String, password: String) -> Result<SignInView, Fault>;
        async fn prepare_second_factor(&self, call: &mut Call, strategy: Strategy) -> Result<SignInView, Fault>;
        async fn attempt_second_factor(
            &self,
            call: &mut Call,
            strategy: Strategy,
            code: String,
        ) -> Result<SignInView, Fault>;
        async fn finalize(&self, call: &mut Call) -> Result<FinalizeView, Fault>;
        async fn reset(&self, call: &mut Call) -> Result<SignInView, Fault>;
        async fn session(&self, call: &mut Call) -> Result<Option<SessionView>, Fault>;
        async fn sign_out(&self, call: &mut Call) -> Result<(), Fault>;
        async fn sign_up(&self, call: &mut Call) -> Result<SignUpView, Fault>;
        async fn sign_up_password(&self, call: &mut Call, email: String, password: String)
            -> Result<SignUpView, Fault>;
        async fn sign_up_send_email_code(&self, call: &mut Call) -> Result<SignUpView, Fault>;
        async fn sign_up_verify_email_code(&self, call: &mut Call, code: String) -> Result<SignUpView, Fault>;
        async fn sign_up_finalize(&self, call: &mut Call) -> Result<FinalizeView, Fault>;
        async fn sign_up_reset(&self, call: &mut Call) -> Result<SignUpView, Fault>;
        async fn user(&self, call: &mut Call) -> Result<Option<UserView>, Fault>;
        async fn reverify(&self, call: &mut Call, strategy: Strategy, secret: String) -> Result<UserView, Fault>;
        async fn totp_start(&self, call: &mut Call) -> Result<TotpSetup, Fault>;
        async fn totp_verify(&self, call: &mut Call, code: String) -> Result<Changed, Fault>;
        async fn phone_start(&self, call: &mut Call, phone: String) -> Result<UserView, Fault>;
        async fn phone_verify(&self, call: &mut Call, code: String) -> Result<Changed, Fault>;
        async fn set_default(&self, call: &mut Call, strategy: Strategy) -> Result<UserView, Fault>;
        async fn backup_codes(&self, call: &mut Call) -> Result<Changed, Fault>;
        async fn remove_factor(&self, call: &mut Call, strategy: Strategy) -> Result<UserView, Fault>;
        async fn sessions(&self, call: &mut Call) -> Result<Vec<SessionInfo>, Fault>;
        async fn revoke_session(&self, call: &mut Call, id: String) -> Result<Vec<SessionInfo>, Fault>;
        async fn revoke_others(&self, call: &mut Call) -> Result<Vec<SessionInfo>, Fault>;
    }

    /// One server-function call: the request, and the cookies to set.
    pub struct Call {
        pub parts: Parts,
        pub set_cookies: Vec<String>,
        backend: Arc<dyn Backend>,
    }

    impl Call {
        pub async fn begin() -> Result<Call, ApiErrors> {
            let parts = use_context::<Parts>().ok_or(ApiErrors::from(Fault::Unavailable))?;
            let backend = use_context::<Arc<dyn Backend>>().ok_or(ApiErrors::from(Fault::Unavailable))?;
            Ok(Call { parts, set_cookies: Vec::new(), backend })
        }

        /// A call from outside a server function: in-process use-case tests.
        pub fn new(parts: Parts, backend: Arc<dyn Backend>) -> Call {
            Call { parts, set_cookies: Vec::new(), backend }
        }

        pub fn backend(&self) -> Arc<dyn Backend> {
            self.backend.clone()
        }

        /// A plain HTML form post (no JavaScript): answered with redirects.
        pub fn is_form_post(&self) -> bool {
            is_form_post(&self.parts)
        }

        /// Without JavaScript nobody is there to call `finalize`: do it here.
        pub async fn finalize_form_post(&mut self, r: Result<SignInView, Fault>) -> Result<SignInView, Fault> {
            match r {
                Ok(view) if view.status == Status::Complete && self.is_form_post() => {
                    let done = self.backend().finalize(self).await?;
                    self.redirect_form_post(&done.redirect_url);
                    Ok(view)
                }
                other => other,
            }
        }

        pub fn redirect_form_post(&self, to: &str) {
            if self.is_form_post() {
                leptos_axum::redirect(to);
            }
        }

        /// Applies cookies and the HTTP status, and maps the fault to the wire.
        pub fn finish<T>(self, r: Result<T, Fault>) -> Result<T, ApiErrors> {
            let Some(res) = use_context::<ResponseOptions>() else {
                return r.map_err(ApiErrors::from);
            };
            for c in &self.set_cookies {
                if let Ok(v) = HeaderValue::from_str(c) {
                    res.append_header(header::SET_COOKIE, v);
                }
            }
            // Statuses only for API callers: a form post must keep its redirect,
            // and a page render its own status.
            if is_api_call(&self.parts) {
                let code = match &r {
                    Ok(_) => 200,
                    Err(f) => f.http_status(),
                };
                res.set_status(StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST));
                if let Some(s) = r.as_ref().err().and_then(|f| f.retry_after()) {
                    res.insert_header(header::RETRY_AFTER, HeaderValue::from(s));
                }
            }
            r.map_err(ApiErrors::from)
        }
    }

    fn accepts_html(parts: &Parts) -> bool {
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    }

    pub fn is_form_post(parts: &Parts) -> bool {
        parts.uri.path().starts_with("/api/") && accepts_html(parts)
    }

    pub fn is_api_call(parts: &Parts) -> bool {
        parts.uri.path().starts_with("/api/") && !accepts_html(parts)
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
