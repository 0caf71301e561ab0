//! The seed's sign-in page, rebuilt on `use_sign_in()`, the sign-up page and
//! a signed-in home. Pages are rendered on the server; only their forms are
//! islands, hydrated in the browser. Every form posts to its server function,
//! so each step also works without JavaScript; with it, submit is
//! intercepted and goes through the hook.

use crate::api::*;
use crate::hook::*;
// Named, so that it wins over the prelude's `Errors` (error boundaries).
use crate::hook::Errors;
use crate::PageInfo;
use leptos::{
    either::{Either, EitherOf3, EitherOf6},
    ev::SubmitEvent,
    html,
    prelude::*,
    server_fn::ServerFn,
    task::spawn_local,
};
use leptos_meta::Title;
use leptos_router::components::Redirect;
use proto::*;

/// What the seed's `handleSubmit` does after each step: finalize a complete
/// attempt, or send the SMS code when that is the user's default factor.
async fn after_step(sign_in: SignIn) {
    let view = sign_in.view_untracked();
    match view.status {
        Status::Complete => {
            let _ = sign_in
                .finalize(|done| {
                    if let Some(task) = &done.current_task {
                        leptos::logging::log!("pending session task: {task}");
                    }
                    go(&done.redirect_url)
                })
                .await;
        }
        Status::NeedsSecondFactor => {
            let default = view.supported_second_factors.first().map(|f| f.strategy);
            if default == Some(Strategy::PhoneCode) && view.phone_code_sent_at.is_none() {
                let _ = sign_in.mfa.send_phone_code().await;
            }
        }
        _ => {}
    }
}

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
    view! { <p class="muted">"Loading…"</p> }
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
const CODE_DIGITS: usize = 6;

