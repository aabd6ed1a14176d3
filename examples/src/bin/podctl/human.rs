//! Sizes, durations and times written as Podman writes them (docker/go-units' `HumanDuration`
//! and `HumanSizeWithPrecision`, Go's `time.Time.String`), so that a script parsing Podman's
//! output parses podctl's.

use chrono::{DateTime, Utc};

/// go-units' `HumanDuration`: `Less than a second`, `5 seconds`, `About a minute`,
/// `3 hours`, `2 weeks`, `4 months`, `2 years`.
pub fn duration(seconds: i64) -> String {
    // Go's int(d.Hours() + 0.5), in integers (the value matters only for a positive duration).
    let hours = seconds.saturating_add(1800) / 3600;
    match seconds {
        s if s < 1 => "Less than a second".into(),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        s if s / 60 == 1 => "About a minute".into(),
        s if s / 60 < 60 => format!("{} minutes", s / 60),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        s => format!("{} years", s / 3600 / 24 / 365),
    }
}

/// `duration` since `time`, with Podman's ` ago`.
pub fn ago(time: DateTime<Utc>) -> String {
    format!("{} ago", duration((Utc::now() - time).num_seconds()))
}

/// go-units' `HumanSizeWithPrecision(size, 3)` with a space before the unit, as Podman's
/// `images` prints sizes: `1.47 MB`, `512 B`, `12.3 kB` (decimal units).
pub fn size(bytes: u64) -> String {
    let (number, unit) = scaled(bytes, 1000.0, &DECIMAL_UNITS, 3);
    format!("{number} {unit}")
}

/// go-units' decimal units.
pub const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// go-units' binary units.
pub const BINARY_UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/// `bytes` divided by `base` until below it, with Go's `%.Ng` (`digits` significant digits,
/// trailing zeros dropped), and its unit: go-units' `CustomSize`.
pub fn scaled<'u>(bytes: u64, base: f64, units: &[&'u str], digits: usize) -> (String, &'u str) {
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= base && unit < units.len() - 1 {
        value /= base;
        unit += 1;
    }
    (significant(value, digits), units[unit])
}

/// Go's `%.Ng` for 0 <= value < 10^N: N significant digits, trailing zeros dropped.
fn significant(value: f64, digits: usize) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let mut whole_digits = 1;
    let mut bound = 10.0;
    while value >= bound && whole_digits < digits {
        whole_digits += 1;
        bound *= 10.0;
    }
    let decimals = if value < 1.0 {
        digits
    } else {
        digits - whole_digits
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Go's `time.Time.String()` of a UTC time: `2024-01-01 00:00:00 +0000 UTC` (fractional
/// seconds only when there are any, without trailing zeros).
pub fn go_time(time: DateTime<Utc>) -> String {
    let nanos = time.timestamp_subsec_nanos();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    };
    format!("{}{fraction} +0000 UTC", time.format("%Y-%m-%d %H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_units_writes_them() {
        assert_eq!(duration(0), "Less than a second");
        assert_eq!(duration(1), "1 second");
        assert_eq!(duration(59), "59 seconds");
        assert_eq!(duration(90), "About a minute");
        assert_eq!(duration(59 * 60), "59 minutes");
        assert_eq!(duration(3600), "About an hour");
        assert_eq!(duration(47 * 3600), "47 hours");
        assert_eq!(duration(13 * 24 * 3600), "13 days");
        assert_eq!(duration(30 * 24 * 3600), "4 weeks");
        assert_eq!(duration(300 * 24 * 3600), "10 months");
        assert_eq!(duration(800 * 24 * 3600), "2 years");
    }

    #[test]
    fn sizes_as_go_units_writes_them() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1_474_560), "1.47 MB");
        assert_eq!(size(1_500_000), "1.5 MB");
        assert_eq!(size(12_345), "12.3 kB");
        assert_eq!(size(2_000_000_000), "2 GB");
    }

    #[test]
    fn times_as_go_prints_them() {
        let t = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(go_time(t.into()), "2024-01-01 00:00:00 +0000 UTC");
        let t = DateTime::parse_from_rfc3339("2024-01-01T00:00:00.5Z").unwrap();
        assert_eq!(go_time(t.into()), "2024-01-01 00:00:00.5 +0000 UTC");
    }
}
