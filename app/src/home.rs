//! The signed-in home and the page for an unknown path.

use crate::api::*;
use crate::ui::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use proto::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
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
    let mut labels: Vec<&str> = user.factors.iter().map(|f| strategy_label(f.strategy)).collect();
    if !user.passkeys.is_empty() {
        labels.push(strategy_label(Strategy::Passkey));
    }
    if user.backup_codes_remaining > 0 {
        labels.push(strategy_label(Strategy::BackupCode));
    }
    let factors = labels.join(", ");
    let no_codes = user.wants_backup_codes();
    view! {
        <h1>"Welcome"</h1>
        <p>"Signed in as " <strong data-testid="signed-in-email">{user.email}</strong></p>
        {no_codes.then(|| view! {
            <p class="notice" data-testid="no-backup-codes">
                "You have no backup codes: if you lose your second factor, they are how you get back in. "
                <a href="/account/security">"Make backup codes"</a>
            </p>
        })}
        <p class="muted">
            {if factors.is_empty() {
                "No second factor set up.".to_string()
            } else {
                format!("Second factors: {factors}.")
            }}
        </p>
        <nav class="links">
            <a href="/account/security">"Security settings"</a>
            <a href="/account/sessions">"Active sessions"</a>
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
        <Title text="Page not found"/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p><a href="/sign-in">"Go to sign in"</a></p>
        </section>
    }
}
