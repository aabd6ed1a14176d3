//! A checkpoint cut short: what the next look at the container finishes.
//!
//! A checkpoint that ends the processes runs `runc checkpoint` (CRIU dumps, then kills the
//! processes; runc forgets the container) and only then saves the container checkpointed and
//! writes its export. Killed in between, it leaves runc and CRIU working on without it, and
//! the processes' end reads like any exit: `died`, a restart by policy, and a checkpoint
//! nobody calls one. So before runc starts, the checkpoint records what it set out to do in
//! `RUNROOT/checkpoint-intents/ID` (JSON: the export asked for, `keep`), and clears it when
//! all is done. Whoever next syncs the container and finds its exit with the intent there
//! and a complete checkpoint (CRIU writes its inventory last) finishes the checkpoint instead
//! of recording an exit: the exit forgotten, the container cleaned up and saved `Exited`
//! checkpointed, then the export written. An exit with an incomplete checkpoint is an exit
//! (the dump failed or never began). The open finishes an export the intent still asks for
//! and drops intents whose container is gone; while the container runs, the intent stays
//! (runc may still be dumping). A checkpoint that leaves the container running changes no
//! state before its save and records none (it drops a stale one, which its complete
//! checkpoint would otherwise make the next exit look like a checkpoint's).

use super::checkpoint::{
    CheckpointOptions, Compression, DUMP_LOG, STATS_DUMP, remove_file_if_present,
};
use super::{Container, ContainerStatus, Locked};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::Runtime;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const INTENT_DIR: &str = "checkpoint-intents";

/// What an interrupted checkpoint still owes.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Pending {
    /// The archive to export to.
    export: Option<PathBuf>,
    /// `zstd`, `gzip` or `none`.
    compression: String,
    ignore_rootfs: bool,
    ignore_volumes: bool,
    /// Keep CRIU's log.
    keep: bool,
}

impl Pending {
    fn of(options: &CheckpointOptions) -> Pending {
        Pending {
            export: options.export.clone(),
            compression: match options.compression {
                Compression::Gzip => "gzip",
                Compression::None => "none",
                _ => "zstd",
            }
            .into(),
            ignore_rootfs: options.ignore_rootfs,
            ignore_volumes: options.ignore_volumes,
            keep: options.keep,
        }
    }

    fn options(&self) -> CheckpointOptions {
        let mut options = CheckpointOptions::default()
            .keep(self.keep)
            .ignore_rootfs(self.ignore_rootfs)
            .ignore_volumes(self.ignore_volumes)
            .compression(self.compression.parse().unwrap_or_default());
        if let Some(archive) = &self.export {
            options = options.export(archive);
        }
        options
    }
}

fn intent_path(rt: &Runtime, id: &str) -> PathBuf {
    rt.run_root().join(INTENT_DIR).join(id)
}

/// Records the checkpoint about to end container `id`'s processes (see the module docs).
pub(super) fn record(rt: &Runtime, id: &str, options: &CheckpointOptions) -> Result<()> {
    let path = intent_path(rt, id);
    let dir = rt.run_root().join(INTENT_DIR);
    crate::runtime::modes::create_private_dir(&dir)?;
    let json = serde_json::to_vec(&Pending::of(options))
        .map_err(|e| CoreError::io("encode", &path, std::io::Error::other(e)))?;
    // Whole or absent: runc only starts once it is in place.
    let temp = libpod_fs::TempFile::beside(&path, 0o600)?;
    std::io::Write::write_all(&mut temp.file(), &json)
        .map_err(|e| CoreError::io("record checkpoint intent", &path, e))?;
    temp.commit(libpod_fs::Durability::Volatile)?;
    Ok(())
}

/// Drops container `id`'s checkpoint intent, if any.
pub(super) fn clear(rt: &Runtime, id: &str) -> Result<()> {
    let path = intent_path(rt, id);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CoreError::io("remove", &path, e)),
    }
}

