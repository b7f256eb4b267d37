//! The call stage: local video, one tile per remote peer, the status line and the Leave button.
//! It renders the same on the server and in the browser; the engine starts only in the browser.
use super::model::{CallStatus, Ui};
use super::tile::{LocalTile, RemoteTile};
use crate::accounts::CurrentUser;
use crate::i18n::{use_words, Words};
use crate::signaling::protocol::Role;
use leptos::prelude::*;

#[component]
pub fn CallStage(
    room: String,
    user: CurrentUser,
    people: RwSignal<Vec<String>>,
    /// Mesh for a room call; talk or watch for a broadcast.
    #[prop(default = Role::Mesh)]
    role: Role,
    /// The session's ICE configuration (`{iceServers, iceTransportPolicy, expiresAt}` JSON).
    #[prop(default = "[]".to_owned())]
    ice: String,
) -> impl IntoView {
    let ui = Ui {
        status: RwSignal::new(CallStatus::Connecting),
        detail: RwSignal::new(String::new()),
        problem: RwSignal::new(String::new()),
        tiles: RwSignal::new(Vec::new()),
        people,
        chat: RwSignal::new(Vec::new()),
        announcements: RwSignal::new(Vec::new()),
        speaker: RwSignal::new(None),
        local_level: RwSignal::new(0.0),
        words: use_words(),
    };
    #[cfg(feature = "hydrate")]
    let leave: Option<LeaveFn> = {
        let engine = super::engine::Engine::start(room.clone(), user.name.clone(), role, ice, ui);
        engine.watch_meters();
        provide_context::<super::chat_panel::EngineContext>(send_wrapper::SendWrapper::new(
            engine.clone(),
        ));
        let on_leave = send_wrapper::SendWrapper::new(engine.clone());
        let cleanup = send_wrapper::SendWrapper::new(engine);
        on_cleanup(move || cleanup.shutdown());
        Some(std::sync::Arc::new(move || on_leave.leave()))
    };
    #[cfg(not(feature = "hydrate"))]
    let leave: Option<LeaveFn> = {
        let _ = ice;
        None
    };
    view_stage(room, user, role, ui, leave)
}

type LeaveFn = std::sync::Arc<dyn Fn() + Send + Sync>;

fn view_stage(
    room: String,
    user: CurrentUser,
    role: Role,
    ui: Ui,
    leave: Option<LeaveFn>,
) -> impl IntoView {
    let status = ui.status;
    let w = ui.words;
    let rejoin = match role {
        Role::Mesh => format!("/r/{room}"),
        Role::Talk => format!("/live/{room}/talk"),
        Role::Watch => format!("/live/{room}"),
    };
    let leave_label = if role == Role::Talk {
        w.end_broadcast
    } else {
        w.leave
    };
    let role_class = match role {
        Role::Mesh => "stage mesh",
        Role::Talk => "stage talk",
        Role::Watch => "stage watch",
    };
    let muted = RwSignal::new(false);
    let camera_off = RwSignal::new(false);
    provide_context(super::pin::Pinned(RwSignal::new(None)));
    let share = RwSignal::new(super::screen::Share::Off);
    let presenting = move || ui.tiles.with(|t| t.iter().any(|t| t.screen.get()));
    let on_leave = move |_| {
        if let Some(f) = &leave {
            f()
        }
    };
    let early = early_script(&room, role);
    view! {
        <div class=role_class data-status=move || status.get().class()>
            {early}
            <div class=move || format!("status {}", status.get().class()) role="status" aria-live="polite">
                <span class="dot" aria-hidden="true"></span>
                <span data-testid="call-status">{move || status.get().label(w)}</span>
                <span class="detail">{move || ui.detail.get()}</span>
                <Show when=move || matches!(status.get(), CallStatus::Left | CallStatus::Failed | CallStatus::RoomFull | CallStatus::Ended | CallStatus::Private)>
                    <a class="button" href=rejoin.clone() rel="external">{w.try_again}</a>
                </Show>
            </div>
            <ul class="sr-only" role="log" aria-live="polite" data-testid="announcements">
                <For each=move || ui.announcements.get() key=|a| a.seq let:a>
                    <li>{a.text}</li>
                </For>
            </ul>
            <Show when=move || !ui.problem.get().is_empty()>
                <p class="alert call-problem" role="alert" data-testid="call-problem">{move || ui.problem.get()}</p>
            </Show>
            {(role != Role::Watch).then(|| view! { <super::prejoin::PreJoin camera_off w/> })}
            {(role != Role::Watch).then(|| view! { <super::screen::SharingBanner share w/> })}
            <div class="tiles" class:presenting=presenting>
                {(role != Role::Watch).then(|| view! {
                    <LocalTile name=user.name.clone() level=ui.local_level speaker=ui.speaker muted camera_off w/>
                })}
                <For each=move || ui.tiles.get() key=|t| t.id.clone() let:tile>
                    <RemoteTile tile viewer=role == Role::Talk speaker=ui.speaker w/>
                </For>
            </div>
            <div class="controls">
                {(role != Role::Watch).then(|| view! { <MediaToggles muted camera_off w/> })}
                <super::devices_panel::DevicesPanel role ui/>
                {(role != Role::Watch).then(|| view! { <super::screen::ShareButton share w/> })}
                <button class="danger" on:click=on_leave disabled=move || matches!(status.get(), CallStatus::Left | CallStatus::Ended)>{leave_label}</button>
            </div>
            {(role == Role::Mesh).then(|| view! { <super::chat_panel::ChatPanel lines=ui.chat/> })}
        </div>
    }
}

