//! The sessions page: sessions and trusted devices.

use super::*;
use crate::api::*;
use crate::hook::provide_user;
use crate::ui::{go, live, loading, GlobalErrors};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use proto::*;

/// The user's sessions: revoke one, or all others.
#[component]
pub fn SessionsPage() -> impl IntoView {
    view! {
        <Title text="Active sessions"/>
        <section class="card wide-ish">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    if let Err(away) = gate(None).await {
                        return away;
                    }
                    match (list_sessions().await, list_trusted_devices().await) {
                        (Ok(sessions), Ok(devices)) => view! { <Sessions sessions devices/> }.into_any(),
                        (Err(e), _) | (_, Err(e)) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="switch"><a href="/">"Back home"</a></p>
        </section>
    }
}

#[island(lazy)]
pub fn Sessions(sessions: Vec<SessionInfo>, devices: Vec<TrustedDevice>) -> impl IntoView {
    let list = RwSignal::new(sessions);
    let devices = RwSignal::new(devices);
    let busy = RwSignal::new(false);
    let live = live();
    let idle = move || live.get() && !busy.get();
    // Ending a session needs a recent re-verification: the revoke waiting
    // for it (`Some(None)`: all others).
    let user = provide_user(None);
    let retry = RwSignal::new(None::<Option<String>>);
    // What the last action did, said (and focused: its button is gone).
    let done = RwSignal::new(None::<&'static str>);
    let said = move |what: &'static str| {
        done.set(Some(what));
        focus_on("sessions-done");
    };
    let act = move |target: Option<String>| {
        busy.set(true);
        done.set(None);
        spawn_local(async move {
            let r = match target.clone() {
                Some(id) => revoke_session(id).await,
                None => revoke_other_sessions().await,
            };
            match r {
                Ok(l) => {
                    list.set(l);
                    said(if target.is_some() { "Session revoked." } else { "Signed out of every other session." });
                }
                Err(e) if e.codes().contains(&"session_reverification_required") => retry.set(Some(target)),
                Err(e) => user.errors.set(crate::hook::Errors::from(&e)),
            }
            busy.set(false);
        });
    };
    let reverify = move || {
        retry.with(Option::is_some).then(|| {
            view! {
                <Reverify user then=move || {
                    if let Some(t) = retry.get_untracked() {
                        retry.set(None);
                        act(t);
                    }
                }/>
            }
        })
    };
    view! {
        <h1>"Active sessions"</h1>
        {reverify}
        <p class="sent" role="status" id="sessions-done" tabindex="-1">{move || done.get()}</p>
        <ul class="sessions" data-testid="sessions">
            <For each=move || list.get() key=|s| s.id.clone() let:s>
                {
                    let id = s.id.clone();
                    let current = s.current;
                    let ip = s.ip.clone().unwrap_or_else(|| "unknown IP".into());
                    let (signed_in, active) = (s.created_at, s.last_active_at);
                    let detail = Signal::derive(move || {
                        format!("{ip} · signed in {} · last active {}", moment(signed_in, live), moment(active, live))
                    });
                    let label = if current { "Sign out" } else { "Revoke" };
                    view! {
                        <DeviceRow key=format!("session-{}", s.id) device=s.device.clone() current detail label
                            idle=Signal::derive(idle)
                            act=move || {
                                let id = id.clone();
                                if current {
                                    spawn_local(async move {
                                        let _ = sign_out().await;
                                        go("/sign-in");
                                    });
                                } else {
                                    act(Some(id));
                                }
                            }/>
                    }
                }
            </For>
        </ul>
        <button type="button" class="secondary-button" disabled=move || !idle() || list.with(|l| l.len() < 2)
            on:click=move |_| act(None)>
            "Sign out everywhere else"
        </button>
        <h2>"Trusted devices"</h2>
        <p class="hint">
            "Browsers you signed in on skip the emailed code. Revoke one and it must prove itself again."
        </p>
        <ul class="sessions" data-testid="trusted-devices">
            <For each=move || devices.get() key=|d| d.id.clone() let:d>
                {
                    let id = d.id.clone();
                    let ip = d.ip.clone().unwrap_or_else(|| "unknown IP".into());
                    let (trusted, used) = (d.trusted_at, d.last_used_at);
                    let detail = Signal::derive(move || {
                        format!("{ip} · trusted {} · last used {}", moment(trusted, live), moment(used, live))
                    });
                    view! {
                        <DeviceRow key=format!("device-{}", d.id) device=d.device.clone() current=d.current
                            detail label="Revoke" idle=Signal::derive(idle)
                            act=move || {
                                let id = id.clone();
                                busy.set(true);
                                done.set(None);
                                spawn_local(async move {
                                    match revoke_trusted_device(id).await {
                                        Ok(l) => {
                                            devices.set(l);
                                            said("Trusted device revoked: it proves itself by email next time.");
                                        }
                                        Err(e) => user.errors.set(crate::hook::Errors::from(&e)),
                                    }
                                    busy.set(false);
                                });
                            }/>
                    }
                }
            </For>
        </ul>
        <GlobalErrors errors=user.errors/>
    }
}

/// One row of the sessions or trusted-devices list: what, where and when,
/// with the one action it takes.
#[component]
fn DeviceRow(
    /// Unique on the page: names the row's detail, which describes its button.
    key: String,
    device: String,
    current: bool,
    detail: Signal<String>,
    label: &'static str,
    idle: Signal<bool>,
    act: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    // "Revoke Chrome on Linux", then when and where: no two buttons say
    // only "Revoke" to a screen reader.
    let name = format!("{label} {device}");
    let detail_id = format!("{key}-detail");
    view! {
        <li data-current=current.to_string()>
            <div>
                <strong>{device}</strong>
                {current.then(|| view! { <span class="badge">"this device"</span> })}
                <p class="muted" id=detail_id.clone()>{detail}</p>
            </div>
            <button type="button" class="link" disabled=move || !idle.get() on:click=move |_| act()
                aria-label=name aria-describedby=detail_id>
                {label}
            </button>
        </li>
    }
}

/// A moment for people: in UTC as the server renders it (so hydration
/// agrees), then, once the island is live, in the browser's time zone and
/// relative to its clock ("5 minutes ago", "yesterday at 17:25").
pub(super) fn moment(ts: i64, live: ReadSignal<bool>) -> String {
    if !live.get() {
        return utc(ts);
    }
    let now = (js_sys::Date::now() / 1000.0) as i64;
    // Minutes behind UTC at that moment (its own daylight saving time).
    let behind = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64 * 1000.0)).get_timezone_offset();
    when(ts, now, (-behind * 60.0) as i32)
}
