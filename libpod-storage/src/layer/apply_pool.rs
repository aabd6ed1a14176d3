//! The workers that create one layer's regular files in parallel.
//!
//! Creating inodes is what extraction spends its time on, and a layer's files are independent
//! of each other once their parent directory is resolved. So the reading thread resolves and
//! checks every entry as before, reads a small file's content into memory and hands (its
//! parent directory's descriptor, its name, content and metadata) to a worker, which creates
//! it with `O_CREAT | O_EXCL | O_NOFOLLOW` relative to that descriptor and sets its metadata.
//!
//! The reading thread remembers which files are in flight, by parent directory inode and
//! name (so that two paths reaching one directory through a symlink are one key), and waits
//! for the workers (a barrier) before any entry that could see or change an in-flight file:
//! the same name again, a whiteout of it, a hardlink to it, the removal of a directory, a
//! parent that does not exist yet. The result is the one serial extraction gives, and so is
//! the error: the earliest failing entry's, in archive order.
//!
//! All files of one directory go to one worker at a time, in order: creating an entry locks
//! its directory in the kernel, so two workers in one directory would only wait for each
//! other (spinning on the lock).

use super::{EntryName, entry};
use crate::error::{Result, StorageError};
use crate::layer::tar_reader::Entry;
use nix::libc::{dev_t, ino_t};
use nix::sys::stat::FileStat;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Files up to this size are read into memory and created by a worker; larger ones (and
/// sparse files) are streamed by the reading thread.
pub(super) const MAX_BUFFERED_FILE: u64 = 1 << 20;
/// Content held in memory for in-flight files, at most (one file may exceed it alone).
const MAX_IN_FLIGHT_BYTES: usize = 32 << 20;
/// Files in flight at most: bounds the memory and the open directory descriptors.
const MAX_IN_FLIGHT_FILES: usize = 128;
/// Finished files tracked before the bookkeeping is pruned.
const PRUNE_AT: usize = 4 * MAX_IN_FLIGHT_FILES;

/// A directory's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct DirId {
    dev: dev_t,
    ino: ino_t,
}

impl DirId {
    /// The identity of a stat result.
    pub(super) fn of(stat: &FileStat) -> DirId {
        DirId {
            dev: stat.st_dev,
            ino: stat.st_ino,
        }
    }
}

/// A resolved parent directory, shared by the entries created in it.
pub(super) struct ParentDir {
    pub(super) fd: OwnedFd,
    pub(super) id: DirId,
}

impl ParentDir {
    /// Wraps an open directory.
    pub(super) fn new(fd: OwnedFd) -> nix::Result<ParentDir> {
        let id = DirId::of(&nix::sys::stat::fstat(&fd)?);
        Ok(ParentDir { fd, id })
    }
}

/// A regular file for a worker to create.
pub(super) struct FileJob<'a> {
    pub(super) dir: Arc<ParentDir>,
    pub(super) file_name: CString,
    pub(super) entry: Entry,
    pub(super) name: EntryName<'a>,
    pub(super) content: Vec<u8>,
}

impl FileJob<'_> {
    /// Creates the file, writes its content, sets its metadata.
    fn run(&self) -> Result<()> {
        #[cfg(test)]
        if self.file_name.as_bytes() == tests::PANIC_IN_WORKER {
            panic!("a test asked the worker to panic");
        }
        let mut file = entry::create_empty(self.dir.fd.as_fd(), &self.file_name, &self.name)?;
        file.write_all(&self.content)
            .map_err(|err| entry::write_error(&self.name, err))?;
        entry::finish_file(&file, &self.entry, &self.name)
    }
}

/// A job with the sequence number of its entry in the archive.
struct Queued<'a> {
    seq: u64,
    job: FileJob<'a>,
}

/// How many workers create files, and (for tests) whether they are held back.
#[derive(Clone, Copy, Debug)]
pub(super) struct PoolOptions {
    /// No workers: every file is created by the reading thread.
    pub(super) workers: usize,
    /// Workers start a job only while the reading thread waits for them, so that every
    /// hazard check meets the earlier files still pending (tests).
    pub(super) hold: bool,
}

