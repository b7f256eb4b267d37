//! The account forms refuse what a hostile page could make a visitor's browser do: follow a
//! `next` to another site, or post a form from another site.
#![cfg(feature = "ssr")]
mod common;
use common::*;

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn next_leads_only_to_a_plain_path_on_this_site() {
    let s = start(&[("GUESTS_PER_HOUR", "1000")]).await;
    let hostile = [
        "/%09/evil.example",
        "/\t/evil.example",
        "/%2F/evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "//evil.example",
        "https://evil.example",
    ];
    for next in hostile {
        let r = post_form(&s, "/auth/guest", &[("next", next)]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/", "{next:?}");
    }
    let r = post_form(&s, "/auth/guest", &[("next", "/r/team")]).await;
    assert_eq!(location(&r), "/r/team");

    // Back to the form after a mistake, the hostile target is dropped too.
    let r = post_form(
        &s,
        "/auth/login",
        &[
            ("username", "x"),
            ("password", "y"),
            ("next", "/%09/evil.example"),
        ],
    )
    .await;
    assert!(location(&r).ends_with("&next=/"), "{}", location(&r));
}

/// Posts `path` with `headers`, as the holder of `cookie`.
async fn post_as(
    s: &TestServer,
    path: &str,
    cookie: &str,
    headers: &[(&str, String)],
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = http().post(s.url(path)).header("cookie", cookie).form(form);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let s = start(&[]).await;
    let cookie = signup(&s, "olga").await;
    let creds = [("username", "olga"), ("password", "correct horse battery")];
    let foreign: [&[(&str, String)]; 3] = [
        &[("origin", "http://evil.example".into())],
        &[("origin", "null".into())],
        &[
            ("sec-fetch-site", "cross-site".into()),
            ("origin", format!("http://{}", s.addr)),
        ],
    ];
    for headers in foreign {
        for path in ["/auth/login", "/auth/signup", "/auth/guest", "/auth/logout"] {
            let r = post_as(&s, path, &cookie, headers, &creds).await;
            assert_eq!(r.status(), 403, "{path} {headers:?}");
            assert!(session_cookie(&r).is_none());
            assert!(
                r.headers().get("set-cookie").is_none(),
                "{path}: nothing changes"
            );
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"], "cross_site");
        }
    }
    // A browser is told in words.
    let evil = [
        ("origin", "http://evil.example".to_owned()),
        ("accept", "text/html".to_owned()),
    ];
    let r = post_as(&s, "/auth/logout", &cookie, &evil, &[]).await;
    assert_eq!(r.status(), 403);
    let words = r.text().await.unwrap();
    assert!(words.contains("sent from another site"), "{words}");
    // The refused log-out logged nobody out.
    let (_ws, _) = connect(&s, &cookie).await;

    // The site's own pages, and clients that are not browsers, are served.
    let own: [&[(&str, String)]; 4] = [
        &[("origin", format!("http://{}", s.addr))],
        &[("sec-fetch-site", "same-origin".into())],
        &[("sec-fetch-site", "none".into())],
        &[],
    ];
    for headers in own {
        let r = post_as(&s, "/auth/login", "", headers, &creds).await;
        assert_eq!(r.status(), 303, "{headers:?}");
        assert!(session_cookie(&r).is_some(), "{headers:?}");
    }
    let r = post_as(&s, "/auth/logout", &cookie, own[0], &[]).await;
    assert_eq!(r.status(), 303);
}
