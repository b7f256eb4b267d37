//! A private call's room shows its participants to its two parties only.
#![cfg(feature = "ssr")]
mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn only_the_two_parties_see_who_is_in_a_call() {
    let s = start(&[]).await;
    let (ann_cookie, mut ann) = online_user(&s, "ann").await;
    let (bob_cookie, mut bob) = online_user(&s, "bob").await;
    let carl_cookie = signup(&s, "carl").await;
    send(&mut ann, json!({"type": "ring", "user": "bob"})).await;
    let call = next_json(&mut ann).await["call"].clone();
    assert_eq!(next_json(&mut bob).await["type"], "incoming");
    send(&mut bob, json!({"type": "accept", "call": call})).await;
    let room = next_json(&mut bob).await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_a, _, joined) = join(&s, &ann_cookie, &room, "mesh").await;
    assert_eq!(joined["type"], "joined");

    let api = |cookie: Option<String>| {
        let mut req = http().get(s.url(&format!("/api/rooms/{room}")));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send()
    };
    let mine = api(Some(bob_cookie.clone())).await.unwrap();
    assert_eq!(mine.status(), 200);
    let mine: serde_json::Value = mine.json().await.unwrap();
    assert_eq!(mine["people"], json!(["ann"]));
    for outsider in [None, Some(carl_cookie.clone())] {
        let resp = api(outsider).await.unwrap();
        assert_eq!(resp.status(), 404);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "not_found");
    }
    assert_eq!(get_json(&s, "/api/rooms").await, json!([]), "never listed");

    let path = format!("/r/{room}");
    assert!(page(&s, &path, &bob_cookie)
        .await
        .contains("data-name=\"ann\""));
    for cookie in [carl_cookie.as_str(), ""] {
        let html = page(&s, &path, cookie).await;
        assert!(
            !html.contains("data-name=\"ann\""),
            "an outsider sees nobody"
        );
    }
}
