//! Reading k8s-file container logs (`podman logs`): follow, since, until, tail, timestamps,
//! stdout and stderr apart.
//!
//! conmon writes one line per chunk of output: `RFC3339NANO STREAM TAG MESSAGE`, where STREAM
//! is `stdout` or `stderr` and TAG is `F` (a full line) or `P` (a partial line, continued by
//! the next record of the same stream). See [`parse_record`].
//!
//! [`read_log`] joins partial records into whole lines, per stream, and differs from Podman
//! 4.3 where Podman's output is garbled: Podman prints each partial record as it comes (so a
//! stderr line can land in the middle of a stdout line) and its `--tail` counts records, not
//! lines.
//!
//! ```no_run
//! use libpod_core::logs::{read_log, LogOptions};
//! # use std::path::Path;
//! let mut options = LogOptions::default();
//! options.tail = Some(10);
//! read_log(Path::new("/path/to/ctr.log"), &options, &|| false, &mut |line| {
//!     println!("{} {}", line.time.to_rfc3339(), line.message);
//!     true
//! })?;
//! # Ok::<(), libpod_core::CoreError>(())
//! ```

pub(crate) mod follow;
mod join;
mod read;
pub(crate) mod reader;
mod record;
mod tail;
#[cfg(test)]
mod test_support;
mod time;

pub use read::read_log;
pub(crate) use read::{read_log_until, read_opened_log_until};
pub use record::parse_record;
pub use time::{parse_time, parse_until};

use chrono::{DateTime, FixedOffset};
use std::fmt;

/// Which output a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// The name conmon writes: `stdout` or `stderr`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a container's output, partial records joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When conmon read its first part.
    pub time: DateTime<FixedOffset>,
    /// Its stream.
    pub stream: Stream,
    /// The text, without the line terminator. Bytes that are not UTF-8 are replaced by
    /// U+FFFD (after joining the parts, so a character split across records survives).
    pub message: String,
}

/// What to read.
///
/// `since` and `until` are compared with each line's time (that of its first part), both
/// exclusive as in Podman: a line exactly at `since` or exactly at `until` is left out.
/// `tail` picks the last lines of the file first, whatever their stream; `since`, `until`,
/// `no_stdout` and `no_stderr` then filter them (Podman's order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogOptions {
    /// Keep reading new lines until the container stops (`-f`).
    pub follow: bool,
    /// Only lines after this time (`--since`).
    pub since: Option<DateTime<FixedOffset>>,
    /// Only lines before this time (`--until`). When following, reading also stops once the
    /// clock passes it.
    pub until: Option<DateTime<FixedOffset>>,
    /// Only the last N lines (`--tail`); `None` is all.
    pub tail: Option<usize>,
    /// Leave out stdout.
    pub no_stdout: bool,
    /// Leave out stderr.
    pub no_stderr: bool,
}

impl LogOptions {
    /// Whether `line` passes the time and stream filters.
    pub fn accepts(&self, line: &LogLine) -> bool {
        let stream_wanted = match line.stream {
            Stream::Stdout => !self.no_stdout,
            Stream::Stderr => !self.no_stderr,
        };
        stream_wanted
            && self.since.is_none_or(|since| line.time > since)
            && self.until.is_none_or(|until| line.time < until)
    }
}
