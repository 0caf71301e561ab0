//! `needs_new_password`: after a reset code.

use super::{after_step, ResetForm};
use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::t;
use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn};

/// `needs_new_password`: the reset code checked out; a new password, then
/// the second factor if the account has one.
#[component]
pub(super) fn NewPasswordForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let password = NodeRef::<html::Input>::new();
    let others = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(p), Some(o)) = (password.get(), others.get()) else { return };
        let (p, o) = (p.value(), o.checked());
        submit(pending, async move {
            if sign_in.submit_password(p, o).await.is_ok() {
                after_step(sign_in).await;
            }
        });
    };
    let errs = sign_in.errors;
    let pw_err = Signal::derive(move || errs.with(|e| e.fields.password.clone()));
    view! {
        <StepHeading text=t("choose-password")/>
        <form method="post" action=SignInResetPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <NewPasswordFields password others err=pw_err/>
            <SubmitButton label="set-password" working="saving" pending busy=Signal::derive(move || sign_in.is_fetching())/>
        </form>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}
