//! The signed-in home and the page for an unknown path.

use crate::api::*;
use crate::ui::*;
use crate::words::{t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use proto::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=t("home")/>
        <section class="card">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    // The user rather than the session: a pending session goes to its task.
                    match get_user().await {
                        Ok(Some(u)) => match u.task.clone() {
                            Some(t) => view! { <Redirect path=task_url(&t)/> }.into_any(),
                            None => view! { <SignedIn user=u/> }.into_any(),
                        },
                        Ok(None) => view! { <Redirect path="/sign-in"/> }.into_any(),
                        Err(e) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SignedIn(user: UserView) -> impl IntoView {
    let mut labels: Vec<String> = user.factors.iter().map(|f| strategy_label(f.strategy)).collect();
    if !user.passkeys.is_empty() {
        labels.push(strategy_label(Strategy::Passkey));
    }
    if user.backup_codes_remaining > 0 {
        labels.push(strategy_label(Strategy::BackupCode));
    }
    let factors = labels.join(&t("list-separator"));
    let no_codes = user.wants_backup_codes();
    view! {
        <h1>{t("welcome")}</h1>
        <p>{t("signed-in-as")}" " <strong data-testid="signed-in-email">{user.email}</strong></p>
        {no_codes.then(|| view! {
            <p class="notice" data-testid="no-backup-codes">
                {t("home-no-codes")}" "
                <a href="/account/security">{t("make-backup-codes")}</a>
            </p>
        })}
        <p class="muted">
            {if factors.is_empty() { t("no-second-factor") } else { t_with("second-factors", &[("factors", &factors)]) }}
        </p>
        <nav class="links">
            <a href="/account/security">{t("security-settings")}</a>
            <a href="/account/sessions">{t("active-sessions")}</a>
        </nav>
        <SignOutButton/>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("not-found")/>
        <section class="card">
            <h1>{t("not-found")}</h1>
            <p><a href="/sign-in">{t("go-to-sign-in")}</a></p>
        </section>
    }
}
