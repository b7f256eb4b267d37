//! Pages are rendered in islands mode: the browser hydrates only the parts that change (the
//! call-by-name overlay, the online and room lists, a room's call and presence list), each from
//! data the server wrote into the page; the header, forms and page text are plain HTML.
mod common;

use parley::call_by_name::online::OnlineData;
use parley::island_data::IslandData;
use parley::json::Json;
use parley::rooms::pages::{RoomData, RoomListData};
use parley::signaling::protocol::Role;

/// The components of the islands in `body`, in document order (`RoomView`, not its hash).
fn islands(body: &str) -> Vec<&str> {
    body.split("<leptos-island data-component=\"")
        .skip(1)
        .map(|rest| rest.split(['_', '"']).next().unwrap())
        .collect()
}

async fn page(s: &common::TestServer, path: &str, cookie: Option<&str>) -> String {
    let mut req = common::http().get(s.url(path));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn a_room_page_hydrates_its_call_and_the_overlay_and_nothing_else() {
    let s = common::start(&[]).await;
    let cookie = common::guest(&s).await;
    let body = page(&s, "/r/team", Some(&cookie)).await;
    assert_eq!(islands(&body), ["OverlayPanel", "RoomView"]);
    let room = body.find("data-component=\"RoomView").unwrap();
    // The header is plain HTML, ahead of every island; the stage and the presence list are
    // inside the room's island.
    assert!(body.find("class=\"topbar\"").unwrap() < body.find("<leptos-island").unwrap());
    assert!(body.find("class=\"stage mesh\"").unwrap() > room);
    assert!(body.find("class=\"presence card\"").unwrap() > room);
    // The island takes no props (their reading needs serde_json in the wasm): its data is in
    // the page just before it, as JSON the browser reads back into the same room and user.
    let tag = &body[room..room + body[room..].find('>').unwrap()];
    assert!(!tag.contains("data-props="), "{tag}");
    let data = island_data(&body, RoomData::ID);
    assert!(body.find(&format!("id=\"{}\"", RoomData::ID)).unwrap() < room);
    let data = RoomData::from_json(&Json::parse(&data).unwrap()).expect("the room's data reads");
    assert_eq!(data.summary.name, "team");
    assert_eq!(data.role, Role::Mesh);
    assert!(data.user.is_some_and(|u| u.guest));
    assert!(Json::parse(&data.ice).is_some(), "{}", data.ice);
}

/// The JSON in the page's `<template id={id} data-island=…>`, unescaped.
fn island_data(body: &str, id: &str) -> String {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let tag = &body[at..at + body[at..].find('>').unwrap()];
    let value = tag.split("data-island=\"").nth(1).unwrap();
    let value = &value[..value.find('"').unwrap()];
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_home_page_hydrates_its_live_lists_and_a_signed_out_page_nothing() {
    let s = common::start(&[]).await;
    let cookie = common::guest(&s).await;
    let body = page(&s, "/", Some(&cookie)).await;
    assert_eq!(
        islands(&body),
        ["OverlayPanel", "OnlinePanel", "RoomList"],
        "signed in"
    );
    let online = island_data(&body, OnlineData::ID);
    let online = OnlineData::from_json(&Json::parse(&online).unwrap()).expect("the list reads");
    assert!(!online.me.is_empty());
    let rooms = island_data(&body, RoomListData::ID);
    let rooms = RoomListData::from_json(&Json::parse(&rooms).unwrap()).expect("the list reads");
    assert!(rooms.live);
    // Signed out: lists rendered on the server and left as they are, no overlay, no call.
    assert_eq!(islands(&page(&s, "/", None).await), ["RoomList"]);
    assert!(islands(&page(&s, "/login", None).await).is_empty());
    let room = page(&s, "/r/team", None).await;
    assert_eq!(islands(&room), ["RoomView"]);
    assert!(room.contains("join-prompt"));
    assert!(!room.contains("class=\"stage mesh\""));
}
