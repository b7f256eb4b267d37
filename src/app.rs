//! The HTML shell, the router and the header.
use crate::accounts::pages::{LoginPage, SignupPage};
use crate::accounts::signed_in::Session;
use crate::rooms::pages::{HomePage, RoomPage, TalkPage, WatchPage};
use crate::ui::initial;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::headers::set_page_headers(options.env == leptos::config::Env::DEV);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
                <crate::test_hooks::TestHooksMeta/>
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
    provide_context(Session::load());
    provide_context(crate::call_by_name::call_state::CallState::new());
    view! {
        <Stylesheet id="leptos" href="/pkg/parley.css"/>
        <Title text="Parley"/>
        <Router>
            <Header/>
            <crate::call_by_name::overlay::CallOverlay/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/signup") view=SignupPage/>
                    <Route path=path!("/r/:room") view=RoomPage ssr=SsrMode::Async/>
                    <Route path=path!("/live/:room") view=WatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/live/:room/talk") view=TalkPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Back to the rooms"</a></p>
        </section>
    }
}

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
                        Ok(Some(user)) => Either::Left(view! {
                            <div class="who">
                                <span class="avatar" aria-hidden="true">{initial(&user.name)}</span>
                                <span class="me" data-testid="me">{user.name.clone()}</span>
                                {user.guest.then(|| view! { <span class="badge">"guest"</span> })}
                                <form method="post" action="/auth/logout">
                                    <button class="ghost" type="submit">"Log out"</button>
                                </form>
                            </div>
                        }),
                        _ => Either::Right(view! {
                            <nav class="who">
                                <a href="/login" rel="external">"Log in"</a>
                                <a class="button" href="/signup" rel="external">"Sign up"</a>
                            </nav>
                        }),
                    }
                })}
            </Suspense>
        </header>
    }
}
