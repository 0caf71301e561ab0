//! The pages of a signed-in user: the `setup-mfa` session task, managing
//! second factors (on `use_user()`), and the list of sessions. The server
//! decides who may see a page; the parts that change it are islands, lazy
//! ones (their wasm is fetched by the pages that have them). Views branch
//! with `Either` rather than `into_any()`, which would carry code islands
//! never run.

use crate::api::*;
use crate::hook::{provide_user, User};
use crate::pages::{go, live, loading, strategy_label, FieldError, GlobalErrors, NewPasswordFields, SignOutButton};
use leptos::{either::Either, ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::Redirect;
use proto::*;

fn input_value(node: NodeRef<html::Input>) -> String {
    node.get().map(|i| i.value()).unwrap_or_default()
}

/// The signed-in user this page is for, or where to send the visitor instead
/// (server side). `task`: the session task this page does, if it is a task's.
async fn gate(task: Option<&str>) -> Result<UserView, AnyView> {
    match get_user().await {
        Ok(None) => Err(view! { <Redirect path="/sign-in"/> }.into_any()),
        Ok(Some(u)) => match (u.task.as_deref(), task) {
            (Some(t), want) if want != Some(t) => Err(view! { <Redirect path=task_url(t)/> }.into_any()),
            (None, Some(_)) => Err(view! { <Redirect path="/"/> }.into_any()),
            _ => Ok(u),
        },
        Err(e) => Err(view! { <p role="alert">{e.to_string()}</p> }.into_any()),
    }
}

/// The `setup-mfa` task: a pending session enrols a second factor, gets its
/// backup codes, and becomes active.
#[component]
pub fn SetupMfaPage() -> impl IntoView {
    view! {
        <Title text="Set up two-step verification"/>
        <section class="card">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match gate(Some(TASK_SETUP_MFA)).await {
                        Ok(user) => view! { <SetupMfa user/> }.into_any(),
                        Err(away) => away,
                    }
                })}
            </Suspense>
        </section>
    }
}

#[island(lazy)]
pub fn SetupMfa(user: UserView) -> impl IntoView {
    let passkeys = user.passkeys_enabled;
    let user = provide_user(Some(user));
    let ch = Changes::new(user);
    // A device with a passkey authenticator of its own (fingerprint, face,
    // screen lock) is offered a passkey first; any other an authenticator
    // app. Asked of the browser once the island is live.
    let passkey_first = RwSignal::new(false);
    Effect::new(move |_| {
        if passkeys {
            spawn_local(async move { passkey_first.set(crate::webauthn::platform_available().await) });
        }
    });
    let advice = |what: &'static str| view! { <p class="hint">{what}</p> };
    move || {
        if ch.enrolled.get() {
            return Either::Left(view! {
                <h1>"You're all set"</h1>
                <BackupCodes codes=ch.codes.get()/>
                <button type="button" on:click=move |_| go("/")>"Continue"</button>
            });
        }
        Either::Right(view! {
            <h1>"Set up two-step verification"</h1>
            <p class="hint">"Your account needs a second factor before you can go on."</p>
            {ch.reverify_view()}
            <section class="recommended" data-testid="recommended" aria-labelledby="recommended-title">
                <h2 id="recommended-title">"Recommended"</h2>
                {move || if passkey_first.get() {
                    Either::Left(view! { {advice(PASSKEY_ADVICE)} <PasskeyAdd ch/> })
                } else {
                    Either::Right(view! { {advice(APP_ADVICE)} <TotpEnrol ch/> })
                }}
            </section>
            <h2>"Other ways"</h2>
            {move || if passkey_first.get() {
                Either::Left(view! { {advice(APP_ADVICE)} <TotpEnrol ch/> })
            } else {
                Either::Right(passkeys.then(|| view! { {advice(PASSKEY_ADVICE)} <PasskeyAdd ch/> }))
            }}
            {advice("Text messages are the easiest to set up, and the least safe: a phone number can be taken over.")}
            <PhoneEnrol ch/>
            <GlobalErrors errors=user.errors/>
            <SignOutButton/>
        })
    }
}

