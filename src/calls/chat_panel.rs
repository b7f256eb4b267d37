//! Text chat and file sharing beside a call, over WebRTC data channels (no server involved).
use leptos::prelude::*;

/// One line of the chat: a message, or a file someone shared.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatLine {
    pub seq: u64,
    pub from: String,
    pub text: String,
    /// For a received file: an object URL to download it from, and its name.
    pub file: Option<(String, String)>,
}

/// Files larger than this are refused before sending.
pub const MAX_FILE_BYTES: f64 = 100.0 * 1024.0 * 1024.0;

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let message = text.get_untracked().trim().to_owned();
        if message.is_empty() {
            return;
        }
        #[cfg(feature = "hydrate")]
        super::engine::with_current(|e| e.send_chat(&message));
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
                    super::engine::with_current(|e| e.send_file(file));
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
                    <li data-from=line.from.clone()>
                        <b>{line.from.clone()}</b>
                        " "
                        {match line.file.clone() {
                            Some((url, name)) => view! {
                                <a href=url download=name.clone() data-file=name.clone()>{line.text.clone()}</a>
                            }.into_any(),
                            None => view! { <span class="text">{line.text.clone()}</span> }.into_any(),
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
