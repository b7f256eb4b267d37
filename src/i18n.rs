//! The pages' languages: which one a request gets, and the words of each (`words.rs` lists
//! them; `en.rs` and `ja.rs` say them). The server picks the language for every page, from
//! the language cookie the header switch sets, else the browser's `Accept-Language`, else
//! English; it renders the page in it and says so in `<html lang>`, which is where the
//! browser code reads it back from. Switching posts to `/lang`, which sets the cookie and
//! reloads the page, so no page ever mixes two languages.
mod en;
mod ja;
mod ja_server;
pub mod words;

#[cfg(feature = "ssr")]
pub mod handlers;

pub use words::Words;

/// A language the pages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ja,
}

/// The cookie that keeps the language chosen with the switch.
pub const COOKIE: &str = "parley_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ja];

    /// The BCP 47 tag, for `<html lang>`, the cookie and the switch.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// The language a tag names (`ja`, `ja-JP`, `EN-gb`), if the pages are written in it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    pub fn words(self) -> &'static Words {
        match self {
            Self::En => &en::EN,
            Self::Ja => &ja::JA,
        }
    }
}

/// The language for a request: the cookie's when it names one of ours, else the first of ours
/// in `Accept-Language` (by weight, then order; `q=0` means "not this one"), else English.
pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = cookie.and_then(Lang::from_tag) {
        return lang;
    }
    let mut wanted: Vec<(u16, Lang)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let lang = Lang::from_tag(parts.next()?)?;
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), weight)?;
            (q > 0).then_some((q, lang))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    wanted.sort_by_key(|(q, _)| std::cmp::Reverse(*q));
    wanted.first().map(|(_, l)| *l).unwrap_or_default()
}

/// The language for a request with these headers (see `choose`).
#[cfg(feature = "ssr")]
pub fn request_lang(headers: &axum::http::HeaderMap) -> Lang {
    use axum::http::header;
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    choose(cookie, accept)
}

/// A `q` value in thousandths; `None` if it is not a number from 0 to 1.
fn weight(q: &str) -> Option<u16> {
    let q: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

/// The page's language, which `App` provides as context: on the server, chosen from the
/// request; in the browser, read from `<html lang>`, which the server wrote.
pub fn page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .map(|p| request_lang(&p.headers))
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        // Read once: switching languages reloads the page.
        thread_local!(static LANG: Lang = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::from_tag(&l))
            .unwrap_or_default());
        LANG.with(|l| *l)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    Lang::default()
}

/// The page's language: from context (`App` provides it on the server), else from the page
/// (an island in the browser reads `<html lang>`).
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_else(page_lang)
}

/// The words of the page's language.
pub fn use_words() -> &'static Words {
    use_lang().words()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_a_language_by_their_first_part() {
        assert_eq!(Lang::from_tag("ja"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::from_tag(" EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag("jav"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn the_header_picks_the_most_wanted_language_we_have() {
        assert_eq!(choose(None, None), Lang::En);
        assert_eq!(choose(None, Some("ja-JP,ja;q=0.9,en;q=0.8")), Lang::Ja);
        assert_eq!(choose(None, Some("fr-FR, ja;q=0.5, en;q=0.7")), Lang::En);
        assert_eq!(choose(None, Some("fr, de")), Lang::En);
        assert_eq!(choose(None, Some("en;q=0.2, ja;q=0.2")), Lang::En);
        assert_eq!(choose(None, Some("ja;q=0, en;q=0.1")), Lang::En);
        assert_eq!(choose(None, Some("ja;q=0")), Lang::En);
        assert_eq!(choose(None, Some("ja;q=banana, en")), Lang::En);
        assert_eq!(choose(None, Some("*, ja;q=0.5")), Lang::Ja);
    }

    #[test]
    fn the_cookie_wins_over_the_header_when_it_names_a_language_we_have() {
        assert_eq!(choose(Some("en"), Some("ja")), Lang::En);
        assert_eq!(choose(Some("ja"), None), Lang::Ja);
        assert_eq!(choose(Some("xx"), Some("ja")), Lang::Ja);
    }

    #[test]
    fn every_language_names_itself_and_fills_in_names() {
        for lang in Lang::ALL {
            let w = lang.words();
            assert!(!w.name.is_empty());
            assert!((w.ringing)("ann").contains("ann"));
            assert!((w.no_path)("bob", true).contains("bob"));
            assert!((w.server_error)("something_new", "raw").contains("raw"));
        }
        assert_eq!(Lang::Ja.words().log_in, "ログイン");
        assert_eq!((Lang::En.words().wait)(Some(1)), "1 second");
        assert_eq!((Lang::Ja.words().wait)(Some(1800)), "30分");
    }
}
