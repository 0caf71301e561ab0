//! `needs_first_factor`: an emailed code.

use super::{after_step, ResetForm};
use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::{t, t_with};
use leptos::{prelude::*, server_fn::ServerFn};
use proto::*;

/// `needs_first_factor`: the emailed code (reset, sign-in or unlock).
#[component]
pub(super) fn FirstFactorForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let first = sign_in.view_untracked();
    let sent = first.email_code.clone();
    let strategy = sent
        .as_ref()
        .and_then(|c| c.strategy)
        .or_else(|| first.supported_first_factors.first().map(|f| f.strategy))
        .unwrap_or(Strategy::ResetPasswordEmailCode);
    let factor = match strategy {
        Strategy::EmailCode => sign_in.email_code,
        Strategy::UnlockEmailCode => sign_in.unlock_email_code,
        _ => sign_in.reset_password_email_code,
    };
    let title = t(match strategy {
        Strategy::ResetPasswordEmailCode => "reset-title",
        Strategy::UnlockEmailCode => "unlock-title",
        _ => "check-email",
    });
    let to = sent.map(|c| c.safe_identifier).unwrap_or_else(|| t("your-email"));
    let sent_yet = move || sign_in.view().email_code.is_some();
    let busy = Signal::derive(move || sign_in.is_fetching());
    let (sent_hint, send_hint) = (t_with("code-sent-to", &[("to", &to)]), t_with("code-will-go-to", &[("to", &to)]));
    let hint = move || if sent_yet() { sent_hint.clone() } else { send_hint.clone() };
    view! {
        <CodeStep title hint busy errors=sign_in.errors
            verify_action=AttemptFirstFactor::PATH send_action=PrepareFirstFactor::PATH
            strategy=strategy.as_str()
            verify=move |code| async move {
                if factor.verify_code(code).await.is_ok() {
                    after_step(sign_in).await;
                }
            }
            send=move || async move {
                let _ = factor.send_code().await;
            }
            sent_at=Signal::derive(move || sign_in.view().email_code.map(|c| c.sent_at.unwrap_or(0)))
            answered=Signal::derive(move || sign_in.answered_at())/>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}
