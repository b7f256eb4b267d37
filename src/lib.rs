//! Parley: self-hosted peer-to-peer video chat.
#![recursion_limit = "256"]
pub mod accounts;
pub mod app;
pub mod call_by_name;
pub mod calls;
pub mod i18n;
pub mod island_data;
pub mod json;
pub mod loader;
pub mod rooms;
pub mod signaling;
pub mod test_hooks;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod headers;
#[cfg(feature = "ssr")]
pub mod ice;
#[cfg(feature = "ssr")]
pub mod ids;
#[cfg(feature = "ssr")]
pub mod listen;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod peerjs;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod throttle;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: only the parts of a page that change in the browser (`#[island]`) are hydrated;
    // the loader script then hydrates each `<leptos-island>` in the page, in document order.
    leptos::mount::hydrate_islands();
}
