//! The sessions page: sessions and trusted devices. Every button is a form
//! that posts to its server function: without JavaScript (or before the
//! island is live) the page comes back with the list changed and what was
//! done said; with it, the island does the same in place.

use super::*;
use crate::api::*;
use crate::hook::{provide_user, Errors};
use crate::ui::{go, loading, GlobalErrors};
use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use proto::*;

/// The user's sessions: revoke one, or all others.
#[component]
pub fn SessionsPage() -> impl IntoView {
    // What a plain form post did, or why it failed.
    let posted = Posted::read(&[RevokeSession::PATH, RevokeOtherSessions::PATH, RevokeTrustedDevice::PATH]);
    view! {
        <Title text="Active sessions"/>
        <section class="card wide-ish">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || {
                    let posted = posted.clone();
                    Suspend::new(async move {
                        let user = match gate(None, false).await {
                            Ok(u) => u,
                            Err(away) => return away,
                        };
                        match (list_sessions().await, list_trusted_devices().await) {
                            (Ok(sessions), Ok(devices)) => {
                                view! { <Sessions user sessions devices posted/> }.into_any()
                            }
                            (Err(e), _) | (_, Err(e)) => view! { <p role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <p class="switch"><a href="/">"Back home"</a></p>
        </section>
    }
}

/// What waits for "Confirm it's you": a revoke (`None`: every other
/// session), or, after a plain form post, nothing this page knows of.
#[derive(Clone)]
enum Waiting {
    Revoke(Option<String>),
    Post,
}

#[island(lazy)]
pub fn Sessions(
    user: UserView,
    sessions: Vec<SessionInfo>,
    devices: Vec<TrustedDevice>,
    posted: Posted,
) -> impl IntoView {
    let list = RwSignal::new(sessions);
    let devices = RwSignal::new(devices);
    let busy = RwSignal::new(false);
    let live = live();
    let idle = Signal::derive(move || !busy.get());
    let user = provide_user(Some(user));
    // Ending a session needs a recent re-verification: what waits for it.
    let retry = RwSignal::new(posted.needs_reverification().then_some(Waiting::Post));
    if !posted.needs_reverification() {
        user.errors.set(posted.errors.clone());
    }
    // What the last action did, said (and focused: its button is gone).
    let done = RwSignal::new(posted.said());
    let said = move |what: &'static str| {
        done.set(Some(what.into()));
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
                    let n = if target.is_some() { Notice::SessionRevoked } else { Notice::OtherSessionsRevoked };
                    said(notice_text(n));
                }
                Err(e) if e.codes().contains(&"session_reverification_required") => {
                    retry.set(Some(Waiting::Revoke(target)))
                }
                Err(e) => user.errors.set(Errors::from(&e)),
            }
            busy.set(false);
        });
    };
    let failed = posted.failed;
    let reverify = move || {
        retry.with(Option::is_some).then(|| {
            view! {
                <Reverify user failed=failed.clone() then=move || {
                    match retry.get_untracked() {
                        Some(Waiting::Revoke(t)) => act(t),
                        _ => said(notice_text(Notice::Reverified)),
                    }
                    retry.set(None);
                }/>
            }
        })
    };
    view! {
        <h1>"Active sessions"</h1>
        {reverify}
        <p class="sent" role="status" id="sessions-done" tabindex="-1" data-live=move || live.get().then_some("")>{move || done.get()}</p>
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
                    let (label, action) = if current { ("Sign out", SignOut::PATH) } else { ("Revoke", RevokeSession::PATH) };
                    view! {
                        <DeviceRow key=format!("session-{}", s.id) id=s.id.clone() device=device_name(&s.device) current
                            detail label action idle
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
        <form method="post" action=RevokeOtherSessions::PATH on:submit=move |ev: SubmitEvent| {
            ev.prevent_default();
            act(None);
        }>
            <button type="submit" class="secondary-button" disabled=move || !idle.get() || list.with(|l| l.len() < 2)>
                "Sign out everywhere else"
            </button>
        </form>
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
                        <DeviceRow key=format!("device-{}", d.id) id=d.id.clone() device=device_name(&d.device)
                            current=d.current detail label="Revoke" action=RevokeTrustedDevice::PATH idle
                            act=move || {
                                let id = id.clone();
                                busy.set(true);
                                done.set(None);
                                spawn_local(async move {
                                    match revoke_trusted_device(id).await {
                                        Ok(l) => {
                                            devices.set(l);
                                            said(notice_text(Notice::DeviceRevoked));
                                        }
                                        Err(e) => user.errors.set(Errors::from(&e)),
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

/// "Chrome on Linux": a device's parts, worded. A native app's model is
/// shown as its client named it.
fn device_name(d: &Device) -> String {
    if let Some(m) = &d.model {
        return m.clone();
    }
    match (d.native, d.browser, d.os) {
        (Some(Native::Android), ..) => "Android app".into(),
        (Some(Native::Ios), ..) => "iOS app".into(),
        (Some(Native::Other), ..) => "Native app".into(),
        (None, Some(b), Some(o)) => format!("{} on {}", b.name(), o.name()),
        (None, Some(b), None) => b.name().into(),
        (None, None, Some(o)) => o.name().into(),
        (None, None, None) => "Unknown device".into(),
    }
}

/// One row of the sessions or trusted-devices list: what, where and when,
/// with the one action it takes: a form posting `id` to `action`, which
/// the island takes over once live.
#[component]
fn DeviceRow(
    /// Unique on the page: names the row's detail, which describes its button.
    key: String,
    id: String,
    device: String,
    current: bool,
    detail: Signal<String>,
    label: &'static str,
    action: &'static str,
    idle: Signal<bool>,
    act: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    // "Revoke Chrome on Linux", then when and where: no two buttons say
    // only "Revoke" to a screen reader.
    let name = format!("{label} {device}");
    let detail_id = format!("{key}-detail");
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        act();
    };
    view! {
        <li data-current=current.to_string()>
            <div>
                <strong>{device}</strong>
                {current.then(|| view! { <span class="badge">"this device"</span> })}
                <p class="muted" id=detail_id.clone()>{detail}</p>
            </div>
            <form method="post" action=action on:submit=on_submit>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="link" disabled=move || !idle.get()
                    aria-label=name aria-describedby=detail_id>
                    {label}
                </button>
            </form>
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
