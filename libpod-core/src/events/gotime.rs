//! Times as Go writes them: `time.Time`'s JSON (RFC 3339 with nanoseconds, trailing zeros
//! dropped, `Z` for UTC) and its `String()` (`2024-05-01 10:00:00.5 +0000 UTC`).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serializer};

/// `2024-05-01T10:00:00.5Z`, `2024-05-01T12:00:00+02:00`: Go's `RFC3339Nano`.
pub(crate) fn rfc3339_nano(time: &DateTime<FixedOffset>) -> String {
    let zone = if time.offset().local_minus_utc() == 0 {
        "Z".to_string()
    } else {
        time.format("%:z").to_string()
    };
    format!(
        "{}{}{zone}",
        time.format("%Y-%m-%dT%H:%M:%S"),
        fraction(time)
    )
}

/// Go's `Time.String()` of a time read from JSON: the zone named `UTC` at offset 0, else
/// the offset twice (Go's unnamed fixed zone).
pub(crate) fn go_string(time: &DateTime<FixedOffset>) -> String {
    let offset = time.format("%z").to_string();
    let zone = if time.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        offset.clone()
    };
    format!(
        "{}{} {offset} {zone}",
        time.format("%Y-%m-%d %H:%M:%S"),
        fraction(time)
    )
}

/// `.123`, or nothing for a whole second.
fn fraction(time: &DateTime<FixedOffset>) -> String {
    let nanos = time.timestamp_subsec_nanos();
    if nanos == 0 {
        return String::new();
    }
    format!(".{nanos:09}").trim_end_matches('0').to_string()
}

pub(crate) fn serialize<S: Serializer>(
    time: &DateTime<FixedOffset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339_nano(time))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<FixedOffset>, D::Error> {
    let text = String::deserialize(deserializer)?;
    DateTime::parse_from_rfc3339(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn json_times_are_go_rfc3339_nano() {
        assert_eq!(
            rfc3339_nano(&at("2024-05-01T10:00:00Z")),
            "2024-05-01T10:00:00Z"
        );
        assert_eq!(
            rfc3339_nano(&at("2024-05-01T10:00:00.120000000+00:00")),
            "2024-05-01T10:00:00.12Z"
        );
        assert_eq!(
            rfc3339_nano(&at("2024-05-01T10:00:00.000000007+02:00")),
            "2024-05-01T10:00:00.000000007+02:00"
        );
    }

    #[test]
    fn strings_are_go_time_string() {
        assert_eq!(
            go_string(&at("2024-05-01T10:00:00.5Z")),
            "2024-05-01 10:00:00.5 +0000 UTC"
        );
        assert_eq!(
            go_string(&at("2024-05-01T10:00:00+01:30")),
            "2024-05-01 10:00:00 +0130 +0130"
        );
    }
}