const PASSKEY_ADVICE: &str =
    "A passkey: your fingerprint, face or screen lock signs you in. Nothing to type, and it cannot be phished.";
const APP_ADVICE: &str =
    "An authenticator app (Google Authenticator, 1Password, Authy…) shows a new code every 30 seconds, even offline.";

/// The `reset-password` task: the password is marked compromised (by an
/// operator, or found on the breached list at sign-in); a new one first.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! {
        <Title text="Choose a new password"/>
        <section class="card">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match gate(Some(TASK_RESET_PASSWORD)).await {
                        Ok(user) => view! { <ResetPassword user/> }.into_any(),
                        Err(away) => away,
                    }
                })}
            </Suspense>
        </section>
    }
}

#[island(lazy)]
pub fn ResetPassword(user: UserView) -> impl IntoView {
    let user = provide_user(Some(user));
    let ch = Changes::new(user);
    view! {
        <h1>"Choose a new password"</h1>
        <p class="hint">
            "Your password is known to be compromised: it may be on a list of breached passwords. \
             Choose a new one to go on."
        </p>
        {ch.reverify_view()}
        <PasswordChange ch label="Set password"/>
        <GlobalErrors errors=user.errors/>
        <SignOutButton/>
    }
}

/// The new-password form of the security page and the `reset-password`
/// task; a form post without JavaScript.
#[component]
fn PasswordChange(ch: Changes, label: &'static str) -> impl IntoView {
    let password = NodeRef::<html::Input>::new();
    let others = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.new_password.set((input_value(password), others.get().is_some_and(|o| o.checked())));
        ch.run(Change::Password);
    };
    let err = Signal::derive(move || ch.user.errors.with(|e| e.fields.password.clone()));
    view! {
        <form method="post" action=ChangePassword::PATH on:submit=on_submit novalidate>
            <NewPasswordFields password others err/>
            <button type="submit" disabled=move || ch.user.is_fetching()>{label}</button>
        </form>
        {move || ch.password_changed.get().then(|| view! {
            <p class="hint" role="status">"Your password was changed."</p>
        })}
    }
}

/// Enrol an authenticator app: the server's QR code and secret, then a code.
#[component]
fn TotpEnrol(ch: Changes) -> impl IntoView {
    let (user, setup) = (ch.user, ch.setup);
    let code = NodeRef::<html::Input>::new();
    let start = move |_| ch.run(Change::StartTotp);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.code.set(input_value(code));
        ch.run(Change::VerifyTotp);
    };
    let code_err = Signal::derive(move || user.errors.with(|e| e.fields.code.clone()));
    let copied = RwSignal::new(false);
    view! {
        <div class="enrol">
            {move || match setup.get() {
                None => Either::Left(view! {
                    <button type="button" class="secondary-button" on:click=start
                        disabled=move || !ch.live.get() || user.is_fetching()>"Add an authenticator app"</button>
                }),
                Some(s) => Either::Right(view! {
                    <h2>"Authenticator app"</h2>
                    <p class="hint">"Scan this QR code with your app, or enter the secret by hand."</p>
                    <div class="qr" inner_html=s.qr_svg.clone()></div>
                    <p class="secret"><code data-testid="totp-secret">{grouped(&s.secret)}</code></p>
                    <div class="row">
                        <button type="button" class="secondary-button" on:click={
                            let secret = s.secret.clone();
                            move |_| {
                                let _ = window().navigator().clipboard().write_text(&secret);
                                copied.set(true);
                            }
                        }>
                            {move || if copied.get() { "Copied" } else { "Copy secret" }}
                        </button>
                        // On a phone the app is on this device: no code to scan.
                        <a class="button-link" href=s.uri.clone()>"Open in app"</a>
                    </div>
                    <form on:submit=on_submit novalidate>
                        <div class="field">
                            <label for="totp-code">"Code from the app"</label>
                            <input id="totp-code" type="text" autocomplete="one-time-code" inputmode="numeric"
                                node_ref=code aria-describedby="totp-code-error"/>
                            <FieldError id="totp-code-error" err=code_err/>
                        </div>
                        <button type="submit" disabled=move || user.is_fetching()>"Enable"</button>
                    </form>
                }),
            }}
        </div>
    }
}