/// How many digits `value` holds (ASCII or full-width), as the server reads
/// it: spaces and dashes group them; any other character makes it no code.
fn code_digits(value: &str) -> Option<usize> {
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
fn CodeField(
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
            <label for="code">"Code"</label>
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
fn ShowPassword(field: NodeRef<html::Input>) -> impl IntoView {
    let live = live();
    let show = move |ev| {
        if let Some(input) = field.get_untracked() {
            input.set_type(if event_target_checked(&ev) { "text" } else { "password" });
        }
    };
    view! {
        <label class="show-password" hidden=move || !live.get()>
            <input type="checkbox" on:change=show/>
            "Show password"
        </label>
    }
}

/// A step's heading. The document title follows it, so that the tab and a
/// screen reader name the step the form switched to (WCAG 2.4.2).
#[component]
fn StepHeading(#[prop(into)] text: String) -> impl IntoView {
    let title = text.clone();
    Effect::new(move || document().set_title(&title));
    view! { <h1>{text}</h1> }
}

/// An island's `PageInfo`, for its forms.
fn page_info() -> PageInfo {
    use_context::<PageInfo>().unwrap_or_default()
}

/// Runs a form's request with `pending` set meanwhile, so that the form that
/// started it (and only it) shows that it is working.
fn submit(pending: RwSignal<bool>, work: impl std::future::Future<Output = ()> + 'static) {
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
fn SubmitButton(
    label: &'static str,
    working: &'static str,
    pending: RwSignal<bool>,
    busy: Signal<bool>,
) -> impl IntoView {
    view! {
        <button type="submit" disabled=move || busy.get() data-pending=move || pending.get().to_string()>
            <span class="spinner" aria-hidden="true" hidden=move || !pending.get()></span>
            {move || if pending.get() { working } else { label }}
        </button>
    }
}

/// The seconds a refused resend said to wait, if that was the last error.
fn resend_wait(errors: RwSignal<Errors>) -> Signal<Option<u32>> {
    Signal::derive(move || {
        errors
            .with(|e| e.raw.iter().find(|x| x.code == Fault::ResendTooSoon(0).code()).and_then(|x| x.meta.retry_after))
    })
}

/// Browser time, seconds (the countdown's; the server keeps its own).
fn browser_now() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// "Resend code": disabled with a countdown ("Resend code (29)") until a new
/// code may be sent, and a confirmation once one was. `sent_at` is when the
/// last code went (server time; clamped, so a wrong browser clock cannot make
/// the wait longer than the setting). `answered` is when this page got that
/// news itself (`SignIn::answered_at`; 0: the server rendered it). `retry` is
/// a refusal's seconds to wait.
#[component]
fn ResendButton(
    sent_at: Signal<Option<i64>>,
    answered: Signal<f64>,
    retry: Signal<Option<u32>>,
    busy: Signal<bool>,
    #[prop(default = "Resend code")] label: &'static str,
    #[prop(default = "Send code")] first: &'static str,
) -> impl IntoView {
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
        (false, _) => first.to_string(),
        (true, 0) => label.to_string(),
        (true, n) => format!("{label} ({n})"),
    };
    let blocked = move || busy.get() || left() > 0;
    view! {
        <button type="submit" class="link" disabled=blocked>{text}</button>
        <span class="sent" role="status">{move || confirmed.get().then_some("A new code was sent.")}</span>
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
                        Some(0) => ("You can try again now.".to_string(), String::new()),
                        Some(n) => {
                            // Always "seconds": a branch for the singular here cost
                            // 8.5 kB br of wasm (measured).
                            let shown = ["Too many requests. Try again in ", &digits(n), " seconds."].concat();
                            (shown, e.message.clone())
                        }
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
fn digits(mut n: u32) -> String {
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
fn signed_out_page<Fut>(
    title: &'static str,
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

#[component]
pub fn SignInPage() -> impl IntoView {
    let kept = kept_identifier();
    let method = kept_method();
    let notice = kept_notice();
    signed_out_page("Sign in", errors_from_form_post(&sign_in_paths()), move |errors| {
        let kept = kept.clone();
        async move {
            let mut state = get_sign_in().await.unwrap_or_default();
            // A post without JavaScript keeps the email typed, and an
            // unlock says so.
            if state.status == Status::NeedsIdentifier && state.identifier.is_none() {
                state = match (kept, notice) {
                    (Some(id), Some(Notice::Unlocked)) => SignInView::unlocked(id),
                    (kept, _) => SignInView { identifier: kept, ..state },
                };
            }
            // Most visits start at the password; a reload mid-flow resumes.
            let page = PageInfo { method, ..PageInfo::current() };
            if first_step(&state) {
                view! { <SignInFlow state errors page/> }.into_any()
            } else {
                view! { <SignInResume state errors page/> }.into_any()
            }
        }
    })
}

/// The step that the password form shows (the rest come after it); an
/// attempt begun with a passkey (no identifier) is still at it.
fn first_step(v: &SignInView) -> bool {
    v.status == Status::NeedsIdentifier || (v.status == Status::NeedsFirstFactor && v.identifier.is_none())
}

/// The sign-in island: the form for the attempt's status, switching as the
/// status changes. It carries only the password step; the later steps' wasm
/// is fetched once the password is accepted, so the first load is small.
#[island]
pub fn SignInFlow(state: SignInView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    let sign_in = provide_sign_in(state, errors);
    // Re-render only when the flow leaves (or comes back to) the password.
    // A complete attempt keeps what shows: the page is about to go
    // elsewhere, and fetching the later steps' wasm then would race the
    // navigation (an aborted fetch panics the chunk's loader).
    let first = Memo::new(move |shown: Option<&bool>| {
        sign_in.with_view(|v| match (v.status, shown) {
            (Status::Complete, Some(&s)) => s,
            _ => first_step(v),
        })
    });
    // Said at once, not a blank card, until the later steps' chunk has come;
    // should it be slow or fail, the page loads the step as the server draws it.
    let arrived = RwSignal::new(false);
    Effect::new(move || {
        if !first.get() && !arrived.get() {
            let reload = set_timeout_with_handle(|| _ = window().location().reload(), CHUNK_PATIENCE);
            on_cleanup(move || {
                if let Ok(t) = reload {
                    t.clear();
                }
            });
        }
    });
    let flow = move || {
        if first.get() {
            Either::Left(view! { <PasswordForm/> })
        } else {
            Either::Right(Suspend::new(async move {
                let steps = later_steps().await;
                arrived.set(true);
                steps
            }))
        }
    };
    view! {
        <p class="muted" role="status" data-testid="next-step-loading" hidden=move || first.get() || arrived.get()>
            <span class="spinner" aria-hidden="true"></span>"Loading the next step…"
        </p>
        {flow}
    }
}

/// How long the later steps' wasm may take before the page loads the step
/// as the server draws it.
const CHUNK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(4);

/// The steps after the password, from their own wasm chunk, switching as
/// the status changes.
#[lazy]
fn later_steps() -> AnyView {
    steps(use_sign_in()).into_any()
}

/// The sign-in island for a page loaded mid-flow (say, a reload on the
/// code form): every step, hydrated as the server rendered it. Lazy, so
/// /sign-in's first load does not carry it.
#[island(lazy)]
pub fn SignInResume(state: SignInView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    // Its wasm arrives after the page's own mark: tests wait for this one.
    Effect::new(|_| crate::mark_live("data-resumed"));
    steps(provide_sign_in(state, errors))
}

/// The form for the attempt's status, re-rendered only when the status
/// changes, not on every update.
fn steps(sign_in: SignIn) -> impl IntoView {
    let status = Memo::new(move |_| sign_in.status());
    move || step_form(status.get())
}

/// The form for status `s`. `Either`, not `into_any()`: an erased view
/// carries code an island never runs (async hydration), and the wasm is what
/// the visitor waits for.
fn step_form(s: Status) -> impl IntoView {
    match s {
        Status::NeedsSecondFactor => EitherOf6::A(view! { <VerifyForm/> }),
        Status::NeedsClientTrust => EitherOf6::B(view! { <TrustForm/> }),
        Status::Complete => EitherOf6::C(view! { <FinishForm/> }),
        Status::NeedsFirstFactor => EitherOf6::D(view! { <FirstFactorForm/> }),
        Status::NeedsNewPassword => EitherOf6::E(view! { <NewPasswordForm/> }),
        _ => EitherOf6::F(view! { <PasswordForm/> }),
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
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
        let _ = lazy_preload!(later_steps);
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
        <StepHeading text=format!("Sign in to {app}")/>
        <p class="hint">"Welcome back! Please sign in to continue."</p>
        <p class="notice" role="status" data-testid="unlocked" hidden=!unlocked>
            "Your account is unlocked in this browser. Sign in to continue."
        </p>
        <form method="post" action=SignInPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <div class="field">
                <label for="email">"Enter email address"</label>
                <input id="email" name="identifier" type="email"
                    autocomplete=if by_passkey { "username webauthn" } else { "username" }
                    value=identifier node_ref=email
                    aria-invalid=move || id_err.with(Option::is_some).to_string()
                    aria-describedby="identifier-error"/>
                <FieldError id="identifier-error" err=id_err/>
            </div>
            <div class="field">
                <label for="password">"Enter password"</label>
                <input id="password" name="password" type="password" autofocus=unlocked
                    autocomplete="current-password" node_ref=password
                    aria-invalid=move || pw_err.with(Option::is_some).to_string()
                    aria-describedby="password-error"/>
                <FieldError id="password-error" err=pw_err/>
                <ShowPassword field=password/>
            </div>
            <SubmitButton label="Continue" working="Signing in…" pending busy=Signal::derive(move || sign_in.is_fetching())/>
        </form>
        // WebAuthn needs JavaScript: shown once the island is live.
        {by_passkey.then(|| view! {
            <p class="passkey" hidden=move || !live.get()>
                <button type="button" class="secondary-button" on:click=with_passkey
                    disabled=move || sign_in.is_fetching()>
                    "Sign in with a passkey"
                </button>
            </p>
        })}
        <GlobalErrors errors=sign_in.errors/>
        // Shown by the stylesheet while a `user_locked` error is (`:has`):
        // a reactive view here costs the first wasm over a kilobyte.
        <p class="switch unlock">
            <a href="/sign-in/unlock">"Unlock this browser with an email code"</a>
        </p>
        <p class="switch">
            <a href="/sign-in/forgot-password">"Forgot password?"</a>
            <span hidden=!by_code>" · " <a href="/sign-in/email-code">"Email me a sign-in code"</a></span>
        </p>
        <p class="switch">"No account? " <a href="/sign-up">"Sign up"</a></p>
    }
}

/// The page that starts a sign-in from the email address alone: a forgotten
/// password, an emailed sign-in code, or an unlock. A plain form (no wasm):
/// the server sends the code and goes on at /sign-in.
#[component]
pub fn CodeStartPage(strategy: Strategy) -> impl IntoView {
    let (title, hint) = match strategy {
        Strategy::ResetPasswordEmailCode => ("Reset your password", "We will email you a code to set a new password."),
        Strategy::UnlockEmailCode => (
            "Unlock your account",
            "Too many failed tries locked your account. We will email you a code that lets this browser try again.",
        ),
        _ => ("Sign in with an email code", "We will email you a code to sign in with instead of your password."),
    };
    let errors = errors_from_form_post(&[SignInCreate::PATH]);
    let kept = kept_identifier();
    signed_out_page(title, errors, move |errors| {
        let kept = kept.clone();
        async move {
            let id_err = errors.fields.identifier.clone();
            let global: Vec<ApiError> = errors.global.clone();
            view! {
                <h1>{title}</h1>
                <p class="hint">{hint}</p>
                <form method="post" action=SignInCreate::PATH novalidate>
                    <input type="hidden" name="strategy" value=strategy.as_str()/>
                    <div class="field">
                        <label for="email">"Email address"</label>
                        <input id="email" name="identifier" type="email" autocomplete="username" value=kept
                            aria-invalid=id_err.is_some().to_string() aria-describedby="identifier-error"/>
                        <p class="field-error" id="identifier-error" aria-live="polite">{id_err.map(|e| e.message)}</p>
                    </div>
                    <button type="submit">"Send code"</button>
                </form>
                <div class="global-error" role="alert">
                    {global.into_iter().map(|e| view! { <p data-code=e.code.clone()>{e.message}</p> }).collect_view()}
                </div>
                <p class="switch"><a href="/sign-in">"Back to sign in"</a></p>
            }
            .into_any()
        }
    })
}

/// `needs_first_factor`: the emailed code (reset, sign-in or unlock).
#[component]
fn FirstFactorForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let first = sign_in.view_untracked();
    let sent = first.email_code.clone();
    let strategy = sent
        .as_ref()
        .and_then(|c| c.strategy)
        .or_else(|| first.supported_first_factors.first().map(|f| f.strategy))
        .unwrap_or(Strategy::ResetPasswordEmailCode);
    let factor = match strategy {
        Strategy::EmailCode => sign_in.email_code,
        Strategy::UnlockEmailCode => sign_in.unlock_email_code,
        _ => sign_in.reset_password_email_code,
    };
    let code = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(input) = code.get() else { return };
        let value = input.value();
        submit(pending, async move {
            if factor.verify_code(value).await.is_ok() {
                after_step(sign_in).await;
            }
        });
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = factor.send_code().await;
        });
    };
    let title = match strategy {
        Strategy::ResetPasswordEmailCode => "Reset your password",
        Strategy::UnlockEmailCode => "Unlock your account",
        _ => "Check your email",
    };
    let to = sent.map(|c| c.safe_identifier).unwrap_or_else(|| "your email".into());
    let sent_yet = move || sign_in.view().email_code.is_some();
    let busy = Signal::derive(move || sign_in.is_fetching());
    let errs = sign_in.errors;
    let code_err = Signal::derive(move || errs.with(|e| e.fields.code.clone()));
    view! {
        <StepHeading text={title}/>
        <p class="hint" id="code-hint" aria-live="polite">
            {move || if sent_yet() { "Enter the code we sent to " } else { "We will send a code to " }}
            {to} "."
        </p>
        <form method="post" action=AttemptFirstFactor::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <input type="hidden" name="strategy" value=strategy.as_str()/>
            <CodeField code err=code_err busy=pending hint="code-hint"/>
            <SubmitButton label="Verify" working="Verifying…" pending busy/>
        </form>
        <form class="secondary" method="post" action=PrepareFirstFactor::PATH on:submit=on_send>
            <input type="hidden" name="strategy" value=strategy.as_str()/>
            <ResendButton busy retry=resend_wait(sign_in.errors)
                sent_at=Signal::derive(move || sign_in.view().email_code.map(|c| c.sent_at.unwrap_or(0)))
                answered=Signal::derive(move || sign_in.answered_at())/>
        </form>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}

/// `needs_new_password`: the reset code checked out; a new password, then
/// the second factor if the account has one.
#[component]
fn NewPasswordForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let password = NodeRef::<html::Input>::new();
    let others = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(p), Some(o)) = (password.get(), others.get()) else { return };
        let (p, o) = (p.value(), o.checked());
        submit(pending, async move {
            if sign_in.submit_password(p, o).await.is_ok() {
                after_step(sign_in).await;
            }
        });
    };
    let errs = sign_in.errors;
    let pw_err = Signal::derive(move || errs.with(|e| e.fields.password.clone()));
    view! {
        <StepHeading text="Choose a new password"/>
        <form method="post" action=SignInResetPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <NewPasswordFields password others err=pw_err/>
            <SubmitButton label="Set password" working="Saving…" pending busy=Signal::derive(move || sign_in.is_fetching())/>
        </form>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
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
        <div class="field">
            <label for="new-password">"New password"</label>
            <input id="new-password" name="password" type="password" autocomplete="new-password"
                node_ref=password
                aria-invalid=move || err.with(Option::is_some).to_string()
                aria-describedby="new-password-hint new-password-error"/>
            <p class="hint" id="new-password-hint">"At least 8 characters. Long phrases are best."</p>
            <FieldError id="new-password-error" err=err/>
            <ShowPassword field=password/>
        </div>
        <div class="check">
            <label>
                <input type="checkbox" name="sign_out_of_other_sessions" value="true" checked node_ref=others/>
                "Sign out of all other devices"
            </label>
        </div>
    }
}

