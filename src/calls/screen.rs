//! Sharing our screen in a call: the Share screen button, the "you are sharing" banner with
//! its Stop button, and the steps between them. The engine (under `hydrate`) asks the browser
//! for the screen and sends it in place of our camera; this part renders on both targets.
use crate::i18n::Words;
use leptos::prelude::*;

/// Where our screen sharing stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    Off,
    /// The browser's picker is open.
    Asking,
    On,
}

/// What happens to our screen sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The person pressed Share screen.
    Ask,
    /// The browser gave us a screen.
    Granted,
    /// No screen: the picker was cancelled, refused, or failed.
    Refused,
    /// Stop pressed, the browser's own "Stop sharing", or the call ended.
    Stop,
}

impl Share {
    /// The state after `step`; a step that makes no sense now changes nothing (a second press
    /// while the picker is open, a late answer from a picker after Stop).
    pub fn after(self, step: Step) -> Share {
        match (self, step) {
            (Share::Off, Step::Ask) => Share::Asking,
            (Share::Asking, Step::Granted) => Share::On,
            (Share::Asking, Step::Refused) => Share::Off,
            (_, Step::Stop) => Share::Off,
            (state, _) => state,
        }
    }
}

/// Why the browser gave us no screen (a `getDisplayMedia` error's name), in `w`'s words.
pub fn refusal(name: &str, w: &Words) -> String {
    match name {
        "NotAllowedError" | "AbortError" => w.share_cancelled.into(),
        "NotSupportedError" | "TypeError" => w.share_unsupported.into(),
        _ => (w.share_failed)(name),
    }
}

/// The Share screen button, for the call's controls. Disabled, with a tooltip that says why,
/// in a browser that cannot share its screen (most phones).
#[component]
pub fn ShareButton(share: RwSignal<Share>, w: &'static Words) -> impl IntoView {
    // Known only in the browser, after hydration, so both renders agree first.
    let supported = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    let engine = use_context::<super::chat_panel::EngineContext>();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| supported.set(super::display::supported()));
    let on_click = move |_| match share.get_untracked() {
        Share::Off => {
            share.set(Share::Asking);
            #[cfg(feature = "hydrate")]
            if let Some(e) = &engine {
                e.share_screen(share);
            }
        }
        Share::On =>
        {
            #[cfg(feature = "hydrate")]
            if let Some(e) = &engine {
                e.stop_screen();
            }
        }
        Share::Asking => {}
    };
    let label = move || match share.get() {
        Share::On => w.stop_sharing,
        _ => w.share_screen,
    };
    view! {
        <button class="toggle share" data-testid="share-screen" aria-pressed=move || (share.get() == Share::On).to_string()
            disabled=move || !supported.get() || share.get() == Share::Asking
            title=move || if supported.get() { label() } else { w.share_unsupported }
            on:click=on_click>
            {label}
        </button>
    }
}

/// While we share: says so, plainly, with a Stop button.
#[component]
pub fn SharingBanner(share: RwSignal<Share>, w: &'static Words) -> impl IntoView {
    // Stored, so the button's handler can be made again each time the banner shows.
    #[cfg(feature = "hydrate")]
    let engine = StoredValue::new(use_context::<super::chat_panel::EngineContext>());
    let stop = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(e) = engine.get_value() {
            e.stop_screen();
        }
        #[cfg(not(feature = "hydrate"))]
        share.set(Share::Off);
    };
    view! {
        <Show when=move || share.get() == Share::On>
            <div class="sharing-banner" role="status" data-testid="sharing-banner">
                <span class="dot" aria-hidden="true"></span>
                <span>{w.you_are_sharing}</span>
                <button class="danger" on:click=stop>{w.stop_sharing}</button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Share::*;
    use Step::*;

    #[test]
    fn sharing_starts_only_when_the_browser_gives_a_screen() {
        assert_eq!(Off.after(Ask), Asking);
        assert_eq!(Asking.after(Granted), On);
        assert_eq!(Asking.after(Refused), Off);
        assert_eq!(On.after(Stop), Off);
    }

    #[test]
    fn steps_out_of_turn_change_nothing() {
        assert_eq!(Asking.after(Ask), Asking);
        assert_eq!(On.after(Ask), On);
        assert_eq!(Off.after(Granted), Off);
        assert_eq!(Off.after(Refused), Off);
        assert_eq!(On.after(Refused), On);
        assert_eq!(Off.after(Stop), Off);
        // Stopped (the call ended) while the picker was open: its late answer is ignored.
        assert_eq!(Asking.after(Stop).after(Granted), Off);
    }

    #[test]
    fn a_refusal_is_said_in_words() {
        let w = crate::i18n::Lang::En.words();
        assert_eq!(refusal("NotAllowedError", w), w.share_cancelled);
        assert_eq!(refusal("AbortError", w), w.share_cancelled);
        assert_eq!(refusal("TypeError", w), w.share_unsupported);
        assert!(refusal("NotReadableError", w).contains("NotReadableError"));
    }
}
