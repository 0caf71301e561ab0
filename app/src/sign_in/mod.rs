//! The seed's sign-in page, rebuilt on `use_sign_in()`: one file per step,
//! here the island that switches between them. Every form posts to its
//! server function, so each step also works without JavaScript; with it,
//! submit is intercepted and goes through the hook.

mod first_factor;
mod new_password;
mod password;
mod start;
mod trust;
mod verify;

pub use start::CodeStartPage;

use first_factor::FirstFactorForm;
use new_password::NewPasswordForm;
use password::PasswordForm;
use trust::TrustForm;
use verify::VerifyForm;

use crate::api::*;
use crate::hook::*;
// Named, so that it wins over the prelude's `Errors` (error boundaries).
use crate::hook::Errors;
use crate::ui::*;
use crate::words::t;
use crate::PageInfo;
use leptos::{
    either::{Either, EitherOf6},
    ev::SubmitEvent,
    prelude::*,
    server_fn::ServerFn,
    task::spawn_local,
};
use proto::*;

/// What the seed's `handleSubmit` does after each step: finalize a complete
/// attempt, or send the SMS code when that is the user's default factor.
async fn after_step(sign_in: SignIn) {
    let view = sign_in.view_untracked();
    match view.status {
        Status::Complete => {
            let _ = sign_in
                .finalize(|done| {
                    if let Some(task) = &done.current_task {
                        leptos::logging::log!("pending session task: {task}");
                    }
                    go(&done.redirect_url)
                })
                .await;
        }
        Status::NeedsSecondFactor => {
            let default = view.supported_second_factors.first().map(|f| f.strategy);
            if default == Some(Strategy::PhoneCode) && view.phone_code_sent_at.is_none() {
                let _ = sign_in.mfa.send_phone_code().await;
            }
        }
        _ => {}
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let kept = kept_identifier();
    let method = kept_method();
    let notice = kept_notice();
    signed_out_page(t("sign-in"), errors_from_form_post(&sign_in_paths()), move |errors| {
        let kept = kept.clone();
        async move {
            let mut state = get_sign_in().await.unwrap_or_default();
            // A post without JavaScript keeps the email typed, and an
            // unlock says so.
            if state.status == Status::NeedsIdentifier && state.identifier.is_none() {
                state = match (kept, notice) {
                    (Some(id), Some(Notice::Unlocked)) => SignInView::unlocked(id),
                    (kept, _) => SignInView { identifier: kept, ..state },
                };
            }
            // Most visits start at the password; a reload mid-flow resumes.
            let page = PageInfo { method, ..PageInfo::current() };
            if first_step(&state) {
                view! { <SignInFlow state errors page/> }.into_any()
            } else {
                view! { <SignInResume state errors page/> }.into_any()
            }
        }
    })
}

/// The step that the password form shows (the rest come after it); an
/// attempt begun with a passkey (no identifier) is still at it.
fn first_step(v: &SignInView) -> bool {
    v.status == Status::NeedsIdentifier || (v.status == Status::NeedsFirstFactor && v.identifier.is_none())
}

/// The sign-in island: the form for the attempt's status, switching as the
/// status changes. It carries only the password step; the later steps' wasm
/// is fetched once the password is accepted, so the first load is small.
#[island]
pub fn SignInFlow(state: SignInView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    let sign_in = provide_sign_in(state, errors);
    // Re-render only when the flow leaves (or comes back to) the password.
    // A complete attempt keeps what shows: the page is about to go
    // elsewhere, and fetching the later steps' wasm then would race the
    // navigation (an aborted fetch panics the chunk's loader).
    let first = Memo::new(move |shown: Option<&bool>| {
        sign_in.with_view(|v| match (v.status, shown) {
            (Status::Complete, Some(&s)) => s,
            _ => first_step(v),
        })
    });
    // Said at once, not a blank card, until the later steps' chunk has come;
    // should it be slow or fail, the page loads the step as the server draws it.
    let arrived = RwSignal::new(false);
    Effect::new(move || {
        if !first.get() && !arrived.get() {
            let reload = set_timeout_with_handle(|| _ = window().location().reload(), CHUNK_PATIENCE);
            on_cleanup(move || {
                if let Ok(t) = reload {
                    t.clear();
                }
            });
        }
    });
    let flow = move || {
        if first.get() {
            Either::Left(view! { <PasswordForm/> })
        } else {
            Either::Right(Suspend::new(async move {
                let steps = later_steps().await;
                arrived.set(true);
                steps
            }))
        }
    };
    view! {
        <p class="muted" role="status" data-testid="next-step-loading" hidden=move || first.get() || arrived.get()>
            <span class="spinner" aria-hidden="true"></span>{t("next-step-loading")}
        </p>
        {flow}
    }
}

/// How long the later steps' wasm may take before the page loads the step
/// as the server draws it.
const CHUNK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(4);

/// The steps after the password, from their own wasm chunk, switching as
/// the status changes.
#[lazy]
fn later_steps() -> AnyView {
    steps(use_sign_in()).into_any()
}

/// The sign-in island for a page loaded mid-flow (say, a reload on the
/// code form): every step, hydrated as the server rendered it. Lazy, so
/// /sign-in's first load does not carry it.
#[island(lazy)]
pub fn SignInResume(state: SignInView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    // Its wasm arrives after the page's own mark: tests wait for this one.
    Effect::new(|_| crate::mark_live("data-resumed"));
    steps(provide_sign_in(state, errors))
}

/// The form for the attempt's status, re-rendered only when the status
/// changes, not on every update.
fn steps(sign_in: SignIn) -> impl IntoView {
    let status = Memo::new(move |_| sign_in.status());
    move || step_form(status.get())
}

/// The form for status `s`. `Either`, not `into_any()`: an erased view
/// carries code an island never runs (async hydration), and the wasm is what
/// the visitor waits for.
fn step_form(s: Status) -> impl IntoView {
    match s {
        Status::NeedsSecondFactor => EitherOf6::A(view! { <VerifyForm/> }),
        Status::NeedsClientTrust => EitherOf6::B(view! { <TrustForm/> }),
        Status::Complete => EitherOf6::C(view! { <FinishForm/> }),
        Status::NeedsFirstFactor => EitherOf6::D(view! { <FirstFactorForm/> }),
        Status::NeedsNewPassword => EitherOf6::E(view! { <NewPasswordForm/> }),
        _ => EitherOf6::F(view! { <PasswordForm/> }),
    }
}

/// Start over with another account.
#[component]
fn ResetForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_in.reset().await;
        });
    };
    view! {
        <form class="secondary" method="post" action=ResetSignIn::PATH on:submit=on_submit>
            <button type="submit" class="link" disabled=move || sign_in.is_fetching()>
                {t("use-another-account")}
            </button>
        </form>
        // A lock on any later step offers the way out (shown by the
        // stylesheet beside a `user_locked` error, as on the password step).
        <p class="switch unlock">
            <a href="/sign-in/unlock">{t("unlock-link")}</a>
            " · " <a href="/sign-in/forgot-password">{t("forgot-password")}</a>
        </p>
    }
}

/// A complete attempt not yet finalized (a reload between verify and finalize).
#[component]
fn FinishForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(after_step(sign_in));
    };
    view! {
        <StepHeading text=t("verified")/>
        <form method="post" action=FinalizeSignIn::PATH on:submit=on_submit>
            <button type="submit" disabled=move || sign_in.is_fetching()>{t("continue")}</button>
        </form>
        <GlobalErrors errors=sign_in.errors/>
    }
}
