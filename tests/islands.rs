//! Pages are rendered in islands mode: the browser hydrates only the parts that change (the
//! call-by-name overlay, the online and room lists, a room's call and presence list), each from
//! props the server wrote into the page; the header, forms and page text are plain HTML.
mod common;

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
    // The island's props carry the room, so the browser renders the same call.
    let tag = &body[room..room + body[room..].find('>').unwrap()];
    assert!(tag.contains("data-props="), "{tag}");
    assert!(tag.contains("team"), "{tag}");
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
    // Signed out: lists rendered on the server and left as they are, no overlay, no call.
    assert_eq!(islands(&page(&s, "/", None).await), ["RoomList"]);
    assert!(islands(&page(&s, "/login", None).await).is_empty());
    let room = page(&s, "/r/team", None).await;
    assert_eq!(islands(&room), ["RoomView"]);
    assert!(room.contains("join-prompt"));
    assert!(!room.contains("class=\"stage mesh\""));
}