/// `needs_client_trust`: a new browser proves itself with an emailed code.
#[component]
fn TrustForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let code = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let busy = Signal::derive(move || sign_in.is_fetching());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(input) = code.get() else { return };
        let value = input.value();
        submit(pending, async move {
            if sign_in.mfa.verify_email_code(value).await.is_ok() {
                after_step(sign_in).await;
            }
        });
    };
    let on_resend = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_in.mfa.send_email_code().await;
        });
    };
    let to = sign_in.view_untracked().email_code.map(|c| c.safe_identifier).unwrap_or_else(|| "your email".into());
    let errs = sign_in.errors;
    let code_err = Signal::derive(move || errs.with(|e| e.fields.code.clone()));
    view! {
        <StepHeading text="Verify this device"/>
        <p class="hint" id="code-hint" aria-live="polite">
            "This browser is new to your account. Enter the code we sent to " {to} "."
        </p>
        <form method="post" action=AttemptSecondFactor::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <input type="hidden" name="strategy" value="email_code"/>
            <CodeField code err=code_err busy=pending hint="code-hint"/>
            <SubmitButton label="Verify" working="Verifying…" pending busy/>
        </form>
        <form class="secondary" method="post" action=PrepareSecondFactor::PATH on:submit=on_resend>
            <input type="hidden" name="strategy" value="email_code"/>
            <ResendButton busy retry=resend_wait(sign_in.errors)
                sent_at=Signal::derive(move || sign_in.view().email_code.map(|c| c.sent_at.unwrap_or(0)))
                answered=Signal::derive(move || sign_in.answered_at())/>
        </form>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}

