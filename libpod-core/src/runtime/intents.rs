//! Intents: what an operation that makes several things which must agree records before it
//! starts and clears once they agree, so that the next open can finish or undo what a process
//! killed in between left. Each is an empty file named by the container's ID, written without
//! an fsync (a few microseconds); an open with none pays one `open` of an empty or missing
//! directory per kind.
//!
//! - Create (`ROOT/create-intents/ID`): a container's storage and its database row are made
//!   side by side. An open that finds the intent, once its creator is gone (the container lock
//!   is free), keeps the container only when both exist, and otherwise removes whichever does:
//!   an interrupted create is whole or absent. It lives in the root, not the run root, because
//!   the storage it guards outlives a reboot. Unsynced, a power cut can lose it; then an orphan
//!   stays, as without it.
//! - Init (`RUNROOT/init-intents/ID`): init mounts the root filesystem and shm and creates the
//!   container in the OCI runtime before it saves `Created`. An open that finds the intent of a
//!   container whose state never reached `Created` deletes it from the runtime and releases its
//!   mounts, so that the database, the runtime and the mounts agree. In the run root: what it
//!   guards does not outlive a reboot.
//! - Start (`RUNROOT/start-intents/ID`): a start tells the OCI runtime to start the process
//!   before it saves `Running`. An open that finds the intent of a container still `Created`
//!   asks the runtime: one that runs is saved `Running` (a pending restart counted, as its
//!   start would have). An exit since then is the sync's business (its exit file).
//! - Volume (`ROOT/volume-intents/NAME`): a volume's directories and row, made or removed;
//!   resolved by `volume/repair.rs` (the row decides).
//! - Network (`RUNROOT/network-intents/ID`): a connect or disconnect of a container whose
//!   namespace is set up changes its attachments, its namespace and its network status, in an
//!   order that leaves an attachment without a status when cut short. An open that finds the
//!   intent tears down and removes such attachments (`network/connect.rs`).

use super::Runtime;
use crate::error::{CoreError, Result};
use std::fs;
use std::path::PathBuf;

const CREATE_DIR: &str = "create-intents";
const INIT_DIR: &str = "init-intents";
const START_DIR: &str = "start-intents";
const VOLUME_DIR: &str = "volume-intents";
const NETWORK_DIR: &str = "network-intents";

/// A recorded intent, cleared by [`Intent::clear`] (a dropped one stays for the next open to
/// act on).
#[derive(Debug)]
pub(crate) struct Intent {
    path: PathBuf,
}

impl Intent {
    /// Records the intent to create container `id`'s storage and row.
    pub(crate) fn create(runtime: &Runtime, id: &str) -> Result<Self> {
        Self::record(&runtime.root().join(CREATE_DIR), id)
    }

    /// Records the intent to init container `id` (mounts and the OCI runtime's create).
    pub(crate) fn init(runtime: &Runtime, id: &str) -> Result<Self> {
        Self::record(&runtime.run_root().join(INIT_DIR), id)
    }

    /// Records the intent to start container `id` (the runtime's start, then the save).
    pub(crate) fn start(runtime: &Runtime, id: &str) -> Result<Self> {
        Self::record(&runtime.run_root().join(START_DIR), id)
    }

    /// Records the intent to create or remove volume `name` (its directories and row; see
    /// `volume/repair.rs`).
    pub(crate) fn volume(runtime: &Runtime, name: &str) -> Result<Self> {
        Self::record(&runtime.root().join(VOLUME_DIR), name)
    }

    /// Records the intent to connect or disconnect container `id`, whose namespace is set up.
    pub(crate) fn network(runtime: &Runtime, id: &str) -> Result<Self> {
        Self::record(&runtime.run_root().join(NETWORK_DIR), id)
    }

    fn record(dir: &std::path::Path, id: &str) -> Result<Self> {
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
                super::modes::create_private_dir(dir)?;
                create()
            }
            other => other,
        }
        .map_err(|e| CoreError::io("record intent", &path, e))?;
        Ok(Intent { path })
    }

    /// What the intent guarded agrees again (made whole, or undone).
    pub(crate) fn clear(self) {
        if let Err(err) = fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %err, "intent left for the next open");
        }
    }
}

/// Finishes or undoes the creates and inits that were interrupted (see the module docs).
/// Failures are logged: the open goes on, and the next one tries again.
pub(crate) fn resolve_interrupted(runtime: &Runtime) {
    crate::volume::repair::resolve_interrupted(runtime, &runtime.root().join(VOLUME_DIR));
    for (dir, kind) in [
        (runtime.root().join(CREATE_DIR), "create"),
        (runtime.run_root().join(INIT_DIR), "init"),
        (runtime.run_root().join(START_DIR), "start"),
        (runtime.run_root().join(NETWORK_DIR), "network"),
    ] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(id) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let intent = entry.path();
            let resolved = if !valid_id(&id) {
                tracing::warn!(path = %intent.display(), "not an intent: removed");
                Ok(())
            } else if kind == "create" {
                undo_partial_create(runtime, &id, &intent)
            } else {
                under_lock(runtime, &id, &intent, kind)
            };
            let removed = resolved.and_then(|()| match fs::remove_file(&intent) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(CoreError::io("remove", &intent, e))
                }
                _ => Ok(()),
            });
            if let Err(err) = removed {
                tracing::warn!(container = %id, kind, %err, "interrupted operation not resolved");
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Keeps the container when both its row and its storage exist; else removes whichever does.
fn undo_partial_create(runtime: &Runtime, id: &str, intent: &std::path::Path) -> Result<()> {
    // Waits for a creator that is still at work; then its intent is gone.
    let guard = runtime.lock_container(id)?;
    if !intent.exists() {
        return Ok(());
    }
    let has_row = match runtime.state().container_name(id) {
        Ok(_) => true,
        Err(CoreError::ContainerNotFound(_)) => false,
        Err(e) => return Err(e),
    };
    let has_storage = match runtime.storage().container(id) {
        Ok(_) => true,
        Err(libpod_storage::StorageError::ContainerNotKnown(_)) => false,
        Err(e) => return Err(e.into()),
    };
    if has_row && has_storage {
        return Ok(());
    }
    if has_storage {
        runtime.storage().remove_container(id)?;
        tracing::info!(container = %id, "storage of an interrupted create removed");
    }
    if has_row {
        runtime.state().remove_container(id)?;
        tracing::info!(container = %id, "database row of an interrupted create removed");
    }
    guard.remove_file();
    Ok(())
}

/// Under the container's lock: deletes what an init that never saved `Created` left in the
/// OCI runtime and its mounts (`init`), saves `Running` for a start that never did
/// (`start`), or finishes a network change (`network`).
fn under_lock(runtime: &Runtime, id: &str, intent: &std::path::Path, kind: &str) -> Result<()> {
    let container = match crate::container::Container::load(runtime, id) {
        Ok(container) => container,
        Err(CoreError::ContainerNotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    // Waits for an init or start that is still at work; then its intent is gone.
    let mut locked = match container.lock() {
        Ok(locked) => locked,
        // Auto-removed as the sync handled its exit.
        Err(CoreError::ContainerNotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if !intent.exists() {
        return Ok(());
    }
    match kind {
        "init" => locked.undo_interrupted_init(),
        "start" => locked.finish_interrupted_start(),
        _ => crate::network::finish_interrupted_change(&mut locked),
    }
}
