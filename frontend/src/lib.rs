//! The browser entry. Islands: the page's JavaScript calls `hydrate()`, then
//! hydrates each `#[island]` (exported by the app crate) in document order.

// Nothing here names the app crate: this links it, with its islands' exports.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands are hydrated right after this returns, in microtasks; a
    // timer runs after them. Tests wait for this mark.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
