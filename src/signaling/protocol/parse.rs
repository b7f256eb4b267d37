//! Reading a client frame, type first: a frame that is not JSON, has no string `type`, names
//! an unknown kind, or lacks a field its kind needs is told so, in that order. Fields a kind
//! does not read are ignored, whatever they hold. Strings and payloads borrow from the frame.
use super::client::{ClientMessage, Command, Relay, RelayKind};
use super::{code, Role};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Why a frame is not a client message.
#[derive(Debug)]
pub enum Malformed<'a> {
    /// Not JSON.
    NotJson(serde_json::Error),
    /// JSON, but not an object with a string `type` (or a field given twice).
    NoType(serde_json::Error),
    /// A `type` no client message has.
    UnknownType(Cow<'a, str>),
    /// A field the kind reads holds the wrong type, e.g. a `role` that is no role.
    BadField {
        kind: &'static str,
        error: serde_json::Error,
    },
    /// A field the kind needs is absent or null.
    Missing {
        kind: &'static str,
        needs: &'static str,
    },
}

impl Malformed<'_> {
    /// The `code` of the error frame that answers it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => code::BAD_JSON,
            Self::UnknownType(_) => code::UNKNOWN_TYPE,
            Self::NoType(_) | Self::BadField { .. } | Self::Missing { .. } => code::MISSING_FIELD,
        }
    }
}

impl fmt::Display for Malformed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "not valid JSON: {e}"),
            Self::NoType(e) => write!(f, "message needs a string \"type\": {e}"),
            Self::UnknownType(kind) => write!(f, "unknown message type {kind:?}"),
            Self::BadField { kind, error } => write!(f, "a field of {kind} is mistyped: {error}"),
            Self::Missing { kind, needs } => write!(f, "{kind} needs {needs}"),
        }
    }
}

/// Every field any kind reads, each kept as raw JSON until the kind says what it should be.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    to: Option<&'a RawValue>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
    #[serde(default, borrow)]
    room: Option<&'a RawValue>,
    #[serde(default, borrow)]
    role: Option<&'a RawValue>,
    #[serde(default, borrow)]
    user: Option<&'a RawValue>,
    #[serde(default, borrow)]
    peer: Option<&'a RawValue>,
    #[serde(default, borrow)]
    call: Option<&'a RawValue>,
}

/// A JSON string, borrowed unless it has escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// Decodes a field the message of `kind` reads.
fn field<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
) -> Result<Option<T>, Malformed<'a>> {
    raw.map(|r| serde_json::from_str(r.get()))
        .transpose()
        .map_err(|error| Malformed::BadField { kind, error })
}

fn text<'a>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
) -> Result<Option<Cow<'a, str>>, Malformed<'a>> {
    Ok(field::<Text>(raw, kind)?.map(|t| t.0))
}

fn required<'a>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
    needs: &'static str,
) -> Result<Cow<'a, str>, Malformed<'a>> {
    text(raw, kind)?.ok_or(Malformed::Missing { kind, needs })
}

impl<'a> ClientMessage<'a> {
    /// Reads one text frame.
    pub fn parse(frame: &'a str) -> Result<Self, Malformed<'a>> {
        let f: Frame<'a> = serde_json::from_str(frame).map_err(|e| {
            if e.is_data() {
                Malformed::NoType(e)
            } else {
                Malformed::NotJson(e)
            }
        })?;
        if let Some(kind) = RelayKind::from_name(&f.kind) {
            return Ok(Self::Relay(Relay {
                kind,
                to: text(f.to, kind.as_str())?,
                payload: f.payload.map(RawValue::get),
            }));
        }
        let Some(command) = Command::from_name(&f.kind) else {
            return Err(Malformed::UnknownType(f.kind));
        };
        let kind = command.as_str();
        const CALL: &str = "a \"call\" id";
        Ok(match command {
            Command::Join => Self::Join {
                room: required(f.room, kind, "a \"room\"")?,
                role: field::<Role>(f.role, kind)?.unwrap_or_default(),
            },
            Command::Leave => Self::Leave,
            Command::WatchRooms => Self::WatchRooms,
            Command::Ping => Self::Ping,
            Command::WatchOnline => Self::WatchOnline,
            Command::Ring => {
                let user = text(f.user, kind)?;
                let peer = text(f.peer, kind)?;
                if [&user, &peer]
                    .iter()
                    .all(|s| s.as_deref().is_none_or(str::is_empty))
                {
                    return Err(Malformed::Missing {
                        kind,
                        needs: "a \"user\" name or a \"peer\" id",
                    });
                }
                Self::Ring { user, peer }
            }
            Command::Accept => Self::Accept {
                call: required(f.call, kind, CALL)?,
            },
            Command::Decline => Self::Decline {
                call: required(f.call, kind, CALL)?,
            },
            Command::Hangup => Self::Hangup {
                call: required(f.call, kind, CALL)?,
            },
        })
    }
}
