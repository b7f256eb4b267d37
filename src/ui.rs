//! Small pieces of UI shared by several pages.
use crate::app::Session;
use leptos::prelude::*;

/// The top bar: brand, and who is signed in with a log-out button.
#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <header class="topbar">
            <a class="brand" href="/" rel="external">"Parley"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.0.await {
                        Ok(Some(user)) => view! {
                            <div class="who">
                                <span class="avatar" aria-hidden="true">{initial(&user.name)}</span>
                                <span class="me" data-testid="me">{user.name.clone()}</span>
                                {user.guest.then(|| view! { <span class="badge">"guest"</span> })}
                                <form method="post" action="/auth/logout">
                                    <button class="ghost" type="submit">"Log out"</button>
                                </form>
                            </div>
                        }.into_any(),
                        _ => view! {
                            <nav class="who">
                                <a href="/login" rel="external">"Log in"</a>
                                <a class="button" href="/signup" rel="external">"Sign up"</a>
                            </nav>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

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
