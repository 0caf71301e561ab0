//! The sign-up page, on `use_sign_up()`, shaped like the sign-in.

use crate::api::*;
use crate::hook::*;
// Named, so that it wins over the prelude's `Errors` (error boundaries).
use crate::hook::Errors;
use crate::ui::*;
use crate::words::{t, t_with};
use crate::PageInfo;
use leptos::{either::EitherOf3, ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use proto::*;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let kept = kept_identifier();
    signed_out_page(t("sign-up"), errors_from_form_post(&sign_up_paths()), move |errors| {
        let kept = kept.clone();
        async move {
            let mut state = get_sign_up().await.unwrap_or_default();
            if state.email_address.is_none() {
                state.email_address = kept;
            }
            let page = PageInfo::current();
            view! { <SignUpFlow state errors page/> }.into_any()
        }
    })
}

/// The sign-up island, shaped like [`SignInFlow`]. Lazy: its wasm is fetched
/// when a page has it, so the sign-in page does not carry it.
#[island(lazy)]
pub fn SignUpFlow(state: SignUpView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    let sign_up = provide_sign_up(state, errors);
    let status = Memo::new(move |_| sign_up.status());
    move || match status.get() {
        SignUpStatus::MissingRequirements => EitherOf3::A(view! { <EmailCodeForm/> }),
        SignUpStatus::Complete => EitherOf3::B(view! { <FinishSignUp/> }),
        SignUpStatus::Abandoned => EitherOf3::C(view! { <SignUpForm/> }),
    }
}

/// What the page does once the code is verified: the session, then home.
async fn finish_sign_up(sign_up: SignUp) {
    if sign_up.view_untracked().status == SignUpStatus::Complete {
        let _ = sign_up.finalize(|done| go(&done.redirect_url)).await;
    }
}

#[component]
fn SignUpForm() -> impl IntoView {
    let sign_up = use_sign_up();
    let pending = RwSignal::new(false);
    let email = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(e), Some(p)) = (email.get(), password.get()) else { return };
        let (e, p) = (e.value(), p.value());
        submit(pending, async move {
            let _ = sign_up.password(e, p).await;
        });
    };
    let errs = sign_up.errors;
    let email_err = Signal::derive(move || errs.with(|e| e.fields.email_address.clone()));
    let pw_err = Signal::derive(move || errs.with(|e| e.fields.password.clone()));
    let typed = sign_up.view_untracked().email_address.unwrap_or_default();
    view! {
        <StepHeading text=t("sign-up-title")/>
        <p class="hint">{t("sign-up-welcome")}</p>
        <form method="post" action=SignUpPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <div class="field">
                <label for="email">{t("email-address")}</label>
                <input id="email" name="email_address" type="email" autocomplete="email"
                    value=typed node_ref=email
                    aria-invalid=move || email_err.with(Option::is_some).to_string()
                    aria-describedby="email-error"/>
                <FieldError id="email-error" err=email_err/>
            </div>
            <NewPasswordField ids=["password", "password-hint", "password-error"] label=t("password") password
                err=pw_err/>
            <SubmitButton label="continue" working="creating-account" pending busy=Signal::derive(move || sign_up.is_fetching())/>
        </form>
        <GlobalErrors errors=sign_up.errors/>
        <p class="switch">{t("have-account")}" " <a href="/sign-in">{t("sign-in")}</a></p>
    }
}

#[component]
fn EmailCodeForm() -> impl IntoView {
    let sign_up = use_sign_up();
    let on_reset = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_up.reset().await;
        });
    };
    let to = sign_up.view_untracked().email_address.unwrap_or_default();
    view! {
        <CodeStep title=t("check-email") errors=sign_up.errors
            hint=t_with("sign-up-code-hint", &[("to", &to)])
            busy=Signal::derive(move || sign_up.is_fetching())
            verify_action=SignUpVerifyEmailCode::PATH send_action=SignUpSendEmailCode::PATH
            verify=move |code| async move {
                if sign_up.verifications.verify_email_code(code).await.is_ok() {
                    finish_sign_up(sign_up).await;
                }
            }
            send=move || async move {
                let _ = sign_up.verifications.send_email_code().await;
            }
            sent_at=Signal::derive(move || sign_up.view().email_code_sent_at)
            answered=Signal::derive(move || sign_up.answered_at())/>
        <form class="secondary" method="post" action=SignUpReset::PATH on:submit=on_reset>
            <button type="submit" class="link" disabled=move || sign_up.is_fetching()>{t("use-another-email")}</button>
        </form>
        <GlobalErrors errors=sign_up.errors/>
    }
}

/// A verified sign-up not yet finalized (a reload in between).
#[component]
fn FinishSignUp() -> impl IntoView {
    let sign_up = use_sign_up();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(finish_sign_up(sign_up));
    };
    view! {
        <StepHeading text=t("email-verified")/>
        <form method="post" action=SignUpFinalize::PATH on:submit=on_submit>
            <button type="submit" disabled=move || sign_up.is_fetching()>{t("continue")}</button>
        </form>
        <GlobalErrors errors=sign_up.errors/>
    }
}