pub(crate) fn strategy_label(s: Strategy) -> &'static str {
    match s {
        Strategy::Totp => "Authenticator app",
        Strategy::PhoneCode => "Text message",
        Strategy::BackupCode => "Backup code",
        Strategy::EmailCode => "Email code",
        Strategy::Password => "Password",
        Strategy::ResetPasswordEmailCode => "Password reset code",
        Strategy::UnlockEmailCode => "Unlock code",
        Strategy::Passkey => "Passkey",
    }
}

/// The methods the verify form's code field serves, in the account's order.
fn code_methods(v: &SignInView) -> Vec<Strategy> {
    v.supported_second_factors
        .iter()
        .map(|f| f.strategy)
        .filter(|s| matches!(s, Strategy::Totp | Strategy::PhoneCode | Strategy::BackupCode))
        .collect()
}

/// One radio group chooses the method: an authenticator code and a text
/// message code share the 6-digit field, a backup code has its own text
/// field. Choosing a method sends nothing (the "Send code by text message"
/// button does). The stylesheet shows the chosen method's field with
/// `:has()`, so the choice works without JavaScript too.
#[component]
fn VerifyForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let first = sign_in.view_untracked();
    let methods = code_methods(&first);
    let phone = first
        .supported_second_factors
        .iter()
        .find(|f| f.strategy == Strategy::PhoneCode)
        .and_then(|f| f.safe_identifier.clone());
    let has_passkey = first.supports(Strategy::Passkey);
    // A pending SMS code means the user chose SMS; then the method of a
    // failed plain post; else the account's default.
    let kept = page_info().method.filter(|m| methods.contains(m));
    let default = if first.phone_code_sent_at.is_some() && methods.contains(&Strategy::PhoneCode) {
        Strategy::PhoneCode
    } else {
        kept.or(methods.first().copied()).unwrap_or(Strategy::Totp)
    };
    let strategy = RwSignal::new(default);
    let code = NodeRef::<html::Input>::new();
    let backup = NodeRef::<html::Input>::new();
    let live = live();
    let use_passkey = move |_| {
        spawn_local(async move {
            if sign_in.mfa.verify_passkey(sign_in).await.is_ok() {
                after_step(sign_in).await;
            }
        })
    };
    let pending = RwSignal::new(false);
    let busy = Signal::derive(move || sign_in.is_fetching());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let s = strategy.get_untracked();
        let field = if s == Strategy::BackupCode { backup } else { code };
        let Some(input) = field.get() else { return };
        let value = input.value();
        submit(pending, async move {
            let r = match s {
                Strategy::BackupCode => sign_in.mfa.verify_backup_code(value).await,
                Strategy::PhoneCode => sign_in.mfa.verify_phone_code(value).await,
                _ => sign_in.mfa.verify_totp(value).await,
            };
            if r.is_ok() {
                after_step(sign_in).await;
            }
        });
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        strategy.set(Strategy::PhoneCode);
        spawn_local(async move {
            let _ = sign_in.mfa.send_phone_code().await;
        });
    };
    // The chosen field takes the focus (the other one is not shown); the
    // code field takes it by itself when the step appears.
    Effect::new(move |was: Option<Strategy>| {
        let s = strategy.get();
        if was.is_some_and(|w| w != s) || (was.is_none() && s == Strategy::BackupCode) {
            let field = if s == Strategy::BackupCode { backup } else { code };
            if let Some(input) = field.get_untracked() {
                let _ = input.focus();
            }
        }
        s
    });

    let errs = sign_in.errors;
    let code_err = Signal::derive(move || errs.with(|e| e.fields.code.clone()));
    let to = phone.clone().unwrap_or_else(|| "your phone".into());
    let sms_hint = move || {
        if sign_in.view().phone_code_sent_at.is_some() {
            format!("Enter the code we sent to {to}.")
        } else {
            format!("Send a code to {to} by text message, then enter it here.")
        }
    };
    let one = methods.len() == 1;
    let only_backup = methods == [Strategy::BackupCode];
    let no_code = methods.is_empty();
    view! {
        <StepHeading text="Verify your account"/>
        {has_passkey.then(|| view! {
            <div class="passkey" hidden=move || !live.get()>
                <button type="button" class="secondary-button" data-testid="use-passkey"
                    on:click=use_passkey disabled=move || sign_in.is_fetching()>
                    "Use a passkey"
                </button>
            </div>
        })}
        <div class="verify-step">
        <form class="verify" method="post" action=AttemptSecondFactor::PATH on:submit=on_submit novalidate
            hidden=no_code aria-busy=move || pending.get().to_string()>
            {if one {
                Either::Left(view! { <input type="hidden" name="strategy" value=default.as_str()/> })
            } else {
                Either::Right(view! {
                    <fieldset class="choice">
                        <legend>"Verify with"</legend>
                        {methods
                            .iter()
                            .map(|&s| {
                                view! {
                                    <label>
                                        <input type="radio" name="strategy" value=s.as_str()
                                            checked=s == default
                                            prop:checked=move || strategy.get() == s
                                            on:change=move |_| strategy.set(s)/>
                                        {strategy_label(s)}
                                    </label>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                })
            }}
            {(!only_backup).then(|| view! {
                <div class="digits">
                    <p class="hint totp-hint" id="totp-hint">"Enter the 6-digit code from your authenticator app."</p>
                    <p class="hint sms-hint" id="sms-hint" aria-live="polite">{sms_hint}</p>
                    // The chosen method's hint (the other is hidden by the stylesheet).
                    <CodeField code err=code_err busy=pending
                        hint=Signal::derive(move || match strategy.get() {
                            Strategy::PhoneCode => "sms-hint",
                            _ => "totp-hint",
                        })/>
                </div>
            })}
            {methods.contains(&Strategy::BackupCode).then(|| view! {
                <div class="field backup">
                    <label for="backup-code">"Backup code"</label>
                    <input id="backup-code" name="backup_code" type="text" autocomplete="off"
                        autocapitalize="none" spellcheck="false" maxlength="24"
                        readonly=move || pending.get() node_ref=backup
                        aria-invalid=move || code_err.with(Option::is_some).to_string()
                        aria-describedby="backup-code-hint backup-code-error"/>
                    <p class="hint" id="backup-code-hint">"Enter one of your backup codes."</p>
                    <FieldError id="backup-code-error" err=code_err/>
                </div>
            })}
            <SubmitButton label="Verify" working="Verifying…" pending busy/>
        </form>
        {phone
            .is_some()
            .then(|| {
                view! {
                    <form class="secondary send-sms" method="post" action=PrepareSecondFactor::PATH
                        on:submit=on_send>
                        <input type="hidden" name="strategy" value="phone_code"/>
                        <ResendButton busy retry=resend_wait(sign_in.errors) first="Send code by text message"
                            sent_at=Signal::derive(move || sign_in.view().phone_code_sent_at)
                            answered=Signal::derive(move || sign_in.answered_at())/>
                    </form>
                }
            })}
        </div>
        <ResetForm/>
        <GlobalErrors errors=sign_in.errors/>
    }
}

/// Start over with another account.
#[component]
fn ResetForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_in.reset().await;
        });
    };
    view! {
        <form class="secondary" method="post" action=ResetSignIn::PATH on:submit=on_submit>
            <button type="submit" class="link" disabled=move || sign_in.is_fetching()>
                "Use another account"
            </button>
        </form>
        // A lock on any later step offers the way out (shown by the
        // stylesheet beside a `user_locked` error, as on the password step).
        <p class="switch unlock">
            <a href="/sign-in/unlock">"Unlock this browser with an email code"</a>
            " · " <a href="/sign-in/forgot-password">"Forgot password?"</a>
        </p>
    }
}

