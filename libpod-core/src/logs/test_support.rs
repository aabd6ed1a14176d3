//! Writing k8s-file logs and reading them back, for the tests of this module.

use super::{LogLine, LogOptions, Stream, read_log};
use chrono::{DateTime, Duration, FixedOffset};
use std::path::Path;

/// The time of record `n`: `n` milliseconds after a fixed instant.
pub(crate) fn at(n: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-22T11:13:03+00:00").unwrap() + Duration::milliseconds(n)
}

/// A record line as conmon writes it, newline included.
pub(crate) fn rec(n: i64, stream: Stream, partial: bool, message: &str) -> String {
    format!(
        "{} {stream} {} {message}\n",
        at(n).format("%Y-%m-%dT%H:%M:%S%.9f%:z"),
        if partial { "P" } else { "F" }
    )
}

/// Shorthands for [`rec`].
pub(crate) fn out(n: i64, message: &str) -> String {
    rec(n, Stream::Stdout, false, message)
}
pub(crate) fn out_p(n: i64, message: &str) -> String {
    rec(n, Stream::Stdout, true, message)
}
pub(crate) fn err(n: i64, message: &str) -> String {
    rec(n, Stream::Stderr, false, message)
}
pub(crate) fn err_p(n: i64, message: &str) -> String {
    rec(n, Stream::Stderr, true, message)
}

/// Reads `path` without following.
pub(crate) fn read(path: &Path, options: &LogOptions) -> Vec<LogLine> {
    let mut lines = Vec::new();
    read_log(path, options, &|| false, &mut |line| {
        lines.push(line.clone());
        true
    })
    .unwrap();
    lines
}

/// The messages of `lines`, prefixed `o:` or `e:` by stream.
pub(crate) fn texts(lines: &[LogLine]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let prefix = match line.stream {
                Stream::Stdout => "o:",
                Stream::Stderr => "e:",
            };
            format!("{prefix}{}", line.message)
        })
        .collect()
}

/// Options with a tail.
pub(crate) fn tail(count: usize) -> LogOptions {
    LogOptions {
        tail: Some(count),
        ..LogOptions::default()
    }
}
