//! The first step: email address and password, or a passkey.

use super::after_step;
use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::{t, t_with};
use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use proto::*;

#[component]
pub(super) fn PasswordForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let email = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    // The passkey autofill offer is being set up: a password sent meanwhile
    // waits for it (its attempt would replace the password's).
    let offering = RwSignal::new(true);
    let queued = RwSignal::new(None::<(String, String)>);
    let password_step = move |e: String, p: String| async move {
        if sign_in.password(e, p).await.is_ok() {
            after_step(sign_in).await;
        }
    };
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(e), Some(p)) = (email.get(), password.get()) else { return };
        let (e, p) = (e.value(), p.value());
        // Fetch the next step's wasm while the server checks the password.
        let _ = lazy_preload!(super::later_steps);
        if offering.get_untracked() {
            pending.set(true);
            queued.set(Some((e, p)));
            return;
        }
        submit(pending, password_step(e, p));
    };
    let first = sign_in.view_untracked();
    let by_passkey = first.supported_first_factors.iter().any(|f| f.strategy == Strategy::Passkey);
    // Passkeys offered in the email field's autofill (conditional mediation).
    Effect::new(move || {
        spawn_local(async move {
            let challenge = match by_passkey && crate::webauthn::autofill_available().await {
                true => sign_in.passkey_autofill_options().await,
                false => None,
            };
            offering.set(false);
            if let Some((e, p)) = queued.get_untracked() {
                queued.set(None);
                password_step(e, p).await;
                let _ = pending.try_set(false);
                return;
            }
            if challenge.is_some() && sign_in.answer_passkey(challenge, true).await.is_ok() {
                after_step(sign_in).await;
            }
        })
    });
    let with_passkey = move |_| {
        spawn_local(async move {
            if sign_in.passkey().await.is_ok() {
                after_step(sign_in).await;
            }
        })
    };
    let live = live();
    let errs = sign_in.errors;
    let id_err = Signal::derive(move || errs.with(|e| e.fields.identifier.clone()));
    let pw_err = Signal::derive(move || errs.with(|e| e.fields.password.clone()));
    // Just unlocked: the address is filled in, so the password is next.
    let unlocked = first.is_unlocked();
    Effect::new(move || {
        if let Some(p) = password.get().filter(|_| unlocked) {
            let _ = p.focus();
        }
    });
    let identifier = first.identifier.unwrap_or_default();
    let by_code = first.supported_first_factors.iter().any(|f| f.strategy == Strategy::EmailCode);
    let app = page_info().app;
    view! {
        <StepHeading text=t_with("sign-in-to", &[("app", &app)])/>
        <p class="hint">{t("sign-in-welcome")}</p>
        <p class="notice" role="status" data-testid="unlocked" hidden=!unlocked>
            {t("unlocked")}
        </p>
        <form method="post" action=SignInPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <div class="field">
                <label for="email">{t("enter-email")}</label>
                <input id="email" name="identifier" type="email"
                    autocomplete=if by_passkey { "username webauthn" } else { "username" }
                    value=identifier node_ref=email
                    aria-invalid=move || id_err.with(Option::is_some).to_string()
                    aria-describedby="identifier-error"/>
                <FieldError id="identifier-error" err=id_err/>
            </div>
            <div class="field">
                <label for="password">{t("enter-password")}</label>
                <input id="password" name="password" type="password" autofocus=unlocked
                    autocomplete="current-password" node_ref=password
                    aria-invalid=move || pw_err.with(Option::is_some).to_string()
                    aria-describedby="password-error"/>
                <FieldError id="password-error" err=pw_err/>
                <ShowPassword field=password/>
            </div>
            <SubmitButton label="continue" working="signing-in" pending busy=Signal::derive(move || sign_in.is_fetching())/>
        </form>
        // WebAuthn needs JavaScript: shown once the island is live.
        {by_passkey.then(|| view! {
            <p class="passkey" hidden=move || !live.get()>
                <button type="button" class="secondary-button" on:click=with_passkey
                    disabled=move || sign_in.is_fetching()>
                    {t("sign-in-passkey")}
                </button>
            </p>
        })}
        <GlobalErrors errors=sign_in.errors/>
        // Shown by the stylesheet while a `user_locked` error is (`:has`):
        // a reactive view here costs the first wasm over a kilobyte.
        <p class="switch unlock">
            <a href="/sign-in/unlock">{t("unlock-link")}</a>
        </p>
        <p class="switch">
            <a href="/sign-in/forgot-password">{t("forgot-password")}</a>
            <span hidden=!by_code>" · " <a href="/sign-in/email-code">{t("email-me-code")}</a></span>
        </p>
        <p class="switch">{t("no-account")}" " <a href="/sign-up">{t("sign-up")}</a></p>
    }
}
