//! Small pieces of UI shared by several pages.
use leptos::prelude::*;

/// A message box for errors the user should read.
#[component]
pub fn Alert(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="alert" role="alert">{message}</p> }
}

/// The first letter of a name, upper-cased, for avatars. The browser asks JavaScript's
/// `toUpperCase` (the same Unicode mapping), which keeps Rust's case tables out of the wasm.
pub fn initial(name: &str) -> String {
    name.chars().next().map(upper).unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
fn upper(c: char) -> String {
    c.to_uppercase().collect()
}

#[cfg(feature = "hydrate")]
fn upper(c: char) -> String {
    let mut buf = [0; 4];
    js_sys::JsString::from(&*c.encode_utf8(&mut buf))
        .to_upper_case()
        .into()
}
