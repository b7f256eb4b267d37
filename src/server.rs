//! Assembles the axum application: routes, Leptos pages, state.
use crate::app::{shell, App};
use crate::state::AppState;
use crate::{accounts, call_by_name, rooms, signaling};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
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
