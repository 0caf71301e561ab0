//! What the pages share: the form parts (a code field, a submit button with
//! its busy state, the resend countdown, the errors), a step's heading, and
//! the frame of a signed-out page. Pages are rendered on the server; only
//! their forms are islands, hydrated in the browser.

use crate::api::*;
// Named, so that it wins over the prelude's `Errors` (error boundaries).
use crate::hook::Errors;
use crate::words::{t, t_count, t_with};
use crate::PageInfo;
use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::Redirect;
use proto::*;

/// Opens another page. A full load: pages are rendered by the server, and
/// the browser has no router to ship.
pub(crate) fn go(to: &str) {
    let _ = window().location().assign(to);
}

/// True once the island is live in the browser (never on the server). Buttons
/// that only work with JavaScript stay disabled until then.
pub(crate) fn live() -> ReadSignal<bool> {
    let (live, set_live) = signal(false);
    Effect::new(move || set_live.set(true));
    live
}

pub(crate) fn loading() -> impl IntoView {
    view! { <p class="muted">{t("loading")}</p> }
}

#[component]
pub(crate) fn FieldError(id: &'static str, err: Signal<Option<ApiError>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id aria-live="polite">
            {move || err.get().map(|e| e.message)}
        </p>
    }
}

/// The digits in a one-time code.
pub(crate) const CODE_DIGITS: usize = 6;

/// How many digits `value` holds (ASCII or full-width), as the server reads
/// it: spaces and dashes group them; any other character makes it no code.
pub(crate) fn code_digits(value: &str) -> Option<usize> {
    let mut n = 0;
    for c in value.chars() {
        match c {
            '0'..='9' | '０'..='９' => n += 1,
            ' ' | '-' | '\u{3000}' => {}
            _ => return None,
        }
    }
    Some(n)
}

/// The one-time code input of every verify form, with its error under it.
/// With JavaScript the form goes off by itself once the last digit is typed
/// or a whole code is pasted.
#[component]
pub(crate) fn CodeField(
    code: NodeRef<html::Input>,
    err: Signal<Option<ApiError>>,
    /// The form's request is running: the field is read-only meanwhile.
    #[prop(optional, into)]
    busy: Option<Signal<bool>>,
    /// The id of the step's hint, which says where the code comes from: a
    /// screen reader reads it with the field, not only "Code".
    #[prop(into)]
    hint: Signal<&'static str>,
) -> impl IntoView {
    let busy = busy.unwrap_or_else(|| Signal::derive(|| false));
    // A refused code: the field takes the focus back, its text selected, so
    // that the next try is typed straight over it (WCAG 3.3.1).
    Effect::new(move |was: Option<bool>| {
        let now = err.with(Option::is_some);
        if now && was == Some(false) {
            if let Some(input) = code.get_untracked() {
                let _ = input.focus();
                input.select();
            }
        }
        now
    });
    // The step just appeared (or the page loaded on it): its one field
    // takes the focus, as `autofocus` does on a page load (WCAG 2.4.3).
    Effect::new(move || {
        if let Some(input) = code.get() {
            let _ = input.focus();
        }
    });
    // Typing the last digit, or pasting a whole code, sends the form; a
    // value set at once otherwise (autofill, a test's fill) waits for Verify.
    let digits_before = StoredValue::new(0usize);
    let on_input = move |ev: web_sys::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = code.get_untracked() else { return };
        let now = code_digits(&input.value()).unwrap_or(0);
        let before = digits_before.get_value();
        digits_before.set_value(now);
        let pasted = ev.dyn_ref::<web_sys::InputEvent>().is_some_and(|e| e.input_type() == "insertFromPaste");
        let typed_last = before + 1 == CODE_DIGITS;
        if now == CODE_DIGITS && (typed_last || pasted) && !busy.get_untracked() {
            if let Some(form) = input.form() {
                let _ = form.request_submit();
            }
        }
    };
    view! {
        <div class="field">
            <label for="code">{t("code")}</label>
            // Room for a code grouped with spaces or dashes ("444 579"; the
            // server takes them out).
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required autofocus maxlength="24" pattern="[\\d\\s\\-０-９]{6,12}"
                readonly=move || busy.get() on:input=on_input
                node_ref=code
                aria-invalid=move || err.with(Option::is_some).to_string()
                aria-describedby=move || format!("{} code-error", hint.get())/>
            <FieldError id="code-error" err=err/>
        </div>
    }
}

