//! Cameras, microphones and speakers: which one the user chose (remembered in the browser),
//! what each is called, and which to use when the chosen one is gone. Plain logic here; the
//! browser side (listing devices, opening tracks, `localStorage`) is in `devices/browser.rs`.
use crate::i18n::Words;
use crate::json::{Json, Object};

#[cfg(feature = "hydrate")]
pub mod browser;

/// The `localStorage` key of the remembered `Choice`. Its presence also means the user has been
/// through the pre-join screen once, so later calls start at once.
pub const STORAGE_KEY: &str = "parley.devices";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Camera,
    Microphone,
    Speaker,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Camera, Kind::Microphone, Kind::Speaker];

    /// From `MediaDeviceInfo.kind`.
    pub fn from_browser(kind: &str) -> Option<Kind> {
        match kind {
            "videoinput" => Some(Kind::Camera),
            "audioinput" => Some(Kind::Microphone),
            "audiooutput" => Some(Kind::Speaker),
            _ => None,
        }
    }

    /// The `MediaStreamTrack.kind` of its tracks (a speaker has none).
    pub fn track_kind(self) -> &'static str {
        match self {
            Kind::Camera => "video",
            Kind::Microphone | Kind::Speaker => "audio",
        }
    }

    /// A stable name, for test ids.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Camera => "camera",
            Kind::Microphone => "microphone",
            Kind::Speaker => "speaker",
        }
    }

    pub fn label(self, w: &Words) -> &'static str {
        match self {
            Kind::Camera => w.camera,
            Kind::Microphone => w.microphone,
            Kind::Speaker => w.speaker,
        }
    }

    /// The notice when the device of this kind in use (or remembered) is gone.
    pub fn gone(self, w: &Words) -> &'static str {
        match self {
            Kind::Camera => w.camera_gone,
            Kind::Microphone => w.microphone_gone,
            Kind::Speaker => w.speaker_gone,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub kind: Kind,
    pub label: String,
}

/// Devices as the browser lists them (`kind`, `deviceId`, `label`), with a name for each:
/// its label, or "Camera 2" by its place among its kind when the browser gives no label
/// (before permission). Entries without an id (also before permission) and unknown kinds are
/// left out: they cannot be chosen.
pub fn named(raw: &[(String, String, String)], w: &Words) -> Vec<Device> {
    let mut counts = [0usize; 3];
    raw.iter()
        .filter(|(_, id, _)| !id.is_empty())
        .filter_map(|(kind, id, label)| {
            let kind = Kind::from_browser(kind)?;
            let n = &mut counts[kind as usize];
            *n += 1;
            let label = if label.trim().is_empty() {
                (w.device_n)(kind.label(w), *n)
            } else {
                label.clone()
            };
            Some(Device {
                id: id.clone(),
                kind,
                label,
            })
        })
        .collect()
}

/// The remembered devices; `None` means the browser's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub camera: Option<String>,
    pub microphone: Option<String>,
    pub speaker: Option<String>,
}

impl Choice {
    /// A stored choice; anything unreadable counts as none.
    pub fn parse(text: &str) -> Option<Choice> {
        let v = Json::parse(text)?;
        // Each device a string, or absent or null.
        let device = |key: &str| match v.get(key) {
            None | Some(Json::Null) => Some(None),
            Some(d) => d.as_str().map(|d| Some(d.to_owned())),
        };
        matches!(v, Json::Obj(_)).then_some(())?;
        Some(Choice {
            camera: device("camera")?,
            microphone: device("microphone")?,
            speaker: device("speaker")?,
        })
    }

    pub fn to_json(&self) -> String {
        Object::new()
            .opt_str("camera", self.camera.as_deref())
            .opt_str("microphone", self.microphone.as_deref())
            .opt_str("speaker", self.speaker.as_deref())
            .finish()
    }

    pub fn get(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Camera => self.camera.as_deref(),
            Kind::Microphone => self.microphone.as_deref(),
            Kind::Speaker => self.speaker.as_deref(),
        }
    }

    /// Chooses `id` for `kind`; an empty id means the default.
    pub fn set(&mut self, kind: Kind, id: &str) {
        let id = (!id.is_empty()).then(|| id.to_owned());
        match kind {
            Kind::Camera => self.camera = id,
            Kind::Microphone => self.microphone = id,
            Kind::Speaker => self.speaker = id,
        }
    }
}

