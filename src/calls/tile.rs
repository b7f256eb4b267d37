//! The call's tiles: ours and one per remote peer, each with a speaking meter, the
//! microphone-off mark and a camera-off cover; remote ones also with the link's state in words
//! and a connection-quality badge whose details show on hover or focus.
use super::model::{Tile, LOCAL};
use super::pin::TileActions;
use super::quality::{details, Grade};
use super::speaking::{bars, is_speaking, meter};
use crate::i18n::Words;
use crate::ui::initial;
use leptos::prelude::*;

/// Our own tile: the camera preview.
#[component]
pub fn LocalTile(
    name: String,
    /// Our held audio level, 0–1.
    level: RwSignal<f64>,
    speaker: RwSignal<Option<String>>,
    muted: RwSignal<bool>,
    camera_off: RwSignal<bool>,
    w: &'static Words,
) -> impl IntoView {
    let initial = initial(&name);
    view! {
        <figure class="tile local" class:speaking=move || speaker.get().as_deref() == Some(LOCAL)
            data-muted=move || muted.get().to_string() data-camera-off=move || camera_off.get().to_string()>
            <video id="local-video" autoplay=true playsinline=true muted=true></video>
            <div class="cover" aria-hidden="true"><span class="avatar">{initial}</span></div>
            <TileActions id=LOCAL.to_owned() name=format!("{name}{}", w.you_suffix) w/>
            <figcaption>
                <Meter level=Signal::derive(move || level.get()) w/>
                <span class="name">{name} {w.you_suffix}</span>
                <MutedMark muted=Signal::derive(move || muted.get()) w/>
            </figcaption>
        </figure>
    }
}

#[component]
pub fn RemoteTile(
    tile: Tile,
    /// A watcher seen by the talker: no picture, just who and how connected.
    viewer: bool,
    speaker: RwSignal<Option<String>>,
    w: &'static Words,
) -> impl IntoView {
    let state = tile.state.clone();
    let label = tile.state.clone();
    let video_ref = NodeRef::<leptos::html::Video>::new();
    #[cfg(feature = "hydrate")]
    {
        let id = tile.id.clone();
        Effect::new(move |_| {
            if video_ref.get().is_some() {
                super::peer::bind_video(&id);
            }
        });
    }
    let id = tile.id.clone();
    let (muted, camera_off, level) = (
        tile.muted.clone(),
        tile.camera_off.clone(),
        tile.level.clone(),
    );
    let muted_mark = tile.muted.clone();
    let connected = tile.state.clone();
    let quality = tile.quality.clone();
    let (screen, screen_label) = (tile.screen.clone(), tile.screen.clone());
    view! {
        <figure class="tile remote" class:viewer=viewer class:speaking=move || speaker.get() == Some(id.clone())
            data-peer=tile.name.clone() data-peer-id=tile.id.clone() data-state=move || state.get()
            data-muted=move || muted.get().to_string() data-camera-off=move || camera_off.get().to_string()
            data-screen=move || screen.get().to_string()>
            <video node_ref=video_ref id=format!("remote-{}", tile.id) autoplay=true playsinline=true></video>
            <div class="cover" aria-hidden="true"><span class="avatar">{initial(&tile.name)}</span></div>
            <TileActions id=tile.id.clone() name=tile.name.clone() w/>
            <Show when=move || connected.get() == "connected">
                <QualityBadge quality=quality.clone() w/>
            </Show>
            <figcaption>
                <Meter level=Signal::derive(move || level.get()) w/>
                <span class="name">{tile.name.clone()}</span>
                <Show when=move || screen_label.get()>
                    <span class="screen-label" data-testid="screen-label">{w.screen_label}</span>
                </Show>
                <MutedMark muted=Signal::derive(move || muted_mark.get()) w/>
                <span class="conn">{move || (w.link_state)(&label.get())}</span>
            </figcaption>
        </figure>
    }
}

/// Three bars that light up with the level (`data-bars`; the page's style rules allow no
/// inline styles); `data-level` is the meter's 0–100.
#[component]
fn Meter(level: Signal<f64>, w: &'static Words) -> impl IntoView {
    view! {
        <span class="meter" data-level=move || meter(level.get()) data-speaking=move || is_speaking(level.get()).to_string()
            data-bars=move || bars(level.get())
            title=move || if is_speaking(level.get()) { w.speaking } else { "" } aria-hidden="true">
            <i></i><i></i><i></i>
        </span>
    }
}

#[component]
fn MutedMark(muted: Signal<bool>, w: &'static Words) -> impl IntoView {
    view! {
        <Show when=move || muted.get()>
            <span class="mic-off" role="img" aria-label=w.peer_muted title=w.peer_muted>
                <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                    <path d="M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 5.2 2M15 10V6a3 3 0 0 0-5.6-1.5M5 11a7 7 0 0 0 11.5 5.4M19 11a7 7 0 0 1-.6 2.8M12 18v3M4 4l16 16"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
            </span>
        </Show>
    }
}

/// Good, fair or poor, with round trip, loss, bitrate, picture size and bytes received in a
/// small panel on hover or keyboard focus.
#[component]
fn QualityBadge(
    quality: ArcRwSignal<Option<super::quality::Sample>>,
    w: &'static Words,
) -> impl IntoView {
    let q = RwSignal::from(quality);
    let grade = move || q.with(|s| s.as_ref().map_or(Grade::Unknown, |s| s.grade));
    let text = move || q.with(|s| s.as_ref().map(|s| details(s, w)).unwrap_or_default());
    let label = move || format!("{}. {}", (w.quality_of)(grade().label(w)), text());
    let kbps = move || q.with(|s| s.as_ref().and_then(|s| s.kbps).map(|n| n.to_string()));
    let received = move || q.with(|s| s.as_ref().map(|s| s.received.to_string()));
    view! {
        <span class="quality" tabindex="0" data-quality=move || grade().class() data-kbps=kbps data-received=received
            aria-label=label>
            <span class="dot" aria-hidden="true"></span>
            <span class="word" aria-hidden="true">{move || grade().label(w)}</span>
            <span class="details" aria-hidden="true">{text}</span>
        </span>
    }
}
