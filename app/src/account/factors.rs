//! The forms that add or change a factor, shared by the tasks and the
//! security page.

use super::*;
use crate::api::*;
use crate::ui::{FieldError, NewPasswordFields};
use crate::words::{t, t_with};
use leptos::{either::Either, ev::SubmitEvent, html, prelude::*, server_fn::ServerFn};
use proto::*;

/// The new-password form of the security page and the `reset-password`
/// task; a form post without JavaScript. `label`: its button's message id.
#[component]
pub(super) fn PasswordChange(ch: Changes, label: &'static str) -> impl IntoView {
    let label = t(label);
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
            <p class="hint" role="status">{t("password-changed")}</p>
        })}
    }
}

/// Enrol an authenticator app: the server's QR code and secret, then a code.
/// Without JavaScript both are form posts; the page after the first shows
/// the secret.
#[component]
pub(super) fn TotpEnrol(ch: Changes) -> impl IntoView {
    let (user, setup) = (ch.user, ch.setup);
    let code = NodeRef::<html::Input>::new();
    let start = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.run(Change::StartTotp);
    };
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
                    <form method="post" action=TotpStart::PATH on:submit=start>
                        <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>
                            {t("add-app")}
                        </button>
                    </form>
                }),
                Some(s) => Either::Right(view! {
                    <h2>{t("method-totp")}</h2>
                    <p class="hint">{t("scan-qr")}</p>
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
                            {move || t(if copied.get() { "copied" } else { "copy-secret" })}
                        </button>
                        // On a phone the app is on this device: no code to scan.
                        <a class="button-link" href=s.uri.clone()>{t("open-in-app")}</a>
                    </div>
                    <EnrolCode ch action=TotpVerify::PATH on_submit code err=code_err
                        ids=["totp-code", "totp-code-error"] label="app-code" submit="enable"/>
                }),
            }}
        </div>
    }
}

/// An enrolment's code, posted to `action` (with JavaScript, `on_submit`
/// sends it); `ids`: the field's and its error's; `label` and `submit`:
/// message ids.
#[component]
fn EnrolCode(
    ch: Changes,
    action: &'static str,
    on_submit: impl FnMut(SubmitEvent) + 'static,
    code: NodeRef<html::Input>,
    err: Signal<Option<ApiError>>,
    ids: [&'static str; 2],
    label: &'static str,
    submit: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let [id, error] = ids;
    let (label, submit) = (t(label), t(submit));
    view! {
        <form method="post" action=action on:submit=on_submit novalidate>
            {children.map(|c| c())}
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name="code" type="text" autocomplete="one-time-code" inputmode="numeric"
                    node_ref=code aria-describedby=error aria-invalid=move || err.with(Option::is_some).to_string()/>
                <FieldError id=error err/>
            </div>
            <button type="submit" disabled=move || ch.user.is_fetching()>{submit}</button>
        </form>
    }
}

/// A secret to type by hand, in groups of four ("JBSW Y3DP …").
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// The user's passkeys: each with its name and last use, renamable and
/// removable (both forms without JavaScript too); and adding one (the
/// browser's dialog; WebAuthn needs JavaScript).
#[component]
pub(super) fn Passkeys(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let enabled = move || user.user().is_some_and(|u| u.passkeys_enabled);
    let keys = move || user.user().map(|u| u.passkeys).unwrap_or_default();
    let remove = move |id: String, name: String| {
        if confirmed(&[t_with("remove-passkey-question", &[("name", &name)]), t("remove-hint")].join(" ")) {
            ch.passkey.set(id);
            ch.run(Change::RemovePasskey);
        }
    };
    // The last factor of an account that must keep one is not offered.
    let removable =
        move || user.user().is_some_and(|u| !u.require_mfa || u.passkeys.len() > 1 || !u.factors.is_empty());
    let live = ch.live;
    let used = move |p: &PasskeyView| match p.last_used_at {
        Some(at) => t_with("passkey-used", &[("when", &moment(at, live))]),
        None => t_with("passkey-unused", &[("when", &moment(p.created_at, live))]),
    };
    view! {
        <h2>{t("passkeys")}</h2>
        <ul class="factors" data-testid="passkeys">
            <For each=keys key=|p| (p.id.clone(), p.name.clone(), p.last_used_at) let:p>
                {
                    let (id, name) = (p.id.clone(), p.name.clone());
                    let label = t_with("remove-passkey-named", &[("name", &p.name)]);
                    let asked = p.id.clone();
                    let renamed = (p.id.clone(), p.name.clone());
                    view! {
                        <li>
                            <span>
                                {p.name.clone()}
                                {p.synced.then(|| view! { <span class="badge">{t("synced-badge")}</span> })}
                                <span class="muted">" · " {move || used(&p)}</span>
                            </span>
                            <span class="row">
                                <PasskeyRenaming ch id=renamed.0 name=renamed.1/>
                                <AskFirst user field="remove_passkey" value=asked label=t("remove") aria=label
                                    hidden=Signal::derive(move || !removable()) ask=move || remove(id.clone(), name.clone())/>
                            </span>
                        </li>
                    }
                }
            </For>
        </ul>
        {move || keys().is_empty().then(|| view! { <p class="muted">{t("no-passkey")}</p> })}
        {move || enabled().then(|| view! { <PasskeyAdd ch/> })}
    }
}

/// A passkey's "Rename" (without JavaScript the page again, on
/// `?rename_passkey=`), then its name as a form.
#[component]
fn PasskeyRenaming(ch: Changes, id: String, name: String) -> impl IntoView {
    let user = ch.user;
    let field = NodeRef::<html::Input>::new();
    let err = Signal::derive(move || {
        user.errors.with(|e| e.raw.iter().find(|x| x.meta.param_name == Some(Field::Name)).cloned())
    });
    let this = id.clone();
    move || {
        let (id, name) = (id.clone(), name.clone());
        if ch.renaming.get().as_deref() != Some(this.as_str()) {
            let open = id.clone();
            return Either::Left(view! {
                <form method="get" action="/account/security" on:submit=move |ev: SubmitEvent| {
                    ev.prevent_default();
                    user.errors.set(Default::default());
                    ch.renaming.set(Some(open.clone()));
                }>
                    <input type="hidden" name="rename_passkey" value=id/>
                    <button type="submit" class="link" aria-label=t_with("rename-passkey-named", &[("name", &name)])>
                        {t("rename")}
                    </button>
                </form>
            });
        }
        let named = id.clone();
        let on_submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            ch.passkey.set(named.clone());
            ch.new_name.set(input_value(field));
            ch.run(Change::RenamePasskey);
        };
        Either::Right(view! {
            <form class="rename" method="post" action=PasskeyRename::PATH on:submit=on_submit novalidate>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="passkey-rename">{t("new-name")}</label>
                    <input id="passkey-rename" name="name" type="text" maxlength="64" autocomplete="off"
                        value=name node_ref=field autofocus aria-describedby="passkey-rename-error"
                        aria-invalid=move || err.with(Option::is_some).to_string()/>
                    <FieldError id="passkey-rename-error" err/>
                </div>
                <p class="row">
                    <button type="submit" disabled=move || user.is_fetching()>{t("save")}</button>
                    <a href="/account/security">{t("cancel")}</a>
                </p>
            </form>
        })
    }
}

