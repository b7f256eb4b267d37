//! Every word the pages show, as one table per language (`en.rs`, `ja.rs`). A language that
//! misses an entry does not compile. Entries with something to fill in are functions, so each
//! language puts the name or number where its grammar wants it.

/// The words of one language.
pub struct Words {
    // The header, shared pieces and the 404 page.
    /// The language's own name, on its button in the language switch.
    pub name: &'static str,
    /// The language switch's label, for screen readers.
    pub language: &'static str,
    pub skip_to_content: &'static str,
    pub guest: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub sign_up: &'static str,
    pub join_as_guest: &'static str,
    pub not_found: &'static str,
    pub nothing_here: &'static str,
    pub back_to_rooms: &'static str,
    /// Room names' rule, for a name that breaks it.
    pub bad_room: &'static str,

    // The home page and the room list.
    pub rooms: &'static str,
    pub rooms_intro: &'static str,
    pub room_placeholder: &'static str,
    pub room_rule: &'static str,
    pub room_name: &'static str,
    pub open_room: &'static str,
    pub broadcast: &'static str,
    pub broadcast_hint: &'static str,
    pub loading_rooms: &'static str,
    pub no_rooms: &'static str,
    pub default_room: &'static str,
    /// How many people are in a room, on its card.
    pub here: fn(usize) -> String,

    // Who is online, and calls by name.
    pub online_now: &'static str,
    pub nobody_online: &'static str,
    pub call: &'static str,
    /// The Call button's accessible name.
    pub call_someone: fn(&str) -> String,
    pub incoming_call: &'static str,
    /// Follows the caller's name in the incoming-call dialog.
    pub is_calling: &'static str,
    pub accept: &'static str,
    pub decline: &'static str,
    pub cancel: &'static str,
    pub close: &'static str,
    pub ringing: fn(&str) -> String,
    pub answered: fn(&str) -> String,
    pub declined: fn(&str) -> String,
    pub busy: fn(&str) -> String,
    pub no_answer: &'static str,
    pub offline: fn(&str) -> String,
    pub unknown_user: fn(&str) -> String,
    pub self_call: &'static str,
    pub call_failed: fn(&str) -> String,

    // The room page.
    pub loading_room: &'static str,
    pub no_such_room: &'static str,
    pub private_call: &'static str,
    pub broadcasting: &'static str,
    pub watching: &'static str,
    pub join_prompt: &'static str,
    pub in_this_room: &'static str,
    pub nobody_here: &'static str,
    pub you: &'static str,
    /// After one's own name on one's tile.
    pub you_suffix: &'static str,
    pub copy_invite: &'static str,
    pub copied: &'static str,
    pub invite_link: &'static str,
    pub copy_by_hand: &'static str,

    // The call stage.
    pub connecting: &'static str,
    pub waiting: &'static str,
    pub connected: &'static str,
    pub reconnecting_lost: &'static str,
    pub reconnecting: &'static str,
    pub failed: &'static str,
    pub room_full: &'static str,
    pub private_room: &'static str,
    pub left: &'static str,
    pub on_air: &'static str,
    pub no_broadcast: &'static str,
    pub ended: &'static str,
    pub try_again: &'static str,
    pub leave: &'static str,
    pub end_broadcast: &'static str,
    pub mute: &'static str,
    pub unmute: &'static str,
    pub camera_off: &'static str,
    pub camera_on: &'static str,
    /// A tile's link that is not connected: its `connectionState` (`new`, `connecting`,
    /// `disconnected`, `failed`, `closed`) or `waiting`.
    pub link_state: fn(&str) -> &'static str,
    pub joined_call: fn(&str) -> String,
    pub left_call: fn(&str) -> String,
    /// In the status line, when someone's tile goes.
    pub peer_left: fn(&str) -> String,
    pub check_network: &'static str,
    /// The server closed the socket: its reason and close code.
    pub server_closed: fn(&str, u16) -> String,
    /// An error frame from the server: its code and (English) message.
    pub server_error: fn(&str, &str) -> String,

    // A tile's connection quality, its speaking indicator and what its peer switched off.
    pub quality_unknown: &'static str,
    pub quality_good: &'static str,
    pub quality_fair: &'static str,
    pub quality_poor: &'static str,
    /// The quality badge's accessible name, from one of the four above.
    pub quality_of: fn(&str) -> String,
    /// Round-trip time in milliseconds.
    pub round_trip: fn(u32) -> String,
    /// Packets lost, in tenths of a percent (whole numbers: see `transfer::human_size`).
    pub packet_loss: fn(u32) -> String,
    /// Incoming bitrate in kilobits per second.
    pub bitrate: fn(u32) -> String,
    /// The incoming picture's width and height.
    pub resolution: fn(u32, u32) -> String,
    /// Bytes received since the call began, as `human_size` says them.
    pub received_bytes: fn(&str) -> String,
    pub speaking: &'static str,
    pub peer_muted: &'static str,
    pub peer_camera_off: &'static str,

