//! The browser entry. Islands: the page's JavaScript calls `hydrate()`, then
//! hydrates each `#[island]` (exported by the app crate) in document order.

// Linked with its islands' exports.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The islands are hydrated right after this returns, in microtasks; a
    // timer runs after them. Tests wait for this mark.
    leptos::prelude::set_timeout(|| app::mark_live("data-hydrated"), std::time::Duration::ZERO);
}
