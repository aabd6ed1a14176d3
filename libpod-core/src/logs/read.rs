//! [`read_log`]: tail, filters, follow.

use super::follow::{POLL_INTERVAL, Waiter};
use super::join::Joiner;
use super::reader::LineReader;
use super::record::parse_record_bytes;
use super::tail::tail_start;
use super::{LogLine, LogOptions};
use crate::error::{CoreError, Result};
use chrono::Utc;
use std::collections::VecDeque;
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// Reads the log at `path`, calling `emit` for each line that passes `options`. With `follow`,
/// keeps waiting for new lines (handling truncation by conmon) until `still_running` returns
/// false and the file has been read to its end; `emit` returning false stops early.
///
/// Details:
/// - A log that does not exist holds no lines (Podman's answer for a container never
///   started); with `follow`, it is waited for while `still_running` says true.
/// - Malformed lines (a writer that crashed mid-line leaves half a record) are skipped, with a
///   debug message.
/// - While following, the file is looked at after pauses of 1, 2, 4, ... 32 ms, then watched
///   with inotify (polled every 200 ms without it), and `still_running` is asked at least that
///   often. It must stay true until conmon has written
///   the container's last output (conmon drains the container's pipes before it records the
///   exit), so that nothing is missed: the file is read once more after it turns false.
/// - conmon enforces `log_size_max` by replacing the file with an empty one (and other
///   writers truncate in place): both are noticed and reading starts over at the new file's
///   beginning. A line whose parts straddle the change is still joined.
/// - A line's partial records are joined per stream; a line still unfinished when the reading
///   ends (the process exited mid-line) is emitted as it is.
/// - Following ends also when `until` has passed.
pub fn read_log(
    path: &Path,
    options: &LogOptions,
    still_running: &dyn Fn() -> bool,
    emit: &mut dyn FnMut(&LogLine) -> bool,
) -> Result<()> {
    read_log_until(path, options, still_running, None, emit)
}

/// [`read_log`], where a follow also wakes up as soon as `writer_exit` (a pidfd of the log's
/// writer, conmon) turns readable: the end of a short-lived container is seen at once rather
/// than at the end of a pause.
pub(crate) fn read_log_until(
    path: &Path,
    options: &LogOptions,
    still_running: &dyn Fn() -> bool,
    writer_exit: Option<std::os::fd::OwnedFd>,
    emit: &mut dyn FnMut(&LogLine) -> bool,
) -> Result<()> {
    let Some(file) = open_log(path, options.follow, still_running)? else {
        return Ok(());
    };
    read_opened_log_until(path, file, options, still_running, writer_exit, emit)
}

/// [`read_log_until`] of the log at `path` already opened as `file`: what it held when opened
/// is read even if it was removed since (an auto-remove container's, opened before its
/// start).
pub(crate) fn read_opened_log_until(
    path: &Path,
    file: File,
    options: &LogOptions,
    still_running: &dyn Fn() -> bool,
    writer_exit: Option<std::os::fd::OwnedFd>,
    emit: &mut dyn FnMut(&LogLine) -> bool,
) -> Result<()> {
    // Following a container that already stopped is reading its log.
    let follow = options.follow && still_running();
    let io_err = |op: &'static str| move |err: io::Error| CoreError::io(op, path, err);
    let size = file.metadata().map_err(io_err("stat log file"))?.len();
    let start = match options.tail {
        Some(count) => tail_start(&file, size, count, !follow).map_err(io_err("read log file"))?,
        None => 0,
    };
    let mut session = Session {
        path,
        options,
        follow,
        reader: LineReader::new(file, start).map_err(io_err("read log file"))?,
        joiner: Joiner::default(),
        emit,
    };
    if let Some(count) = options.tail
        && (!session.tail(count).map_err(io_err("read log file"))? || !follow)
    {
        return Ok(());
    }
    if !follow {
        session.drain().map_err(io_err("read log file"))?;
        session.finish();
        return Ok(());
    }
    session.follow(still_running, writer_exit)
}

/// Opens the log; `None` when there is none (and, following, none came while the container
/// ran).
fn open_log(path: &Path, follow: bool, still_running: &dyn Fn() -> bool) -> Result<Option<File>> {
    loop {
        let running = still_running();
        match File::open(path) {
            Ok(file) => return Ok(Some(file)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if !follow || !running {
                    tracing::debug!("no log file {path:?}");
                    return Ok(None);
                }
                std::thread::sleep(POLL_INTERVAL);
            }
            Err(err) => return Err(CoreError::io("open log file", path, err)),
        }
    }
}

struct Session<'a> {
    path: &'a Path,
    options: &'a LogOptions,
    /// Following (the container runs).
    follow: bool,
    reader: LineReader,
    joiner: Joiner,
    emit: &'a mut dyn FnMut(&LogLine) -> bool,
}