/// A complete attempt not yet finalized (a reload between verify and finalize).
#[component]
fn FinishForm() -> impl IntoView {
    let sign_in = use_sign_in();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(after_step(sign_in));
    };
    view! {
        <StepHeading text="You're verified"/>
        <form method="post" action=FinalizeSignIn::PATH on:submit=on_submit>
            <button type="submit" disabled=move || sign_in.is_fetching()>"Continue"</button>
        </form>
        <GlobalErrors errors=sign_in.errors/>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let kept = kept_identifier();
    signed_out_page("Sign up", errors_from_form_post(&sign_up_paths()), move |errors| {
        let kept = kept.clone();
        async move {
            let mut state = get_sign_up().await.unwrap_or_default();
            if state.email_address.is_none() {
                state.email_address = kept;
            }
            let page = PageInfo::current();
            view! { <SignUpFlow state errors page/> }.into_any()
        }
    })
}

/// The sign-up island, shaped like [`SignInFlow`]. Lazy: its wasm is fetched
/// when a page has it, so the sign-in page does not carry it.
#[island(lazy)]
pub fn SignUpFlow(state: SignUpView, errors: Errors, page: PageInfo) -> impl IntoView {
    provide_context(page);
    let sign_up = provide_sign_up(state, errors);
    let status = Memo::new(move |_| sign_up.status());
    move || match status.get() {
        SignUpStatus::MissingRequirements => EitherOf3::A(view! { <EmailCodeForm/> }),
        SignUpStatus::Complete => EitherOf3::B(view! { <FinishSignUp/> }),
        SignUpStatus::Abandoned => EitherOf3::C(view! { <SignUpForm/> }),
    }
}

