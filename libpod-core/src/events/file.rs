//! The event file: one JSON event per line, appended; rotated at a size as Podman rotates
//! its `events.log` (libpod/events/logfile.go).
//!
//! Writers take an flock on `PATH.lock` for the size check, the rotation and the append,
//! so writers in several processes never interleave a line, and every line goes in one
//! `write` on an `O_APPEND` descriptor besides. A rotation keeps the newer half of the file
//! (from the first line that starts past the middle), written beside it and renamed over
//! it, and then appends a `log-rotation` system event naming the file, before the event
//! that caused it: a reader following the file sees the replacement and goes on after that
//! event (see `read.rs`). The file and its lock are 0600, their directory 0700.

use super::{Event, EventStatus, EventType};
use crate::error::{CoreError, Result};
use crate::runtime::modes;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// An event file at a path, rotated past a size.
///
/// ```
/// use libpod_core::events::{Event, EventLog, EventStatus, EventType};
/// let dir = tempfile::tempdir()?;
/// let log = EventLog::new(dir.path().join("events.log"), 1_000_000);
/// log.write(&Event::new(EventType::System, EventStatus::Refresh))?;
/// let text = std::fs::read_to_string(log.path())?;
/// assert!(text.contains(r#""Status":"refresh""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLog {
    path: PathBuf,
    max_size: u64,
}

impl EventLog {
    /// The file at `path`, rotated when an event would take it to `max_size` bytes or more
    /// (`events_logfile_max_size`; 0: never).
    pub fn new(path: impl Into<PathBuf>, max_size: u64) -> EventLog {
        EventLog {
            path: path.into(),
            max_size,
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size past which it is rotated (0: never).
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// Appends `event` as one line, rotating the file first when it would reach the
    /// maximum size.
    pub fn write(&self, event: &Event) -> Result<()> {
        let line = event.to_json();
        let _lock = self.lock()?;
        // The line takes its newline too.
        if self.rotate_if_needed(line.len() + 1)? {
            let mut rotation = Event::new(EventType::System, EventStatus::Rotate);
            rotation.name = self.path.display().to_string();
            self.append(&rotation.to_json())?;
        }
        self.append(&line)
    }

    /// Takes the writers' lock, creating the directory and the lock file as needed.
    fn lock(&self) -> Result<File> {
        let lock_path = lock_path(&self.path);
        let open = || {
            modes::private_file()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock_path)
        };
        let file = match open() {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = self.path.parent() {
                    modes::create_private_dir(dir)?;
                }
                open().map_err(|e| CoreError::io("open event lock", &lock_path, e))?
            }
            Err(err) => return Err(CoreError::io("open event lock", &lock_path, err)),
        };
        file.lock()
            .map_err(|e| CoreError::io("lock", &lock_path, e))?;
        Ok(file)
    }

    /// One `write` of `line` and its newline at the end of the file.
    fn append(&self, line: &str) -> Result<()> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        modes::private_file()
            .append(true)
            .create(true)
            .open(&self.path)
            .and_then(|mut file| file.write_all(&bytes))
            .map_err(|e| CoreError::io("write event", &self.path, e))
    }

    /// Podman's `rotateLog`: when the file and the new line reach the maximum, keep the
    /// newer half. Returns whether it rotated.
    fn rotate_if_needed(&self, incoming: usize) -> Result<bool> {
        if self.max_size == 0 {
            return Ok(false);
        }
        let size = match std::fs::metadata(&self.path) {
            Ok(meta) => meta.len(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(CoreError::io("stat", &self.path, err)),
        };
        if size + u64::try_from(incoming).unwrap_or(u64::MAX) < self.max_size {
            return Ok(false);
        }
        self.keep_newer_half(size)?;
        tracing::debug!(path = %self.path.display(), size, "event file rotated");
        Ok(true)
    }

    fn keep_newer_half(&self, size: u64) -> Result<()> {
        let failed = |e| CoreError::io("rotate event file", &self.path, e);
        let mut old = File::open(&self.path).map_err(failed)?;
        old.seek(SeekFrom::Start(size / 2)).map_err(failed)?;
        let mut reader = BufReader::new(old);
        // The rest of the line the middle falls in.
        let mut skipped = Vec::new();
        reader.read_until(b'\n', &mut skipped).map_err(failed)?;
        let temp = libpod_fs::TempFile::beside(&self.path, modes::PRIVATE_FILE)?;
        std::io::copy(&mut reader, &mut temp.file()).map_err(failed)?;
        temp.commit(libpod_fs::Durability::Volatile)?;
        Ok(())
    }
}

/// `PATH.lock`: the writers' lock.
pub(super) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
