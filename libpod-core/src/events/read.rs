//! Reading the event file: everything there (`--stream=false`), or following it as it grows
//! (`podman events`), through rotations. The waiting is the log reader's (`logs/follow.rs`:
//! a few short pauses, then inotify on the file and its directory).

use super::{Event, EventFilter, EventStatus, EventType};
use crate::error::{CoreError, Result};
use crate::logs::follow::{POLL_INTERVAL, Waiter};
use crate::logs::reader::LineReader;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// How to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Which events to pass on (keys, since, until).
    pub filter: EventFilter,
    /// Keep reading new events as they come (`--stream`, Podman's default); the read ends
    /// when the `until` time passes or the caller's `stop` says so.
    pub stream: bool,
    /// Read from the beginning of the file. Without it a stream shows only new events (as
    /// Podman, which reads from the start only with `--since` or `--until`); a read that
    /// does not stream always starts at the beginning.
    pub from_start: bool,
}

/// Reads the event file at `path`, passing each event that `options.filter` accepts to
/// `sink` in the file's order, until `sink` returns false, the end of the file (without
/// `stream`), the `until` time, or `stop()` returns true (asked at least every 200 ms while
/// waiting). A missing file has no events yet (a stream waits for it). A line that is not an
/// event (a writer killed mid-line, a foreign file) is skipped with a warning.
///
/// When the file is rotated while it is followed, what was not read of the old file is read
/// first, then the new file from its last `log-rotation` event on (the rest of it is the old
/// file's newer half, already read). Two rotations between two looks lose the events between.
///
/// ```no_run
/// use libpod_core::events::{read_events, EventFilter, ReadOptions};
/// let mut options = ReadOptions::default();
/// options.filter = EventFilter::parse(&["type=container"])?;
/// read_events("/run/libpod-rs/events/events.log".as_ref(), &options, &|| false, &mut |event| {
///     println!("{}", event.to_human());
///     true
/// })?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn read_events(
    path: &Path,
    options: &ReadOptions,
    stop: &dyn Fn() -> bool,
    sink: &mut dyn FnMut(Event) -> bool,
) -> Result<()> {
    let from_start = options.from_start || !options.stream;
    let mut waiter = Waiter::new(path);
    let mut reader = match open(path)? {
        Some(file) => {
            let offset = if from_start {
                0
            } else {
                file.metadata()
                    .map_err(|e| CoreError::io("stat", path, e))?
                    .len()
            };
            Some(LineReader::new(file, offset).map_err(|e| CoreError::io("read", path, e))?)
        }
        None => None,
    };
    let until = options.filter.until_time();
    loop {
        if let Some(reader) = &mut reader {
            while let Some(line) = reader
                .next_line()
                .map_err(|e| CoreError::io("read", path, e))?
            {
                let Some(event) = parse(path, &line) else {
                    continue;
                };
                if options.filter.accepts(&event) && !sink(event) {
                    return Ok(());
                }
            }
        }
        if !options.stream || stop() {
            return Ok(());
        }
        let now = chrono::Local::now().fixed_offset();
        let mut timeout = POLL_INTERVAL;
        if let Some(until) = until {
            match (until - now).to_std() {
                Ok(left) if !left.is_zero() => timeout = timeout.min(left),
                _ => return Ok(()),
            }
        }
        if let Some(reopened) = reopen_if_replaced(path, reader.as_ref())? {
            reader = Some(reopened);
            waiter.watch_file(path);
            continue;
        }
        waiter.wait(timeout.max(Duration::from_millis(1)));
    }
}

fn open(path: &Path) -> Result<Option<File>> {
    match File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(CoreError::io("open", path, err)),
    }
}

fn parse(path: &Path, line: &[u8]) -> Option<Event> {
    match serde_json::from_slice(line) {
        Ok(event) => Some(event),
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "skipping a line that is not an event");
            None
        }
    }
}

/// A reader of the file now at `path` when it is not the one `current` reads (rotated, or
/// created since), placed at its last rotation event; `None` when it is the same file.
fn reopen_if_replaced(path: &Path, current: Option<&LineReader>) -> Result<Option<LineReader>> {
    let Ok(now_there) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if let Some(current) = current {
        let reading = current
            .file()
            .metadata()
            .map_err(|e| CoreError::io("stat", path, e))?;
        if (reading.dev(), reading.ino()) == (now_there.dev(), now_there.ino()) {
            return Ok(None);
        }
    }
    // A writer renames the new file into place and then appends its rotation event, under
    // the writers' lock: taken (shared) here, the event is there.
    let _lock = File::open(super::file::lock_path(path))
        .and_then(|lock| lock.lock_shared().map(|()| lock))
        .ok();
    let Some(file) = open(path)? else {
        return Ok(None);
    };
    let offset = if current.is_some() {
        last_rotation(path, &file)?
    } else {
        // Created since the read began: all of it is new.
        0
    };
    tracing::debug!(path = %path.display(), offset, "event file replaced, reading the new one");
    LineReader::new(file, offset)
        .map(Some)
        .map_err(|e| CoreError::io("read", path, e))
}

/// The offset of the last `log-rotation` event about `path` in `file` (0 when none).
fn last_rotation(path: &Path, file: &File) -> Result<u64> {
    let name = path.display().to_string();
    let mut reader = BufReader::new(file);
    let (mut offset, mut found) = (0u64, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| CoreError::io("read", path, e))?;
        if read == 0 || line.last() != Some(&b'\n') {
            return Ok(found);
        }
        let marks_rotation = line.windows(14).any(|w| w == b"\"log-rotation\"")
            && serde_json::from_slice::<Event>(&line).is_ok_and(|event| {
                event.kind == EventType::System
                    && event.status == EventStatus::Rotate
                    && event.name == name
            });
        if marks_rotation {
            found = offset;
        }
        offset += u64::try_from(read).unwrap_or(u64::MAX);
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
