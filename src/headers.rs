//! Security headers. Every response gets `nosniff`, a referrer policy, a frame ban and a
//! permissions policy; every HTML page also gets a Content-Security-Policy whose only inline
//! scripts are Leptos' own hydration scripts (which carry the per-response nonce), and
//! `Cache-Control: private, no-store`, since pages show who is signed in. Everything else
//! (the wasm, JS and CSS above all) is `no-cache`: kept, but checked with the server before
//! each use (a `304` when unchanged), so a browser never runs an old wasm against a newer
//! server's pages after an upgrade. The files keep their names from build to build.
use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// Adds the headers every response carries (unless a handler set its own).
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CACHE_CONTROL, "no-cache"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
        ),
    ];
    fixed.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// The page's Content-Security-Policy for `nonce`. `dev` also allows cargo-leptos' live-reload
/// socket on its own port.
pub fn content_security_policy(nonce: &str, dev: bool) -> String {
    let connect = if dev { "'self' ws:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src {connect}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Sets the page headers on the response being rendered. Called from the HTML shell, which
/// runs before the first byte of a page is sent.
pub fn set_page_headers(dev: bool) {
    let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Some(nonce) = leptos::nonce::use_nonce() {
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce, dev)) {
            resp.insert_header(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp.insert_header(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Each page is in the language the cookie or `Accept-Language` chose (`i18n`).
    resp.insert_header(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_only_nonced_inline_scripts() {
        let p = content_security_policy("abc123", false);
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("connect-src 'self';"));
        assert!(content_security_policy("n", true).contains("connect-src 'self' ws:;"));
    }
}
