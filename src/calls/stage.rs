//! The call stage: local video, one tile per remote peer, the status line and the Leave button.
//! It renders the same on the server and in the browser; the engine starts only in the browser.
use super::model::{CallStatus, Tile, Ui};
use crate::accounts::CurrentUser;
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
    };
    #[cfg(feature = "hydrate")]
    let leave: Option<LeaveFn> = {
        let engine = super::engine::Engine::start(room.clone(), user.name.clone(), role, ice, ui);
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
    let rejoin = match role {
        Role::Mesh => format!("/r/{room}"),
        Role::Talk => format!("/live/{room}/talk"),
        Role::Watch => format!("/live/{room}"),
    };
    let leave_label = if role == Role::Talk {
        "End broadcast"
    } else {
        "Leave"
    };
    let role_class = match role {
        Role::Mesh => "stage mesh",
        Role::Talk => "stage talk",
        Role::Watch => "stage watch",
    };
    let on_leave = move |_| {
        if let Some(f) = &leave {
            f()
        }
    };
    // Watchers send no media: no camera for them.
    let early = if role == Role::Watch {
        super::early::SOCKET_SCRIPT
    } else {
        super::early::SCRIPT
    };
    view! {
        <div class=role_class data-status=move || status.get().class()>
            <script nonce=leptos::nonce::use_nonce()>{early}</script>
            <div class=move || format!("status {}", status.get().class()) role="status" aria-live="polite">
                <span class="dot" aria-hidden="true"></span>
                <span data-testid="call-status">{move || status.get().label()}</span>
                <span class="detail">{move || ui.detail.get()}</span>
                <Show when=move || matches!(status.get(), CallStatus::Left | CallStatus::Failed | CallStatus::RoomFull | CallStatus::Ended | CallStatus::Private)>
                    <a class="button" href=rejoin.clone() rel="external">"Try again"</a>
                </Show>
            </div>
            <Show when=move || !ui.problem.get().is_empty()>
                <p class="alert call-problem" role="alert" data-testid="call-problem">{move || ui.problem.get()}</p>
            </Show>
            <div class="tiles">
                {(role != Role::Watch).then(|| view! {
                    <figure class="tile local">
                        <video id="local-video" autoplay=true playsinline=true muted=true></video>
                        <figcaption>{user.name.clone()} " (you)"</figcaption>
                    </figure>
                })}
                <For each=move || ui.tiles.get() key=|t| t.id.clone() let:tile>
                    <RemoteTile tile viewer=role == Role::Talk/>
                </For>
            </div>
            <div class="controls">
                {(role != Role::Watch).then(|| view! { <MediaToggles/> })}
                <button class="danger" on:click=on_leave disabled=move || matches!(status.get(), CallStatus::Left | CallStatus::Ended)>{leave_label}</button>
            </div>
            {(role == Role::Mesh).then(|| view! { <super::chat_panel::ChatPanel lines=ui.chat/> })}
        </div>
    }
}

#[component]
fn RemoteTile(
    tile: Tile,
    /// A watcher seen by the talker: no picture, just who and how connected.
    viewer: bool,
) -> impl IntoView {
    let state = tile.state.clone();
    let label = tile.state.clone();
    let video_ref = NodeRef::<leptos::html::Video>::new();
    #[cfg(feature = "hydrate")]
    {
        let id = tile.id.clone();
        Effect::new(move |_| {
            if video_ref.get().is_some() {
                super::peer::bind_video(&id);
            }
        });
    }
    view! {
        <figure class="tile remote" class:viewer=viewer data-peer=tile.name.clone() data-peer-id=tile.id.clone() data-state=move || state.get()>
            <video node_ref=video_ref id=format!("remote-{}", tile.id) autoplay=true playsinline=true></video>
            <figcaption>
                {tile.name.clone()}
                <span class="conn">{move || label.get()}</span>
            </figcaption>
        </figure>
    }
}

/// Mute the microphone and turn the camera off and on. The tracks stay in the calls (disabled
/// tracks send silence and black), so nothing is renegotiated.
#[component]
fn MediaToggles() -> impl IntoView {
    let muted = RwSignal::new(false);
    let camera_off = RwSignal::new(false);
    let toggle = move |kind: &'static str, state: RwSignal<bool>| {
        move |_| {
            let off = !state.get_untracked();
            state.set(off);
            #[cfg(feature = "hydrate")]
            super::media::set_local_enabled(kind, !off);
            #[cfg(not(feature = "hydrate"))]
            let _ = kind;
        }
    };
    view! {
        <button class="toggle" aria-pressed=move || muted.get().to_string() on:click=toggle("audio", muted)>
            {move || if muted.get() { "Unmute" } else { "Mute" }}
        </button>
        <button class="toggle" aria-pressed=move || camera_off.get().to_string() on:click=toggle("video", camera_off)>
            {move || if camera_off.get() { "Start video" } else { "Stop video" }}
        </button>
    }
}
