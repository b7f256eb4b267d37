//! Text chat and file sharing beside a call, over WebRTC data channels (no server involved).
use super::model::ChatLine;
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
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    if let Some(e) = &file_engine {
                        e.send_file(file);
                    }
                }
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="chat card" aria-label="Chat">
            <h2>"Chat"</h2>
            <ol class="lines" data-testid="chat">
                <For each=move || lines.get() key=|l| l.seq let:line>
                    <li data-from=line.from.clone() class:notice=line.notice>
                        <b>{line.from.clone()}</b>
                        " "
                        {match line.file.clone() {
                            Some((url, name)) => Either::Left(view! {
                                <a href=url download=name.clone() data-file=name>{line.text.clone()}</a>
                            }),
                            None => Either::Right(view! { <span class="text">{line.text.clone()}</span> }),
                        }}
                    </li>
                </For>
            </ol>
            <form class="row" on:submit=on_submit>
                <input name="message" placeholder="Message everyone in the call" aria-label="Message" maxlength="2000"
                    autocomplete="off" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                <button type="submit" class="primary">"Send"</button>
                <label class="button file">
                    "Share a file"
                    <input type="file" name="file" on:change=on_file/>
                </label>
            </form>
        </section>
    }
}
