//! Calls in the browser: the call stage component, and (under `hydrate`) the WebRTC engine
//! that drives it with web-sys.
pub mod backoff;
pub mod chat_panel;
pub mod devices;
pub mod devices_panel;
pub mod early;
pub mod file_line;
pub mod model;
pub mod pin;
pub mod prejoin;
pub mod problems;
pub mod quality;
pub mod recovery;
pub mod resume;
pub mod roster;
pub mod screen;
pub mod shortcuts;
pub mod speaking;
pub mod stage;
pub mod tile;
pub mod transfer;

#[cfg(feature = "hydrate")]
mod chat;

#[cfg(feature = "hydrate")]
mod display;
#[cfg(feature = "hydrate")]
mod engine;
#[cfg(feature = "hydrate")]
mod files;
#[cfg(feature = "hydrate")]
mod ice;
#[cfg(feature = "hydrate")]
mod media;
#[cfg(feature = "hydrate")]
mod peer;
#[cfg(feature = "hydrate")]
pub mod socket;
#[cfg(feature = "hydrate")]
mod stats;