impl PoolOptions {
    /// One worker per CPU this process may use; none on a single CPU.
    pub(super) fn host() -> PoolOptions {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        PoolOptions {
            workers: if cpus > 1 { cpus } else { 0 },
            hold: false,
        }
    }
}

/// What the reading thread and the workers share.
pub(super) struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    /// Per worker, the jobs it finished (or skipped).
    completed: Vec<AtomicU64>,
    /// Jobs of later entries than this one are skipped: an earlier one failed.
    stop_after: AtomicU64,
    hold: bool,
}

#[derive(Default)]
struct State {
    files: usize,
    bytes: usize,
    /// The failure of the earliest entry, with its sequence number.
    error: Option<(u64, StorageError)>,
    /// The reading thread waits for the workers (or is gone): held workers may run.
    released: bool,
    peak_files: usize,
    peak_bytes: usize,
}

impl Shared {
    /// The shared state of a pool with these options.
    pub(super) fn new(options: PoolOptions) -> Shared {
        Shared {
            state: Mutex::default(),
            changed: Condvar::new(),
            completed: (0..options.workers).map(|_| AtomicU64::new(0)).collect(),
            stop_after: AtomicU64::new(u64::MAX),
            hold: options.hold,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a worker failed.
    #[cfg(test)]
    pub(super) fn failed(&self) -> bool {
        self.stop_after.load(Ordering::Acquire) != u64::MAX
    }

    /// The most files and bytes that were in flight at once.
    #[cfg(test)]
    pub(super) fn peaks(&self) -> (usize, usize) {
        let state = self.lock();
        (state.peak_files, state.peak_bytes)
    }

    /// Waits (as the reading thread) until `done` holds, letting held workers run meanwhile.
    fn wait_until(&self, done: impl Fn(&State) -> bool) {
        let mut state = self.lock();
        if done(&state) {
            return;
        }
        state.released = true;
        if self.hold {
            self.changed.notify_all();
        }
        while !done(&state) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.released = false;
    }

    /// A worker's loop: runs its jobs in order until the reading thread hangs up.
    fn work(&self, worker: usize, jobs: Receiver<Queued<'_>>) {
        for Queued { seq, job } in jobs {
            if self.hold {
                let mut state = self.lock();
                while !state.released {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
            let bytes = job.content.len();
            let outcome = if seq > self.stop_after.load(Ordering::Acquire) {
                Ok(Ok(()))
            } else {
                panic::catch_unwind(AssertUnwindSafe(|| job.run()))
            };
            // A panic still counts the job as done, so that the reading thread never waits
            // for it; the scope then passes the panic on.
            let (result, panicked) = match outcome {
                Ok(result) => (result, None),
                Err(payload) => {
                    let path = job.name.root.join(&job.name.relative);
                    let err = std::io::Error::other("the worker creating it panicked");
                    (Err(StorageError::io("create", path, err)), Some(payload))
                }
            };
            drop(job);
            let mut state = self.lock();
            if let Err(err) = result
                && state.error.as_ref().is_none_or(|(first, _)| seq < *first)
            {
                tracing::debug!(seq, error = %err, "creating a layer file failed");
                state.error = Some((seq, err));
                self.stop_after.fetch_min(seq, Ordering::AcqRel);
            }
            state.files -= 1;
            state.bytes -= bytes;
            self.completed[worker].fetch_add(1, Ordering::Release);
            // Only a waiting reading thread needs to hear of it.
            let waited = state.released;
            drop(state);
            if waited {
                self.changed.notify_all();
            }
            if let Some(payload) = panicked {
                panic::resume_unwind(payload);
            }
        }
    }
}

#[path = "apply_pool_tracker.rs"]
mod tracker;

pub(super) use tracker::Pool;

#[cfg(test)]
#[path = "apply_pool_tests.rs"]
mod tests;
