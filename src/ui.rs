//! Small pieces of UI shared by several pages.
use leptos::prelude::*;

/// A message box for errors the user should read.
#[component]
pub fn Alert(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="alert" role="alert">{message}</p> }
}

/// The first letter of a name, upper-cased, for avatars.
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default()
}