/// Which device of its kind to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Nothing chosen: the browser's default.
    Default,
    /// The chosen device, still there.
    Chosen(String),
    /// The chosen device is gone: the default, and tell the user.
    Gone,
}

/// `wanted` (the remembered id of `kind`) if `available` still lists it.
pub fn pick(wanted: Option<&str>, kind: Kind, available: &[Device]) -> Pick {
    match wanted {
        None => Pick::Default,
        Some(id) if available.iter().any(|d| d.kind == kind && d.id == id) => {
            Pick::Chosen(id.to_owned())
        }
        Some(_) => Pick::Gone,
    }
}

/// Whether the device in use (`using`, the id a live track reports) is still listed. A track
/// that reports no id cannot be checked and counts as there.
pub fn still_there(using: &str, kind: Kind, available: &[Device]) -> bool {
    using.is_empty() || available.iter().any(|d| d.kind == kind && d.id == using)
}

/// Before the browser can start the call: whether this call asks for devices first. Watching
/// needs no devices, and someone who has chosen before goes straight in.
pub fn asks_first(stored: Option<&str>, watching: bool) -> bool {
    !watching && stored.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn raw(kind: &str, id: &str, label: &str) -> (String, String, String) {
        (kind.into(), id.into(), label.into())
    }

    fn cam(id: &str) -> Device {
        Device {
            id: id.into(),
            kind: Kind::Camera,
            label: String::new(),
        }
    }

    #[test]
    fn unlabelled_devices_are_numbered_within_their_kind() {
        let w = Lang::En.words();
        let list = named(
            &[
                raw("videoinput", "a", ""),
                raw("audioinput", "b", ""),
                raw("videoinput", "c", "  "),
                raw("audiooutput", "d", "Headphones"),
                raw("videoinput", "", ""),
                raw("other", "e", "x"),
            ],
            w,
        );
        let labels: Vec<_> = list.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Camera 1", "Microphone 1", "Camera 2", "Headphones"]
        );
        assert_eq!(list[3].kind, Kind::Speaker);
        let ja = named(&[raw("videoinput", "a", "")], Lang::Ja.words());
        assert_eq!(ja[0].label, "カメラ 1");
    }

    #[test]
    fn a_gone_device_falls_back_to_the_default() {
        let list = [cam("front"), cam("back")];
        assert_eq!(pick(None, Kind::Camera, &list), Pick::Default);
        assert_eq!(
            pick(Some("back"), Kind::Camera, &list),
            Pick::Chosen("back".into())
        );
        assert_eq!(pick(Some("usb"), Kind::Camera, &list), Pick::Gone);
        // The same id under another kind is not the device asked for.
        assert_eq!(pick(Some("front"), Kind::Microphone, &list), Pick::Gone);
        assert!(still_there("front", Kind::Camera, &list));
        assert!(!still_there("usb", Kind::Camera, &list));
        assert!(still_there("", Kind::Camera, &list));
    }

    #[test]
    fn choices_round_trip_and_bad_ones_are_ignored() {
        let mut c = Choice::default();
        c.set(Kind::Microphone, "mic-2");
        c.set(Kind::Speaker, "spk");
        c.set(Kind::Speaker, "");
        assert_eq!(Choice::parse(&c.to_json()), Some(c.clone()));
        assert_eq!(c.get(Kind::Microphone), Some("mic-2"));
        assert_eq!(c.get(Kind::Speaker), None);
        assert_eq!(Choice::parse("{}"), Some(Choice::default()));
        // As earlier versions stored it, with nulls.
        let stored = r#"{"camera":null,"microphone":"mic-2","speaker":null}"#;
        assert_eq!(
            Choice::parse(stored).unwrap().get(Kind::Microphone),
            Some("mic-2")
        );
        assert_eq!(Choice::parse(r#"{"camera":5}"#), None);
        assert_eq!(Choice::parse("[]"), None);
        assert_eq!(Choice::parse("not json"), None);
    }

    #[test]
    fn only_a_first_call_asks_for_devices() {
        assert!(asks_first(None, false));
        assert!(!asks_first(Some("{}"), false));
        assert!(!asks_first(None, true));
    }
}
