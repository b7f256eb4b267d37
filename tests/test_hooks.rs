//! Test hooks are off unless the server is told otherwise: a page carries the marker the
//! browser code looks for (`<meta name="parley-test-hooks">`) only with `TEST_HOOKS=1`.
mod common;
use parley::test_hooks::META_NAME;

const MARKER: &str = "name=\"parley-test-hooks\"";

#[tokio::test]
async fn pages_have_no_test_hook_marker_by_default() {
    assert!(MARKER.contains(META_NAME));
    let s = common::start(&[]).await;
    let cookie = common::guest(&s).await;
    for (path, cookie) in [("/", ""), ("/login", ""), ("/r/team", cookie.as_str())] {
        let body = common::page(&s, path, cookie).await;
        assert!(body.contains("</head>"), "{path} rendered no page: {body}");
        assert!(
            !body.contains(MARKER),
            "{path} carries the test hook marker"
        );
    }
}

#[tokio::test]
async fn pages_carry_the_marker_when_the_server_turns_test_hooks_on() {
    let s = common::start(&[("TEST_HOOKS", "1")]).await;
    let cookie = common::guest(&s).await;
    for (path, cookie) in [("/", ""), ("/login", ""), ("/r/team", cookie.as_str())] {
        let body = common::page(&s, path, cookie).await;
        let head = body.split("</head>").next().unwrap_or_default();
        assert!(
            head.contains(MARKER),
            "{path} has no marker in its head: {head}"
        );
    }
}
