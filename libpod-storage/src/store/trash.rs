//! Where the files of removed records go: crash-safe removal.
//!
//! A removal (rmi, prune, garbage collection, container storage) first commits the records
//! without the removed objects, then, still under the writer lock, renames their files
//! (layer directories, blobs, container directories) into a trash: a staging directory under
//! `tmp/`, owned by a flock like every other. The lock is released, then the trash is deleted.
//!
//! A crash therefore leaves either the records and their whole files (before the commit), or
//! no record: what was already in the trash is an abandoned staging directory, removed by the
//! next open; what was not yet moved (a crash between the commit and the renames) is a
//! directory or blob no record owns, which repair removes and which a later commit of the same
//! layer replaces rather than reuses. Files are never deleted while a record points at them.

use super::Store;
use super::lock::{StagingDir, StoreLockGuard};
use crate::error::{Result, StorageError};
use std::cell::Cell;
use std::fs;
use std::path::Path;

/// A staging directory collecting the files of removed records, deleted when dropped (after
/// the writer lock is released: deleting a big layer takes long). When a move into it failed,
/// it is left instead, abandoned: the files that stayed behind are owned by no record, and an
/// abandoned staging directory makes the next open repair the store.
#[derive(Debug)]
pub(crate) struct Trash {
    dir: Option<StagingDir>,
    failed: Cell<bool>,
}

impl Trash {
    /// A new, empty trash under the store's `tmp/`.
    pub fn new(store: &Store) -> Result<Trash> {
        Ok(Trash {
            dir: Some(store.staging()?),
            failed: Cell::new(false),
        })
    }

    /// Moves `path` into the trash as `name`; a missing path is fine. Only under the writer
    /// lock, once no committed record owns `path`.
    pub fn take(&self, path: &Path, name: &str, _guard: &StoreLockGuard<'_>) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        match fs::rename(path, dir.path().join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                self.failed.set(true);
                Err(StorageError::io("move to the trash", path, e))
            }
            _ => Ok(()),
        }
    }
}

impl Drop for Trash {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take()
            && self.failed.get()
        {
            tracing::warn!(path = %dir.path().display(), "removal incomplete: the next open repairs the store");
            dir.abandon();
        }
    }
}