/// A secret to type by hand, in groups of four ("JBSW Y3DP …").
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// The user's passkeys: each with its name and last use, removable; and
/// adding one (the browser's dialog; WebAuthn needs JavaScript).
#[component]
fn Passkeys(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let enabled = move || user.user().is_some_and(|u| u.passkeys_enabled);
    let keys = move || user.user().map(|u| u.passkeys).unwrap_or_default();
    let remove = move |id: String, name: String| {
        if confirmed(&format!("Remove the passkey \"{name}\"? You will no longer be able to sign in with it.")) {
            ch.passkey.set(id);
            ch.run(Change::RemovePasskey);
        }
    };
    // The last factor of an account that must keep one is not offered.
    let removable =
        move || user.user().is_some_and(|u| !u.require_mfa || u.passkeys.len() > 1 || !u.factors.is_empty());
    let live = ch.live;
    let used = move |p: &PasskeyView| match p.last_used_at {
        Some(t) => format!("last used {}", moment(t, live)),
        None => format!("added {}, not used yet", moment(p.created_at, live)),
    };
    view! {
        <h2>"Passkeys"</h2>
        <ul class="factors" data-testid="passkeys">
            <For each=keys key=|p| (p.id.clone(), p.name.clone(), p.last_used_at) let:p>
                {
                    let (id, name) = (p.id.clone(), p.name.clone());
                    let label = format!("Remove passkey {}", p.name);
                    view! {
                        <li>
                            <span>
                                {p.name.clone()}
                                {p.synced.then(|| view! { <span class="badge">"synced"</span> })}
                                <span class="muted">" · " {move || used(&p)}</span>
                            </span>
                            <button type="button" class="link" aria-label=label hidden=move || !removable()
                                on:click=move |_| remove(id.clone(), name.clone()) disabled=move || !ch.live.get()>
                                "Remove"
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
        {move || keys().is_empty().then(|| view! { <p class="muted">"No passkey yet."</p> })}
        {move || enabled().then(|| view! { <PasskeyAdd ch/> })}
    }
}

/// "Add a passkey": an optional name, then the browser's dialog.
#[component]
fn PasskeyAdd(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let name = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.passkey_name.set(input_value(name));
        ch.run(Change::AddPasskey);
    };
    view! {
        <form class="enrol passkey-add" on:submit=on_submit hidden=move || !ch.live.get()>
            <div class="field">
                <label for="passkey-name">"Passkey name (optional)"</label>
                <input id="passkey-name" type="text" maxlength="64" autocomplete="off" node_ref=name
                    prop:value=move || ch.passkey_name.get()/>
            </div>
            <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>"Add a passkey"</button>
        </form>
    }
}

/// Enrol a phone: the number, then the texted code.
#[component]
fn PhoneEnrol(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let open = RwSignal::new(false);
    let number = NodeRef::<html::Input>::new();
    let code = NodeRef::<html::Input>::new();
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.phone.set(input_value(number));
        ch.run(Change::AddPhone);
    };
    let on_verify = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.code.set(input_value(code));
        ch.run(Change::VerifyPhone);
    };
    let phone_err = Signal::derive(move || {
        user.errors.with(|e| e.raw.iter().find(|x| x.meta.param_name == Some(Field::PhoneNumber)).cloned())
    });
    let code_err = Signal::derive(move || user.errors.with(|e| e.fields.code.clone()));
    let pending = move || user.user().and_then(|u| u.pending_phone);
    view! {
        <div class="enrol">
            {move || {
                if !open.get() {
                    return Either::Left(view! {
                        <button type="button" class="secondary-button" on:click=move |_| open.set(true)
                            disabled=move || !ch.live.get()>
                            "Add a phone number"
                        </button>
                    });
                }
                Either::Right(view! {
                    <h2>"Phone number"</h2>
                    <form on:submit=on_send novalidate>
                        <div class="field">
                            <label for="phone">"Phone number (international format)"</label>
                            <input id="phone" type="tel" autocomplete="tel" placeholder="+15555550123"
                                node_ref=number aria-describedby="phone-error"/>
                            <FieldError id="phone-error" err=phone_err/>
                        </div>
                        <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>
                            "Send code"
                        </button>
                    </form>
                    {move || {
                        pending()
                            .map(|p| {
                                view! {
                                    <form on:submit=on_verify novalidate>
                                        <p class="hint">{format!("Enter the code we sent to {p}.")}</p>
                                        <div class="field">
                                            <label for="phone-code">"Code"</label>
                                            <input id="phone-code" type="text" autocomplete="one-time-code"
                                                inputmode="numeric" node_ref=code aria-describedby="phone-code-error"/>
                                            <FieldError id="phone-code-error" err=code_err/>
                                        </div>
                                        <button type="submit" disabled=move || user.is_fetching()>"Verify phone"</button>
                                    </form>
                                }
                            })
                    }}
                })
            }}
        </div>
    }
}

