//! The security page: second factors, backup codes, password, account.

use super::*;
use crate::hook::{provide_user, User};
use crate::ui::{loading, strategy_inline, strategy_label, FieldError, GlobalErrors};
use crate::words::{t, t_count, t_with};
use leptos::{ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use proto::*;

/// Managing second factors. Every change but adding a passkey is a form that
/// posts without JavaScript too; the ones that ask first (`?remove=`,
/// `?remove_passkey=`, `?new_codes`, `?delete`) ask as a page.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let posted = Posted::read(&[
        SetDefaultFactor::PATH,
        RemoveFactor::PATH,
        PasskeyRemove::PATH,
        PasskeyRename::PATH,
        RegenerateBackupCodes::PATH,
        DeleteAccount::PATH,
        ChangePassword::PATH,
    ]);
    let query = leptos_router::hooks::use_query_map();
    let removing = query.with_untracked(|q| q.get("remove")).and_then(|s| Strategy::parse(&s));
    let removing_passkey = query.with_untracked(|q| q.get("remove_passkey"));
    let asking = query.with_untracked(|q| match (q.get("new_codes"), q.get("delete")) {
        (Some(_), _) => Some(Question::NewCodes),
        (_, Some(_)) => Some(Question::Delete),
        _ => None,
    });
    view! {
        <Title text=t("security-settings")/>
        <section class="card wide-ish">
            <crate::Logo/>
            <Suspense fallback=loading>
                {move || {
                    let (posted, removing_passkey) = (posted.clone(), removing_passkey.clone());
                    Suspend::new(async move {
                        match gate(None, false).await {
                            Ok(user) => {
                                let posted = posted.open().await;
                                view! { <Security user posted removing removing_passkey asking/> }.into_any()
                            }
                            Err(away) => away,
                        }
                    })
                }}
            </Suspense>
            <p class="switch"><a href="/">{t("back-home")}</a></p>
        </section>
    }
}

