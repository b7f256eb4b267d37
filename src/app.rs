//! The HTML shell, the router and the header.
use crate::accounts::pages::{LoginPage, SignupPage};
use crate::accounts::signed_in::Session;
use crate::i18n::{page_lang, use_lang, use_words, Lang};
use crate::rooms::pages::{HomePage, RoomPage, TalkPage, WatchPage};
use crate::ui::initial;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::headers::set_page_headers(options.env == leptos::config::Env::DEV);
    view! {
        <!DOCTYPE html>
        <html lang=page_lang().code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <crate::loader::IslandsLoader options/>
                // Before the tags pages register: a call page's early script reads it.
                <crate::test_hooks::TestHooksMeta/>
                <MetaTags/>
                // After the tags pages register: a call page's early script (`calls::early`),
                // an inline script, would otherwise wait for the stylesheet before running, and
                // the parser with it.
                <link rel="stylesheet" id="leptos" href="/pkg/parley.css"/>
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
    provide_context(page_lang());
    provide_context(Session::load());
    provide_context(crate::call_by_name::call_state::CallState::new());
    view! {
        <Title text="Parley"/>
        <Router>
            <a class="skip" href="#content" rel="external">{use_words().skip_to_content}</a>
            <Header/>
            <crate::call_by_name::overlay::CallOverlay/>
            <main class="page" id="content" tabindex="-1">
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
    let w = use_words();
    view! {
        <Title text=format!("{} · Parley", w.not_found)/>
        <section class="card narrow">
            <h1>{w.not_found}</h1>
            <p>{w.nothing_here} <a href="/">{w.back_to_rooms}</a></p>
        </section>
    }
}

/// The top bar: brand, the language switch, and who is signed in with a log-out button.
#[component]
pub fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    let w = use_words();
    view! {
        <header class="topbar">
            <a class="brand" href="/" rel="external">"Parley"</a>
            <div class="bar-end">
                <LanguageSwitch/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.0.await {
                            Ok(Some(user)) => Either::Left(view! {
                                <div class="who">
                                    <span class="avatar" aria-hidden="true">{initial(&user.name)}</span>
                                    <span class="me" data-testid="me">{user.name.clone()}</span>
                                    {user.guest.then(|| view! { <span class="badge">{w.guest}</span> })}
                                    <form method="post" action="/auth/logout">
                                        <button class="ghost" type="submit">{w.log_out}</button>
                                    </form>
                                </div>
                            }),
                            _ => Either::Right(view! {
                                <nav class="who">
                                    <a href="/login" rel="external">{w.log_in}</a>
                                    <a class="button" href="/signup" rel="external">{w.sign_up}</a>
                                </nav>
                            }),
                        }
                    })}
                </Suspense>
            </div>
        </header>
    }
}

/// English / 日本語: each button names its language in that language. It posts to `/lang`,
/// which remembers the choice and brings the browser back to this page, rendered anew in it.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let current = use_lang();
    let location = use_location();
    let here = move || {
        let (path, query) = (location.pathname.get(), location.search.get());
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };
    view! {
        <form class="lang" method="post" action="/lang" role="group" aria-label=current.words().language>
            <input type="hidden" name="next" value=here/>
            {Lang::ALL.into_iter().map(|l| view! {
                <button type="submit" name="lang" value=l.code() lang=l.code()
                    aria-current=(l == current).then_some("true")>
                    {l.words().name}
                </button>
            }).collect_view()}
        </form>
    }
}