/// New backup codes, shown once: copy or download them.
#[component]
fn BackupCodes(codes: Vec<String>) -> impl IntoView {
    if codes.is_empty() {
        return None;
    }
    let text = codes.join("\n") + "\n";
    let href = format!("data:text/plain;charset=utf-8,{}", text.replace('\n', "%0A"));
    let copied = RwSignal::new(false);
    let copy_text = text.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&copy_text);
        copied.set(true);
    };
    Some(view! {
        <div class="backup-codes" id="new-backup-codes" tabindex="-1" aria-labelledby="new-backup-codes-heading">
            <h2 id="new-backup-codes-heading">"Backup codes"</h2>
            <p class="hint">
                "Each code works once, if you lose your other factors. Keep them somewhere safe: they are shown only now."
            </p>
            <ul data-testid="backup-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <div class="row">
                <button type="button" class="secondary-button" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <a class="button-link" href=href download="backup-codes.txt">"Download"</a>
            </div>
        </div>
    })
}

/// A change to retry once the user has confirmed it's them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Default(Strategy),
    Remove(Strategy),
    BackupCodes,
    StartTotp,
    VerifyTotp,
    AddPhone,
    VerifyPhone,
    Password,
    AddPasskey,
    RemovePasskey,
    DeleteAccount,
}

impl Change {
    /// The confirmation of a change whose result is not on screen already.
    fn done(self) -> Option<String> {
        match self {
            Change::Default(s) => Some(format!("{} is now your default.", strategy_label(s))),
            Change::Remove(s) => Some(format!("{} removed.", strategy_label(s))),
            Change::RemovePasskey => Some("Passkey removed.".into()),
            Change::BackupCodes => Some("New backup codes made: the old ones no longer work.".into()),
            _ => None,
        }
    }
}

/// Moves the focus to the element `id` once it is drawn: the button that
/// was pressed may be gone with the change, which would drop the focus to
/// the page (WCAG 2.4.3); a status message there is also read out.
fn focus_on(id: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let found = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(e) = found {
            let _ = e.focus();
        }
    });
}

/// Asks before a change that cannot be undone (the browser's own dialog:
/// focus, keyboard and screen readers come with it).
fn confirmed(question: &str) -> bool {
    window().confirm_with_message(question).unwrap_or(false)
}

