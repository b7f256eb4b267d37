//! Cross-site form posts are refused. A page on another site could otherwise log a visitor in
//! as the attacker, log them out, or spend their address's attempts, since the browser sends
//! the form wherever it points. Browsers say where a request comes from: `Sec-Fetch-Site`
//! (modern ones), else `Origin`. A request with neither comes from a client that is not a
//! browser, which cannot ride anyone's cookie, so it passes.
use axum::http::{header, HeaderMap};

/// Whether the request was sent by a page on another site. `secure` means the site is served
/// over https (behind a proxy that terminates TLS); `trust_proxy` lets that proxy's
/// `X-Forwarded-Proto` say so too. `allowed` lists other origins the site trusts.
pub fn cross_site(
    headers: &HeaderMap,
    secure: bool,
    trust_proxy: bool,
    allowed: &[String],
) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    let forwarded_https = trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if secure || forwarded_https {
        "https"
    } else {
        "http"
    };
    let own = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty())
        .is_some_and(|host| same_origin(origin, scheme, host));
    !own && !allowed.iter().any(|o| o.eq_ignore_ascii_case(origin))
}

/// `origin` is `scheme://host` (default ports written or not).
fn same_origin(origin: &str, scheme: &str, host: &str) -> bool {
    let Some((o_scheme, o_host)) = origin.split_once("://") else {
        return false;
    };
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let bare = |h: &str| {
        h.strip_suffix(default_port)
            .unwrap_or(h)
            .to_ascii_lowercase()
    };
    o_scheme.eq_ignore_ascii_case(scheme) && bare(o_host) == bare(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let host = ("host", "127.0.0.1:3000");
        for ok in ["same-origin", "none"] {
            assert!(!cross_site(
                &h(&[host, ("sec-fetch-site", ok)]),
                false,
                false,
                &[]
            ));
        }
        for bad in ["cross-site", "same-site", "bogus"] {
            let hm = h(&[
                host,
                ("sec-fetch-site", bad),
                ("origin", "http://127.0.0.1:3000"),
            ]);
            assert!(cross_site(&hm, false, false, &[]), "{bad}");
        }
    }

    #[test]
    fn origin_must_be_the_site_itself_scheme_included() {
        let cases: &[(&str, &str, bool, bool)] = &[
            // origin, host, secure, refused
            ("http://127.0.0.1:3000", "127.0.0.1:3000", false, false),
            ("http://127.0.0.1:3000/", "127.0.0.1:3000", false, false),
            ("HTTP://Parley.Example", "parley.example", false, false),
            ("https://parley.example", "parley.example", true, false),
            ("https://parley.example:443", "parley.example", true, false),
            ("http://parley.example", "parley.example", true, true),
            ("https://parley.example", "parley.example", false, true),
            ("http://evil.example", "127.0.0.1:3000", false, true),
            (
                "http://127.0.0.1:3000.evil.example",
                "127.0.0.1:3000",
                false,
                true,
            ),
            ("http://127.0.0.1:3001", "127.0.0.1:3000", false, true),
            ("null", "127.0.0.1:3000", false, true),
        ];
        for (origin, host, secure, refused) in cases {
            let hm = h(&[("host", host), ("origin", origin)]);
            assert_eq!(
                cross_site(&hm, *secure, false, &[]),
                *refused,
                "{origin} on {host}"
            );
        }
        let no_host = h(&[("origin", "http://127.0.0.1:3000")]);
        assert!(cross_site(&no_host, false, false, &[]));
    }

    #[test]
    fn allowed_origins_forwarded_proto_and_non_browsers() {
        let hm = h(&[("host", "10.0.0.2:3000"), ("origin", "https://app.example")]);
        assert!(!cross_site(
            &hm,
            false,
            false,
            &["https://app.example".into()]
        ));
        let proxied = h(&[
            ("host", "parley.example"),
            ("origin", "https://parley.example"),
            ("x-forwarded-proto", "https"),
        ]);
        assert!(!cross_site(&proxied, false, true, &[]));
        assert!(
            cross_site(&proxied, false, false, &[]),
            "only a trusted proxy says https"
        );
        assert!(
            !cross_site(&h(&[("host", "x")]), false, false, &[]),
            "no Origin, no Sec-Fetch-Site"
        );
    }
}