/// "Show password" under a password field, for a long phrase typed on a
/// phone. It needs JavaScript: hidden until the island is live.
#[component]
pub(crate) fn ShowPassword(field: NodeRef<html::Input>) -> impl IntoView {
    let live = live();
    let show = move |ev| {
        if let Some(input) = field.get_untracked() {
            input.set_type(if event_target_checked(&ev) { "text" } else { "password" });
        }
    };
    view! {
        <label class="show-password" hidden=move || !live.get()>
            <input type="checkbox" on:change=show/>
            {t("show-password")}
        </label>
    }
}

/// A step's heading. The document title follows it, so that the tab and a
/// screen reader name the step the form switched to (WCAG 2.4.2).
#[component]
pub(crate) fn StepHeading(#[prop(into)] text: String) -> impl IntoView {
    let title = text.clone();
    Effect::new(move || document().set_title(&title));
    view! { <h1>{text}</h1> }
}

/// An island's `PageInfo`, for its forms.
pub(crate) fn page_info() -> PageInfo {
    use_context::<PageInfo>().unwrap_or_default()
}

/// Runs a form's request with `pending` set meanwhile, so that the form that
/// started it (and only it) shows that it is working.
pub(crate) fn submit(pending: RwSignal<bool>, work: impl std::future::Future<Output = ()> + 'static) {
    spawn_local(async move {
        pending.set(true);
        work.await;
        // The step may have moved on and taken the form with it.
        let _ = pending.try_set(false);
    });
}

/// A form's submit button. While its request runs it says so ("Verifying…"
/// beside a spinner; the form is `aria-busy`), instead of a faded button.
#[component]
pub(crate) fn SubmitButton(
    /// Message ids: the button's label, and what it says while working.
    label: &'static str,
    working: &'static str,
    pending: RwSignal<bool>,
    busy: Signal<bool>,
) -> impl IntoView {
    let (label, working) = (t(label), t(working));
    view! {
        <button type="submit" disabled=move || busy.get() data-pending=move || pending.get().to_string()>
            <span class="spinner" aria-hidden="true" hidden=move || !pending.get()></span>
            {move || if pending.get() { working.clone() } else { label.clone() }}
        </button>
    }
}

/// A step that checks a code sent by email: its hint (`#code-hint`, read
/// with the field), the code form and the form that sends a new code, each a
/// plain form post without JavaScript. `verify` and `send` are the hook's
/// calls; `strategy`, when the endpoints need it, goes with both forms.
#[component]
pub(crate) fn CodeStep<H, V, VF, S, SF>(
    #[prop(into)] title: String,
    hint: H,
    verify_action: &'static str,
    send_action: &'static str,
    #[prop(optional)] strategy: Option<&'static str>,
    verify: V,
    send: S,
    errors: RwSignal<Errors>,
    busy: Signal<bool>,
    /// When the last code went (server time), and when this page heard so.
    sent_at: Signal<Option<i64>>,
    answered: Signal<f64>,
) -> impl IntoView
where
    H: IntoView + 'static,
    V: Fn(String) -> VF + Copy + 'static,
    VF: std::future::Future<Output = ()> + 'static,
    S: Fn() -> SF + Copy + 'static,
    SF: std::future::Future<Output = ()> + 'static,
{
    let code = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = code.get() {
            submit(pending, verify(input.value()));
        }
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(send());
    };
    let code_err = Signal::derive(move || errors.with(|e| e.fields.code.clone()));
    let strategy_field = move || strategy.map(|s| view! { <input type="hidden" name="strategy" value=s/> });
    view! {
        <StepHeading text=title/>
        <p class="hint" id="code-hint" aria-live="polite">{hint}</p>
        <form method="post" action=verify_action on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            {strategy_field()}
            <CodeField code err=code_err busy=pending hint="code-hint"/>
            <SubmitButton label="verify" working="verifying" pending busy/>
        </form>
        <form class="secondary" method="post" action=send_action on:submit=on_send>
            {strategy_field()}
            <ResendButton busy retry=resend_wait(errors) sent_at answered/>
        </form>
    }
}

/// The seconds a refused resend said to wait, if that was the last error.
pub(crate) fn resend_wait(errors: RwSignal<Errors>) -> Signal<Option<u32>> {
    Signal::derive(move || {
        errors
            .with(|e| e.raw.iter().find(|x| x.code == Fault::ResendTooSoon(0).code()).and_then(|x| x.meta.retry_after))
    })
}

