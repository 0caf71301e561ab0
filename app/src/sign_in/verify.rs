//! `needs_second_factor`: the second factor.

use super::{after_step, ResetForm};
use crate::api::*;
use crate::hook::*;
use crate::ui::*;
use crate::words::{t, t_with};
use leptos::{either::Either, ev::SubmitEvent, html, prelude::*, server_fn::ServerFn, task::spawn_local};
use proto::*;

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
pub(super) fn VerifyForm() -> impl IntoView {
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
    let to = phone.clone().unwrap_or_else(|| t("your-phone"));
    let (sent_hint, send_hint) = (t_with("sms-sent", &[("to", &to)]), t_with("sms-send", &[("to", &to)]));
    let sms_hint = move || {
        if sign_in.view().phone_code_sent_at.is_some() {
            sent_hint.clone()
        } else {
            send_hint.clone()
        }
    };
    let one = methods.len() == 1;
    let only_backup = methods == [Strategy::BackupCode];
    let no_code = methods.is_empty();
    view! {
        <StepHeading text=t("verify-account")/>
        {has_passkey.then(|| view! {
            <div class="passkey" hidden=move || !live.get()>
                <button type="button" class="secondary-button" data-testid="use-passkey"
                    on:click=use_passkey disabled=move || sign_in.is_fetching()>
                    {t("use-passkey")}
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
                        <legend>{t("verify-with")}</legend>
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
                    <p class="hint totp-hint" id="totp-hint">{t("totp-hint")}</p>
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
                    <label for="backup-code">{t("method-backup-code")}</label>
                    <input id="backup-code" name="backup_code" type="text" autocomplete="off"
                        autocapitalize="none" spellcheck="false" maxlength="24"
                        readonly=move || pending.get() node_ref=backup
                        aria-invalid=move || code_err.with(Option::is_some).to_string()
                        aria-describedby="backup-code-hint backup-code-error"/>
                    <p class="hint" id="backup-code-hint">{t("backup-hint")}</p>
                    <FieldError id="backup-code-error" err=code_err/>
                </div>
            })}
            <SubmitButton label="verify" working="verifying" pending busy/>
        </form>
        {phone
            .is_some()
            .then(|| {
                view! {
                    <form class="secondary send-sms" method="post" action=PrepareSecondFactor::PATH
                        on:submit=on_send>
                        <input type="hidden" name="strategy" value="phone_code"/>
                        <ResendButton busy retry=resend_wait(sign_in.errors) first="send-sms"
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
