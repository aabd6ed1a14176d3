use super::*;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00+01:00").unwrap()
}

fn since(value: &str) -> String {
    parse_time(value, now()).unwrap().to_rfc3339()
}

fn until(value: &str) -> String {
    parse_until(value, now()).unwrap().to_rfc3339()
}

#[test]
fn rfc3339_with_a_zone_keeps_it() {
    assert_eq!(since("2026-11-22T11:13:03Z"), "2026-11-22T11:13:03+00:00");
    assert_eq!(
        since("2026-11-22T11:13:03+02:00"),
        "2026-11-22T11:13:03+02:00"
    );
    assert_eq!(
        since("2026-11-22T11:13:03.257834599-05:00"),
        "2026-11-22T11:13:03.257834599-05:00"
    );
    assert_eq!(
        since("2026-11-22T11:13:03.5Z"),
        "2026-11-22T11:13:03.500+00:00"
    );
}

#[test]
fn date_time_without_zone_is_utc() {
    // Podman 4.3.1 (Go's time.Parse) reads it as UTC, whatever TZ says: checked on Debian 12
    // with `TZ=America/New_York podman logs --since 2026-11-25T16:02:07.4`.
    assert_eq!(since("2026-11-22T11:13:03"), "2026-11-22T11:13:03+00:00");
    assert_eq!(
        since("2026-11-22T11:13:03.25"),
        "2026-11-22T11:13:03.250+00:00"
    );
}

#[test]
fn dates_are_their_midnight() {
    assert_eq!(since("2026-11-22"), "2026-11-22T00:00:00+00:00");
    assert_eq!(since("2026-11-22Z"), "2026-11-22T00:00:00+00:00");
    assert_eq!(since("2026-11-22+01:00"), "2026-11-22T00:00:00+01:00");
    assert_eq!(since("2024-02-29"), "2024-02-29T00:00:00+00:00");
}

#[test]
fn unix_timestamps_with_fractions() {
    assert_eq!(since("1700000000"), "2023-11-14T22:13:20+00:00");
    assert_eq!(since("1700000000.25"), "2023-11-14T22:13:20.250+00:00");
    assert_eq!(since("0"), "1970-01-01T00:00:00+00:00");
    assert_eq!(since("1e9"), "2001-09-09T01:46:40+00:00");
    assert_eq!(since("-1.5"), "1969-12-31T23:59:58.500+00:00");
    assert_eq!(since(".5"), "1970-01-01T00:00:00.500+00:00");
    // A bare number is a timestamp, never a duration (Go durations need a unit).
    assert_eq!(since("10"), "1970-01-01T00:00:10+00:00");
}

#[test]
fn durations_count_back_for_since_and_forward_for_until() {
    assert_eq!(since("10m"), "2026-11-22T11:50:00+01:00");
    assert_eq!(since("1h30m5s"), "2026-11-22T10:29:55+01:00");
    assert_eq!(since("1.5h"), "2026-11-22T10:30:00+01:00");
    assert_eq!(since("250ms"), "2026-11-22T11:59:59.750+01:00");
    assert_eq!(since("-5m"), "2026-11-22T12:05:00+01:00");
    assert_eq!(since("+5m"), "2026-11-22T11:55:00+01:00");
    // Podman 4.3.1: `podman logs --until 10m` shows lines written a minute ago.
    assert_eq!(until("10m"), "2026-11-22T12:10:00+01:00");
    assert_eq!(until("-10m"), "2026-11-22T11:50:00+01:00");
    assert_eq!(until("2026-11-22"), "2026-11-22T00:00:00+00:00");
}

#[test]
fn go_durations() {
    let d = |s| parse_go_duration(s);
    assert_eq!(d("0"), Some(0));
    assert_eq!(d("-0"), Some(0));
    assert_eq!(d("1ns"), Some(1));
    assert_eq!(d("1us"), Some(1_000));
    assert_eq!(d("1\u{b5}s"), Some(1_000));
    assert_eq!(d("1\u{3bc}s"), Some(1_000));
    assert_eq!(d("1ms"), Some(1_000_000));
    assert_eq!(d("2h45m"), Some((2 * 3600 + 45 * 60) * 1_000_000_000));
    assert_eq!(d(".5s"), Some(500_000_000));
    assert_eq!(d("5.s"), Some(5_000_000_000));
    assert_eq!(d("1.0000000001s"), Some(1_000_000_000));
    assert_eq!(d("2562047h"), Some(2_562_047 * 3_600_000_000_000));
    assert_eq!(d("-9223372036854775808ns"), Some(i64::MIN));
    for bad in [
        "",
        "-",
        "s",
        "5",
        "1",
        "5x",
        "1.5",
        ".s",
        "1h 30m",
        "1H",
        "1d",
        "9223372036854775808ns",
        "2562048h",
        "1e3s",
        "h1",
    ] {
        assert_eq!(d(bad), None, "{bad:?}");
    }
}

#[test]
fn other_input_is_refused_naming_the_option() {
    for bad in [
        "",
        "yesterday",
        "2026-13-01",
        "2026-11-31",
        "2026-11-22T11:13",
        "2026-11-22T11:13:03+1",
        "2026/11/22",
        "1h 30m",
        "inf",
        "NaN",
        "1e400",
        "2026-11-22 11:13:03",
    ] {
        let err = parse_time(bad, now()).unwrap_err();
        assert!(
            matches!(
                &err,
                CoreError::InvalidOption {
                    option: "since",
                    ..
                }
            ),
            "{bad:?}: {err}"
        );
        assert!(err.to_string().contains("unable to interpret time value"));
    }
    let err = parse_until("never", now()).unwrap_err();
    assert!(matches!(
        err,
        CoreError::InvalidOption {
            option: "until",
            ..
        }
    ));
}

#[test]
fn out_of_range_results_are_errors_not_panics() {
    assert!(parse_time("2562047h", DateTime::<chrono::Utc>::MIN_UTC.fixed_offset()).is_err());
    assert!(parse_until("2562047h", DateTime::<chrono::Utc>::MAX_UTC.fixed_offset()).is_err());
    assert!(parse_time("99999999999999", now()).is_err());
}