/// "Add a passkey": an optional name, then the browser's dialog.
#[component]
pub(super) fn PasskeyAdd(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let name = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ch.passkey_name.set(input_value(name));
        ch.run(Change::AddPasskey);
    };
    view! {
        // WebAuthn is JavaScript's: until the page is live (or without it) it says so.
        <p class="muted" data-testid="passkey-needs-js" hidden=move || ch.live.get()>
            {t("passkey-needs-js")}
        </p>
        <form class="enrol passkey-add" on:submit=on_submit hidden=move || !ch.live.get()>
            <div class="field">
                <label for="passkey-name">{t("passkey-name")}</label>
                <input id="passkey-name" type="text" maxlength="64" autocomplete="off" node_ref=name
                    prop:value=move || ch.passkey_name.get()/>
            </div>
            <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>{t("add-passkey")}</button>
        </form>
    }
}

/// Enrol a phone: the number, then the texted code. Without JavaScript
/// "Add a phone number" opens the form as a page (`?add=phone`), and both
/// steps are form posts.
#[component]
pub(super) fn PhoneEnrol(ch: Changes) -> impl IntoView {
    let user = ch.user;
    let open = ch.phone_open;
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
                        <form method="get" on:submit=move |ev: SubmitEvent| {
                            ev.prevent_default();
                            open.set(true);
                        }>
                            <input type="hidden" name="add" value="phone"/>
                            <button type="submit" class="secondary-button">{t("add-phone")}</button>
                        </form>
                    });
                }
                Either::Right(view! {
                    <h2>{t("phone-number")}</h2>
                    <form method="post" action=PhoneStart::PATH on:submit=on_send novalidate>
                        <div class="field">
                            <label for="phone">{t("phone-international")}</label>
                            <input id="phone" name="phone_number" type="tel" autocomplete="tel"
                                placeholder="+15555550123" node_ref=number aria-describedby="phone-error"
                                aria-invalid=move || phone_err.with(Option::is_some).to_string()/>
                            <FieldError id="phone-error" err=phone_err/>
                        </div>
                        <button type="submit" class="secondary-button" disabled=move || user.is_fetching()>
                            {t("send-code")}
                        </button>
                    </form>
                    {move || {
                        pending()
                            .map(|p| {
                                view! {
                                    <EnrolCode ch action=PhoneVerify::PATH on_submit=on_verify code err=code_err
                                        ids=["phone-code", "phone-code-error"] label="code" submit="verify-phone">
                                        <p class="hint">{t_with("code-sent-to", &[("to", &p)])}</p>
                                    </EnrolCode>
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
pub(super) fn BackupCodes(codes: Vec<String>) -> impl IntoView {
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
            <h2 id="new-backup-codes-heading">{t("backup-codes")}</h2>
            <p class="hint">{t("backup-codes-hint")}</p>
            <ul data-testid="backup-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <div class="row">
                <button type="button" class="secondary-button" on:click=copy>
                    {move || t(if copied.get() { "copied" } else { "copy" })}
                </button>
                <a class="button-link" href=href download="backup-codes.txt">{t("download")}</a>
            </div>
        </div>
    })
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