/// Whether to go on: `false` once `emit` asked to stop.
type Go = bool;

impl Session<'_> {
    /// Emits the last `count` lines of what the file holds now. (Without `follow`, an
    /// unfinished last line counts too.)
    fn tail(&mut self, count: usize) -> io::Result<Go> {
        let mut lines = VecDeque::with_capacity(count.min(1024) + 1);
        let mut keep = |line: LogLine| {
            lines.push_back(line);
            if lines.len() > count {
                lines.pop_front();
            }
        };
        while let Some(bytes) = self.reader.next_line()? {
            if let Some(line) = self.join(&bytes) {
                keep(line);
            }
        }
        if !self.follow {
            if let Some(bytes) = self.reader.take_unterminated()
                && let Some(line) = self.join(&bytes)
            {
                keep(line);
            }
            self.joiner.flush().into_iter().for_each(&mut keep);
        }
        Ok(lines.iter().all(|line| self.send(line)))
    }

    /// Emits every complete line up to the end of the file.
    fn drain(&mut self) -> io::Result<Go> {
        while let Some(bytes) = self.reader.next_line()? {
            if let Some(line) = self.join(&bytes)
                && !self.send(&line)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The reading is over: emits an unterminated last record and unfinished lines.
    fn finish(&mut self) {
        if let Some(bytes) = self.reader.take_unterminated()
            && let Some(line) = self.join(&bytes)
            && !self.send(&line)
        {
            return;
        }
        for line in self.joiner.flush() {
            if !self.send(&line) {
                return;
            }
        }
    }

    fn follow(
        &mut self,
        still_running: &dyn Fn() -> bool,
        writer_exit: Option<std::os::fd::OwnedFd>,
    ) -> Result<()> {
        let path = self.path;
        let io_err = |op: &'static str| move |err: io::Error| CoreError::io(op, path, err);
        let mut waiter = Waiter::new(path).ending_with(writer_exit);
        loop {
            // Asked before reading: what the container wrote before it stopped is read below.
            let running = still_running();
            if !self.drain().map_err(io_err("read log file"))? {
                return Ok(());
            }
            match self.check_file().map_err(io_err("stat log file"))? {
                Change::None => {}
                Change::Truncated => {
                    tracing::debug!("log file {path:?} was truncated, reading it from the start");
                    self.reader.restart().map_err(io_err("read log file"))?;
                    continue;
                }
                Change::Replaced(file) => {
                    tracing::debug!("log file {path:?} was replaced, reading the new one");
                    // What was written to the old file before the switch.
                    if !self.drain().map_err(io_err("read log file"))? {
                        return Ok(());
                    }
                    let _ = self.reader.take_unterminated();
                    self.reader = LineReader::new(file, 0).map_err(io_err("read log file"))?;
                    waiter.watch_file(path);
                    continue;
                }
            }
            let remaining = match self.options.until {
                Some(until) => (until - Utc::now().fixed_offset()).to_std().ok(),
                None => Some(POLL_INTERVAL),
            };
            let timeout = match remaining {
                Some(left) if running && !left.is_zero() => left.min(POLL_INTERVAL),
                _ => {
                    self.finish();
                    return Ok(());
                }
            };
            waiter.wait(timeout.max(Duration::from_millis(1)));
        }
    }

    /// Whether the file at the path is still the one being read, and as long as what was
    /// read of it.
    fn check_file(&self) -> io::Result<Change> {
        let current = self.reader.file().metadata()?;
        match std::fs::metadata(self.path) {
            Ok(at_path) if !same_file(&current, &at_path) => {
                // Opened again by path: it may have been replaced once more since the stat.
                match File::open(self.path) {
                    Ok(file) => Ok(Change::Replaced(file)),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Change::None),
                    Err(err) => Err(err),
                }
            }
            // Gone for a moment (between conmon's rename steps) or unchanged.
            Ok(_) | Err(_) if current.len() >= self.reader.offset() => Ok(Change::None),
            _ => Ok(Change::Truncated),
        }
    }

    /// Parses a line and feeds it to the joiner; a malformed line is skipped.
    fn join(&mut self, bytes: &[u8]) -> Option<LogLine> {
        match parse_record_bytes(bytes) {
            Ok(record) => self.joiner.push(&record),
            Err(err) => {
                tracing::debug!("skipping a line of {:?}: {err}", self.path);
                None
            }
        }
    }

    /// Emits `line` if the filters pass it; false when `emit` asks to stop.
    fn send(&mut self, line: &LogLine) -> Go {
        !self.options.accepts(line) || (self.emit)(line)
    }
}

enum Change {
    None,
    Truncated,
    Replaced(File),
}

fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
