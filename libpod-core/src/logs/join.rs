//! Joining partial records into lines, per stream.

use super::record::Record;
use super::{LogLine, Stream};
use chrono::{DateTime, FixedOffset};

/// The longest message a line may reach: a longer run of partial records (a container
/// writing megabytes without a newline) is cut into lines of about this size, so that memory
/// stays bounded.
pub(crate) const MAX_MESSAGE: usize = 1 << 20;

/// A line being assembled from partial records.
#[derive(Debug)]
struct Pending {
    time: DateTime<FixedOffset>,
    bytes: Vec<u8>,
}

/// Joins `P` records with the records of the same stream that follow them, up to and
/// including the next `F` record of that stream.
#[derive(Debug, Default)]
pub(crate) struct Joiner {
    /// Indexed by [`slot`].
    pending: [Option<Pending>; 2],
}

pub(crate) fn slot(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

impl Joiner {
    /// Adds a record; returns the line it completes, if any.
    pub(crate) fn push(&mut self, record: &Record<'_>) -> Option<LogLine> {
        let pending = &mut self.pending[slot(record.stream)];
        match pending {
            Some(line) => line.bytes.extend_from_slice(record.message),
            None => {
                *pending = Some(Pending {
                    time: record.time,
                    bytes: record.message.to_vec(),
                })
            }
        }
        let full = pending
            .as_ref()
            .is_some_and(|p| p.bytes.len() >= MAX_MESSAGE);
        if record.partial && !full {
            return None;
        }
        pending
            .take()
            .map(|line| finish(line.time, record.stream, line.bytes))
    }

    /// The lines still waiting for their last part, oldest first: at the end of a log no one
    /// writes any more (a process that exited mid-line leaves a final `P` record).
    pub(crate) fn flush(&mut self) -> Vec<LogLine> {
        let mut lines: Vec<LogLine> = [Stream::Stdout, Stream::Stderr]
            .into_iter()
            .filter_map(|stream| {
                self.pending[slot(stream)]
                    .take()
                    .map(|line| finish(line.time, stream, line.bytes))
            })
            .collect();
        // Stable: stdout first when the times are equal.
        lines.sort_by_key(|line| line.time);
        lines
    }
}

fn finish(time: DateTime<FixedOffset>, stream: Stream, bytes: Vec<u8>) -> LogLine {
    let message = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    LogLine {
        time,
        stream,
        message,
    }
}
