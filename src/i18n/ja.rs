//! Japanese (日本語).
use super::words::Words;
use crate::signaling::protocol::code;

pub static JA: Words = Words {
    name: "日本語",
    language: "言語",
    skip_to_content: "本文へスキップ",
    guest: "ゲスト",
    log_in: "ログイン",
    log_out: "ログアウト",
    sign_up: "新規登録",
    join_as_guest: "ゲストとして参加",
    not_found: "ページが見つかりません",
    nothing_here: "このアドレスには何もありません。",
    back_to_rooms: "ルーム一覧に戻る",
    bad_room: "ルーム名は1〜48文字の英数字、「-」、「_」で指定してください。",

    rooms: "ルーム",
    rooms_intro:
        "ブラウザー同士で直接つながるビデオ通話です。ルームを選ぶか、新しいルームを開いてください。",
    room_placeholder: "ルーム名（例: standup）",
    room_rule: "英数字、「-」、「_」",
    room_name: "ルーム名",
    open_room: "ルームを開く",
    broadcast: "配信する",
    broadcast_hint: "1人が話し、ほかの全員が視聴します",
    loading_rooms: "ルームを読み込み中…",
    no_rooms: "いまはどのルームにも誰もいません。",
    default_room: "デフォルトのルームで始める",
    here: |n| format!("{n}人が参加中"),

    online_now: "オンライン",
    nobody_online: "ほかにオンラインの人はいません。",
    call: "発信",
    call_someone: |name| format!("{name}さんに発信"),
    incoming_call: "着信",
    is_calling: "さんから着信",
    accept: "応答",
    decline: "拒否",
    cancel: "キャンセル",
    close: "閉じる",
    ringing: |name| format!("{name}さんを呼び出し中…"),
    answered: |name| format!("{name}さんが応答しました。接続中…"),
    declined: |name| format!("{name}さんが拒否しました"),
    busy: |name| format!("{name}さんは通話中です"),
    no_answer: "応答がありません",
    offline: |name| format!("{name}さんはオフラインです"),
    unknown_user: |name| format!("「{name}」という名前のユーザーはいません"),
    self_call: "自分には発信できません",
    call_failed: |name| format!("{name}さんに発信できませんでした"),

    loading_room: "ルームを読み込み中…",
    no_such_room: "ルームが見つかりません",
    private_call: "プライベート通話",
    broadcasting: "配信中",
    watching: "視聴中",
    join_prompt: "この通話に参加するには、ログインするかゲストとして参加してください。",
    in_this_room: "このルームの参加者",
    nobody_here: "まだ誰もいません。",
    you: "あなた",
    you_suffix: "（あなた）",
    copy_invite: "招待リンクをコピー",
    copied: "コピーしました",
    invite_link: "招待リンク",
    copy_by_hand: "このリンクをコピーして招待してください:",

    connecting: "接続中…",
    waiting: "参加しました。ほかの人の参加を待っています。",
    connected: "接続しました",
    reconnecting_lost: "接続が切れました。再接続中…",
    reconnecting: "再接続中…",
    failed: "サーバーに接続できませんでした。",
    room_full: "このルームは満員です。",
    private_room: "これはプライベート通話です。",
    left: "通話から退出しました。",
    on_air: "オンエア中",
    no_broadcast: "まだ誰も配信していません。配信が始まるとすぐに表示されます。",
    ended: "配信は終了しました。",
    try_again: "もう一度試す",
    leave: "退出",
    end_broadcast: "配信を終了",
    mute: "ミュート",
    unmute: "ミュート解除",
    camera_off: "カメラをオフ",
    camera_on: "カメラをオン",
    link_state: |state| match state {
        "new" => "準備中",
        "connecting" => "接続中",
        "disconnected" => "切断",
        "failed" => "接続失敗",
        "closed" => "終了",
        _ => "待機中",
    },
    joined_call: |name| format!("{name}さんが通話に参加しました。"),
    left_call: |name| format!("{name}さんが通話から退出しました。"),
    peer_left: |name| format!("{name}さんが退出しました。"),
    check_network: "ネットワークを確認して、もう一度お試しください。",
    server_closed: |reason, code| format!("サーバーが接続を閉じました: {reason}（{code}）。"),
    server_error: |c, message| {
        let words = match c {
            code::ROOM_FULL if message.contains("another tab") => {
                "この通話には別のタブか端末ですでに参加しています。"
            }
            code::ROOM_FULL if message.contains("on air") => "この配信にはすでに配信者がいます。",
            code::ROOM_FULL => "参加できる人数の上限に達しています。",
            code::PRIVATE_ROOM => "この通話に参加できるのは、通話中の2人だけです。",
            code::RATE_LIMITED => "送信が多すぎます。少し待ってからお試しください。",
            code::BAD_ROOM => "ルーム名が正しくありません。",
            _ => return message.to_owned(),
        };
        words.to_owned()
    },

    camera_no_access:
        "このブラウザーではカメラを使えません（ページが https で開かれているか確認してください）。",
    camera_blocked:
        "カメラとマイクがブロックされています。ブラウザーで許可してから再読み込みしてください。",
    camera_missing: "カメラまたはマイクが見つかりません。",
    camera_busy: "カメラはほかのアプリで使用中です。",
    camera_other: |name| format!("カメラを起動できませんでした（{name}）。"),
    camera_needed: |why| format!("{why}配信にはカメラが必要です。"),
    camera_optional: |why| format!("{why}ほかの人の映像と音声は引き続き視聴できます。"),

    relay_refused:
        "中継サーバー（TURN）がこのサイトの認証情報を拒否したため、通話を接続できません。\
        サイトの管理者は TURN_SECRET を確認してください。",
    relay_unreachable: "中継サーバー（TURN）に接続できないため、通話を接続できません。",
    relay_other: |code| {
        format!("中継サーバー（TURN）がこの通話の中継を拒否したため（エラー {code}）、通話を接続できません。")
    },
    no_path: |peer, retrying| {
        let retry = if retrying { "再試行中…" } else { "" };
        format!("{peer}さんに接続できませんでした: 通信経路が見つかりません。{retry}")
    },

    chat: "チャット",
    chat_empty: "メッセージとファイルは、通話中のほかの人に直接届きます。",
    message: "メッセージ",
    message_placeholder: "通話中の全員にメッセージ",
    send: "送信",
    share_file: "ファイルを共有",
    someone: "誰か",
    nobody_for_messages: "メッセージを受け取れる人がまだ接続していません。",
    nobody_for_files: "ファイルを受け取れる人がまだ接続していません。",
    shared: |name, size| format!("{name}（{size}）を共有しました"),
    file_too_large: |name| format!("{name} は大きすぎて共有できません（最大 100 MB）。"),
    unreadable_file: |name| format!("{name} を読み込めませんでした。"),
    send_failed: |name| format!("退出した人への {name} の送信に失敗しました。"),
    not_received: |name, why| format!("{name} を受信できませんでした: {why}。"),
    refused_too_large: "100 MB を超えています",
    refused_bad_size: "サイズが正しくありません",
    refused_too_many: "同時に届くファイルが多すぎます",
    refused_cut_short: "ファイル全体が届く前に途切れました",
    refused_overrun: "予告より多くのデータが届きました",

    log_in_title: "ログイン · Parley",
    sign_up_title: "新規登録 · Parley",
    create_account: "アカウントを作成",
    new_here: "はじめての方は",
    have_account: "アカウントをお持ちの方は",
    username: "ユーザー名",
    username_rule: "3〜32文字の英数字、ドット、ハイフン、アンダースコア",
    password: "パスワード",
    bad_credentials: "ユーザー名とパスワードが一致しません。確認してもう一度お試しください。",
    name_taken: "このユーザー名はすでに使われています。別の名前を選んでください。",
    bad_name: "ユーザー名は3〜32文字の英数字、ドット、ハイフン、アンダースコアで、\
        「guest-」で始めることはできません。",
    short_password: "パスワードは8文字以上にしてください。",
    long_password: "パスワードは256文字以内にしてください。",
    server_trouble: "サーバー側で問題が発生しました。しばらくしてからもう一度お試しください。",
    busy_server: "サーバーが混み合っています。数秒後にもう一度お試しください。",
    cross_site: "このフォームは別のサイトから送信されたため、受け付けませんでした。\
        このサイトを直接開いて、もう一度お試しください。",
    wait: |secs| match secs {
        Some(n) if n < 120 => format!("{n}秒"),
        Some(n) => format!("{}分", n.div_ceil(60)),
        None => "1分".to_owned(),
    },
    too_many_attempts: |wait| format!("試行回数が多すぎます。{wait}後にもう一度お試しください。"),
    too_many_guests: |wait| {
        format!(
            "お使いのネットワークからのゲスト参加が多すぎます。{wait}後にもう一度お試しいただくか、\
             ログインしてください。"
        )
    },
};
