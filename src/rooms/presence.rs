//! The presence list: rendered on the server from the hub, then kept live by the call socket.
use crate::i18n::use_words;
use crate::ui::initial;
use leptos::prelude::*;

/// Who is in the room. `people` starts as the server's list; the call updates it live.
#[component]
pub fn PresenceList(
    people: RwSignal<Vec<String>>,
    #[prop(into)] me: Option<String>,
) -> impl IntoView {
    let me = StoredValue::new(me);
    let w = use_words();
    view! {
        <aside class="presence card">
            <h2>{w.in_this_room} " " <span class="count">{move || people.with(Vec::len)}</span></h2>
            <Show when=move || people.with(|p| !p.is_empty()) fallback=move || view! { <p class="muted">{w.nobody_here}</p> }>
                <ul data-testid="presence">
                    <For each=move || people.get().into_iter().enumerate() key=|(i, n)| (*i, n.clone()) let:((_, name))>
                        {
                            let is_me = me.with_value(|m| m.as_deref() == Some(name.as_str()));
                            view! {
                                <li data-name=name.clone() class:me=is_me>
                                    <span class="avatar" aria-hidden="true">{initial(&name)}</span>
                                    <span class="name">{name.clone()}</span>
                                    {is_me.then(|| view! { <span class="badge">{w.you}</span> })}
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </aside>
    }
}
