//! What an island starts from. Leptos' island props are read in the browser with serde_json,
//! which would bring its parser and a deserializer per type into the wasm (see `crate::json`).
//! So our islands take no props: the server component above one provides its data as context
//! (for the island's server render) and writes it as JSON into a `<template>` next to it, and
//! the island in the browser reads it back from there with `crate::json`. One island of a kind
//! per page, so the template's id names it.
use crate::json::Json;
use leptos::prelude::*;

/// An island's starting data.
pub trait IslandData: Clone + Send + Sync + Sized + 'static {
    /// The id of the `<template>` that carries it.
    const ID: &'static str;

    /// Reads back what the server wrote (serde's JSON of the type, see [`provide`]).
    fn from_json(v: &Json) -> Option<Self>;
}

/// Gives the island rendered after it `data`, on the server and in the page for the browser.
/// Call it before the island's view is made.
#[cfg(feature = "ssr")]
pub fn provide<T: IslandData + serde::Serialize>(data: T) -> impl IntoView {
    let json = serde_json::to_string(&data).unwrap_or_default();
    provide_context(data);
    view! { <template id=T::ID data-island=json></template> }
}

/// In the browser the server render has nothing to provide: the data is only in the page.
#[cfg(not(feature = "ssr"))]
pub fn provide<T: IslandData>(_data: T) -> impl IntoView {}

/// The island's data: the context the server component provided, or in the browser what
/// it wrote into the page.
pub fn get<T: IslandData>() -> T {
    #[cfg(feature = "hydrate")]
    if let Some(data) = from_page::<T>() {
        return data;
    }
    use_context::<T>().expect("an island's data is provided before it is rendered")
}

#[cfg(feature = "hydrate")]
fn from_page<T: IslandData>() -> Option<T> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(T::ID)?
        .get_attribute("data-island")?;
    T::from_json(&Json::parse(&text)?)
}
