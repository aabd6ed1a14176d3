//! One k8s-file record: `TIME STREAM TAG MESSAGE`.
//!
//! conmon (ctr_logging.c, `write_k8s_log`) writes, for each chunk read from the container's
//! stdout or stderr and for each line in it: the time the chunk was read (local time,
//! `%Y-%m-%dT%H:%M:%S.%09ld` and a `+HH:MM` offset), a space, `stdout` or `stderr`, a space,
//! `F` when the line ended with a newline or `P` when the chunk ended mid-line, a space, the
//! line's bytes and a newline. The message may be empty and may hold any byte but a newline.

use super::Stream;
use super::time::parse_layout;
use crate::error::{CoreError, Result};
use chrono::{DateTime, FixedOffset};

/// How much of a malformed line an error quotes.
const QUOTED: usize = 200;

/// A parsed record; the message is raw bytes (container output need not be UTF-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    pub time: DateTime<FixedOffset>,
    pub stream: Stream,
    pub partial: bool,
    pub message: &'a [u8],
}

/// Parses one k8s-file record into (time, stream, partial, message).
///
/// `line` is one line of the log, without its newline (a single trailing `\n` is tolerated
/// and left out of the message). The record must be an RFC 3339 time with a time zone
/// (`Z` or `±HH:MM`, any number of fraction digits), exactly one space, `stdout` or `stderr`,
/// one space, `F` (a full line) or `P` (a partial line, continued by the next records of the
/// same stream), one space and the message: the rest of the line, which may be empty and may
/// contain spaces. Anything else is a [`CoreError::LogRecord`] quoting the line.
///
/// ```
/// use libpod_core::logs::{parse_record, Stream};
/// let (time, stream, partial, message) =
///     parse_record("2026-11-22T11:13:03.257834599+00:00 stdout F out  line").unwrap();
/// assert_eq!(time.timestamp_subsec_nanos(), 257_834_599);
/// assert_eq!((stream, partial, message), (Stream::Stdout, false, "out  line"));
/// assert!(parse_record("2026-11-22T11:13:03Z stdout X message").is_err());
/// ```
pub fn parse_record(line: &str) -> Result<(DateTime<FixedOffset>, Stream, bool, &str)> {
    let record = parse_record_bytes(line.as_bytes())?;
    // The message is a suffix of `line` starting right after an ASCII space: a char boundary.
    let start = line.len() - line.strip_suffix('\n').map_or(0, |_| 1) - record.message.len();
    let message = &line[start..start + record.message.len()];
    Ok((record.time, record.stream, record.partial, message))
}

/// [`parse_record`] on bytes, as they come from the file.
pub(crate) fn parse_record_bytes(line: &[u8]) -> Result<Record<'_>> {
    let line_without_newline = line.strip_suffix(b"\n").unwrap_or(line);
    let malformed = |reason: &'static str| CoreError::LogRecord {
        line: String::from_utf8_lossy(
            &line_without_newline[..line_without_newline.len().min(QUOTED)],
        )
        .into_owned(),
        reason,
    };
    let (time, rest) = split_field(line_without_newline).ok_or_else(|| malformed("no stream"))?;
    let time = std::str::from_utf8(time)
        .ok()
        .and_then(parse_rfc3339)
        .ok_or_else(|| malformed("invalid time"))?;
    let (stream, rest) = split_field(rest).ok_or_else(|| malformed("no tag"))?;
    let stream = match stream {
        b"stdout" => Stream::Stdout,
        b"stderr" => Stream::Stderr,
        _ => return Err(malformed("stream is neither stdout nor stderr")),
    };
    let (tag, message) = split_field(rest).ok_or_else(|| malformed("no message separator"))?;
    let partial = match tag {
        b"F" => false,
        b"P" => true,
        _ => return Err(malformed("tag is neither F nor P")),
    };
    Ok(Record {
        time,
        stream,
        partial,
        message,
    })
}

/// Splits at the first space: (before, after). `None` without a space.
fn split_field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&b| b == b' ')?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

/// A record's time: `YYYY-MM-DDTHH:MM:SS[.F...](Z|±HH:MM)`, strictly (upper-case `T` and `Z`,
/// as conmon writes and Go's `time.Parse` with RFC 3339 reads).
fn parse_rfc3339(text: &str) -> Option<DateTime<FixedOffset>> {
    match parse_layout(text)? {
        (datetime, Some(offset), true) => datetime.and_local_timezone(offset).single(),
        _ => None,
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
