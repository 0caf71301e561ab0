//! The browser entry: hydrates the server-rendered app (lazily loading the
//! wasm of a page split off with `#[lazy_route]` first, when it is that page).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
