//! The camera, asked for as the page is parsed rather than once the wasm has loaded and
//! hydrated: a camera takes from tens of milliseconds (a test's fake one) to a second (a real
//! one warming up) to start, and that now overlaps the page load. The call stage carries this
//! inline script (with the page's CSP nonce); the engine takes the promise it leaves in
//! `window.__parleyCamera` (`calls::media::camera`) instead of asking again. The constraints
//! are the engine's own, test mode included.

// The constraints as macros, so the script below is one literal (`concat!`).
macro_rules! video {
    () => {
        r#"{"width":{"ideal":640},"height":{"ideal":480}}"#
    };
}
macro_rules! video_lowres {
    () => {
        r#"{"width":160,"height":120,"frameRate":10}"#
    };
}

/// Camera and microphone for a call.
pub const VIDEO: &str = video!();
/// With test hooks on and `?lowres=1`: a small, silent, 10 fps picture (for tests with many
/// pages on few cores).
pub const VIDEO_LOWRES: &str = video_lowres!();
/// Where the script leaves its promise.
pub const GLOBAL: &str = "__parleyCamera";

/// The inline script. A refusal is caught here too, so it is never reported as unhandled
/// before the engine takes the promise (which sees the refusal and words it).
pub const SCRIPT: &str = concat!(
    "(()=>{const m=navigator.mediaDevices;if(!m||!m.getUserMedia)return;",
    "const low=!!document.querySelector('meta[name=\"parley-test-hooks\"]')",
    "&&location.search.includes('lowres=1');",
    "const p=m.getUserMedia(low?{video:",
    video_lowres!(),
    ",audio:false}:{video:",
    video!(),
    ",audio:true});p.catch(()=>{});window.__parleyCamera=p})()"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_asks_with_the_engines_constraints_and_cannot_close_its_tag() {
        let s = SCRIPT;
        assert!(s.contains(r#"{video:{"width":160,"height":120,"frameRate":10},audio:false}"#));
        assert!(s.contains(r#"{video:{"width":{"ideal":640},"height":{"ideal":480}},audio:true}"#));
        let hooks = format!("meta[name=\"{}\"]", crate::test_hooks::META_NAME);
        assert!(s.contains(&hooks));
        assert!(s.contains(&format!("window.{GLOBAL}=p")));
        assert!(!s.contains("</"));
    }
}