/// What the page does once the code is verified: the session, then home.
async fn finish_sign_up(sign_up: SignUp) {
    if sign_up.view_untracked().status == SignUpStatus::Complete {
        let _ = sign_up.finalize(|done| go(&done.redirect_url)).await;
    }
}

#[component]
fn SignUpForm() -> impl IntoView {
    let sign_up = use_sign_up();
    let pending = RwSignal::new(false);
    let email = NodeRef::<html::Input>::new();
    let password = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(e), Some(p)) = (email.get(), password.get()) else { return };
        let (e, p) = (e.value(), p.value());
        submit(pending, async move {
            let _ = sign_up.password(e, p).await;
        });
    };
    let errs = sign_up.errors;
    let email_err = Signal::derive(move || errs.with(|e| e.fields.email_address.clone()));
    let pw_err = Signal::derive(move || errs.with(|e| e.fields.password.clone()));
    let typed = sign_up.view_untracked().email_address.unwrap_or_default();
    view! {
        <StepHeading text="Create your account"/>
        <p class="hint">"Welcome! Please fill in the details to get started."</p>
        <form method="post" action=SignUpPassword::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <div class="field">
                <label for="email">"Email address"</label>
                <input id="email" name="email_address" type="email" autocomplete="email"
                    value=typed node_ref=email
                    aria-invalid=move || email_err.with(Option::is_some).to_string()
                    aria-describedby="email-error"/>
                <FieldError id="email-error" err=email_err/>
            </div>
            <div class="field">
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password"
                    node_ref=password
                    aria-invalid=move || pw_err.with(Option::is_some).to_string()
                    aria-describedby="password-hint password-error"/>
                <p class="hint" id="password-hint">"At least 8 characters. Long phrases are best."</p>
                <FieldError id="password-error" err=pw_err/>
                <ShowPassword field=password/>
            </div>
            <SubmitButton label="Continue" working="Creating your account…" pending busy=Signal::derive(move || sign_up.is_fetching())/>
        </form>
        <GlobalErrors errors=sign_up.errors/>
        <p class="switch">"Have an account? " <a href="/sign-in">"Sign in"</a></p>
    }
}

