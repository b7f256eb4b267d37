//! Assembles the axum application: routes, Leptos pages, state.
use crate::app::{shell, App};
use crate::state::AppState;
use crate::{accounts, call_by_name, rooms, signaling};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;

pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let ctx_state = state.clone();
    let router = Router::new()
        .route("/auth/signup", post(accounts::handlers::signup))
        .route("/auth/login", post(accounts::handlers::login))
        .route("/auth/logout", post(accounts::handlers::logout))
        .route("/auth/guest", post(accounts::handlers::guest))
        .route("/lang", post(crate::i18n::handlers::switch))
        .route("/api/ice", get(crate::ice::handlers::get))
        .route("/api/rooms", get(rooms::handlers::list))
        .route("/api/rooms/{room}", get(rooms::handlers::one))
        .route("/api/users/{name}/peer", get(call_by_name::handlers::peer))
        .route("/go", get(rooms::handlers::go))
        .route("/ws", get(signaling::endpoint::upgrade))
        .route("/healthz", get(crate::ops::healthz))
        .route("/readyz", get(crate::ops::readyz))
        .route("/metrics", get(crate::metrics::handler))
        // PeerJS routes (`/peerjs`, `/peerjs/id`, … by default) come before the Leptos pages
        // and fallback. None of the site's routes ends in `/peerjs`, `/id` or `/peers`, and
        // config allows only plain segments in the path and key, so they cannot collide.
        .merge(crate::peerjs::http::routes(&state.config.peerjs))
        // The wasm, JS and CSS: their brotli or gzip copy when the browser takes it, and `304`
        // to a browser whose copy is current (the fallback below forwards no conditions).
        .route_service(
            &leptos_axum::site_pkg_dir_service_route_path(&state.leptos_options),
            leptos_axum::site_pkg_dir_service(&state.leptos_options),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.clone()),
            {
                let opts = state.leptos_options.clone();
                move || shell(opts.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state);
    crate::headers::layer(router)
}

/// The pages' routes, worked out once per process. Working them out runs the app while a
/// process-wide flag in `leptos_server` holds back every resource that first loads meanwhile,
/// for good: a page that another server in the same process (the tests and the cluster tests
/// start many) rendered at that moment would never be sent. Once, before any server serves,
/// no page can meet it.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
