//! Which run root a volatile container's directory belongs to.
//!
//! A volatile container's record lives in the run root it was made with, so a store opened
//! with another run root does not see it; its directory says whose it is (`volatile-owner`:
//! the run root and the boot), and repair leaves it while that run root, in this boot, still
//! records it.

use super::metadata::Metadata;
use crate::error::{Result, StorageError};
use crate::fsutil::volatile_write;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const OWNER_FILE: &str = "volatile-owner";

/// The run root and boot a volatile container's directory was made in.
#[derive(Debug, Serialize, Deserialize)]
struct Owner {
    run_root: PathBuf,
    boot: String,
}

/// Records in the volatile container's directory `dir` that `run_root`, in this boot, owns it.
pub(super) fn record_owner(dir: &Path, run_root: &Path) -> Result<()> {
    let owner = Owner {
        run_root: run_root.to_path_buf(),
        boot: super::repair::current_boot().unwrap_or_default(),
    };
    let path = dir.join(OWNER_FILE);
    let bytes = serde_json::to_vec(&owner).map_err(|source| StorageError::Json {
        what: "volatile container owner",
        path: path.clone(),
        source,
    })?;
    volatile_write(&path, &bytes)
}

/// Whether the container directory `dir` (of container `id`, which this run root does not
/// record) belongs to a volatile container that another run root records in this boot.
/// When that cannot be read, the directory is kept: deleting a live container's files is
/// worse than keeping a dead one's.
pub(super) fn owned_elsewhere(dir: &Path, id: &str, run_root: &Path, boot: &str) -> bool {
    let Ok(bytes) = std::fs::read(dir.join(OWNER_FILE)) else {
        return false;
    };
    let Ok(owner) = serde_json::from_slice::<Owner>(&bytes) else {
        tracing::warn!(dir = %dir.display(), "unreadable volatile container owner; keeping it");
        return true;
    };
    if owner.run_root == run_root || owner.boot != boot {
        return false;
    }
    let other_boot = std::fs::read_to_string(owner.run_root.join("boot-id")).unwrap_or_default();
    if other_boot != boot {
        // That run root is gone, or describes another boot: its containers are over.
        return false;
    }
    match Metadata::load_volatile(&owner.run_root.join("volatile-containers.json")) {
        Ok(records) => records.contains_key(id),
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "cannot read the owner's records; keeping it");
            true
        }
    }
}
