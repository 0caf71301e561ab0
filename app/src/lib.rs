//! The app tier: components, routes, server-function declarations and the
//! `use_sign_in()` hook. Compiled twice: `ssr` for the server, `hydrate` for
//! wasm. Islands: pages and routing live on the server only; the browser gets
//! the `#[island]` forms and what they call, nothing else.

mod account;
pub mod api;
pub mod hook;
mod pages;
pub mod webauthn;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub use hook::{use_sign_in, use_sign_up, use_user, Errors, FetchStatus, SignIn, SignUp, User};

/// Marks the page's body with `attr` (browser only): the end-to-end tests
/// wait for these marks before they act.
pub fn mark_live(attr: &str) {
    if let Some(body) = document().body() {
        let _ = body.set_attribute(attr, "true");
    }
}

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/mfa-signin.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Router>
            <main class="page">
                // Async: the whole page is rendered before it is sent, so every
                // step works without JavaScript.
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=pages::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in/forgot-password") ssr=SsrMode::Async
                        view=|| view! { <pages::CodeStartPage strategy=proto::Strategy::ResetPasswordEmailCode/> }/>
                    <Route path=path!("/sign-in/email-code") ssr=SsrMode::Async
                        view=|| view! { <pages::CodeStartPage strategy=proto::Strategy::EmailCode/> }/>
                    <Route path=path!("/sign-in/unlock") ssr=SsrMode::Async
                        view=|| view! { <pages::CodeStartPage strategy=proto::Strategy::UnlockEmailCode/> }/>
                    <Route path=path!("/sign-up") view=pages::SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/setup-mfa") view=account::SetupMfaPage ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/reset-password") view=account::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/security") view=account::SecurityPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/sessions") view=account::SessionsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