/// The early script (`calls::early`), in the page's head, where it runs as soon as it is
/// parsed. Server-rendered only: the browser, which has run it by the time it hydrates, needs
/// none of it. It takes no place in the body; the empty view beside it leaves the placeholder
/// that the browser's empty view hydrates.
#[cfg(feature = "ssr")]
fn early_script(room: &str, role: Role) -> impl IntoView {
    let script = super::early::script(room, role);
    let tag = view! { <leptos_meta::Script>{script}</leptos_meta::Script> };
    (tag, ())
}

#[cfg(not(feature = "ssr"))]
fn early_script(_room: &str, _role: Role) -> impl IntoView {}

/// Mute the microphone and turn the camera off and on, by button or with the `m` and `v` keys.
/// The tracks stay in the calls (disabled tracks send silence and black), so nothing is
/// renegotiated; the others are told, and show it on our tile.
#[component]
fn MediaToggles(
    muted: RwSignal<bool>,
    camera_off: RwSignal<bool>,
    w: &'static Words,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if let Some(engine) = use_context::<super::chat_panel::EngineContext>() {
        Effect::new(move |_| {
            muted.track();
            camera_off.track();
            engine.media_changed();
        });
    }
    let flip = move |kind: &'static str, state: RwSignal<bool>| {
        let off = !state.get_untracked();
        state.set(off);
        #[cfg(feature = "hydrate")]
        super::media::set_local_enabled(kind, !off);
        #[cfg(not(feature = "hydrate"))]
        let _ = kind;
    };
    #[cfg(feature = "hydrate")]
    {
        let keys = window_event_listener(leptos::ev::keydown, move |ev| {
            match super::shortcuts::media_key(&ev) {
                Some("audio") => flip("audio", muted),
                Some(_) => flip("video", camera_off),
                None => return,
            }
            ev.prevent_default();
        });
        on_cleanup(move || keys.remove());
    }
    let mic = move || if muted.get() { w.unmute } else { w.mute };
    let cam = move || {
        if camera_off.get() {
            w.camera_on
        } else {
            w.camera_off
        }
    };
    view! {
        <button class="toggle" aria-pressed=move || muted.get().to_string() aria-keyshortcuts="M"
            title=move || format!("{} (M)", mic()) on:click=move |_| flip("audio", muted)>
            {mic}
        </button>
        <button class="toggle" aria-pressed=move || camera_off.get().to_string() aria-keyshortcuts="V"
            title=move || format!("{} (V)", cam()) on:click=move |_| flip("video", camera_off)>
            {cam}
        </button>
    }
}