/// The state a page's changes share: new backup codes to show, the change
/// awaiting re-verification, an authenticator being enrolled, the phone
/// number and code typed, whether a factor was just enrolled, and whether
/// the island is live (its buttons need JavaScript).
#[derive(Clone, Copy)]
struct Changes {
    user: User,
    live: ReadSignal<bool>,
    codes: RwSignal<Vec<String>>,
    retry: RwSignal<Option<Change>>,
    setup: RwSignal<Option<TotpSetup>>,
    phone: RwSignal<String>,
    code: RwSignal<String>,
    enrolled: RwSignal<bool>,
    /// The new password typed, and "sign out of other sessions".
    new_password: RwSignal<(String, bool)>,
    password_changed: RwSignal<bool>,
    /// The new passkey's name, and the passkey a removal is for.
    passkey_name: RwSignal<String>,
    passkey: RwSignal<String>,
    /// What the last change did, said once it is done.
    done: RwSignal<Option<String>>,
}

impl Changes {
    fn new(user: User) -> Changes {
        Changes {
            user,
            live: live(),
            codes: RwSignal::new(vec![]),
            retry: RwSignal::new(None),
            setup: RwSignal::new(None),
            phone: RwSignal::new(String::new()),
            code: RwSignal::new(String::new()),
            enrolled: RwSignal::new(false),
            new_password: RwSignal::new((String::new(), true)),
            password_changed: RwSignal::new(false),
            passkey_name: RwSignal::new(String::new()),
            passkey: RwSignal::new(String::new()),
            done: RwSignal::new(None),
        }
    }

    /// Runs `change`; if it needs a re-verification first, keeps it for after.
    fn run(self, change: Change) {
        self.done.set(None);
        spawn_local(async move {
            let user = self.user;
            let r = match change {
                Change::Default(s) => user.make_default(s).await,
                Change::Remove(s) => user.remove(s).await,
                Change::BackupCodes => user.regenerate_backup_codes().await.map(|c| self.codes.set(c)),
                Change::StartTotp => user.create_totp().await.map(|t| self.setup.set(Some(t))),
                Change::VerifyTotp => user.verify_totp(self.code.get_untracked()).await.map(|c| {
                    self.setup.set(None);
                    self.enrolled_with(c)
                }),
                Change::AddPhone => user.add_phone(self.phone.get_untracked()).await,
                Change::VerifyPhone => {
                    user.verify_phone(self.code.get_untracked()).await.map(|c| self.enrolled_with(c))
                }
                Change::AddPasskey => {
                    let first = untrack(|| user.user()).is_some_and(|u| u.factors.is_empty() && u.passkeys.is_empty());
                    user.create_passkey(self.passkey_name.get_untracked()).await.map(|c| {
                        self.passkey_name.set(String::new());
                        if first {
                            self.enrolled_with(c)
                        } else {
                            self.codes.set(c)
                        }
                    })
                }
                Change::RemovePasskey => user.remove_passkey(self.passkey.get_untracked()).await,
                Change::DeleteAccount => user.delete().await.map(|()| go("/sign-in")),
                Change::Password => {
                    let (p, others) = self.new_password.get_untracked();
                    let task = || untrack(|| user.user()).and_then(|u| u.task);
                    let was_task = task().is_some();
                    let r = user.update_password(p, others).await;
                    if r.is_ok() {
                        self.password_changed.set(true);
                        if was_task {
                            go(&task().map(|t| task_url(&t)).unwrap_or_else(|| "/".into()));
                        }
                    }
                    r
                }
            };
            if r.is_err() && user.needs_reverification() {
                self.retry.set(Some(change));
            }
            if r.is_ok() {
                self.done.set(change.done());
                match change {
                    Change::BackupCodes => focus_on("new-backup-codes"),
                    c if c.done().is_some() => focus_on("change-done"),
                    _ => {}
                }
            }
        });
    }

    fn enrolled_with(self, codes: Vec<String>) {
        self.codes.set(codes);
        self.enrolled.set(true);
    }

