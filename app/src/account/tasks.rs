//! The session tasks: `setup-mfa` and `reset-password`.

use super::*;
use crate::hook::provide_user;
use crate::ui::{loading, GlobalErrors, SignOutButton};
use crate::words::t;
use leptos::server_fn::ServerFn;
use leptos::{either::Either, prelude::*, task::spawn_local};
use leptos_meta::Title;
use proto::*;

/// The `setup-mfa` task: a pending session enrols a second factor, gets its
/// backup codes, and becomes active. Without JavaScript each step is a form
/// post, and the page after the last shows the codes.
#[component]
pub fn SetupMfaPage() -> impl IntoView {
    task_page("setup-mfa-title", TASK_SETUP_MFA, Posted::read(&[]), |user, posted| {
        view! { <SetupMfa user posted/> }.into_any()
    })
}

/// A task's page (`title`: a message id): its island for a session on that
/// task (or just done here), given what the page's last post left.
fn task_page(
    title: &'static str,
    task: &'static str,
    posted: Posted,
    island: fn(UserView, Posted) -> AnyView,
) -> impl IntoView {
    view! {
        <Title text=t(title)/>
        <section class="card">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || {
                    let posted = posted.clone();
                    Suspend::new(async move {
                        match gate(Some(task), posted.enrolled()).await {
                            Ok(user) => island(user, posted.open().await),
                            Err(away) => away,
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[island(lazy)]
pub fn SetupMfa(user: UserView, posted: Posted) -> impl IntoView {
    let passkeys = user.passkeys_enabled;
    let user = provide_user(Some(user));
    let ch = Changes::new(user).posted(posted);
    // A device with a passkey authenticator of its own (fingerprint, face,
    // screen lock) is offered a passkey first; any other an authenticator
    // app. Asked of the browser once the island is live.
    let passkey_first = RwSignal::new(false);
    Effect::new(move |_| {
        if passkeys {
            spawn_local(async move { passkey_first.set(crate::webauthn::platform_available().await) });
        }
    });
    let advice = |id: &'static str| view! { <p class="hint">{t(id)}</p> };
    move || {
        if ch.enrolled.get() {
            return Either::Left(view! {
                <h1>{t("all-set")}</h1>
                <BackupCodes codes=ch.codes.get()/>
                <a class="button" href="/">{t("continue")}</a>
            });
        }
        Either::Right(view! {
            <h1 data-live=move || ch.live.get().then_some("")>{t("setup-mfa-title")}</h1>
            <p class="hint">{t("needs-factor")}</p>
            {ch.reverify_view()}
            <section class="recommended" data-testid="recommended" aria-labelledby="recommended-title">
                <h2 id="recommended-title">{t("recommended")}</h2>
                {move || if passkey_first.get() {
                    Either::Left(view! { {advice(PASSKEY_ADVICE)} <PasskeyAdd ch/> })
                } else {
                    Either::Right(view! { {advice(APP_ADVICE)} <TotpEnrol ch/> })
                }}
            </section>
            <h2>{t("other-ways")}</h2>
            {move || if passkey_first.get() {
                Either::Left(view! { {advice(APP_ADVICE)} <TotpEnrol ch/> })
            } else {
                Either::Right(passkeys.then(|| view! { {advice(PASSKEY_ADVICE)} <PasskeyAdd ch/> }))
            }}
            {advice("advice-phone")}
            <PhoneEnrol ch/>
            <GlobalErrors errors=user.errors/>
            <SignOutButton/>
        })
    }
}

const PASSKEY_ADVICE: &str = "advice-passkey";
const APP_ADVICE: &str = "advice-app";

/// The `reset-password` task: the password is marked compromised (by an
/// operator, or found on the breached list at sign-in); a new one first.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    task_page("choose-password", TASK_RESET_PASSWORD, Posted::read(&[ChangePassword::PATH]), |user, posted| {
        view! { <ResetPassword user posted/> }.into_any()
    })
}

#[island(lazy)]
pub fn ResetPassword(user: UserView, posted: Posted) -> impl IntoView {
    let user = provide_user(Some(user));
    let ch = Changes::new(user).posted(posted);
    view! {
        <h1 data-live=move || ch.live.get().then_some("")>{t("choose-password")}</h1>
        <p class="hint">{t("compromised")}</p>
        {ch.reverify_view()}
        <PasswordChange ch label="set-password"/>
        <GlobalErrors errors=user.errors/>
        <SignOutButton/>
    }
}
