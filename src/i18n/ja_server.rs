//! Japanese for what the signaling server says in English: the `error` frames' codes and the
//! reasons it gives when it closes a socket. Every code has its words; a message the server
//! words differently for one code (a full room, a broadcast with its talker on air, a second
//! tab) is told apart by its English text, which `hub/errors.rs` fixes.
use crate::signaling::protocol::code;

/// An `error` frame: its code and the server's English message.
pub fn server_error(c: &str, message: &str) -> String {
    let words = match c {
        code::ROOM_FULL if message.contains("another tab") => {
            "この通話には別のタブか端末ですでに参加しています。"
        }
        code::ROOM_FULL if message.contains("on air") => "この配信にはすでに配信者がいます。",
        code::ROOM_FULL => "参加できる人数の上限に達しています。",
        code::PRIVATE_ROOM => "この通話に参加できるのは、通話中の2人だけです。",
        code::RATE_LIMITED => "送信が多すぎます。少し待ってからお試しください。",
        code::BAD_ROOM => "ルーム名が正しくありません。",
        code::CONGESTED => "相手の受信が追いついていないため、メッセージを送れませんでした。",
        code::TOO_LARGE => "メッセージが大きすぎるため、送れませんでした。",
        code::UNKNOWN_PEER => "相手はもうこのルームにいません。",
        code::NOT_IN_ROOM => "先にルームに参加してください。",
        code::WRONG_ROLE | code::NOT_BROADCASTABLE => {
            "この役割（配信者・視聴者）ではその操作はできません。"
        }
        code::BAD_JSON | code::UNKNOWN_TYPE | code::MISSING_FIELD => {
            "サーバーが理解できないメッセージを受け取りました。ページを再読み込みしてください。"
        }
        code::OFFLINE => "相手はオフラインです。",
        code::BUSY => "相手は別の通話中です。",
        code::UNKNOWN_USER => "そのユーザーは見つかりません。",
        code::SELF_CALL => "自分自身には発信できません。",
        code::UNKNOWN_CALL => "その呼び出しはもう終わっています。",
        code::ALREADY_CALLING => "すでに発信中です。先に切ってください。",
        code::RING_LIMITED => "この相手への発信が多すぎます。しばらくしてからお試しください。",
        code::NOT_A_USER => "発信できるのはログインしたユーザーとゲストだけです。",
        _ => return format!("サーバーからのエラー: {message}"),
    };
    words.to_owned()
}

/// The server closed the socket: its English reason and the close code.
pub fn server_closed(reason: &str, close_code: u16) -> String {
    let why = match reason {
        "flooding: too many messages" => "短時間に送信が多すぎました",
        "message larger than 64 KiB" => "64 KiB を超えるメッセージが送られました",
        "connection too slow to keep up" => "通信が遅く、受信が追いつきませんでした",
        "server shutting down" => "サーバーが再起動中です",
        other => return format!("サーバーが接続を閉じました: {other}（{close_code}）。"),
    };
    format!("サーバーが接続を閉じました: {why}（{close_code}）。")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the room dialect can send.
    const CODES: [&str; 21] = [
        code::BAD_JSON,
        code::UNKNOWN_TYPE,
        code::MISSING_FIELD,
        code::NOT_IN_ROOM,
        code::UNKNOWN_PEER,
        code::BAD_ROOM,
        code::ROOM_FULL,
        code::TOO_LARGE,
        code::RATE_LIMITED,
        code::CONGESTED,
        code::NOT_BROADCASTABLE,
        code::WRONG_ROLE,
        code::OFFLINE,
        code::BUSY,
        code::UNKNOWN_USER,
        code::SELF_CALL,
        code::UNKNOWN_CALL,
        code::ALREADY_CALLING,
        code::RING_LIMITED,
        code::NOT_A_USER,
        code::PRIVATE_ROOM,
    ];

    #[test]
    fn every_code_has_japanese_words() {
        for c in CODES {
            let words = server_error(c, "english words");
            assert!(!words.contains("english"), "{c}: {words}");
            assert!(!words.is_ascii(), "{c}: {words}");
        }
        assert_eq!(
            server_error("something_new", "raw"),
            "サーバーからのエラー: raw"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_s_own_messages_tell_full_rooms_apart() {
        use crate::signaling::hub::JoinError;
        let words = |e: JoinError| server_error(e.code(), &e.to_string());
        assert_eq!(
            words(JoinError::Full(3)),
            "参加できる人数の上限に達しています。"
        );
        assert_eq!(
            words(JoinError::TalkerPresent),
            "この配信にはすでに配信者がいます。"
        );
        assert!(words(JoinError::OtherTab).contains("別のタブ"));
    }

    #[test]
    fn the_server_s_close_reasons_are_translated() {
        for reason in [
            "flooding: too many messages",
            "message larger than 64 KiB",
            "connection too slow to keep up",
            "server shutting down",
        ] {
            let words = server_closed(reason, 1008);
            assert!(!words.contains(reason) && words.contains("1008"), "{words}");
        }
        assert!(server_closed("left", 1000).contains("left"));
    }
}