    /// The "Confirm it's you" form, while a change waits for it.
    fn reverify_view(self) -> impl IntoView {
        move || {
            self.retry.get().map(|c| {
                view! {
                    <Reverify user=self.user then=move || {
                        self.retry.set(None);
                        self.run(c)
                    }/>
                }
            })
        }
    }
}

/// Managing second factors.
#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <Title text="Security settings"/>
        <section class="card wide-ish">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match gate(None).await {
                        Ok(user) => view! { <Security user/> }.into_any(),
                        Err(away) => away,
                    }
                })}
            </Suspense>
            <p class="switch"><a href="/">"Back home"</a></p>
        </section>
    }
}

#[island(lazy)]
pub fn Security(user: UserView) -> impl IntoView {
    let user = provide_user(Some(user));
    let ch = Changes::new(user);
    let live = ch.live;
    let codes = ch.codes;
    let run = move |c: Change| ch.run(c);
    let factors = move || user.user().map(|u| u.factors).unwrap_or_default();
    let has = move |s: Strategy| user.user().is_some_and(|u| u.has(s));
    let remaining = move || user.user().map(|u| u.backup_codes_remaining).unwrap_or(0);
    let has_passkeys = move || user.user().is_some_and(|u| !u.passkeys.is_empty());
    // A factor is offered for removal unless it is the last one an account
    // that must keep one has (the server refuses that too: `mfa_required`).
    let removable = move |s: Strategy| {
        user.user().is_some_and(|u| {
            let others = u.factors.iter().filter(|f| f.strategy != s).count() + u.passkeys.len();
            !u.require_mfa || others > 0
        })
    };
    let remove = move |s: Strategy| {
        let what = strategy_label(s).to_ascii_lowercase();
        if confirmed(&format!("Remove your {what}? You will no longer be able to sign in with it.")) {
            run(Change::Remove(s));
        }
    };
    let new_codes = move |_| {
        let n = remaining();
        if n == 0 || confirmed(&format!("Make new backup codes? Your {n} unused codes will stop working.")) {
            run(Change::BackupCodes);
        }
    };
    let delete_account = move |_| {
        if confirmed("Delete your account and everything in it? This cannot be undone.") {
            run(Change::DeleteAccount);
        }
    };
    view! {
        <h1>"Security settings"</h1>
        {ch.reverify_view()}
        <p class="sent" role="status" id="change-done" tabindex="-1">{move || ch.done.get()}</p>
        <h2>"Second factors"</h2>
        <ul class="factors" data-testid="factors">
            <For each=factors key=|f| (f.strategy, f.default) let:f>
                {
                    let s = f.strategy;
                    view! {
                        <li>
                            <span>
                                {strategy_label(s)}
                                {f.safe_identifier.clone().map(|p| format!(" ({p})"))}
                                {f.default.then(|| view! { <span class="badge">"default"</span> })}
                            </span>
                            <span class="row">
                                {(!f.default).then(|| view! {
                                    // Named apart, as "Remove …" is (WCAG 2.4.6).
                                    <button type="button" class="link" on:click=move |_| run(Change::Default(s))
                                        aria-label=format!("Make default: {}", strategy_label(s).to_ascii_lowercase())
                                        disabled=move || !live.get()>
                                        "Make default"
                                    </button>
                                })}
                                <button type="button" class="link" on:click=move |_| remove(s)
                                    hidden=move || !removable(s) disabled=move || !live.get()>
                                    {format!("Remove {}", strategy_label(s).to_ascii_lowercase())}
                                </button>
                            </span>
                        </li>
                    }
                }
            </For>
        </ul>
        {move || factors().is_empty().then(|| view! { <p class="muted">"No second factor yet."</p> })}
        {move || (!has(Strategy::Totp)).then(|| view! { <TotpEnrol ch/> })}
        {move || (!has(Strategy::PhoneCode)).then(|| view! { <PhoneEnrol ch/> })}
        <Passkeys ch/>
        <h2>"Backup codes"</h2>
        <p class="muted" data-testid="backup-remaining">{move || format!("{} unused.", remaining())}</p>
        <button type="button" class="secondary-button" on:click=new_codes
            disabled=move || !live.get() || user.is_fetching() || (factors().is_empty() && !has_passkeys())>
            "Generate new codes"
        </button>
        {move || view! { <BackupCodes codes=codes.get()/> }}
        <h2>"Password"</h2>
        <PasswordChange ch label="Change password"/>
        <h2>"Your account"</h2>
        <p>
            <a href="/v1/me/data" download="my-data.json">"Download my data"</a>
            <span class="muted">" (your profile, factors, sessions and account history, as JSON)"</span>
        </p>
        <button type="button" class="secondary-button" on:click=delete_account disabled=move || !live.get()>
            "Delete my account"
        </button>
        <GlobalErrors errors=user.errors/>
    }
}

