//! The HTML shell and the router.
use crate::accounts::api::whoami;
use crate::accounts::pages::{LoginPage, SignupPage};
use crate::accounts::CurrentUser;
use crate::rooms::pages::{HomePage, RoomPage, TalkPage, WatchPage};
use crate::ui::Header;
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
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The signed-in user, loaded once per page load and shared by every component.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<CurrentUser>, ServerFnError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Session(Resource::new(|| (), |_| whoami())));
    provide_context(crate::direct::desk::Desk::new());
    view! {
        <Stylesheet id="leptos" href="/pkg/parley.css"/>
        <Title text="Parley"/>
        <Router>
            <Header/>
            <crate::direct::desk::CallDesk/>
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
