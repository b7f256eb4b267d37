//! Signaling: the wire protocol (shared with the browser), the hub that owns peers and rooms,
//! and the WebSocket endpoint that speaks the room dialect on top of the hub.
pub mod protocol;

#[cfg(feature = "ssr")]
pub mod admission;
#[cfg(feature = "ssr")]
pub mod call_by_name;
#[cfg(feature = "ssr")]
pub mod dispatch;
#[cfg(feature = "ssr")]
pub mod drain;
#[cfg(feature = "ssr")]
pub mod driver;
#[cfg(feature = "ssr")]
pub mod endpoint;
#[cfg(feature = "ssr")]
pub mod frames;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod resume;
#[cfg(feature = "ssr")]
pub mod write;
#[cfg(feature = "ssr")]
pub mod ws;
