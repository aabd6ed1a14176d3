//! Times as Podman 4.3 reads them: `--since`/`--until` (pkg/util `ParseInputTime`) and the
//! time of a log record.

use crate::error::{CoreError, Result};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// Parses `--since` as Podman does: a date-time, a Unix timestamp, or a duration before `now`.
///
/// The forms, tried in Podman's order:
/// - RFC 3339 with a time zone: `2026-11-22T11:13:03Z`, `2026-11-22T11:13:03.5+01:00`;
/// - the same without a time zone (`2026-11-22T11:13:03`, `2026-11-22T11:13:03.257`), which
///   is UTC (Go's `time.Parse`; Podman 4.3.1 on Debian 12 reads it so whatever `TZ` is);
/// - a date with a zone (`2026-11-22Z`, `2026-11-22+01:00`) or without (`2026-11-22`, UTC):
///   its midnight;
/// - a Unix timestamp in seconds, with or without a fraction (`1700000000`, `1700000000.5`,
///   `-1.25`, `1e9`), in UTC;
/// - a Go duration (`10m`, `1h30m5s`, `1.5h`, `300ms`, `-5m`): `now` minus it.
///
/// Anything else is [`CoreError::InvalidOption`].
///
/// ```
/// use chrono::DateTime;
/// use libpod_core::logs::parse_time;
/// let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").unwrap();
/// let at = |s| parse_time(s, now).unwrap().to_rfc3339();
/// assert_eq!(at("1h30m"), "2026-11-22T10:30:00+00:00");
/// assert_eq!(at("2026-11-22"), "2026-11-22T00:00:00+00:00");
/// assert_eq!(at("1700000000.5"), "2023-11-14T22:13:20.500+00:00");
/// assert!(parse_time("yesterday", now).is_err());
/// ```
pub fn parse_time(value: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>> {
    parse_input_time(value, now, true).ok_or_else(|| invalid("since", value))
}

/// Parses `--until` as Podman 4.3 does: as [`parse_time`], except that a duration counts
/// forward: `10m` is ten minutes after `now` (and `-10m` ten minutes before).
///
/// ```
/// use chrono::DateTime;
/// use libpod_core::logs::parse_until;
/// let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").unwrap();
/// assert_eq!(parse_until("10m", now).unwrap().to_rfc3339(), "2026-11-22T12:10:00+00:00");
/// ```
pub fn parse_until(value: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>> {
    parse_input_time(value, now, false).ok_or_else(|| invalid("until", value))
}

fn invalid(option: &'static str, value: &str) -> CoreError {
    CoreError::InvalidOption {
        option,
        reason: format!("unable to interpret time value {value:?}"),
    }
}

fn parse_input_time(
    value: &str,
    now: DateTime<FixedOffset>,
    since: bool,
) -> Option<DateTime<FixedOffset>> {
    if let Some((datetime, offset, _)) = parse_layout(value) {
        let offset = offset.unwrap_or_else(utc);
        return datetime.and_local_timezone(offset).single();
    }
    if let Some(time) = parse_unix(value) {
        return Some(time);
    }
    let nanos = parse_go_duration(value)?;
    let duration = Duration::nanoseconds(nanos);
    if since {
        now.checked_sub_signed(duration)
    } else {
        now.checked_add_signed(duration)
    }
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("zero is a valid offset"))
}

/// Parses Podman's date layouts (RFC3339Nano, RFC3339, `2006-01-02T15:04:05`,
/// `2006-01-02T15:04:05.999999999`, `2006-01-02Z07:00`, `2006-01-02`): the date and time,
/// the zone if there is one, and whether there was a time of day.
pub(crate) fn parse_layout(text: &str) -> Option<(NaiveDateTime, Option<FixedOffset>, bool)> {
    let bytes = text.as_bytes();
    let date = parse_date(bytes.get(..10)?)?;
    let rest = &bytes[10..];
    let (time, rest) = match rest.first() {
        Some(b'T') => {
            let (time, rest) = parse_clock(&rest[1..])?;
            (Some(time), rest)
        }
        _ => (None, rest),
    };
    let offset = match rest {
        [] => None,
        zone => Some(parse_zone(zone)?),
    };
    let has_time = time.is_some();
    Some((
        date.and_time(time.unwrap_or(NaiveTime::MIN)),
        offset,
        has_time,
    ))
}

/// `YYYY-MM-DD`, a real date.
fn parse_date(bytes: &[u8]) -> Option<NaiveDate> {
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// `HH:MM:SS[.F...]` then whatever follows (the zone). Extra fraction digits past the ninth
/// are read and dropped, as Go does.
fn parse_clock(bytes: &[u8]) -> Option<(NaiveTime, &[u8])> {
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let hour = digits(&bytes[0..2])?;
    let minute = digits(&bytes[3..5])?;
    let second = digits(&bytes[6..8])?;
    let mut rest = &bytes[8..];
    let mut nanos = 0;
    if let Some((b'.', after)) = rest.split_first() {
        let count = after.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        let kept = &after[..count.min(9)];
        nanos = digits(kept)? * 10u32.pow(9 - u32::try_from(kept.len()).ok()?);
        rest = &after[count..];
    }
    Some((
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?,
        rest,
    ))
}

/// `Z` or `±HH:MM`.
fn parse_zone(bytes: &[u8]) -> Option<FixedOffset> {
    match bytes {
        b"Z" => Some(utc()),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if minutes >= 60 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            FixedOffset::east_opt(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => None,
    }
}

/// A run of ASCII digits (at most 9) as a number.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
}

/// A Unix timestamp as Go's `strconv.ParseFloat` reads one in decimal (`1700000000`,
/// `-1.5`, `.5`, `1e9`), split as Podman splits it: whole seconds, then the fraction's
/// nanoseconds truncated toward zero.
fn parse_unix(text: &str) -> Option<DateTime<FixedOffset>> {
    let numeric = |b: &u8| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'e' | b'E');
    if !text.bytes().any(|b| b.is_ascii_digit()) || !text.bytes().all(|b| numeric(&b)) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() || value.abs() >= 9.0e15 {
        return None;
    }
    let whole = value.trunc();
    let mut seconds = truncate(whole);
    let mut nanos = truncate((value - whole) * 1e9);
    if nanos < 0 {
        seconds -= 1;
        nanos += 1_000_000_000;
    }
    let time = DateTime::from_timestamp(seconds, u32::try_from(nanos).ok()?)?;
    Some(time.fixed_offset())
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us (µs, μs),
/// ms, s, m, h, or a bare `0`; in nanoseconds, refusing overflow.
pub(crate) fn parse_go_duration(text: &str) -> Option<i64> {
    const LIMIT: u64 = 1 << 63;
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        if !(bytes[0] == b'.' || bytes[0].is_ascii_digit()) {
            return None;
        }
        let whole_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut whole: u64 = 0;
        for b in &bytes[..whole_len] {
            whole = whole.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            if whole > LIMIT {
                return None;
            }
        }
        let mut cursor = whole_len;
        let (mut fraction, mut scale, mut fraction_len) = (0u64, 1f64, 0usize);
        if bytes.get(cursor) == Some(&b'.') {
            cursor += 1;
            let mut overflowed = false;
            for b in bytes[cursor..].iter().take_while(|b| b.is_ascii_digit()) {
                fraction_len += 1;
                if overflowed {
                    continue;
                }
                match fraction
                    .checked_mul(10)
                    .and_then(|f| f.checked_add(u64::from(b - b'0')))
                {
                    Some(next) if next <= LIMIT => {
                        fraction = next;
                        scale *= 10.0;
                    }
                    _ => overflowed = true,
                }
            }
            cursor += fraction_len;
        }
        if whole_len == 0 && fraction_len == 0 {
            return None;
        }
        let unit_len = bytes[cursor..]
            .iter()
            .take_while(|b| !(**b == b'.' || b.is_ascii_digit()))
            .count();
        let unit = match rest.get(cursor..cursor + unit_len)? {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let mut value = whole.checked_mul(unit).filter(|v| *v <= LIMIT)?;
        if fraction > 0 {
            value += truncate(fraction as f64 * (unit as f64 / scale)).cast_unsigned();
            if value > LIMIT {
                return None;
            }
        }
        total = total.checked_add(value).filter(|t| *t <= LIMIT)?;
        rest = &rest[cursor + unit_len..];
    }
    if negative {
        Some(
            i128::from(total)
                .checked_neg()
                .and_then(|t| i64::try_from(t).ok())?,
        )
    } else {
        i64::try_from(total).ok()
    }
}

/// Drops the fraction, as Go's `int64(float64)` does; the callers bound the value first.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the callers bound the value well inside i64 first"
)]
fn truncate(value: f64) -> i64 {
    value as i64
}

#[cfg(test)]
#[path = "time_tests.rs"]
mod tests;