#[island(lazy)]
pub fn Security(
    user: UserView,
    posted: Posted,
    removing: Option<Strategy>,
    removing_passkey: Option<String>,
    asking: Option<Question>,
) -> impl IntoView {
    let user = provide_user(Some(user));
    let ch = Changes::new(user).posted(posted);
    // The factor or passkey whose removal a page without JavaScript asks
    // to confirm.
    let removing = RwSignal::new(removing);
    let removing_passkey = RwSignal::new(removing_passkey);
    let asking = RwSignal::new(asking);
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
        let question = t_with("remove-your", &[("method", &strategy_inline(s))]);
        if confirmed(&[question, t("remove-hint")].join(" ")) {
            run(Change::Remove(s));
        }
    };
    // Without JavaScript the question is a form of its own.
    let confirm_removal = move || {
        removing.get().filter(|&s| has(s) && removable(s)).map(|s| {
            view! {
                <ConfirmRemoval question=t_with("remove-your", &[("method", &strategy_inline(s))]) action=RemoveFactor::PATH
                    field="strategy" value=s.as_str().to_string() then=move || {
                        removing.set(None);
                        run(Change::Remove(s));
                    }/>
            }
        })
    };
    let confirm_passkey_removal = move || {
        let id = removing_passkey.get()?;
        let name = user.user()?.passkeys.into_iter().find(|p| p.id == id)?.name;
        Some(view! {
            <ConfirmRemoval question=t_with("remove-passkey-question", &[("name", &name)]) action=PasskeyRemove::PATH
                field="id" value=id.clone() then=move || {
                    removing_passkey.set(None);
                    ch.passkey.set(id.clone());
                    run(Change::RemovePasskey);
                }/>
        })
    };
    let new_codes = move |ev: SubmitEvent| {
        ev.prevent_default();
        let n = remaining();
        if n == 0 || confirmed(&new_codes_question(n)) {
            run(Change::BackupCodes);
        }
    };
    let delete_account = move |ev: SubmitEvent| {
        ev.prevent_default();
        if confirmed(&t("delete-confirm")) {
            run(Change::DeleteAccount);
        }
    };
    // Without JavaScript these questions are forms of their own too.
    let ask = move || {
        asking.get().map(|q| {
            let (question, hint, action, yes, no, change) = match q {
                Question::NewCodes => (
                    t("new-codes-question"),
                    t_count("codes-will-stop", remaining()),
                    RegenerateBackupCodes::PATH,
                    t("make-new-codes"),
                    t("keep-codes"),
                    Change::BackupCodes,
                ),
                Question::Delete => (
                    t("delete-question"),
                    t("delete-hint"),
                    DeleteAccount::PATH,
                    t("delete-it"),
                    t("keep-account"),
                    Change::DeleteAccount,
                ),
            };
            view! {
                <Confirm question hint action yes no then=move || {
                    asking.set(None);
                    run(change);
                }/>
            }
        })
    };
    view! {
        <h1>{t("security-settings")}</h1>
        {ch.reverify_view()}
        {confirm_removal}
        {confirm_passkey_removal}
        {ask}
        <p class="sent" role="status" id="change-done" tabindex="-1" data-live=move || live.get().then_some("")>{move || ch.done.get()}</p>
        <h2>{t("second-factors-title")}</h2>
        <ul class="factors" data-testid="factors">
            <For each=factors key=|f| (f.strategy, f.default) let:f>
                {
                    let s = f.strategy;
                    view! {
                        <li>
                            <span>
                                {strategy_label(s)}
                                {f.safe_identifier.clone().map(|p| format!(" ({p})"))}
                                {f.default.then(|| view! { <span class="badge">{t("default-badge")}</span> })}
                            </span>
                            <span class="row">
                                {(!f.default).then(|| view! {
                                    <form method="post" action=SetDefaultFactor::PATH
                                        on:submit=move |ev: SubmitEvent| {
                                            ev.prevent_default();
                                            run(Change::Default(s));
                                        }>
                                        <input type="hidden" name="strategy" value=s.as_str()/>
                                        // Named apart, as "Remove …" is (WCAG 2.4.6).
                                        <button type="submit" class="link" disabled=move || user.is_fetching()
                                            aria-label=t_with("make-default-named", &[("method", &strategy_inline(s))])>
                                            {t("make-default")}
                                        </button>
                                    </form>
                                })}
                                <AskFirst user field="remove" value=s.as_str().to_string()
                                    label=t_with("remove-named", &[("method", &strategy_inline(s))])
                                    hidden=Signal::derive(move || !removable(s)) ask=move || remove(s)/>
                            </span>
                        </li>
                    }
                }
            </For>
        </ul>
        {move || factors().is_empty().then(|| view! { <p class="muted">{t("no-factor-yet")}</p> })}
        {move || (!has(Strategy::Totp)).then(|| view! { <TotpEnrol ch/> })}
        {move || (!has(Strategy::PhoneCode)).then(|| view! { <PhoneEnrol ch/> })}
        <Passkeys ch/>
        <h2>{t("backup-codes")}</h2>
        <p class="muted" data-testid="backup-remaining">{move || t_count("backup-unused", remaining())}</p>
        // Without JavaScript: straight to the post, or the page asking first.
        <form method=move || if remaining() == 0 { "post" } else { "get" }
            action=move || if remaining() == 0 { RegenerateBackupCodes::PATH } else { "/account/security" }
            on:submit=new_codes>
            <input type="hidden" name="new_codes" value="1" disabled=move || remaining() == 0/>
            <button type="submit" class="secondary-button"
                disabled=move || user.is_fetching() || (factors().is_empty() && !has_passkeys())>
                {t("new-codes")}
            </button>
        </form>
        {move || view! { <BackupCodes codes=codes.get()/> }}
        <h2>{t("password")}</h2>
        <PasswordChange ch label="change-password"/>
        <h2>{t("your-account")}</h2>
        <p>
            <a href="/v1/me/data" download="my-data.json">{t("download-data")}</a>
            " " <span class="muted">{t("download-data-hint")}</span>
        </p>
        <form method="get" action="/account/security" on:submit=delete_account>
            <input type="hidden" name="delete" value="1"/>
            <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>
                {t("delete-account")}
            </button>
        </form>
        <GlobalErrors errors=user.errors/>
    }
}

