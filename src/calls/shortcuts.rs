//! The room page's keys: `m` mutes or unmutes the microphone, `v` turns the camera off or on.
//! They are ignored while typing (in a field, or composing with an input method) and with
//! Ctrl, Alt or Meta held, which belong to the browser.

/// The kind of local track (`"audio"`, `"video"`) a key press toggles, if any.
pub fn toggled(key: &str, modified: bool, typing: bool) -> Option<&'static str> {
    if modified || typing {
        return None;
    }
    match key {
        "m" | "M" => Some("audio"),
        "v" | "V" => Some("video"),
        _ => None,
    }
}

/// `toggled` for a browser key press: typing means an editable element has it or an input
/// method is composing; a held-down key repeating counts once.
#[cfg(feature = "hydrate")]
pub fn media_key(ev: &web_sys::KeyboardEvent) -> Option<&'static str> {
    use wasm_bindgen::JsCast;
    if ev.repeat() || ev.default_prevented() {
        return None;
    }
    let in_field = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| {
            el.is_content_editable()
                || matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        });
    let modified = ev.ctrl_key() || ev.alt_key() || ev.meta_key();
    toggled(&ev.key(), modified, in_field || ev.is_composing())
}

#[cfg(test)]
mod tests {
    use super::toggled;

    #[test]
    fn m_and_v_toggle_the_microphone_and_camera() {
        assert_eq!(toggled("m", false, false), Some("audio"));
        assert_eq!(toggled("V", false, false), Some("video"));
        assert_eq!(toggled("x", false, false), None);
        assert_eq!(toggled("Enter", false, false), None);
    }

    #[test]
    fn typing_and_browser_shortcuts_are_left_alone() {
        assert_eq!(toggled("m", false, true), None);
        assert_eq!(toggled("v", true, false), None);
    }
}
