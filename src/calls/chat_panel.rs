//! Text chat and file sharing beside a call, over WebRTC data channels (no server involved).
use super::file_line::FileLine;
use super::model::ChatLine;
use crate::i18n::use_words;
use leptos::either::Either;
use leptos::prelude::*;

/// The page's call engine, given by the call stage as context: the buttons send through it.
#[cfg(feature = "hydrate")]
pub type EngineContext = send_wrapper::SendWrapper<super::engine::Engine>;

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    on_cleanup(move || {
        lines.try_with_untracked(|l| super::model::revoke_files(l));
    });
    #[cfg(feature = "hydrate")]
    let engine = use_context::<EngineContext>();
    #[cfg(feature = "hydrate")]
    let file_engine = engine.clone();
    let text = RwSignal::new(String::new());
    let w = use_words();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let message = text.get_untracked().trim().to_owned();
        if message.is_empty() {
            return;
        }
        #[cfg(feature = "hydrate")]
        if let Some(e) = &engine {
            e.send_chat(&message);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = message;
        text.set(String::new());
    };
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                let files = input.files();
                let chosen = files
                    .iter()
                    .flat_map(|f| (0..f.length()).filter_map(|i| f.get(i)));
                if let Some(e) = &file_engine {
                    chosen.for_each(|file| e.send_file(file));
                }
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="chat card" aria-label=w.chat>
            <h2>{w.chat}</h2>
            <ol class="lines" data-testid="chat" data-empty=w.chat_empty>
                <For each=move || lines.get() key=|l| l.seq let:line>
                    {match line.transfer {
                        Some(transfer) => Either::Left(view! {
                            <FileLine seq=line.seq from=line.from text=line.text transfer w/>
                        }),
                        None => Either::Right(view! {
                            <li data-from=line.from.clone() class:notice=line.notice>
                                <b>{line.from.clone()}</b>
                                " "
                                <span class="text">{line.text.clone()}</span>
                            </li>
                        }),
                    }}
                </For>
            </ol>
            <form class="row" on:submit=on_submit>
                <input name="message" placeholder=w.message_placeholder aria-label=w.message maxlength="2000"
                    autocomplete="off" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                <button type="submit" class="primary">{w.send}</button>
                <label class="button file">
                    {w.share_file}
                    <input type="file" name="file" multiple=true on:change=on_file/>
                </label>
            </form>
        </section>
    }
}
