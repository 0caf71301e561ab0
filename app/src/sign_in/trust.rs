//! `needs_client_trust`: a new browser.

use super::{after_step, ResetForm};
use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::{t, t_with};
use leptos::{prelude::*, server_fn::ServerFn};

/// `needs_client_trust`: a new browser proves itself with an emailed code.
#[component]
pub(super) fn TrustForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let to = sign_in.view_untracked().email_code.map(|c| c.safe_identifier).unwrap_or_else(|| t("your-email"));
    view! {
        <CodeStep title=t("verify-device") errors=sign_in.errors
            hint=t_with("new-browser", &[("to", &to)])
            busy=Signal::derive(move || sign_in.is_fetching())
            verify_action=AttemptSecondFactor::PATH send_action=PrepareSecondFactor::PATH
            strategy="email_code"
            verify=move |code| async move {
                if sign_in.mfa.verify_email_code(code).await.is_ok() {
                    after_step(sign_in).await;
                }
            }
            send=move || async move {
                let _ = sign_in.mfa.send_email_code().await;
            }
            sent_at=Signal::derive(move || sign_in.view().email_code.map(|c| c.sent_at.unwrap_or(0)))
            answered=Signal::derive(move || sign_in.answered_at())/>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}