/// Browser time, seconds (the countdown's; the server keeps its own).
pub(crate) fn browser_now() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// "Resend code": disabled with a countdown ("Resend code (29)") until a new
/// code may be sent, and a confirmation once one was. `sent_at` is when the
/// last code went (server time; clamped, so a wrong browser clock cannot make
/// the wait longer than the setting). `answered` is when this page got that
/// news itself (`SignIn::answered_at`; 0: the server rendered it). `retry` is
/// a refusal's seconds to wait.
#[component]
pub(crate) fn ResendButton(
    sent_at: Signal<Option<i64>>,
    answered: Signal<f64>,
    retry: Signal<Option<u32>>,
    busy: Signal<bool>,
    /// Message ids: the button after a code went, and before.
    #[prop(default = "resend-code")]
    label: &'static str,
    #[prop(default = "send-code")] first: &'static str,
) -> impl IntoView {
    let (label, first) = (t(label), t(first));
    let counting = t_with("resend-code-in", &[("label", &label), ("n", "{$n}")]);
    let wait = page_info().resend_after.max(0) as f64;
    // Unknown until the island is live (server and browser render alike).
    let deadline = RwSignal::new(None::<f64>);
    let now = RwSignal::new(0.0);
    let confirmed = RwSignal::new(false);
    Effect::new(move |seen: Option<Option<i64>>| {
        let at = sent_at.get();
        match seen {
            // A send from this page: the whole wait from now; a resend says so.
            Some(before) if before != at && at.is_some() => {
                confirmed.set(before.is_some());
                deadline.set(Some(browser_now() + wait));
            }
            // Sent before the button was here. A send this page heard of
            // itself (the step's lazy code still loading as the answer came)
            // counts from then, on the page's own clock, so a browser clock
            // that runs ahead cannot skip the wait; a page the server
            // rendered has only the server's time.
            _ => {
                let since = answered.get_untracked();
                let left = match at {
                    None => 0.0,
                    Some(_) if since > 0.0 => (since + wait - browser_now()).clamp(0.0, wait),
                    Some(t) => (t as f64 + wait - browser_now()).clamp(0.0, wait),
                };
                deadline.set(Some(browser_now() + left));
            }
        }
        now.set(browser_now());
        at
    });
    Effect::new(move || {
        if let Some(s) = retry.get() {
            deadline.set(Some(browser_now() + f64::from(s)));
            now.set(browser_now());
        }
    });
    // The clock ticks in the browser only (an effect never runs on the server).
    Effect::new(move || {
        let ticker = set_interval_with_handle(move || now.set(browser_now()), std::time::Duration::from_secs(1)).ok();
        on_cleanup(move || {
            if let Some(t) = ticker {
                t.clear();
            }
        });
    });
    let left = move || deadline.get().map_or(0, |d| (d - now.get()).ceil().max(0.0) as u32);
    let text = move || match (sent_at.get().is_some(), left()) {
        (false, _) => first.clone(),
        (true, 0) => label.clone(),
        (true, n) => counting.replace("{$n}", &digits(n)),
    };
    let blocked = move || busy.get() || left() > 0;
    view! {
        <button type="submit" class="link" disabled=blocked>{text}</button>
        <span class="sent" role="status">{move || confirmed.get().then(|| t("code-resent"))}</span>
    }
}