/// "Confirm it's you": the password (or an authenticator code), then `then`.
#[component]
fn Reverify(user: User, then: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let with_app = RwSignal::new(false);
    let secret = NodeRef::<html::Input>::new();
    // Its own error, on its own field: the page's shared errors would turn
    // the new-password field red for a wrong current password.
    let err = RwSignal::new(None::<ApiError>);
    let focus = move || {
        if let Some(i) = secret.get_untracked() {
            let _ = i.focus();
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = input_value(secret);
        spawn_local(async move {
            let r = if with_app.get_untracked() {
                user.reverify_totp(value).await
            } else {
                user.reverify_password(value).await
            };
            match r {
                Ok(()) => {
                    err.set(None);
                    then();
                }
                Err(e) => {
                    user.errors.set(Default::default());
                    err.set(e.errors.into_iter().next().map(ApiError::for_known_user));
                    focus();
                }
            }
        });
    };
    // It appears because a change needs it: the field takes the focus.
    Effect::new(move |_| {
        if secret.get().is_some() {
            focus();
        }
    });
    let err = Signal::from(err);
    let can_app = move || user.user().is_some_and(|u| u.has(Strategy::Totp));
    let window = move || {
        let minutes = match user.user().map_or(0, |u| u.reverification_minutes) {
            1 => "minute".to_string(),
            n => format!("{n} minutes"),
        };
        format!("This change needs your password (or an authenticator code) from the last {minutes}.")
    };
    view! {
        <form class="reverify" on:submit=on_submit novalidate>
            <h2>"Confirm it's you"</h2>
            <p class="hint">{window}</p>
            <div class="field">
                <label for="reverify">{move || if with_app.get() { "Authenticator code" } else { "Password" }}</label>
                <input id="reverify" type=move || if with_app.get() { "text" } else { "password" }
                    autocomplete=move || if with_app.get() { "one-time-code" } else { "current-password" }
                    node_ref=secret aria-describedby="reverify-error"
                    aria-invalid=move || err.with(Option::is_some).to_string()/>
                <FieldError id="reverify-error" err=err/>
            </div>
            <button type="submit" disabled=move || user.is_fetching()>"Confirm"</button>
            {move || can_app().then(|| view! {
                <button type="button" class="link" on:click=move |_| with_app.update(|v| *v = !*v)>
                    {move || if with_app.get() { "Use your password" } else { "Use your authenticator app" }}
                </button>
            })}
        </form>
    }
}

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
fn moment(ts: i64, live: ReadSignal<bool>) -> String {
    if !live.get() {
        return utc(ts);
    }
    let now = (js_sys::Date::now() / 1000.0) as i64;
    // Minutes behind UTC at that moment (its own daylight saving time).
    let behind = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64 * 1000.0)).get_timezone_offset();
    when(ts, now, (-behind * 60.0) as i32)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_show_in_fours() {
        assert_eq!(super::grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(super::grouped("ABCDEF"), "ABCD EF");
        assert_eq!(super::grouped(""), "");
    }
}
