//! Hooks for the browser tests, off unless the server runs with `TEST_HOOKS=1`: then every page
//! carries `<meta name="parley-test-hooks">`, and only then does the browser code expose
//! `window.__parley` (peer connections and the call's socket) and honour `?lowres=1` (a small,
//! silent camera picture). The same build serves tests and users.
use leptos::prelude::*;

/// The `name` of the marker in the page's `<head>`.
pub const META_NAME: &str = "parley-test-hooks";

/// The marker, in the shell's `<head>` when the server's configuration turns the hooks on.
#[component]
pub fn TestHooksMeta() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let on = use_context::<crate::state::AppState>().is_some_and(|s| s.config.test_hooks);
    #[cfg(not(feature = "ssr"))]
    let on = false;
    on.then(|| view! { <meta name=META_NAME content="on"/> })
}

/// Did the server turn the test hooks on for this page? Read once from the page's `<head>`.
#[cfg(feature = "hydrate")]
pub fn enabled() -> bool {
    thread_local! {
        static ON: bool = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("meta[name=\"{META_NAME}\"]"))
                    .ok()
                    .flatten()
            })
            .is_some();
    }
    ON.with(|on| *on)
}
