//! Direct calls: who is online across the site, and calling one of them by name. The server
//! side (rings, private rooms) is in the signaling hub; this is the pages and the HTTP API.
pub mod api;
pub mod desk;
pub mod online;

#[cfg(feature = "ssr")]
pub mod handlers;

#[cfg(feature = "hydrate")]
mod client;
