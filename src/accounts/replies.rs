//! How the account form handlers answer. A browser (it asks for HTML) goes back to the form,
//! which shows the reason in words (`?error=`), keeping what was typed but the password. Other
//! clients get the status code and `{"error": code, "message": words}`, the words in the
//! request's language. A refusal for now adds `Retry-After` either way.
use super::{safe_next, urlencode, FormError};
use crate::i18n::{request_lang, Lang};
use crate::throttle::retry_after_secs;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use std::time::Duration;

/// The form a post came from, and what to keep on it when sending the browser back.
pub struct FormReply<'a> {
    form: &'static str,
    username: &'a str,
    next: Option<&'a str>,
    html: bool,
    lang: Lang,
}

impl<'a> FormReply<'a> {
    pub fn new(
        form: &'static str,
        username: &'a str,
        next: Option<&'a str>,
        headers: &HeaderMap,
    ) -> Self {
        Self {
            form,
            username,
            next,
            html: wants_html(headers),
            lang: request_lang(headers),
        }
    }

    /// Where the user was heading.
    pub fn next(&self) -> Option<&str> {
        self.next
    }

    /// Back to the form with what was wrong in what was typed (every client: the form's own
    /// mistakes have always been answered this way).
    pub fn error(&self, err: FormError) -> Response {
        Redirect::to(&self.url(err, None)).into_response()
    }

    /// Refused for now (`429` too many tries, `503` busy): try again after `wait`.
    pub fn later(&self, status: StatusCode, err: FormError, wait: Duration) -> Response {
        let secs = retry_after_secs(wait);
        let mut resp = if self.html {
            Redirect::to(&self.url(err, Some(secs))).into_response()
        } else {
            refusal(status, err, Some(secs), self.lang)
        };
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        resp
    }

    /// The post came from another site's page: `403`, in words for a browser.
    pub fn cross_site(&self) -> Response {
        if self.html {
            let words = FormError::CrossSite.describe(None, self.lang.words());
            (StatusCode::FORBIDDEN, words).into_response()
        } else {
            refusal(StatusCode::FORBIDDEN, FormError::CrossSite, None, self.lang)
        }
    }

    fn url(&self, err: FormError, retry: Option<u64>) -> String {
        let mut url = format!(
            "{}?error={}&username={}",
            self.form,
            err.code(),
            urlencode(self.username)
        );
        if let Some(secs) = retry {
            url.push_str(&format!("&retry={secs}"));
        }
        if let Some(n) = self.next {
            url.push_str("&next=");
            url.push_str(&urlencode(safe_next(Some(n))));
        }
        url
    }
}

/// `status` with `{"error": code, "message": words}` (and `retry_after` in seconds).
fn refusal(status: StatusCode, err: FormError, retry: Option<u64>, lang: Lang) -> Response {
    let message = err.describe(retry, lang.words());
    let mut body = serde_json::json!({"error": err.code(), "message": message});
    if let Some(secs) = retry {
        body["retry_after"] = secs.into();
    }
    (status, Json(body)).into_response()
}

/// Browsers ask for HTML when they post a form; scripts and tools usually do not.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/html"))
}
