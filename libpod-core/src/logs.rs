//! Reading k8s-file container logs (`podman logs`): follow, since, until, tail, timestamps,
//! stdout and stderr apart.
//!
//! conmon writes one line per chunk of output: `RFC3339NANO STREAM TAG MESSAGE`, where STREAM
//! is `stdout` or `stderr` and TAG is `F` (a full line) or `P` (a partial line, continued by
//! the next record of the same stream).

use crate::error::Result;
use chrono::{DateTime, FixedOffset};
use std::path::Path;

/// Which output a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One line of a container's output, partial records joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When conmon read its first part.
    pub time: DateTime<FixedOffset>,
    /// Its stream.
    pub stream: Stream,
    /// The text, without the line terminator.
    pub message: String,
}

/// What to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogOptions {
    /// Keep reading new lines until the container stops (`-f`).
    pub follow: bool,
    /// Only lines at or after this time (`--since`).
    pub since: Option<DateTime<FixedOffset>>,
    /// Only lines before this time (`--until`).
    pub until: Option<DateTime<FixedOffset>>,
    /// Only the last N lines (`--tail`); `None` is all.
    pub tail: Option<usize>,
    /// Leave out stdout.
    pub no_stdout: bool,
    /// Leave out stderr.
    pub no_stderr: bool,
}

/// Parses one k8s-file record into (time, stream, partial, message).
pub fn parse_record(line: &str) -> Result<(DateTime<FixedOffset>, Stream, bool, &str)> {
    let _ = line;
    todo!("helper C")
}

/// Parses `--since`/`--until` as Podman does: RFC 3339 (with or without time zone), a Unix
/// timestamp (`1700000000`, `1700000000.5`), or a duration before `now` (`10m`, `1h30m`).
pub fn parse_time(value: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>> {
    let _ = (value, now);
    todo!("helper C")
}

/// Reads the log at `path`, calling `emit` for each line that passes `options`. With `follow`,
/// keeps waiting for new lines (handling truncation by conmon) until `still_running` returns
/// false and the file has been read to its end; `emit` returning false stops early.
pub fn read_log(
    path: &Path,
    options: &LogOptions,
    still_running: &dyn Fn() -> bool,
    emit: &mut dyn FnMut(&LogLine) -> bool,
) -> Result<()> {
    let _ = (path, options, still_running, emit);
    todo!("helper C")
}
