//! The pages that start a sign-in from the email address alone.

use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::t;
use leptos::{prelude::*, server_fn::ServerFn};
use proto::*;

/// The page that starts a sign-in from the email address alone: a forgotten
/// password, an emailed sign-in code, or an unlock. A plain form (no wasm):
/// the server sends the code and goes on at /sign-in.
#[component]
pub fn CodeStartPage(strategy: Strategy) -> impl IntoView {
    let (title, hint) = match strategy {
        Strategy::ResetPasswordEmailCode => (t("reset-title"), t("reset-hint")),
        Strategy::UnlockEmailCode => (t("unlock-title"), t("unlock-hint")),
        _ => (t("email-code-title"), t("email-code-hint")),
    };
    let errors = errors_from_form_post(&[SignInCreate::PATH]);
    let kept = kept_identifier();
    signed_out_page(title.clone(), errors, move |errors| {
        let (kept, title, hint) = (kept.clone(), title.clone(), hint.clone());
        async move {
            let id_err = errors.fields.identifier.clone();
            let global: Vec<ApiError> = errors.global.clone();
            view! {
                <h1>{title}</h1>
                <p class="hint">{hint}</p>
                <form method="post" action=SignInCreate::PATH novalidate>
                    <input type="hidden" name="strategy" value=strategy.as_str()/>
                    <div class="field">
                        <label for="email">{t("email-address")}</label>
                        <input id="email" name="identifier" type="email" autocomplete="username" value=kept
                            aria-invalid=id_err.is_some().to_string() aria-describedby="identifier-error"/>
                        <p class="field-error" id="identifier-error" aria-live="polite">{id_err.map(|e| e.message)}</p>
                    </div>
                    <button type="submit">{t("send-code")}</button>
                </form>
                <div class="global-error" role="alert">
                    {global.into_iter().map(|e| view! { <p data-code=e.code.clone()>{e.message}</p> }).collect_view()}
                </div>
                <p class="switch"><a href="/sign-in">{t("back-to-sign-in")}</a></p>
            }
            .into_any()
        }
    })
}
