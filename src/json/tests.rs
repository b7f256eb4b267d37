use super::*;
use proptest::prelude::*;
use serde_json::Value;

#[test]
fn reads_what_the_browser_gets() {
    let v = Json::parse(
        r#" {"type":"joined","n":42,"ok":true,"no":null,"peers":[{"id":"p\u00e9\n"}]} "#,
    )
    .unwrap();
    assert_eq!(v.str_at("type"), Some("joined"));
    assert_eq!(v.u64_at("n"), Some(42));
    assert_eq!(v.bool_at("ok"), Some(true));
    assert_eq!(v.get("no"), Some(&Json::Null));
    let peers = v.list_at("peers", |p| p.string_at("id")).unwrap();
    assert_eq!(peers, vec!["p\u{e9}\n".to_owned()]);
    assert_eq!(v.list_at("peers", |p| p.string_at("name")), None);
    assert_eq!(v.get("missing"), None);
}

#[test]
fn only_whole_numbers_read_as_numbers() {
    for (text, n) in [
        ("0", Some(0)),
        ("18446744073709551615", Some(u64::MAX)),
        ("18446744073709551616", None),
        ("-1", None),
        ("1.0", None),
        ("1e3", None),
    ] {
        assert_eq!(Json::parse(text).unwrap().as_u64(), n, "{text}");
    }
}

#[test]
fn a_repeated_name_reads_as_its_last_value() {
    let v = Json::parse(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(v.u64_at("a"), Some(2));
}

#[test]
fn refuses_what_is_not_json() {
    for text in [
        "",
        "nul",
        "tru",
        "{",
        r#"{"a"}"#,
        r#"{"a":1,}"#,
        "[1,]",
        "[1 2]",
        "01",
        "1.",
        "-",
        "1e",
        ".5",
        r#""a"#,
        "\"tab\there\"",
        r#""\x""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        "{} {}",
        "'a'",
    ] {
        assert_eq!(Json::parse(text), None, "{text:?}");
    }
}

#[test]
fn nesting_is_bounded_without_overflowing_the_stack() {
    let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(Json::parse(&nest(MAX_DEPTH)).is_some());
    assert_eq!(Json::parse(&nest(MAX_DEPTH + 1)), None);
    assert_eq!(Json::parse(&nest(100_000)), None);
}

#[test]
fn objects_are_written_member_by_member() {
    let text = Object::new()
        .str("type", "offer")
        .opt_str("to", None)
        .opt_str("from", Some("a\"b"))
        .num("id", u64::MAX)
        .bool("on", false)
        .raw("payload", r#"{"sdp":"x"}"#)
        .finish();
    assert_eq!(
        text,
        r#"{"type":"offer","from":"a\"b","id":18446744073709551615,"on":false,"payload":{"sdp":"x"}}"#
    );
    assert_eq!(Object::new().finish(), "{}");
}

#[test]
fn raw_json_is_only_json_and_goes_out_as_itself() {
    assert_eq!(RawJson::new("{x".into()), None);
    let raw = RawJson::new(r#"{"iceServers":[]}"#.into()).unwrap();
    assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"iceServers":[]}"#);
    let back: RawJson = serde_json::from_str(r#" {"iceServers":[]}"#).unwrap();
    assert_eq!(back, raw);
}

/// Any JSON value serde_json can write.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// What serde_json writes, compact or pretty, reads back and is written out again the way
    /// serde_json writes it.
    #[test]
    fn agrees_with_serde_json_on_what_it_writes(v in any_value()) {
        let compact = serde_json::to_string(&v).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert_eq!(Json::parse(&compact).map(|j| j.to_text()), Some(compact.clone()));
        prop_assert_eq!(Json::parse(&pretty).map(|j| j.to_text()), Some(compact));
    }

    /// Strings are escaped exactly as serde_json escapes them.
    #[test]
    fn quotes_as_serde_json_does(s in any::<String>()) {
        let mut out = String::new();
        quote(&mut out, &s);
        prop_assert_eq!(&out, &serde_json::to_string(&s).unwrap());
        prop_assert_eq!(Json::parse(&out), Some(Json::Str(s.into())));
    }

    /// On any text made of JSON's characters, both accept and refuse the same (apart from
    /// numbers too large for an f64, which serde_json refuses and this keeps as text).
    #[test]
    fn accepts_what_serde_json_accepts(text in r#"[\[\]{}",:0-9a-z\\ .eE+-]{0,16}"#) {
        let theirs = serde_json::from_str::<Value>(&text);
        if let Err(e) = &theirs {
            prop_assume!(!e.to_string().contains("number out of range"));
        }
        prop_assert_eq!(Json::parse(&text).is_some(), theirs.is_ok(), "{:?}", text);
    }
}
