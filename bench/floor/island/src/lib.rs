//! One island with one prop and one server-function call: what any Leptos
//! islands page that talks to its server ships at the least.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Attempt {
    pub status: String,
    pub identifier: Option<String>,
}

#[server(prefix = "/api", endpoint = "password")]
pub async fn password(identifier: String, password: String) -> Result<Attempt, ServerFnError> {
    let _ = password;
    Ok(Attempt { status: "complete".into(), identifier: Some(identifier) })
}

#[island]
pub fn Flow(attempt: Attempt) -> impl IntoView {
    let attempt = RwSignal::new(attempt);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            if let Ok(next) = password("a@example.com".into(), "secret".into()).await {
                attempt.set(next);
            }
            busy.set(false);
        });
    };
    view! {
        <form on:submit=on_submit>
            <p>{move || attempt.with(|a| a.status.clone())}</p>
            <button type="submit" disabled=move || busy.get()>"Continue"</button>
        </form>
    }
}
