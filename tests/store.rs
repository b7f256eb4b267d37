//! The accounts store straight against each database: the same rules on SQLite and on
//! PostgreSQL (names in any letter case, A-Z only; sessions that end; guest names nobody else
//! has).
#![cfg(feature = "ssr")]
mod common;
use common::{Backend, TestDb};
use parley::accounts::store::{self, StoreError};
use parley::accounts::{guests, CurrentUser};
use parley::db::{connect, Db, DEFAULT_MAX_CONNECTIONS};
use parley::on_db;

async fn open(backend: Backend) -> (TestDb, Db) {
    let t = TestDb::new(backend);
    let db = connect(&t.url, DEFAULT_MAX_CONNECTIONS).await.unwrap();
    (t, db)
}

async fn exec(db: &Db, sql: &str) -> u64 {
    on_db!(db, |p| sqlx::query(sql)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .unwrap()
}

async fn names_match_in_any_letter_case_a_to_z_only(backend: Backend) {
    let (_t, db) = open(backend).await;
    let id = store::create_user(&db, "Dave", "h1").await.unwrap();
    for taken in ["Dave", "dave", "DAVE"] {
        let again = store::create_user(&db, taken, "h2").await;
        assert!(matches!(again, Err(StoreError::NameTaken)), "{taken}");
    }
    let found = store::find_user(&db, "dAVE").await.unwrap().unwrap();
    assert_eq!((found.id, found.username.as_str()), (id, "Dave"));
    let (name, peer) = store::peer_of(&db, "DAVE").await.unwrap().unwrap();
    assert_eq!(name, "Dave");
    assert_eq!(
        store::peer_id_of(&db, "dave").await.unwrap(),
        Some(peer.clone())
    );
    assert_eq!(store::name_of_peer(&db, &peer).await.unwrap(), Some(name));

    // Only A-Z fold: the Kelvin sign (which lower-cases to k elsewhere) and full-width
    // letters are other names.
    store::create_user(&db, "kate", "h").await.unwrap();
    for other in ["\u{212A}ate", "ｋａｔｅ", "kåte"] {
        assert!(
            store::find_user(&db, other).await.unwrap().is_none(),
            "{other}"
        );
        store::create_user(&db, other, "h").await.unwrap();
    }
    assert!(store::find_user(&db, "nobody").await.unwrap().is_none());
}

async fn sessions_live_end_and_expire(backend: Backend) {
    let (_t, db) = open(backend).await;
    let id = store::create_user(&db, "erin", "h").await.unwrap();
    let peer = store::peer_id_of(&db, "erin").await.unwrap().unwrap();
    let token = store::create_session(&db, id).await.unwrap();
    let want = CurrentUser {
        name: "erin".into(),
        peer_id: peer,
        guest: false,
    };
    assert_eq!(store::session_user(&db, &token).await.unwrap(), Some(want));
    // Only the token's SHA-256 is stored.
    let sql = "SELECT token_hash FROM sessions";
    let stored: String = on_db!(&db, |p| sqlx::query_scalar(sql).fetch_one(p).await).unwrap();
    assert_eq!(stored, store::session_key(&token));
    assert_ne!(stored, token);

    store::delete_session(&db, &token).await.unwrap();
    assert_eq!(store::session_user(&db, &token).await.unwrap(), None);

    let live = store::create_session(&db, id).await.unwrap();
    let stale = store::create_session(&db, id).await.unwrap();
    let (guest_token, _) = guests::create(&db).await.unwrap();
    let sql = format!(
        "UPDATE sessions SET expires_at = unixepoch() - 1 WHERE token_hash IN ('{}', '{}')",
        store::session_key(&stale),
        store::session_key(&guest_token)
    );
    assert_eq!(exec(&db, &sql).await, 2);
    assert_eq!(store::session_user(&db, &stale).await.unwrap(), None);
    assert_eq!(store::purge_expired(&db).await.unwrap(), 2);
    assert_eq!(store::purge_expired(&db).await.unwrap(), 0);
    assert!(store::session_user(&db, &live).await.unwrap().is_some());
}

async fn peer_ids_are_owned_by_accounts_and_live_guests(backend: Backend) {
    let (_t, db) = open(backend).await;
    store::create_user(&db, "fay", "h").await.unwrap();
    let account = store::peer_id_of(&db, "fay").await.unwrap().unwrap();
    let (token, _) = guests::create(&db).await.unwrap();
    let guest = store::session_user(&db, &token).await.unwrap().unwrap();
    assert!(guest.guest);
    assert!(store::peer_id_owned(&db, &account).await.unwrap());
    assert!(store::peer_id_owned(&db, &guest.peer_id).await.unwrap());
    assert!(!store::peer_id_owned(&db, "nobodys-peer-id").await.unwrap());
    exec(&db, "UPDATE sessions SET expires_at = unixepoch() - 1").await;
    assert!(
        !store::peer_id_owned(&db, &guest.peer_id).await.unwrap(),
        "an expired guest's id is free"
    );
}

async fn the_clock_and_the_pool_size_are_the_same_on_both(backend: Backend) {
    let t = TestDb::new(backend);
    let db = connect(&t.url, 3).await.unwrap();
    let max = on_db!(&db, |p| p.options().get_max_connections());
    assert_eq!(max, 3);
    let sql = "SELECT unixepoch()";
    let db_now: i64 = on_db!(&db, |p| sqlx::query_scalar(sql).fetch_one(p).await).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((db_now - now).abs() <= 2, "database {db_now}, here {now}");
}

fn from(list: &[&str]) -> impl FnMut() -> String {
    let mut names: Vec<String> = list.iter().rev().map(|s| s.to_string()).collect();
    move || names.pop().unwrap_or_else(|| "guest-zzzzzzzz".into())
}

async fn a_guest_name_held_by_an_account_or_a_guest_is_drawn_again(backend: Backend) {
    let (_t, db) = open(backend).await;
    // Accounts cannot sign up as guest-…, but one made before that rule could exist.
    store::create_user(&db, "Guest-AAAAAAAA", "x")
        .await
        .unwrap();
    let (_, name) = guests::create_with(&db, from(&["guest-aaaaaaaa", "guest-bbbbbbbb"]))
        .await
        .unwrap();
    assert_eq!(
        name, "guest-bbbbbbbb",
        "an account's name is never a guest's"
    );

    let names = from(&["guest-bbbbbbbb", "GUEST-BBBBBBBB", "guest-cccccccc"]);
    let (token, name) = guests::create_with(&db, names).await.unwrap();
    assert_eq!(
        name, "guest-cccccccc",
        "a live guest's name is never given twice"
    );
    let user = store::session_user(&db, &token).await.unwrap().unwrap();
    assert_eq!((user.name.as_str(), user.guest), ("guest-cccccccc", true));

    let stuck = guests::create_with(&db, || "guest-bbbbbbbb".to_owned()).await;
    assert!(matches!(stuck, Err(StoreError::NoGuestName)));
}

on_both_backends!(
    names_match_in_any_letter_case_a_to_z_only,
    sessions_live_end_and_expire,
    peer_ids_are_owned_by_accounts_and_live_guests,
    a_guest_name_held_by_an_account_or_a_guest_is_drawn_again,
    the_clock_and_the_pool_size_are_the_same_on_both,
);
