use super::*;
use crate::CoreError;

fn ok(line: &str) -> (String, Stream, bool, &str) {
    let (time, stream, partial, message) = parse_record(line).unwrap();
    (time.to_rfc3339(), stream, partial, message)
}

fn reason(line: &str) -> &'static str {
    match parse_record(line).unwrap_err() {
        CoreError::LogRecord { reason, .. } => reason,
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn full_and_partial_records_of_both_streams() {
    assert_eq!(
        ok("2026-11-22T11:13:03.257834599+00:00 stdout F out-line"),
        (
            "2026-11-22T11:13:03.257834599+00:00".into(),
            Stream::Stdout,
            false,
            "out-line"
        )
    );
    assert_eq!(
        ok("2026-11-22T11:13:03.257834599+00:00 stderr P part"),
        (
            "2026-11-22T11:13:03.257834599+00:00".into(),
            Stream::Stderr,
            true,
            "part"
        )
    );
}

#[test]
fn message_is_the_rest_after_exactly_one_space() {
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F  lead").3, " lead");
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F a  b  ").3, "a  b  ");
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F ").3, "");
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F a\tb\r").3, "a\tb\r");
    assert_eq!(
        ok("2026-11-22T11:13:03Z stdout F stdout F x").3,
        "stdout F x"
    );
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F ünïcödé ✓").3, "ünïcödé ✓");
}

#[test]
fn one_trailing_newline_is_tolerated() {
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F hi\n").3, "hi");
    assert_eq!(ok("2026-11-22T11:13:03Z stdout F \n").3, "");
}

#[test]
fn time_keeps_its_offset_and_nanoseconds() {
    let (time, ..) = parse_record("2026-11-22T11:13:03.000000001-03:30 stdout F x").unwrap();
    assert_eq!(time.offset().local_minus_utc(), -(3 * 3600 + 30 * 60));
    assert_eq!(time.timestamp_subsec_nanos(), 1);
    let (time, ..) = parse_record("2026-11-22T11:13:03+05:45 stdout F x").unwrap();
    assert_eq!(time.to_rfc3339(), "2026-11-22T11:13:03+05:45");
    // More than nine fraction digits: the extra ones are dropped, as Go does.
    let (time, ..) = parse_record("2026-11-22T11:13:03.1234567891Z stdout F x").unwrap();
    assert_eq!(time.timestamp_subsec_nanos(), 123_456_789);
}

#[test]
fn malformed_records_are_refused_with_the_reason() {
    assert_eq!(reason(""), "no stream");
    assert_eq!(reason("garbage"), "no stream");
    assert_eq!(reason("yesterday stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22T11:13:03 stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22 11:13:03Z stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22t11:13:03Z stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22T11:13:03z stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22T25:13:03Z stdout F x"), "invalid time");
    assert_eq!(reason("2026-02-30T11:13:03Z stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22T11:13:60Z stdout F x"), "invalid time");
    assert_eq!(reason("2026-11-22T11:13:03.Z stdout F x"), "invalid time");
    assert_eq!(
        reason("2026-11-22T11:13:03+0100 stdout F x"),
        "invalid time"
    );
    assert_eq!(reason("2026-11-22T11:13:03Z stdout"), "no tag");
    assert_eq!(
        reason("2026-11-22T11:13:03Z stdin F x"),
        "stream is neither stdout nor stderr"
    );
    assert_eq!(
        reason("2026-11-22T11:13:03Z  stdout F x"),
        "stream is neither stdout nor stderr"
    );
    assert_eq!(
        reason("2026-11-22T11:13:03Z stdout F"),
        "no message separator"
    );
    assert_eq!(
        reason("2026-11-22T11:13:03Z stdout X x"),
        "tag is neither F nor P"
    );
    assert_eq!(
        reason("2026-11-22T11:13:03Z stdout f x"),
        "tag is neither F nor P"
    );
    assert_eq!(
        reason("2026-11-22T11:13:03Z stdout FP x"),
        "tag is neither F nor P"
    );
}

#[test]
fn the_error_quotes_the_line_shortened() {
    let long = format!("bad {}", "x".repeat(1000));
    let err = parse_record(&long).unwrap_err();
    let CoreError::LogRecord { line, .. } = &err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(line.len(), 200);
    assert!(line.starts_with("bad xxx"));
    assert!(
        err.to_string()
            .starts_with("malformed log record \"bad xxx")
    );
}

#[test]
fn bytes_that_are_not_utf8_parse_as_bytes() {
    let record = parse_record_bytes(b"2026-11-22T11:13:03Z stdout P \xff\xfe").unwrap();
    assert_eq!(record.message, b"\xff\xfe");
    assert!(record.partial);
}

#[test]
fn every_line_of_a_real_conmon_log_parses() {
    let log = include_str!("testdata/conmon-k8s-file.log");
    let records: Vec<_> = log
        .split_terminator('\n')
        .map(|line| parse_record(line).unwrap())
        .collect();
    assert_eq!(records.len(), 11);
    assert_eq!(records[0].3, "out-line");
    assert_eq!((records[1].2, records[1].3), (true, "partial-no-newline"));
    assert_eq!(records[2].1, Stream::Stderr);
    assert_eq!(records[4].3, "  two  spaces  ");
    assert_eq!(records[5].3, "");
    assert_eq!(records[6].3, "a\tb\r");
    // A 20000-byte line without a newline, read by conmon in 8 KiB chunks.
    let parts: Vec<_> = records[7..].iter().map(|r| (r.2, r.3.len())).collect();
    assert_eq!(
        parts,
        [(true, 8192), (true, 8192), (true, 3616), (false, 0)]
    );
}