#[component]
fn EmailCodeForm() -> impl IntoView {
    let sign_up = use_sign_up();
    let code = NodeRef::<html::Input>::new();
    let pending = RwSignal::new(false);
    let busy = Signal::derive(move || sign_up.is_fetching());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(input) = code.get() else { return };
        let value = input.value();
        submit(pending, async move {
            if sign_up.verifications.verify_email_code(value).await.is_ok() {
                finish_sign_up(sign_up).await;
            }
        });
    };
    let on_resend = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_up.verifications.send_email_code().await;
        });
    };
    let on_reset = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            let _ = sign_up.reset().await;
        });
    };
    let to = sign_up.view_untracked().email_address.unwrap_or_default();
    let errs = sign_up.errors;
    let code_err = Signal::derive(move || errs.with(|e| e.fields.code.clone()));
    view! {
        <StepHeading text="Check your email"/>
        <p class="hint" id="code-hint" aria-live="polite">
            "Enter the 6-digit code we sent to " <strong>{to}</strong> "."
        </p>
        <form method="post" action=SignUpVerifyEmailCode::PATH on:submit=on_submit novalidate
            aria-busy=move || pending.get().to_string()>
            <CodeField code err=code_err busy=pending hint="code-hint"/>
            <SubmitButton label="Verify" working="Verifying…" pending busy/>
        </form>
        <form class="secondary" method="post" action=SignUpSendEmailCode::PATH on:submit=on_resend>
            <ResendButton busy retry=resend_wait(sign_up.errors)
                sent_at=Signal::derive(move || sign_up.view().email_code_sent_at)
                answered=Signal::derive(move || sign_up.answered_at())/>
        </form>
        <form class="secondary" method="post" action=SignUpReset::PATH on:submit=on_reset>
            <button type="submit" class="link" disabled=move || sign_up.is_fetching()>"Use another email"</button>
        </form>
        <GlobalErrors errors=sign_up.errors/>
    }
}

/// A verified sign-up not yet finalized (a reload in between).
#[component]
fn FinishSignUp() -> impl IntoView {
    let sign_up = use_sign_up();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(finish_sign_up(sign_up));
    };
    view! {
        <StepHeading text="Your email is verified"/>
        <form method="post" action=SignUpFinalize::PATH on:submit=on_submit>
            <button type="submit" disabled=move || sign_up.is_fetching()>"Continue"</button>
        </form>
        <GlobalErrors errors=sign_up.errors/>
    }
}

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

/// Ends the session. A plain form: the server answers with a redirect to
/// the sign-in page, so it needs no wasm.
#[component]
pub(crate) fn SignOutButton() -> impl IntoView {
    view! {
        <form method="post" action=SignOut::PATH>
            <button type="submit" class="secondary-button">"Sign out"</button>
        </form>
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