    // The camera.
    pub camera_no_access: &'static str,
    pub camera_blocked: &'static str,
    pub camera_missing: &'static str,
    pub camera_busy: &'static str,
    /// Any other failure, by the browser's error name.
    pub camera_other: fn(&str) -> String,
    /// The camera failed for a talker: what failed, then why that ends it.
    pub camera_needed: fn(&str) -> String,
    /// The camera failed in a mesh call: what failed, then that the call goes on.
    pub camera_optional: fn(&str) -> String,

    // A link that cannot connect.
    pub relay_refused: &'static str,
    pub relay_unreachable: &'static str,
    pub relay_other: fn(u16) -> String,
    /// No path to the named peer; `true` while still retrying.
    pub no_path: fn(&str, bool) -> String,

    // The chat.
    pub chat: &'static str,
    pub chat_empty: &'static str,
    pub message: &'static str,
    pub message_placeholder: &'static str,
    pub send: &'static str,
    pub share_file: &'static str,
    pub someone: &'static str,
    pub nobody_for_messages: &'static str,
    pub nobody_for_files: &'static str,
    /// A file's name and size, as the page says it was shared.
    pub shared: fn(&str, &str) -> String,
    pub file_too_large: fn(&str) -> String,
    pub unreadable_file: fn(&str) -> String,
    pub send_failed: fn(&str) -> String,
    /// A file that did not arrive: its name and why.
    pub not_received: fn(&str, &str) -> String,
    pub refused_too_large: &'static str,
    pub refused_bad_size: &'static str,
    pub refused_too_many: &'static str,
    pub refused_cut_short: &'static str,
    pub refused_overrun: &'static str,
    pub refused_damaged: &'static str,
    pub refused_malformed: &'static str,
    /// A file's name and size.
    pub file_label: fn(&str, &str) -> String,
    /// How far a file is: bytes done, bytes in all, percent.
    pub file_progress: fn(&str, &str, u8) -> String,
    /// The accessible name of a file's Cancel button.
    pub cancel_file: fn(&str) -> String,
    pub file_verified: &'static str,
    /// What "verified" means, on hover and for screen readers.
    pub verified_hint: &'static str,
    pub file_sent: &'static str,
    pub file_delivered: &'static str,
    pub file_cancelled: &'static str,
    pub file_not_delivered: fn(&str) -> String,

    // Sharing our screen in a call, and seeing someone else's.
    pub share_screen: &'static str,
    pub stop_sharing: &'static str,
    pub you_are_sharing: &'static str,
    /// On a tile that shows its peer's screen instead of their camera.
    pub screen_label: &'static str,
    /// For screen readers, when a peer starts sharing.
    pub peer_sharing: fn(&str) -> String,
    /// The picker was cancelled, or the browser was not allowed to share.
    pub share_cancelled: &'static str,
    pub share_unsupported: &'static str,
    /// Sharing failed for another reason: the browser's error name.
    pub share_failed: fn(&str) -> String,
    /// We have no camera in the call, so there is no picture to swap for the screen.
    pub share_needs_camera: &'static str,

    // Log-in and sign-up.
    pub log_in_title: &'static str,
    pub sign_up_title: &'static str,
    pub create_account: &'static str,
    pub new_here: &'static str,
    pub have_account: &'static str,
    pub username: &'static str,
    pub username_rule: &'static str,
    pub password: &'static str,
    pub bad_credentials: &'static str,
    pub name_taken: &'static str,
    pub bad_name: &'static str,
    pub short_password: &'static str,
    pub long_password: &'static str,
    pub server_trouble: &'static str,
    pub busy_server: &'static str,
    pub cross_site: &'static str,
    /// How long to wait, from seconds (`None`: about a minute).
    pub wait: fn(Option<u64>) -> String,
    /// Too many tries: how long to wait, from `wait`.
    pub too_many_attempts: fn(&str) -> String,
    pub too_many_guests: fn(&str) -> String,

    // Devices (camera, microphone, speaker), before and during a call.
    pub devices: &'static str,
    pub camera: &'static str,
    pub microphone: &'static str,
    pub speaker: &'static str,
    pub default_device: &'static str,
    /// A device the browser gives no name: its kind's word and its place among its kind.
    pub device_n: fn(&str, usize) -> String,
    pub camera_gone: &'static str,
    pub microphone_gone: &'static str,
    pub speaker_gone: &'static str,
    /// A device could not be opened: why.
    pub device_failed: fn(&str) -> String,
    pub ready_to_join: &'static str,
    pub check_devices: &'static str,
    pub join: &'static str,
    pub join_camera_off: &'static str,
    pub preview_unavailable: &'static str,
    /// Pin and full screen on a tile, with the person's name.
    pub pin_tile: fn(&str) -> String,
    pub unpin_tile: fn(&str) -> String,
    pub full_screen_tile: fn(&str) -> String,
}