/// A button that asks before a change: without JavaScript a GET of the
/// page with `field=value`, which asks as a page; with it, `ask` does.
#[component]
pub(super) fn AskFirst(
    user: User,
    field: &'static str,
    value: String,
    /// What the button says; `aria`, what it is called if that differs.
    label: String,
    #[prop(optional)] aria: Option<String>,
    hidden: Signal<bool>,
    ask: impl Fn() + 'static,
) -> impl IntoView {
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ask();
    };
    view! {
        <form method="get" action="/account/security" hidden=hidden on:submit=on_submit>
            <input type="hidden" name=field value=value/>
            <button type="submit" class="link" aria-label=aria disabled=move || user.is_fetching()>{label}</button>
        </form>
    }
}

/// A question the page asks without JavaScript (with it, the browser's
/// dialog asks): making new backup codes, deleting the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Question {
    NewCodes,
    Delete,
}

fn new_codes_question(n: u32) -> String {
    [t("new-codes-question"), t_count("codes-will-stop", n)].join(" ")
}

/// A removal's question as a form of its own, for a page without
/// JavaScript: "Remove" posts `field=value` to `action` (with JavaScript,
/// `then` does it), "Keep it" goes back.
#[component]
fn ConfirmRemoval(
    question: String,
    action: &'static str,
    field: &'static str,
    value: String,
    then: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <Confirm question hint=t("remove-hint") action yes=t("remove") then>
            <input type="hidden" name=field value=value/>
        </Confirm>
    }
}

/// A question as a form of its own: `yes` posts to `action` (with
/// JavaScript, `then` does it), "Keep it" goes back to the page.
#[component]
fn Confirm(
    question: String,
    hint: String,
    action: &'static str,
    yes: String,
    #[prop(optional)] no: Option<String>,
    then: impl Fn() + 'static,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        then();
    };
    view! {
        <form class="reverify" method="post" action=action on:submit=on_submit>
            <h2>{question}</h2>
            <p class="hint">{hint}</p>
            {children.map(|c| c())}
            <p class="row">
                <button type="submit">{yes}</button>
                <a href="/account/security">{no.unwrap_or_else(|| t("keep-it"))}</a>
            </p>
        </form>
    }
}

/// "Confirm it's you": the password (or an authenticator code), then `then`.
/// A plain form post without JavaScript; `failed` is such a post's error.
#[component]
pub(super) fn Reverify(
    user: User,
    then: impl Fn() + Copy + Send + Sync + 'static,
    #[prop(default = None)] failed: Option<ApiError>,
) -> impl IntoView {
    let with_app = RwSignal::new(false);
    let secret = NodeRef::<html::Input>::new();
    // Its own error, on its own field: the page's shared errors would turn
    // the new-password field red for a wrong current password.
    let err = RwSignal::new(failed.map(ApiError::for_known_user));
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
    let window = move || t_count("reverify-window", user.user().map_or(0, |u| u.reverification_minutes));
    view! {
        <form class="reverify" method="post" action=crate::api::Reverify::PATH on:submit=on_submit novalidate>
            <h2>{t("confirm-title")}</h2>
            <p class="hint">{window}</p>
            <input type="hidden" name="strategy" value=move || if with_app.get() { "totp" } else { "password" }/>
            <div class="field">
                <label for="reverify">{move || t(if with_app.get() { "authenticator-code" } else { "password" })}</label>
                <input id="reverify" name=move || if with_app.get() { "code" } else { "password" }
                    type=move || if with_app.get() { "text" } else { "password" }
                    autocomplete=move || if with_app.get() { "one-time-code" } else { "current-password" }
                    node_ref=secret aria-describedby="reverify-error"
                    aria-invalid=move || err.with(Option::is_some).to_string()/>
                <FieldError id="reverify-error" err=err/>
            </div>
            <button type="submit" disabled=move || user.is_fetching()>{t("confirm")}</button>
            {move || can_app().then(|| view! {
                <button type="button" class="link" on:click=move |_| with_app.update(|v| *v = !*v)>
                    {move || t(if with_app.get() { "use-password" } else { "use-app" })}
                </button>
            })}
        </form>
    }
}
