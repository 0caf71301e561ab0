//! The pages of a signed-in user: the `setup-mfa` session task, managing
//! second factors (on `use_user()`), and the list of sessions. The server
//! decides who may see a page; the parts that change it are islands, lazy
//! ones (their wasm is fetched by the pages that have them). Views branch
//! with `Either` rather than `into_any()`, which would carry code islands
//! never run.
//!
//! One file per page (the tasks, security, sessions); the factors' forms,
//! which the tasks and the security page share, in `factors`; here the
//! state a page's changes share.

mod factors;
mod security;
mod sessions;
mod tasks;

pub use security::SecurityPage;
pub use sessions::SessionsPage;
pub use tasks::{ResetPasswordPage, SetupMfaPage};

use factors::{BackupCodes, PasskeyAdd, Passkeys, PasswordChange, PhoneEnrol, TotpEnrol};
use security::{AskFirst, Reverify};
use sessions::moment;

use crate::api::*;
use crate::hook::{errors_from_form_post, kept_codes, kept_method, kept_notice, Errors, User};
use crate::ui::{go, live, strategy_label};
use crate::words::{t, t_with};
use leptos::{html, prelude::*, task::spawn_local};
use leptos_router::components::Redirect;
use proto::*;

fn input_value(node: NodeRef<html::Input>) -> String {
    node.get().map(|i| i.value()).unwrap_or_default()
}

/// The signed-in user this page is for, or where to send the visitor instead
/// (server side). `task`: the session task this page does, if it is a task's;
/// `done`: the task was just done here (the page says so once).
async fn gate(task: Option<&str>, done: bool) -> Result<UserView, AnyView> {
    match get_user().await {
        Ok(None) => Err(view! { <Redirect path="/sign-in"/> }.into_any()),
        Ok(Some(u)) => match (u.task.as_deref(), task) {
            (Some(t), want) if want != Some(t) => Err(view! { <Redirect path=task_url(t)/> }.into_any()),
            (None, Some(_)) if !done => Err(view! { <Redirect path="/"/> }.into_any()),
            _ => Ok(u),
        },
        Err(e) => Err(view! { <p role="alert">{e.to_string()}</p> }.into_any()),
    }
}

/// A change to retry once the user has confirmed it's them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Default(Strategy),
    Remove(Strategy),
    /// A factor added by a plain form post (said after it).
    Added(Strategy),
    BackupCodes,
    StartTotp,
    VerifyTotp,
    AddPhone,
    VerifyPhone,
    Password,
    AddPasskey,
    RenamePasskey,
    RemovePasskey,
    DeleteAccount,
    /// A plain form post's change, made before the page was live: the page
    /// cannot make it again, only say that it may be made now.
    Posted,
}

impl Change {
    /// The confirmation of a change whose result is not on screen already.
    fn done(self) -> Option<String> {
        let said = |id, s| t_with(id, &[("method", &strategy_label(s))]);
        match self {
            Change::Default(s) => Some(said("now-default", s)),
            Change::Remove(s) => Some(said("method-removed", s)),
            Change::Added(s) => Some(said("method-added", s)),
            Change::RemovePasskey => Some(notice_text(Notice::PasskeyRemoved)),
            Change::RenamePasskey => Some(notice_text(Notice::PasskeyRenamed)),
            Change::BackupCodes => Some(notice_text(Notice::BackupCodesMade)),
            Change::Posted => Some(notice_text(Notice::Reverified)),
            _ => None,
        }
    }
}

/// What a page says of a notice (here, not in the wire types: words are the
/// app's, per language).
fn notice_text(n: Notice) -> String {
    t(match n {
        Notice::Unlocked => "unlocked",
        Notice::Reverified => "notice-reverified",
        Notice::SessionRevoked => "notice-session-revoked",
        Notice::OtherSessionsRevoked => "notice-others-revoked",
        Notice::DeviceRevoked => "notice-device-revoked",
        Notice::DefaultSet => "notice-default-set",
        Notice::FactorRemoved => "notice-removed",
        Notice::PasskeyRemoved => "notice-passkey-removed",
        Notice::PasskeyRenamed => "notice-passkey-renamed",
        Notice::TotpStarted => "notice-totp-started",
        Notice::FactorAdded => "notice-added",
        Notice::BackupCodesMade => "notice-codes-made",
    })
}

/// What the page's last plain form post did: its notice (and the factor it
/// was about), its errors, a "Confirm it's you" that failed, and what it
/// shows once: new backup codes, an authenticator app being added; and
/// whether the phone form is open (`?add=phone`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Posted {
    notice: Option<Notice>,
    strategy: Option<Strategy>,
    errors: Errors,
    failed: Option<ApiError>,
    codes: Vec<String>,
    setup: Option<TotpSetup>,
    phone: bool,
    /// The passkey being renamed (`?rename_passkey=`).
    renaming: Option<String>,
    /// The codes as the flash cookie carried them (never sent to the page),
    /// and whether to show the authenticator app being added.
    #[serde(skip)]
    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    sealed: Option<String>,
    #[serde(skip)]
    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    totp: bool,
}

