//! Create intents: a container's storage and its database row are made side by side, so a
//! process killed in between can leave storage that no row owns. Before making them, create
//! records an intent (an empty file `ROOT/create-intents/ID`, no fsync: a few microseconds)
//! and clears it once both are made or undone. An open that finds an intent whose creator is
//! gone (its container lock is free) and no row removes the storage: an open with no intent
//! pays one `open` of an empty or missing directory.
//!
//! The intent lives in the root, not the run root, because the storage it guards outlives a
//! reboot. Unsynced, a power cut can lose it; then the orphan stays, as without it.

use super::Runtime;
use crate::error::{CoreError, Result};
use std::fs;
use std::path::PathBuf;

const DIR: &str = "create-intents";

/// A recorded intent, cleared by [`CreateIntent::clear`] (a dropped one stays for the next
/// open to act on).
#[derive(Debug)]
pub(crate) struct CreateIntent {
    path: PathBuf,
}

impl CreateIntent {
    /// Records the intent to create container `id`'s storage and row.
    pub(crate) fn record(runtime: &Runtime, id: &str) -> Result<Self> {
        let dir = runtime.root().join(DIR);
        let path = dir.join(id);
        let create = || {
            super::modes::private_file()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
        };
        match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                super::modes::create_private_dir(&dir)?;
                create()
            }
            other => other,
        }
        .map_err(|e| CoreError::io("record create intent", &path, e))?;
        Ok(CreateIntent { path })
    }

    /// The storage and the row are both made, or both undone.
    pub(crate) fn clear(self) {
        if let Err(err) = fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %err, "create intent left for the next open");
        }
    }
}

/// Reclaims the storage of creates that were interrupted (see the module docs). Failures are
/// logged: the open goes on, and the next one tries again.
pub(crate) fn reclaim_interrupted_creates(runtime: &Runtime) {
    let dir = runtime.root().join(DIR);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(id) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if let Err(err) = reclaim(runtime, &id, &entry.path()) {
            tracing::warn!(container = %id, %err, "interrupted create not reclaimed");
        }
    }
}

fn reclaim(runtime: &Runtime, id: &str, intent: &std::path::Path) -> Result<()> {
    let valid = id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        tracing::warn!(path = %intent.display(), "not a create intent: removed");
        return fs::remove_file(intent).map_err(|e| CoreError::io("remove", intent, e));
    }
    // Waits for a creator that is still at work; then its intent is gone.
    let _guard = runtime.inner.locks.lock(id)?;
    if !intent.exists() {
        return Ok(());
    }
    match runtime.inner.state.container_name(id) {
        Ok(_) => {}
        Err(CoreError::ContainerNotFound(_)) => {
            match runtime.storage().remove_container(id) {
                Ok(()) => {
                    tracing::info!(container = %id, "storage of an interrupted create removed")
                }
                Err(libpod_storage::StorageError::ContainerNotKnown(_)) => {}
                Err(e) => return Err(e.into()),
            }
            runtime.inner.locks.remove(id);
        }
        Err(e) => return Err(e),
    }
    fs::remove_file(intent).map_err(|e| CoreError::io("remove", intent, e))
}
