//! A JSON tree read the way Go's `encoding/json` fills Podman's hook structs.
//!
//! Podman decodes hook files with Go's `encoding/json`, whose rules differ from serde's: object
//! keys select fields case-insensitively, a repeated key is decoded again over the earlier value
//! (objects merge, everything else is replaced), `null` clears pointers, slices and maps but
//! leaves strings, booleans and structs as they were, and unknown keys are ignored. Hook files
//! rely on some of this (`hasBindMounts` in a 0.1.0 file, `Stages` spelled with a capital), so
//! the file is first parsed into this order-preserving tree and then decoded field by field.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// One JSON value, objects keeping their keys in document order (duplicates included).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    /// An integer literal (any that fits an `i64` or a `u64`).
    Int(i128),
    /// A number with a fraction or an exponent, or one too large for an integer.
    Float(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a value could not be decoded into a field; the caller adds the file's path.
pub(super) type DecodeResult<T = ()> = Result<T, String>;

impl Json {
    /// Parses a document; syntax errors (and trailing data) are serde_json's.
    pub(super) fn parse(bytes: &[u8]) -> Result<Json, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The kind of value, for error messages.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) | Json::Float(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The entries of an object to decode into a struct: `null` is an object without entries
    /// (Go leaves the struct as it was), anything else but an object is an error.
    pub(super) fn struct_entries(&self, field: &str) -> DecodeResult<&[(String, Json)]> {
        match self {
            Json::Null => Ok(&[]),
            Json::Object(entries) => Ok(entries),
            other => Err(mismatch(field, "an object", other)),
        }
    }
}

fn mismatch(field: &str, expected: &str, found: &Json) -> String {
    format!("{field}: expected {expected}, found {}", found.kind())
}

/// Whether an object key selects the struct field named `field` (ASCII). Go compares them
/// case-insensitively, also folding the Kelvin sign to `k` and the long s to `s`.
pub(super) fn key_selects(key: &str, field: &str) -> bool {
    let fold = |c: char| match c {
        '\u{212A}' => 'k',
        '\u{17F}' => 's',
        c => c.to_ascii_lowercase(),
    };
    key.chars()
        .map(fold)
        .eq(field.chars().map(|c| c.to_ascii_lowercase()))
}

/// A Go `string` field: `null` leaves it as it was.
pub(super) fn decode_string(target: &mut String, field: &str, value: &Json) -> DecodeResult {
    match value {
        Json::Null => {}
        Json::String(s) => target.clone_from(s),
        other => return Err(mismatch(field, "a string", other)),
    }
    Ok(())
}

/// A Go `*string` field: `null` clears it.
pub(super) fn decode_opt_string(
    target: &mut Option<String>,
    field: &str,
    value: &Json,
) -> DecodeResult {
    *target = match value {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => return Err(mismatch(field, "a string", other)),
    };
    Ok(())
}

/// A Go `*bool` field: `null` clears it.
pub(super) fn decode_opt_bool(
    target: &mut Option<bool>,
    field: &str,
    value: &Json,
) -> DecodeResult {
    *target = match value {
        Json::Null => None,
        Json::Bool(b) => Some(*b),
        other => return Err(mismatch(field, "a boolean", other)),
    };
    Ok(())
}

/// A Go `*int` field (64 bits): only integer literals are accepted, as in Go.
pub(super) fn decode_opt_int(target: &mut Option<i64>, field: &str, value: &Json) -> DecodeResult {
    *target = match value {
        Json::Null => None,
        Json::Int(n) => Some(
            i64::try_from(*n).map_err(|_| format!("{field}: {n} does not fit a 64-bit integer"))?,
        ),
        other => return Err(mismatch(field, "an integer", other)),
    };
    Ok(())
}

/// A Go `[]string` field: `null` clears it, an array replaces it; a `null` element is `""`.
pub(super) fn decode_opt_strings(
    target: &mut Option<Vec<String>>,
    field: &str,
    value: &Json,
) -> DecodeResult {
    *target = match value {
        Json::Null => None,
        Json::Array(items) => Some(
            items
                .iter()
                .map(|item| match item {
                    Json::Null => Ok(String::new()),
                    Json::String(s) => Ok(s.clone()),
                    other => Err(mismatch(field, "an array of strings", other)),
                })
                .collect::<DecodeResult<_>>()?,
        ),
        other => return Err(mismatch(field, "an array of strings", other)),
    };
    Ok(())
}

/// A Go `map[string]string` field: `null` clears it, an object adds its entries to it (a
/// later key replacing an earlier one); a `null` value is `""`.
pub(super) fn decode_opt_string_map(
    target: &mut Option<BTreeMap<String, String>>,
    field: &str,
    value: &Json,
) -> DecodeResult {
    match value {
        Json::Null => *target = None,
        Json::Object(entries) => {
            let map = target.get_or_insert_with(BTreeMap::new);
            for (key, entry) in entries {
                let text = match entry {
                    Json::Null => String::new(),
                    Json::String(s) => s.clone(),
                    other => return Err(mismatch(field, "an object of strings", other)),
                };
                map.insert(key.clone(), text);
            }
        }
        other => return Err(mismatch(field, "an object of strings", other)),
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Int(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Json {
        Json::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn objects_keep_duplicate_keys_in_document_order() {
        let json = parse(r#"{"b": 1, "a": 2, "b": 3}"#);
        let Json::Object(entries) = json else {
            panic!("not an object")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "b"]);
    }

    #[test]
    fn trailing_data_and_bad_syntax_are_errors() {
        assert!(Json::parse(b"{} x").is_err());
        assert!(Json::parse(b"{bad").is_err());
    }

    #[test]
    fn keys_select_fields_case_insensitively_like_go() {
        assert!(key_selects("STAGES", "stages"));
        assert!(key_selects("hasbindmounts", "hasBindMounts"));
        assert!(key_selects("\u{17F}tages", "stages"));
        assert!(key_selects("\u{212A}ey", "key"));
        assert!(!key_selects("stage", "stages"));
        assert!(!key_selects("stagés", "stages"));
    }

    #[test]
    fn null_leaves_a_string_but_clears_a_list() {
        let mut text = "kept".to_owned();
        decode_string(&mut text, "version", &Json::Null).unwrap();
        assert_eq!(text, "kept");
        let mut list = Some(vec!["a".to_owned()]);
        decode_opt_strings(&mut list, "stages", &Json::Null).unwrap();
        assert_eq!(list, None);
    }

    #[test]
    fn string_lists_turn_null_elements_into_empty_strings() {
        let mut list = None;
        decode_opt_strings(&mut list, "cmds", &parse(r#"["a", null]"#)).unwrap();
        assert_eq!(list, Some(vec!["a".to_owned(), String::new()]));
        let err = decode_opt_strings(&mut list, "cmds", &parse("[1]")).unwrap_err();
        assert_eq!(err, "cmds: expected an array of strings, found a number");
    }

    #[test]
    fn maps_merge_repeated_objects() {
        let mut map = None;
        decode_opt_string_map(&mut map, "annotations", &parse(r#"{"a": "1", "b": "2"}"#)).unwrap();
        decode_opt_string_map(&mut map, "annotations", &parse(r#"{"b": "3", "c": null}"#)).unwrap();
        let map = map.unwrap();
        assert_eq!(map["a"], "1");
        assert_eq!(map["b"], "3");
        assert_eq!(map["c"], "");
    }

    #[test]
    fn integers_only_for_int_fields() {
        let mut timeout = None;
        decode_opt_int(&mut timeout, "hook.timeout", &parse("-5")).unwrap();
        assert_eq!(timeout, Some(-5));
        assert!(decode_opt_int(&mut timeout, "hook.timeout", &parse("1.5")).is_err());
        assert!(decode_opt_int(&mut timeout, "hook.timeout", &parse("1e2")).is_err());
        assert!(
            decode_opt_int(&mut timeout, "hook.timeout", &parse("18446744073709551615")).is_err()
        );
        decode_opt_int(&mut timeout, "hook.timeout", &Json::Null).unwrap();
        assert_eq!(timeout, None);
    }

    #[test]
    fn booleans_reject_other_kinds() {
        let mut flag = None;
        decode_opt_bool(&mut flag, "when.always", &parse("true")).unwrap();
        assert_eq!(flag, Some(true));
        let err = decode_opt_bool(&mut flag, "when.always", &parse(r#""yes""#)).unwrap_err();
        assert_eq!(err, "when.always: expected a boolean, found a string");
    }

    #[test]
    fn structs_accept_objects_and_null_only() {
        assert!(parse("null").struct_entries("when").unwrap().is_empty());
        assert_eq!(
            parse(r#"{"a": 1}"#).struct_entries("when").unwrap().len(),
            1
        );
        assert!(parse("[]").struct_entries("when").is_err());
    }
}
