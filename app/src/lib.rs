//! The app tier: components, routes, server-function declarations and the
//! `use_sign_in()` hook. Compiled twice: `ssr` for the server, `hydrate` for wasm.

pub mod api;
pub mod hook;
pub mod model;
mod account;
mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

pub use hook::{use_sign_in, use_sign_up, use_user, Errors, FetchStatus, SignIn, SignUp, User};

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
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
    // Effects run only in the browser: tests wait for this mark.
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
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
                    <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/setup-mfa") view={Lazy::<SetupMfaRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account/security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account/sessions") view={Lazy::<SessionsRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

// Pages most visitors never open are loaded on demand (`cargo leptos --split`),
// keeping them out of the sign-in page's wasm.
macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

lazy_page!(SignUpRoute, pages::SignUpPage);
lazy_page!(SetupMfaRoute, account::SetupMfaPage);
lazy_page!(SecurityRoute, account::SecurityPage);
lazy_page!(SessionsRoute, account::SessionsPage);
