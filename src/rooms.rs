//! Rooms and who is in them: the home page list, the room page, and the JSON API.
pub mod api;
pub mod invite;
pub mod pages;
pub mod presence;

#[cfg(feature = "hydrate")]
pub mod room_list;

#[cfg(feature = "ssr")]
pub mod handlers;
