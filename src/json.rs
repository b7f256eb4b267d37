//! JSON for the browser's side of the wire, without serde: the server's frames and the chat
//! channel's messages are read into a small borrowed tree ([`Json`]) and written with
//! [`Object`]. The server keeps serde; in the wasm, serde_json's parser, its per-type
//! deserializers, its float formatting and its `Value` came to about a tenth of the room page's
//! code, for a few flat objects of strings, whole numbers and booleans. Both sides' output is
//! checked against each other in the tests (`tests.rs`).
use std::borrow::Cow;

mod read;
mod write;
pub use write::{quote, Object};

/// Nesting deeper than this is refused (serde_json's limit too).
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Strings borrow from the text unless they had escapes; numbers keep
/// their text, read back only as whole numbers ([`Json::as_u64`]), which is all the browser
/// needs, and written back as they came.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in the order written; [`Json::get`] takes the last of a repeated name, as
    /// `JSON.parse` does.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The value `text` holds, if it is one JSON value (with white space around it at most).
    pub fn parse(text: &'a str) -> Option<Self> {
        read::parse(text)
    }

    /// Member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Self::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A whole number from 0 to `u64::MAX` written without fraction or exponent.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Num(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Self::Arr(items) => Some(items),
            _ => None,
        }
    }

    /// Member `key`, if it is a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// Member `key`, if it is a string, owned.
    pub fn string_at(&self, key: &str) -> Option<String> {
        self.str_at(key).map(str::to_owned)
    }

    /// Member `key`, if it is a boolean.
    pub fn bool_at(&self, key: &str) -> Option<bool> {
        self.get(key)?.as_bool()
    }

    /// Member `key`, if it is a whole number (see [`Json::as_u64`]).
    pub fn u64_at(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    /// Member `key`, if it is an array whose every item `item` reads.
    pub fn list_at<T>(&self, key: &str, item: impl Fn(&Json<'a>) -> Option<T>) -> Option<Vec<T>> {
        self.get(key)?.as_array()?.iter().map(item).collect()
    }

    /// The value written out again, compactly.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        write::value(&mut out, self);
        out
    }
}

/// Text known to be one JSON value, carried without being read (the session's ICE
/// configuration in `welcome`). It goes on the wire as the value itself; its serde impls are
/// the server's (the browser never instantiates them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    /// `text` if it is JSON.
    pub fn new(text: String) -> Option<Self> {
        Json::parse(&text).is_some().then_some(Self(text))
    }

    pub fn get(&self) -> &str {
        &self.0
    }

    /// `value` written as JSON by serde (on the server).
    pub fn of<T: serde::Serialize>(value: &T) -> Option<Self> {
        serde_json::to_string(value).ok().map(Self)
    }
}

impl From<&Json<'_>> for RawJson {
    fn from(v: &Json<'_>) -> Self {
        Self(v.to_text())
    }
}

impl serde::Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(&self.0).map_err(S::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through `Value`, not `RawValue`: serde buffers the fields of an internally tagged
        // enum (`ServerEvent`), and a buffered field cannot be read raw.
        let value = serde_json::Value::deserialize(d)?;
        Ok(Self(value.to_string()))
    }
}

#[cfg(test)]
mod tests;
