//! The app tier: components, routes, server-function declarations and the
//! `use_sign_in()` hook. Compiled twice: `ssr` for the server, `hydrate` for
//! wasm. Islands: pages and routing live on the server only; the browser gets
//! the `#[island]` forms and what they call, nothing else.

// The sign-in flow's nested views are deep types: the debug wasm, built
// without `erase_components` (as the server is), needs more than 128.
#![recursion_limit = "256"]

mod account;
pub mod api;
mod home;
pub mod hook;
mod sign_in;
mod sign_up;
mod ui;
pub mod webauthn;
pub mod words;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Stylesheet};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub use hook::{use_sign_in, use_sign_up, use_user, Errors, FetchStatus, SignIn, SignUp, User};

/// The instance's branding as the pages show it (`[branding]` in the
/// settings): the server provides it to every page.
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    pub logo: Option<String>,
    /// The dark theme's logo, if another.
    pub logo_dark: Option<String>,
    /// The stylesheet over the built-in accents, when one is set.
    pub stylesheet: Option<String>,
}

impl Default for Brand {
    fn default() -> Self {
        Brand { name: "My App".into(), logo: None, logo_dark: None, stylesheet: None }
    }
}

pub(crate) fn brand() -> Brand {
    use_context::<Brand>().unwrap_or_default()
}

/// The app's logo atop a card, the dark theme's where there is one. The
/// heading names the app: the logo beside it is decoration.
#[component]
pub(crate) fn Logo() -> impl IntoView {
    let b = brand();
    b.logo.map(|src| {
        view! {
            <picture class="logo">
                {b.logo_dark.map(|d| view! { <source srcset=d media="(prefers-color-scheme: dark)"/> })}
                <img src=src alt="" height="40"/>
            </picture>
        }
    })
}

/// What an island needs of the instance (islands get no context from the
/// page in the browser: it comes as a prop).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PageInfo {
    /// The app's name (`[branding] name`).
    pub app: String,
    /// Seconds between code sends (`[codes] resend_after`).
    pub resend_after: i64,
    /// The verification method of a failed plain form post, chosen again.
    pub method: Option<proto::Strategy>,
}

impl PageInfo {
    /// This instance's (server side).
    pub fn current() -> PageInfo {
        #[cfg(feature = "ssr")]
        let resend_after = use_context::<api::Api>().map_or(30, |a| a.service.settings().codes.resend_after);
        #[cfg(not(feature = "ssr"))]
        let resend_after = 30;
        PageInfo { app: brand().name, resend_after, method: None }
    }
}

/// Marks the page's body with `attr` (browser only): the end-to-end tests
/// wait for these marks before they act.
pub fn mark_live(attr: &str) {
    if let Some(body) = document().body() {
        let _ = body.set_attribute(attr, "true");
    }
}

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = words::lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() dir=lang.dir()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // Before the islands' module script, which runs after it.
                <PageWords lang/>
                <HydrationScripts options=options.clone() islands=true/>
                // Named by its content when the build hashes files: cached for good.
                <HashedStylesheet options id="leptos"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's language's messages, for its islands (`words.rs`): a script
/// named by its content, cached for good; deferred, so it runs before the
/// islands' module script and blocks nothing.
#[component]
fn PageWords(lang: proto::Lang) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let version = ::words::page_script(lang).1;
    #[cfg(not(feature = "ssr"))]
    let version = "";
    let src = format!("/words/{}.js?v={version}", lang.tag());
    view! { <script defer src=src nonce=leptos::nonce::use_nonce()></script> }
}

/// The language menu under every page: a plain form (no wasm), answered
/// with the same page in the language chosen.
#[component]
fn LanguageMenu() -> impl IntoView {
    use leptos::server_fn::ServerFn;
    let current = words::lang();
    let options = proto::Lang::ALL.map(|l| {
        view! { <option value=l.tag() lang=l.tag() selected=l == current>{l.name()}</option> }
    });
    view! {
        <form class="lang-menu" method="post" action=api::SetLanguage::PATH>
            <label for="lang">{words::t("language")}</label>
            <select id="lang" name="lang">{options.collect_view()}</select>
            <button type="submit" class="secondary-button">{words::t("change-language")}</button>
        </form>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        {brand().stylesheet.map(|href| view! { <Stylesheet id="brand" href/> })}
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Router>
            <main class="page">
                // Async: the whole page is rendered before it is sent, so every
                // step works without JavaScript.
                <Routes fallback=home::NotFound>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=sign_in::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in/forgot-password") ssr=SsrMode::Async
                        view=|| view! { <sign_in::CodeStartPage strategy=proto::Strategy::ResetPasswordEmailCode/> }/>
                    <Route path=path!("/sign-in/email-code") ssr=SsrMode::Async
                        view=|| view! { <sign_in::CodeStartPage strategy=proto::Strategy::EmailCode/> }/>
                    <Route path=path!("/sign-in/unlock") ssr=SsrMode::Async
                        view=|| view! { <sign_in::CodeStartPage strategy=proto::Strategy::UnlockEmailCode/> }/>
                    <Route path=path!("/sign-up") view=sign_up::SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/setup-mfa") view=account::SetupMfaPage ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/reset-password") view=account::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/security") view=account::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/sessions") view=account::SessionsPage ssr=SsrMode::Async/>
                </Routes>
                <LanguageMenu/>
            </main>
        </Router>
    }
}
