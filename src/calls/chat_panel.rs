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
    /// Said by the page about `from` (a file that did not arrive), not by `from`.
    pub notice: bool,
}

/// Lines the chat keeps; older ones go (and their files with them).
pub const MAX_CHAT_LINES: usize = 200;
/// Longest message, in characters: the input's limit, also applied to what arrives.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// Appends `line`, dropping the oldest beyond `MAX_CHAT_LINES`; returns the dropped lines,
/// whose file URLs the caller revokes.
pub fn push_capped(lines: &mut Vec<ChatLine>, line: ChatLine) -> Vec<ChatLine> {
    lines.push(line);
    let excess = lines.len().saturating_sub(MAX_CHAT_LINES);
    lines.drain(..excess).collect()
}

/// A received message cut to `MAX_MESSAGE_CHARS`.
pub fn clip_message(text: &str) -> String {
    text.chars().take(MAX_MESSAGE_CHARS).collect()
}

/// Frees the memory behind received files' object URLs.
#[cfg(feature = "hydrate")]
pub fn revoke_files<'a>(lines: impl IntoIterator<Item = &'a ChatLine>) {
    for (url, _) in lines.into_iter().filter_map(|l| l.file.as_ref()) {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    on_cleanup(move || {
        lines.try_with_untracked(|l| revoke_files(l));
    });
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
                    <li data-from=line.from.clone() class:notice=line.notice>
                        <b>{line.from.clone()}</b>
                        " "
                        {match line.file.clone() {
                            Some((url, name)) => view! {
                                <a href=url download=name.clone() data-file=name>{line.text.clone()}</a>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64) -> ChatLine {
        ChatLine {
            seq,
            from: "ann".into(),
            text: format!("message {seq}"),
            file: None,
            notice: false,
        }
    }

    #[test]
    fn the_chat_keeps_the_latest_lines_and_hands_back_the_oldest() {
        let mut lines = Vec::new();
        for seq in 1..=MAX_CHAT_LINES as u64 {
            assert!(push_capped(&mut lines, line(seq)).is_empty());
        }
        let dropped = push_capped(&mut lines, line(MAX_CHAT_LINES as u64 + 1));
        assert_eq!(dropped, vec![line(1)]);
        assert_eq!(lines.len(), MAX_CHAT_LINES);
        assert_eq!(lines[0].seq, 2);
    }

    #[test]
    fn a_received_message_is_cut_to_the_input_limit() {
        assert_eq!(clip_message("hi"), "hi");
        let long = "é".repeat(MAX_MESSAGE_CHARS + 10);
        assert_eq!(clip_message(&long).chars().count(), MAX_MESSAGE_CHARS);
    }
}
