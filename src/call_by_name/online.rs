//! "Online now": everyone else with the site open, each with a Call button. Rendered on the
//! server from the hub, then kept live by the call state's socket.
use super::api::online_users;
use super::call_state::Dial;
use crate::accounts::signed_in::Session;
use crate::i18n::use_words;
use crate::island_data::{self, IslandData};
use crate::json::Json;
use crate::signaling::protocol::OnlineUser;
use crate::ui::initial;
use leptos::prelude::*;

/// The online list for signed-in visitors; nothing for others.
#[component]
pub fn OnlineList() -> impl IntoView {
    let users = Resource::new(|| (), |_| online_users());
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let me = session.0.await.ok().flatten();
                let initial = users.await.unwrap_or_default();
                me.map(|me| {
                    let data = island_data::provide(OnlineData { rendered: initial, me: me.peer_id });
                    view! { {data} <OnlinePanel/> }
                })
            })}
        </Suspense>
    }
}

/// What the online list starts from.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnlineData {
    /// The list as the server rendered it (already without me).
    pub rendered: Vec<OnlineUser>,
    /// My stable peer id, left out of live lists.
    pub me: String,
}

impl IslandData for OnlineData {
    const ID: &'static str = "online-data";

    fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            rendered: v.list_at("rendered", OnlineUser::from_json)?,
            me: v.string_at("me")?,
        })
    }
}

/// An island, fed by the overlay's socket through the shared call state.
#[island]
fn OnlinePanel() -> impl IntoView {
    let OnlineData { rendered, me } = island_data::get();
    let calls = super::call_state::use_call_state();
    let w = use_words();
    Effect::new(move |_| calls.watching.set(true));
    let rendered = StoredValue::new(rendered);
    let me = StoredValue::new(me);
    let users = move || {
        let mut list = calls.online.get().unwrap_or_else(|| rendered.get_value());
        me.with_value(|me| list.retain(|u| u.peer_id != *me));
        list
    };
    let calling = move || {
        calls.outgoing.with(|o| {
            o.as_ref()
                .is_some_and(|o| matches!(o.state, Dial::Ringing | Dial::Accepted))
        })
    };
    view! {
        // `data-live` turns true once the socket sends its first list (the page is hydrated).
        <section class="card online" data-testid="online"
            data-live=move || calls.online.with(Option::is_some).to_string()>
            <h2>{w.online_now} " " <span class="count">{move || users().len()}</span></h2>
            <Show when=move || !users().is_empty()
                fallback=move || view! { <p class="muted">{w.nobody_online}</p> }>
                <ul>
                    <For each=users key=|u| (u.peer_id.clone(), u.name.clone()) let:user>
                        {
                            let (name, peer) = (user.name.clone(), user.peer_id.clone());
                            view! {
                                <li data-user=user.name.clone() data-peer=user.peer_id.clone()>
                                    <span class="avatar" aria-hidden="true">{initial(&user.name)}</span>
                                    <span class="name">{user.name.clone()}</span>
                                    {user.guest.then(|| view! { <span class="badge">{w.guest}</span> })}
                                    <button class="primary call" disabled=calling
                                        aria-label=(w.call_someone)(&user.name)
                                        on:click=move |_| calls.ring(&name, &peer)>{w.call}</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}