#[component]
pub(crate) fn GlobalErrors(errors: RwSignal<crate::hook::Errors>) -> impl IntoView {
    // A rate limit's wait counts down from when it arrived, in the browser
    // only (the server's text until then); the clock ticks while one shows.
    let (since, now) = (RwSignal::new(0.0), RwSignal::new(0.0));
    Effect::new(move || {
        if errors.with(|e| e.global.iter().any(|x| x.code == Fault::TooManyRequests(0).code())) {
            let t = browser_now();
            since.set(t);
            now.set(t);
            let ticker = set_interval_with_handle(move || now.set(browser_now()), std::time::Duration::from_secs(1));
            on_cleanup(move || {
                if let Ok(t) = ticker {
                    t.clear();
                }
            });
        }
    });
    let now_ok = t("try-again-now");
    let counted = move |e: &ApiError| {
        let wait = e.meta.retry_after.filter(|_| e.code == Fault::TooManyRequests(0).code() && since.get() > 0.0)?;
        Some((f64::from(wait) - (now.get() - since.get())).ceil().max(0.0) as u32)
    };
    // Re-rendered whole: a list this short needs no keyed diffing (<For>
    // would ship a hash map and an index map for it); its text is updated
    // in place. The counting text is hidden from screen readers, which
    // would hear the alert again each second: they hear the server's
    // message once, and the end of the wait. One shape for every error (an
    // `Either` here cost 5 kB of wasm).
    let global = move || {
        errors.with(|e| {
            e.global
                .iter()
                .map(|e| {
                    let (shown, heard) = match counted(e) {
                        None => (e.message.clone(), String::new()),
                        Some(0) => (now_ok.clone(), String::new()),
                        Some(n) => (t_count("try-again-in", n), e.message.clone()),
                    };
                    let hidden = (!heard.is_empty()).then_some("true");
                    view! {
                        <p data-code=e.code.clone()>
                            <span aria-hidden=hidden>{shown}</span>
                            <span class="visually-hidden">{heard}</span>
                        </p>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="global-error" role="alert" aria-live="assertive">{global}</div>
    }
}

/// `n` in decimal, without `core::fmt`: the first wasm has no formatting
/// otherwise, and it would cost about 10 kB (measured).
pub(crate) fn digits(mut n: u32) -> String {
    let mut d = vec![b'0' + (n % 10) as u8];
    while n >= 10 {
        n /= 10;
        d.push(b'0' + (n % 10) as u8);
    }
    d.iter().rev().map(|&b| char::from(b)).collect()
}

/// A page for visitors without a session (a signed-in one goes home): `flow`
/// fetches the attempt and renders its island, given the errors of a form
/// post made without JavaScript.
pub(crate) fn signed_out_page<Fut>(
    title: String,
    errors: Errors,
    flow: impl Fn(Errors) -> Fut + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    Fut: std::future::Future<Output = AnyView> + Send + 'static,
{
    view! {
        <Title text=title/>
        <section class="card">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || {
                    let (errors, flow) = (errors.clone(), flow.clone());
                    Suspend::new(async move {
                        if matches!(get_session().await, Ok(Some(_))) {
                            return view! { <Redirect path="/"/> }.into_any();
                        }
                        flow(errors).await
                    })
                }}
            </Suspense>
        </section>
    }
}

/// A field for a new password (ids: the input, its hint, its error), with
/// the policy's advice and "Show password".
#[component]
pub(crate) fn NewPasswordField(
    ids: [&'static str; 3],
    #[prop(into)] label: String,
    password: NodeRef<html::Input>,
    err: Signal<Option<ApiError>>,
) -> impl IntoView {
    let [id, hint, error] = ids;
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name="password" type="password" autocomplete="new-password" node_ref=password
                aria-invalid=move || err.with(Option::is_some).to_string()
                aria-describedby=[hint, " ", error].concat()/>
            <p class="hint" id=hint>{t("password-advice")}</p>
            <FieldError id=error err=err/>
            <ShowPassword field=password/>
        </div>
    }
}

/// A new password and "sign out of other sessions" (on by default).
#[component]
pub(crate) fn NewPasswordFields(
    password: NodeRef<html::Input>,
    others: NodeRef<html::Input>,
    err: Signal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        <NewPasswordField ids=["new-password", "new-password-hint", "new-password-error"] label=t("new-password")
            password err/>
        <div class="check">
            <label>
                <input type="checkbox" name="sign_out_of_other_sessions" value="true" checked node_ref=others/>
                {t("sign-out-others")}
            </label>
        </div>
    }
}

/// A method's name inside a sentence ("Make default: text message").
pub(crate) fn strategy_inline(s: Strategy) -> String {
    t(match s {
        Strategy::Totp => "inline-totp",
        Strategy::PhoneCode => "inline-phone",
        Strategy::BackupCode => "inline-backup-code",
        Strategy::EmailCode => "inline-email-code",
        Strategy::Password => "inline-password",
        Strategy::ResetPasswordEmailCode => "inline-reset-code",
        Strategy::UnlockEmailCode => "inline-unlock-code",
        Strategy::Passkey => "inline-passkey",
    })
}

pub(crate) fn strategy_label(s: Strategy) -> String {
    t(match s {
        Strategy::Totp => "method-totp",
        Strategy::PhoneCode => "method-phone",
        Strategy::BackupCode => "method-backup-code",
        Strategy::EmailCode => "method-email-code",
        Strategy::Password => "method-password",
        Strategy::ResetPasswordEmailCode => "method-reset-code",
        Strategy::UnlockEmailCode => "method-unlock-code",
        Strategy::Passkey => "method-passkey",
    })
}

/// Ends the session. A plain form: the server answers with a redirect to
/// the sign-in page, so it needs no wasm.
#[component]
pub(crate) fn SignOutButton() -> impl IntoView {
    view! {
        <form method="post" action=SignOut::PATH>
            <button type="submit" class="secondary-button">{t("sign-out")}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_decimal() {
        for n in [0, 7, 10, 59, 100, 4_294_967_295] {
            assert_eq!(digits(n), n.to_string());
        }
    }

    #[test]
    fn a_code_is_its_digits_however_grouped() {
        assert_eq!(code_digits("444579"), Some(6));
        assert_eq!(code_digits("444 579"), Some(6));
        assert_eq!(code_digits("444-57"), Some(5));
        assert_eq!(code_digits("４４４５７９"), Some(6), "full-width digits");
        assert_eq!(code_digits(""), Some(0));
        assert_eq!(code_digits("abcd-efgh"), None, "a backup code is no digit code");
    }
}