impl Posted {
    /// The flash of a post to one of `paths`, to "Confirm it's you", or to
    /// the enrolment forms (server side).
    fn read(paths: &[&str]) -> Posted {
        use leptos::server_fn::ServerFn;
        let enrol = [TotpStart::PATH, TotpVerify::PATH, PhoneStart::PATH, PhoneVerify::PATH];
        let errors = errors_from_form_post(&[paths, &enrol[..]].concat());
        let query = leptos_router::hooks::use_query_map();
        let renaming = query.with_untracked(|q| q.get("rename_passkey"));
        let phone = query.with_untracked(|q| q.get("add")).as_deref() == Some("phone")
            || !errors_from_form_post(&enrol[2..]).raw.is_empty();
        let notice = kept_notice();
        let totp = notice == Some(Notice::TotpStarted) || !errors_from_form_post(&enrol[1..2]).raw.is_empty();
        Posted {
            notice,
            strategy: kept_method(),
            errors,
            totp,
            failed: errors_from_form_post(&[crate::api::Reverify::PATH]).raw.into_iter().next(),
            phone,
            renaming,
            sealed: kept_codes(),
            ..Posted::default()
        }
    }

    /// Opens what it shows once (server side, after the page's gate).
    async fn open(self) -> Posted {
        #[cfg(feature = "ssr")]
        {
            let (codes, setup) = crate::api::Call::shown_once(self.sealed.as_deref(), self.totp).await;
            Posted { codes, setup, ..self }
        }
        #[cfg(not(feature = "ssr"))]
        self
    }

    /// Did the post finish the `setup-mfa` task?
    fn enrolled(&self) -> bool {
        self.notice == Some(Notice::FactorAdded)
    }

    /// Did the post stop at "Confirm it's you"?
    fn needs_reverification(&self) -> bool {
        self.failed.is_some() || self.errors.raw.iter().any(|x| x.code == "session_reverification_required")
    }

    /// What the page says of it.
    fn said(&self) -> Option<String> {
        match (self.notice?, self.strategy) {
            (Notice::DefaultSet, Some(s)) => Change::Default(s).done(),
            (Notice::FactorRemoved, Some(s)) => Change::Remove(s).done(),
            (Notice::FactorAdded, Some(s)) => Change::Added(s).done(),
            (n, _) => Some(notice_text(n)),
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
    /// The phone form is open (else a button opens it).
    phone_open: RwSignal<bool>,
    code: RwSignal<String>,
    enrolled: RwSignal<bool>,
    /// The new password typed, and "sign out of other sessions".
    new_password: RwSignal<(String, bool)>,
    password_changed: RwSignal<bool>,
    /// The new passkey's name, and the passkey a removal is for.
    passkey_name: RwSignal<String>,
    passkey: RwSignal<String>,
    /// The passkey whose name is being changed, and the name typed.
    renaming: RwSignal<Option<String>>,
    new_name: RwSignal<String>,
    /// What the last change did, said once it is done.
    done: RwSignal<Option<String>>,
    /// A plain form post's failed "Confirm it's you", shown once.
    failed: StoredValue<Option<ApiError>>,
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
            phone_open: RwSignal::new(false),
            code: RwSignal::new(String::new()),
            enrolled: RwSignal::new(false),
            new_password: RwSignal::new((String::new(), true)),
            password_changed: RwSignal::new(false),
            passkey_name: RwSignal::new(String::new()),
            passkey: RwSignal::new(String::new()),
            renaming: RwSignal::new(None),
            new_name: RwSignal::new(String::new()),
            done: RwSignal::new(None),
            failed: StoredValue::new(None),
        }
    }

    /// Takes up where a plain form post left: what it did, said; its
    /// errors; "Confirm it's you" if it stopped there.
    fn posted(self, posted: Posted) -> Changes {
        self.done.set(posted.said());
        self.enrolled.set(posted.enrolled());
        self.phone_open.set(posted.phone);
        self.renaming.set(posted.renaming.clone());
        self.setup.set(posted.setup.clone());
        self.codes.set(posted.codes.clone());
        if posted.needs_reverification() {
            self.retry.set(Some(Change::Posted));
        } else {
            self.user.errors.set(posted.errors.clone());
        }
        self.failed.set_value(posted.failed);
        self
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
                Change::RenamePasskey => {
                    let r = user.rename_passkey(self.passkey.get_untracked(), self.new_name.get_untracked()).await;
                    if r.is_ok() {
                        self.renaming.set(None);
                    }
                    r
                }
                Change::Posted | Change::Added(_) => Ok(()),
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
                let failed = self.failed.try_update_value(Option::take).flatten();
                view! {
                    <Reverify user=self.user failed then=move || {
                        self.retry.set(None);
                        self.run(c)
                    }/>
                }
            })
        }
    }
}
