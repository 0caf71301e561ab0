//! The sessions page: sessions and trusted devices. Every button is a form
//! that posts to its server function: without JavaScript (or before the
//! island is live) the page comes back with the list changed and what was
//! done said; with it, the island does the same in place.

use super::*;
use crate::api::*;
use crate::hook::{provide_user, Errors};
use crate::ui::{go, loading, GlobalErrors};
use crate::words::{t, t_with};
use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use proto::*;

/// The user's sessions: revoke one, or all others.
#[component]
pub fn SessionsPage() -> impl IntoView {
    // What a plain form post did, or why it failed.
    let posted = Posted::read(&[RevokeSession::PATH, RevokeOtherSessions::PATH, RevokeTrustedDevice::PATH]);
    view! {
        <Title text=t("active-sessions")/>
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
            <p class="switch"><a href="/">{t("back-home")}</a></p>
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
    let said = move |what: String| {
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
        <h1>{t("active-sessions")}</h1>
        {reverify}
        <p class="sent" role="status" id="sessions-done" tabindex="-1" data-live=move || live.get().then_some("")>{move || done.get()}</p>
        <ul class="sessions" data-testid="sessions">
            <For each=move || list.get() key=|s| s.id.clone() let:s>
                {
                    let id = s.id.clone();
                    let current = s.current;
                    let ip = s.ip.clone().unwrap_or_else(|| t("unknown-ip"));
                    let (signed_in, active) = (s.created_at, s.last_active_at);
                    let detail = Signal::derive(move || {
                        let (created, active) = (moment(signed_in, live), moment(active, live));
                        t_with("session-detail", &[("ip", &ip), ("created", &created), ("active", &active)])
                    });
                    let (label, action) = if current { ("sign-out", SignOut::PATH) } else { ("revoke", RevokeSession::PATH) };
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
                {t("sign-out-elsewhere")}
            </button>
        </form>
        <h2>{t("trusted-devices")}</h2>
        <p class="hint">{t("trusted-hint")}</p>
        <ul class="sessions" data-testid="trusted-devices">
            <For each=move || devices.get() key=|d| d.id.clone() let:d>
                {
                    let id = d.id.clone();
                    let ip = d.ip.clone().unwrap_or_else(|| t("unknown-ip"));
                    let (trusted, used) = (d.trusted_at, d.last_used_at);
                    let detail = Signal::derive(move || {
                        let (trusted, used) = (moment(trusted, live), moment(used, live));
                        t_with("device-detail", &[("ip", &ip), ("trusted", &trusted), ("used", &used)])
                    });
                    view! {
                        <DeviceRow key=format!("device-{}", d.id) id=d.id.clone() device=device_name(&d.device)
                            current=d.current detail label="revoke" action=RevokeTrustedDevice::PATH idle
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
        (Some(Native::Android), ..) => t("android-app"),
        (Some(Native::Ios), ..) => t("ios-app"),
        (Some(Native::Other), ..) => t("native-app"),
        (None, Some(b), Some(o)) => t_with("device-on", &[("browser", b.name()), ("os", o.name())]),
        (None, Some(b), None) => b.name().into(),
        (None, None, Some(o)) => o.name().into(),
        (None, None, None) => t("unknown-device"),
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
    /// Its button's message id ("revoke", "sign-out").
    label: &'static str,
    action: &'static str,
    idle: Signal<bool>,
    act: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    // "Revoke Chrome on Linux", then when and where: no two buttons say
    // only "Revoke" to a screen reader.
    let named = if label == "sign-out" { "sign-out-named" } else { "revoke-named" };
    let name = t_with(named, &[("device", &device)]);
    let label = t(label);
    let detail_id = format!("{key}-detail");
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        act();
    };
    view! {
        <li data-current=current.to_string()>
            <div>
                <strong>{device}</strong>
                {current.then(|| view! { <span class="badge">{t("this-device")}</span> })}
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

/// A moment for people: in UTC, said so, as the server renders it (so
/// hydration agrees, and a page without JavaScript is right), then, once the
/// island is live, in the browser's time zone and relative to its clock
/// ("5 minutes ago", "yesterday at 17:25"), worded by the browser's own
/// `Intl` in the page's language.
pub(super) fn moment(ts: i64, live: ReadSignal<bool>) -> String {
    use js_sys::{Date, Intl::RelativeTimeFormat};
    use wasm_bindgen::JsValue;
    if !live.get() {
        return utc(ts);
    }
    let now = (Date::now() / 1000.0) as i64;
    let date = Date::new(&JsValue::from_f64(ts as f64 * 1000.0));
    // Minutes behind UTC at that moment (its own daylight saving time).
    let offset = (-date.get_timezone_offset() * 60.0) as i32;
    let tag = crate::words::lang().tag();
    let relative = |n: i64, unit: &str| {
        let options = intl_options(&[("numeric", "auto")]);
        String::from(RelativeTimeFormat::new(&js_sys::Array::of1(&tag.into()), &options).format(-(n as f64), unit))
    };
    let local = |parts: &[(&str, &str)]| String::from(date.to_locale_string(tag, &intl_options(parts)));
    let (day, month, year, hour, minute) =
        (("day", "numeric"), ("month", "short"), ("year", "numeric"), ("hour", "2-digit"), ("minute", "2-digit"));
    match ago(ts, now, offset) {
        Ago::Now => t("just-now"),
        Ago::Minutes(m) => relative(m, "minute"),
        Ago::Days(d) => t_with("day-at", &[("day", &relative(d, "day")), ("time", &local(&[hour, minute]))]),
        Ago::ThisYear => local(&[day, month, hour, minute]),
        Ago::Before => local(&[day, month, year, hour, minute]),
    }
}

/// An options object for an `Intl` formatter.
fn intl_options(parts: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in parts {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}
