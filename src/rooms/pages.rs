//! The home page (rooms and who is in each) and the room page (presence and the call).
use super::api::{ice_servers, list_rooms, room_people};
use super::presence::PresenceList;
use crate::accounts::pages::GuestForm;
use crate::accounts::signed_in::Session;
use crate::accounts::CurrentUser;
use crate::calls::stage::CallStage;
use crate::i18n::use_words;
use crate::island_data::{self, IslandData};
use crate::json::Json;
use crate::signaling::protocol::{Role, RoomSummary};
use crate::ui::Alert;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn HomePage() -> impl IntoView {
    let rooms = Resource::new(|| (), |_| list_rooms());
    let session = expect_context::<Session>();
    let w = use_words();
    let bad_room = use_query_map()
        .get_untracked()
        .get("error")
        .is_some_and(|e| e == "bad_room");
    view! {
        <Title text=format!("{} · Parley", w.rooms)/>
        <section class="hero">
            <div>
                <h1>{w.rooms}</h1>
                <p class="muted">{w.rooms_intro}</p>
            </div>
            <form action="/go" method="get" class="open-room">
                <input name="room" placeholder=w.room_placeholder required maxlength="48"
                    pattern="[A-Za-z0-9_\\-]{1,48}" title=w.room_rule aria-label=w.room_name/>
                <button type="submit" class="primary">{w.open_room}</button>
                <button type="submit" name="mode" value="talk" title=w.broadcast_hint>{w.broadcast}</button>
            </form>
        </section>
        {bad_room.then(|| view! { <Alert message=w.bad_room/> })}
        <crate::call_by_name::online::OnlineList/>
        <Suspense fallback=move || view! { <p class="muted">{w.loading_rooms}</p> }>
            {move || Suspend::new(async move {
                let list = rooms.await.unwrap_or_default();
                let signed_in = matches!(session.0.await, Ok(Some(_)));
                let data = island_data::provide(RoomListData { initial: list, live: signed_in });
                view! { {data} <RoomList/> }
            })}
        </Suspense>
    }
}

/// What the room list starts from.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct RoomListData {
    pub initial: Vec<RoomSummary>,
    /// Keep the list live over a socket (only signed-in browsers may open one).
    pub live: bool,
}

impl IslandData for RoomListData {
    const ID: &'static str = "room-list-data";

    fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            initial: v.list_at("initial", RoomSummary::from_json)?,
            live: v.bool_at("live")?,
        })
    }
}