/// The intent left for container `id`, if one is there and reads.
fn read(rt: &Runtime, id: &str) -> Option<Pending> {
    let text = std::fs::read(intent_path(rt, id)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Whether `images` holds a complete checkpoint (CRIU writes its inventory last).
pub(crate) fn complete(images: &Path) -> bool {
    images.join("inventory.img").exists()
}

impl Locked<'_> {
    /// For the sync, which found the processes ended: when a checkpoint that was cut short
    /// ended them (its intent is there and its checkpoint complete), finishes it and says so;
    /// else drops a stale intent and leaves the exit to the sync.
    pub(crate) fn finish_interrupted_checkpoint(&mut self) -> Result<bool> {
        let Some(pending) = read(self.runtime(), self.id()) else {
            return Ok(false);
        };
        let images = self.ctr.checkpoint_path();
        if !complete(&images) {
            clear(self.runtime(), self.id())?;
            return Ok(false);
        }
        tracing::info!(container = %self.id(), "finishing an interrupted checkpoint");
        let oci = self.oci()?;
        oci.clear_exit(self.id())?;
        // Its /dev/shm, still mounted and, with the processes ended, as the dump left it
        // (saved again when the kill came after its save).
        self.save_shm(&self.runtime().container_static_dir(self.id()))?;
        self.state.checkpointed_at = Some(crate::runtime::now_rfc3339());
        self.end_checkpointed_unsaved()?;
        self.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Checkpoint);
        self.finish_checkpoint_files(&pending.options())?;
        clear(self.runtime(), self.id())?;
        Ok(true)
    }

    /// After the save: CRIU's logs dropped unless `keep`, the export written (an auto-remove
    /// container then removed, as its exit would have).
    pub(super) fn finish_checkpoint_files(&mut self, options: &CheckpointOptions) -> Result<()> {
        let static_dir = self.runtime().container_static_dir(self.id());
        if !options.keep {
            // CRIU's log is only wanted when something went wrong.
            remove_file_if_present(&static_dir.join(DUMP_LOG))?;
            remove_file_if_present(&static_dir.join(STATS_DUMP))?;
        }
        if let Some(archive) = &options.export {
            super::checkpoint_archive::export(self, archive, options)?;
            if self.config().auto_remove && !options.leave_running {
                // Its exit removes it, as any exit of an auto-remove container does.
                self.remove_locked()?;
            }
        }
        Ok(())
    }
}

/// At open: the exports that interrupted checkpoints still owe are written, and intents of
/// containers that are gone dropped. An intent of a running container stays (see the module
/// docs). Failures are logged; the next open tries again.
pub(crate) fn repair_interrupted(rt: &Runtime) {
    let Ok(entries) = std::fs::read_dir(rt.run_root().join(INTENT_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(id) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if id.starts_with('.') {
            // A temporary name never renamed into place: its checkpoint never began.
            let _ = std::fs::remove_file(entry.path());
            continue;
        }
        if let Err(err) = repair_one(rt, &id) {
            tracing::warn!(container = %id, %err, "interrupted checkpoint not finished");
        }
    }
}

fn repair_one(rt: &Runtime, id: &str) -> Result<()> {
    let ctr = match Container::load(rt, id) {
        Ok(ctr) => ctr,
        Err(CoreError::ContainerNotFound(_)) => return clear(rt, id),
        Err(e) => return Err(e),
    };
    // The sync finishes a checkpoint whose processes ended.
    let mut locked = match ctr.lock() {
        Ok(locked) => locked,
        Err(CoreError::ContainerNotFound(_)) => return clear(rt, id),
        Err(e) => return Err(e),
    };
    let Some(pending) = read(rt, id) else {
        return clear(rt, id);
    };
    match locked.state.status {
        ContainerStatus::Running | ContainerStatus::Paused => Ok(()),
        ContainerStatus::Exited if locked.state.checkpointed => {
            locked.finish_checkpoint_files(&pending.options())?;
            clear(rt, id)
        }
        _ => clear(rt, id),
    }
}