/// An island: the list, kept live over its own socket.
#[island]
fn RoomList() -> impl IntoView {
    let RoomListData { initial, live } = island_data::get();
    let rooms = RwSignal::new(initial);
    let w = use_words();
    #[cfg(feature = "hydrate")]
    if live {
        super::room_list::watch_rooms(rooms);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
    view! {
        <Show
            when=move || rooms.with(|r| !r.is_empty())
            fallback=move || view! {
                <div class="card empty">
                    <p>{w.no_rooms}</p>
                    <a class="button primary" href="/r/_defaultroom" rel="external">{w.default_room}</a>
                </div>
            }
        >
            <ul class="rooms" data-testid="rooms">
                <For each=move || rooms.get() key=|r| (r.name.clone(), r.people.clone()) let:room>
                    <li class="card room" data-room=room.name.clone()>
                        <a href=format!("/r/{}", room.name) rel="external" class="room-name">{room.name.clone()}</a>
                        <span class="count">{(w.here)(room.people.len())}</span>
                        <p class="people">{room.people.join(", ")}</p>
                    </li>
                </For>
            </ul>
        </Show>
    }
}

/// `/r/{room}`: a mesh call.
#[component]
pub fn RoomPage() -> impl IntoView {
    view! { <RoomScreen role=Role::Mesh/> }
}

/// `/live/{room}`: watch a broadcast.
#[component]
pub fn WatchPage() -> impl IntoView {
    view! { <RoomScreen role=Role::Watch/> }
}

/// `/live/{room}/talk`: broadcast to the room.
#[component]
pub fn TalkPage() -> impl IntoView {
    view! { <RoomScreen role=Role::Talk/> }
}

#[component]
fn RoomScreen(role: Role) -> impl IntoView {
    let params = use_params_map();
    let room = move || params.read().get("room").unwrap_or_default();
    let people = Resource::new(room, room_people);
    let ice = Resource::new(|| (), |_| ice_servers());
    let session = expect_context::<Session>();
    let w = use_words();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{w.loading_room}</p> }>
            {move || Suspend::new(async move {
                let user = session.0.await.ok().flatten();
                let ice = ice.await.unwrap_or_else(|_| "[]".to_owned());
                match people.await {
                    Ok(summary) => Either::Left({
                        let data = island_data::provide(RoomData { summary, user, role, ice });
                        view! { {data} <RoomView/> }
                    }),
                    Err(_) => Either::Right(view! {
                        <Title text=format!("{} · Parley", w.no_such_room)/>
                        <section class="card narrow">
                            <h1>{w.no_such_room}</h1>
                            <Alert message=w.bad_room/>
                            <a href="/" rel="external">{w.back_to_rooms}</a>
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}

/// What the room's island starts from.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct RoomData {
    pub summary: RoomSummary,
    pub user: Option<CurrentUser>,
    pub role: Role,
    /// STUN/TURN servers, as JSON.
    pub ice: String,
}

impl IslandData for RoomData {
    const ID: &'static str = "room-data";

    fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            summary: RoomSummary::from_json(v.get("summary")?)?,
            user: match v.get("user")? {
                Json::Null => None,
                user => Some(CurrentUser::from_json(user)?),
            },
            role: Role::from_json(v.get("role")?)?,
            ice: v.string_at("ice")?,
        })
    }
}

/// An island: the call, the presence list it keeps live and the title that counts them.
#[island]
fn RoomView() -> impl IntoView {
    let RoomData {
        summary,
        user,
        role,
        ice,
    } = island_data::get();
    // The browser's island has no `App` above it: its live `<Title>` needs a meta context of
    // its own (on the server, the request's renders the title into the head).
    #[cfg(feature = "hydrate")]
    leptos_meta::provide_meta_context();
    let people = RwSignal::new(summary.people);
    let me = user.as_ref().map(|u| u.name.clone());
    let room = summary.name;
    let w = use_words();
    let (kind, here) = match role {
        Role::Mesh => ("", format!("/r/{room}")),
        Role::Talk => (w.broadcasting, format!("/live/{room}/talk")),
        Role::Watch => (w.watching, format!("/live/{room}")),
    };
    let title = crate::call_by_name::room_title(&room, w);
    // Anyone may join a room or watch a broadcast by its link; a private call is for two.
    let invite = (!crate::call_by_name::is_private(&room)).then(|| match role {
        Role::Mesh => format!("/r/{room}"),
        Role::Talk | Role::Watch => format!("/live/{room}"),
    });
    let page_title = {
        let title = title.clone();
        move || format!("{title} ({}) · Parley", people.with(Vec::len))
    };
    view! {
        <Title text=page_title/>
        <div class="room-layout">
            <section class="stage-wrap">
                <div class="room-head">
                    <h1 class="room-title">
                        {title}
                        {(!kind.is_empty()).then(|| view! { <span class="badge kind">{kind}</span> })}
                    </h1>
                    {invite.map(|path| view! { <super::invite::CopyInvite path/> })}
                </div>
                {match user {
                    Some(user) => Either::Left(view! { <CallStage room=room.clone() user people role ice=ice.clone()/> }),
                    None => Either::Right(view! { <JoinPrompt next=here/> }),
                }}
            </section>
            <PresenceList people me/>
        </div>
    }
}

#[component]
fn JoinPrompt(
    /// Where to come back to after logging in.
    next: String,
) -> impl IntoView {
    let w = use_words();
    view! {
        <div class="card join-prompt">
            <p>{w.join_prompt}</p>
            <div class="row">
                <a class="button primary" href=format!("/login?next={next}") rel="external">{w.log_in}</a>
                <a class="button" href=format!("/signup?next={next}") rel="external">{w.sign_up}</a>
                <GuestForm next/>
            </div>
        </div>
    }
}
