//! `checkpoint` and `restore`: a running container's processes written to disk by CRIU
//! (through the OCI runtime) and brought back, as Podman 4.3 does.
//!
//! A checkpoint runs `runc checkpoint` with CRIU's images in the container's static
//! directory (`ROOT/containers/ID/checkpoint`, which outlives a reboot, as Podman's
//! `userdata/checkpoint`) and its log beside them (`dump.log`); unless it leaves the
//! container running, its processes end, the container is cleaned up (deleted from the
//! runtime, storage released, network torn down) and saved `Exited` and checkpointed. A
//! restore is an init whose monitor runs the runtime's restore (conmon's `--restore`): the
//! same bundle, the processes back under conmon like any other (exit file, log, exit
//! command), saved `Running`. `checkpoint_archive.rs` exports a checkpoint to a tar archive
//! and imports one into a new container.
//!
//! Beside the images, `network.status` keeps what the network backend gave the container
//! (Podman's file of that name): a restore gives each interface the addresses and MAC
//! address it had, dynamic ones too, so that the restored processes' connections and peers'
//! neighbour entries still hold (`--ignore-static-ip` and `--ignore-static-mac` let IPAM
//! choose again). `devshm-checkpoint.tar` keeps /dev/shm's contents (`checkpoint_shm.rs`).

use super::checkpoint_intent;
use super::{Container, ContainerStatus, Locked};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::network::namespace::RestoredNetworks;
use crate::oci::criu::{CriuStatistics, log_errors, read_statistics, require_criu};
use crate::oci::{CheckpointArgs, RestoreArgs};
use crate::runtime::now_rfc3339;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use super::checkpoint_archive::Compression;

/// What the network backend gave the container, at its checkpoint, beside the images (and
/// in an archive's root).
pub(super) const NETWORK_STATUS: &str = "network.status";

/// The checkpoint's directory in the container's static directory (CRIU's images).
pub(crate) const CHECKPOINT_DIR: &str = "checkpoint";
/// CRIU's log of a checkpoint, in the static directory.
pub(super) const DUMP_LOG: &str = "dump.log";
/// CRIU's log of a restore, in the bundle (conmon gives the bundle as the work path).
const RESTORE_LOG: &str = "restore.log";
/// CRIU's statistics of a checkpoint, in the work path (the static directory).
pub(super) const STATS_DUMP: &str = "stats-dump";
/// CRIU's statistics of a restore, in the work path (the bundle).
const STATS_RESTORE: &str = "stats-restore";
/// How long a checkpoint waits for conmon to record the end of the checkpointed processes.
const EXIT_WAIT: Duration = Duration::from_secs(10);

/// What a checkpoint or restore reports (Podman's `--print-stats`): how long the OCI runtime
/// took, and CRIU's statistics when it wrote them.
///
/// ```no_run
/// use libpod_core::container::CheckpointOptions;
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let report = rt.container("counter")?.checkpoint(&CheckpointOptions::default())?;
/// println!("{} µs in runc", report.runtime_duration.as_micros());
/// if let Some(stats) = report.statistics {
///     println!("{:?} pages written", stats.pages_written);
/// }
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CriuReport {
    /// The OCI runtime's checkpoint or restore (the monitor's start, for a restore).
    pub runtime_duration: Duration,
    /// CRIU's statistics (`stats-dump`, `stats-restore`); `None` when it wrote none.
    pub statistics: Option<CriuStatistics>,
}

/// How to checkpoint a container (Podman's `ContainerCheckpointOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct CheckpointOptions {
    /// Keep CRIU's log (`dump.log`) after a successful checkpoint (`--keep`).
    pub keep: bool,
    /// Leave the container running (`--leave-running`).
    pub leave_running: bool,
    /// Checkpoint established TCP connections (`--tcp-established`).
    pub tcp_established: bool,
    /// Checkpoint file locks (`--file-locks`).
    pub file_locks: bool,
    /// Also write the checkpoint to this archive (`--export`), with what a restore into a
    /// new container needs.
    pub export: Option<PathBuf>,
    /// The archive's compression (`--compress`; Podman's default is zstd).
    pub compression: Compression,
    /// Leave the root filesystem's changes out of the archive (`--ignore-rootfs`).
    pub ignore_rootfs: bool,
    /// Leave named volumes out of the archive (`--ignore-volumes`). Their contents are not
    /// exported yet: exporting a container that has named volumes needs this.
    pub ignore_volumes: bool,
}

impl CheckpointOptions {
    /// Sets `keep`.
    ///
    /// ```
    /// let options = libpod_core::container::CheckpointOptions::default().keep(true);
    /// assert!(options.keep);
    /// ```
    pub fn keep(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// Sets `leave_running`.
    pub fn leave_running(mut self, leave_running: bool) -> Self {
        self.leave_running = leave_running;
        self
    }

    /// Sets `tcp_established`.
    pub fn tcp_established(mut self, tcp_established: bool) -> Self {
        self.tcp_established = tcp_established;
        self
    }

    /// Sets `file_locks`.
    pub fn file_locks(mut self, file_locks: bool) -> Self {
        self.file_locks = file_locks;
        self
    }

    /// Exports the checkpoint to `archive`.
    ///
    /// ```
    /// use libpod_core::container::{CheckpointOptions, Compression};
    /// let options = CheckpointOptions::default()
    ///     .export("/tmp/web.tar.gz")
    ///     .compression(Compression::Gzip);
    /// assert!(options.export.is_some());
    /// ```
    pub fn export(mut self, archive: impl Into<PathBuf>) -> Self {
        self.export = Some(archive.into());
        self
    }

    /// Sets the archive's compression.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Sets `ignore_rootfs`.
    ///
    /// ```
    /// let options = libpod_core::container::CheckpointOptions::default().ignore_rootfs(true);
    /// assert!(options.ignore_rootfs);
    /// ```
    pub fn ignore_rootfs(mut self, ignore: bool) -> Self {
        self.ignore_rootfs = ignore;
        self
    }

    /// Sets `ignore_volumes`.
    pub fn ignore_volumes(mut self, ignore: bool) -> Self {
        self.ignore_volumes = ignore;
        self
    }
}

/// How to restore a container (Podman's `ContainerCheckpointOptions` for a restore).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct RestoreOptions {
    /// Keep the checkpoint and CRIU's logs after a successful restore (`--keep`).
    pub keep: bool,
    /// Restore established TCP connections (`--tcp-established`).
    pub tcp_established: bool,
    /// Restore file locks (`--file-locks`).
    pub file_locks: bool,
    /// For an import: the new container's name (`--name`); it gets a new ID then. Without
    /// one it has the checkpointed container's name and ID, as in Podman.
    pub name: Option<String>,
    /// For an import: leave the archive's root filesystem changes out (`--ignore-rootfs`).
    pub ignore_rootfs: bool,
    /// For an import: leave the archive's volume contents out (`--ignore-volumes`).
    pub ignore_volumes: bool,
    /// Choose the addresses anew: neither the ones the checkpoint recorded nor, for an
    /// import, the static ones the container asked for (`--ignore-static-ip`), so that a
    /// copy beside the original gets addresses of its own.
    pub ignore_static_ip: bool,
    /// The same for MAC addresses (`--ignore-static-mac`).
    pub ignore_static_mac: bool,
}

impl RestoreOptions {
    /// Sets `keep`.
    ///
    /// ```
    /// let options = libpod_core::container::RestoreOptions::default().keep(true);
    /// assert!(options.keep);
    /// ```
    pub fn keep(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// Sets `tcp_established`.
    pub fn tcp_established(mut self, tcp_established: bool) -> Self {
        self.tcp_established = tcp_established;
        self
    }

    /// Sets `file_locks`.
    pub fn file_locks(mut self, file_locks: bool) -> Self {
        self.file_locks = file_locks;
        self
    }

    /// Sets the name of a container restored from an archive.
    ///
    /// ```
    /// let options = libpod_core::container::RestoreOptions::default().name("copy");
    /// assert_eq!(options.name.as_deref(), Some("copy"));
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets `ignore_rootfs`.
    ///
    /// ```
    /// let options = libpod_core::container::RestoreOptions::default().ignore_rootfs(true);
    /// assert!(options.ignore_rootfs);
    /// ```
    pub fn ignore_rootfs(mut self, ignore: bool) -> Self {
        self.ignore_rootfs = ignore;
        self
    }

    /// Sets `ignore_volumes`.
    ///
    /// ```
    /// let options = libpod_core::container::RestoreOptions::default().ignore_volumes(true);
    /// assert!(options.ignore_volumes);
    /// ```
    pub fn ignore_volumes(mut self, ignore: bool) -> Self {
        self.ignore_volumes = ignore;
        self
    }

    /// Sets `ignore_static_ip`.
    ///
    /// ```
    /// let options = libpod_core::container::RestoreOptions::default().ignore_static_ip(true);
    /// assert!(options.ignore_static_ip);
    /// ```
    pub fn ignore_static_ip(mut self, ignore: bool) -> Self {
        self.ignore_static_ip = ignore;
        self
    }

    /// Sets `ignore_static_mac`.
    pub fn ignore_static_mac(mut self, ignore: bool) -> Self {
        self.ignore_static_mac = ignore;
        self
    }
}

impl Container {
    /// Checkpoints the running container with CRIU (Podman's `Checkpoint`): its processes'
    /// state written to its checkpoint directory; unless `leave_running`, they end and the
    /// container is cleaned up and left `Exited`, checkpointed, for [`restore`](Self::restore).
    /// With `export`, the checkpoint is also written to an archive that
    /// [`Runtime::import_checkpoint`](crate::runtime::Runtime::import_checkpoint) restores
    /// into a new container. CRIU is found through `PATH`. Returns how long the runtime took
    /// and CRIU's statistics. Fails with `InvalidState` unless it runs, with CRIU's own words
    /// when CRIU fails.
    ///
    /// ```no_run
    /// use libpod_core::container::{CheckpointOptions, RestoreOptions};
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.container("counter")?;
    /// ctr.checkpoint(&CheckpointOptions::default())?;
    /// ctr.restore(&RestoreOptions::default())?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn checkpoint(&self, options: &CheckpointOptions) -> Result<CriuReport> {
        let mut locked = self.lock()?;
        locked.checkpoint_locked(options)
    }

    /// Restores the container's processes from its checkpoint (Podman's `Restore`): created
    /// again in the runtime through its monitor (conmon's `--restore`), running at once with
    /// the PIDs they had in its namespace, then monitored like any other. Unless `keep`, the
    /// checkpoint and CRIU's logs are removed afterwards. Returns how long the runtime took
    /// and CRIU's statistics. Fails with `InvalidState` while it runs, `NoCheckpoint` without
    /// a complete checkpoint, CRIU's words when CRIU fails.
    pub fn restore(&self, options: &RestoreOptions) -> Result<CriuReport> {
        self.runtime().watch_exits();
        let mut locked = self.lock()?;
        locked.restore_locked(options)
    }

    /// The container's checkpoint directory (CRIU's images), whether or not it holds one.
    pub fn checkpoint_path(&self) -> PathBuf {
        self.runtime()
            .container_static_dir(self.id())
            .join(CHECKPOINT_DIR)
    }
}

impl Locked<'_> {
    fn checkpoint_locked(&mut self, options: &CheckpointOptions) -> Result<CriuReport> {
        self.require("checkpoint", &[ContainerStatus::Running])?;
        if self.config().auto_remove && options.export.is_none() {
            return Err(CoreError::InvalidOption {
                option: "checkpoint",
                reason: "cannot checkpoint containers that have been started with '--rm' \
                         unless '--export' is used"
                    .into(),
            });
        }
        let criu = require_criu(self.id(), "checkpoint")?;
        let static_dir = self.runtime().container_static_dir(self.id());
        let images = static_dir.join(CHECKPOINT_DIR);
        remove_checkpoint(&images)?;
        crate::runtime::modes::create_private_dir(&images)?;
        remove_file_if_present(&static_dir.join(DUMP_LOG))?;
        remove_file_if_present(&static_dir.join(STATS_DUMP))?;
        write_network_status(&static_dir, &self.state.network_status)?;
        // An earlier checkpoint's must never go with these images.
        remove_file_if_present(&static_dir.join(super::checkpoint_shm::DEVSHM_TAR))?;
        if options.leave_running {
            checkpoint_intent::clear(self.runtime(), self.id())?;
        } else {
            // From here a kill leaves the checkpoint for the next look to finish.
            checkpoint_intent::record(self.runtime(), self.id(), options)?;
        }
        let mut args = CheckpointArgs::new(&images, &static_dir, &criu);
        args.leave_running = options.leave_running;
        args.tcp_established = options.tcp_established;
        args.file_locks = options.file_locks;
        let oci = self.oci()?;
        let started = std::time::Instant::now();
        if let Err(err) = oci.checkpoint(self.id(), &args) {
            // The processes go on (CRIU resumes them when it fails).
            if let Err(clear) = checkpoint_intent::clear(self.runtime(), self.id()) {
                tracing::warn!(container = %self.id(), %clear, "checkpoint intent left");
            }
            return Err(err);
        }
        let report = CriuReport {
            runtime_duration: started.elapsed(),
            statistics: read_statistics(&static_dir.join(STATS_DUMP)),
        };
        // Before the cleanup unmounts it.
        self.save_shm(&static_dir)?;
        tracing::debug!(container = %self.id(), path = %images.display(), "checkpointed");
        self.state.checkpointed_at = Some(now_rfc3339());
        if !options.leave_running {
            self.end_checkpointed()?;
        }
        self.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Checkpoint);
        // The caller hears of a failed export: the intent is not left to retry it.
        let finished = self.finish_checkpoint_files(options);
        checkpoint_intent::clear(self.runtime(), self.id())?;
        finished?;
        Ok(report)
    }

    /// After a checkpoint that ended the processes: the exit conmon records is waited for
    /// and forgotten (not an exit: no `died`, no restart by policy, and none left for the
    /// restored processes' monitor to find), then the container is cleaned up and marked
    /// checkpointed, `Exited`, as Podman leaves it.
    fn end_checkpointed(&mut self) -> Result<()> {
        let oci = self.oci()?;
        if oci.wait_exit(self.id(), Some(EXIT_WAIT))?.is_none() {
            tracing::warn!(container = %self.id(), "conmon recorded no exit after the checkpoint");
        }
        oci.clear_exit(self.id())?;
        self.end_checkpointed_unsaved()
    }

    /// The container, whose processes the checkpoint ended and whose exit was forgotten,
    /// cleaned up and marked checkpointed, `Exited`, for the caller to save.
    pub(super) fn end_checkpointed_unsaved(&mut self) -> Result<()> {
        self.state.status = ContainerStatus::Stopped;
        self.state.pid = None;
        self.state.checkpointed = true;
        self.state.restored = false;
        self.state.restored_at = None;
        self.state.finished_at = Some(now_rfc3339());
        let cleaned = self.cleanup_unsaved();
        self.state.status = ContainerStatus::Exited;
        cleaned
    }

    fn restore_locked(&mut self, options: &RestoreOptions) -> Result<CriuReport> {
        self.require(
            "restore",
            &[
                ContainerStatus::Configured,
                ContainerStatus::Stopped,
                ContainerStatus::Exited,
            ],
        )?;
        let static_dir = self.runtime().container_static_dir(self.id());
        let images = static_dir.join(CHECKPOINT_DIR);
        if !images.join("inventory.img").exists() {
            return Err(CoreError::NoCheckpoint {
                id: self.id().to_string(),
            });
        }
        let criu = require_criu(self.id(), "restore")?;
        // Whatever a checkpoint cut short still owed, its processes are back now: the end of
        // the restored ones is an exit.
        checkpoint_intent::clear(self.runtime(), self.id())?;
        let mut args = RestoreArgs::new(&images, &criu);
        args.tcp_established = options.tcp_established;
        args.file_locks = options.file_locks;
        let networks = restored_networks(&static_dir, options)?;
        let run_dir = self.runtime().container_run_dir(self.id());
        let restore_log = run_dir.join(RESTORE_LOG);
        let stats = run_dir.join(STATS_RESTORE);
        remove_file_if_present(&restore_log)?;
        remove_file_if_present(&stats)?;
        let started = std::time::Instant::now();
        let restore = super::init::Restore { args, networks };
        if let Err(err) = self.init_locked_with(Some(&restore)) {
            return Err(restore_error(self.id(), err, &restore_log));
        }
        let report = CriuReport {
            runtime_duration: started.elapsed(),
            statistics: read_statistics(&stats),
        };
        // Init saved it running and restored, in one write.
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Restore);
        if !options.keep {
            // The processes run: the checkpoint has served (Podman removes it too).
            for result in [
                remove_checkpoint(&images),
                remove_file_if_present(&static_dir.join(DUMP_LOG)),
                remove_file_if_present(&static_dir.join(NETWORK_STATUS)),
                remove_file_if_present(&static_dir.join(super::checkpoint_shm::DEVSHM_TAR)),
                remove_file_if_present(&restore_log),
                remove_file_if_present(&stats),
            ] {
                if let Err(err) = result {
                    tracing::debug!(container = %self.id(), %err, "removing checkpoint files");
                }
            }
        }
        // Healthchecks begin again, as after a start.
        crate::health::on_start(self.ctr)?;
        Ok(report)
    }
}

/// Records `status` as `network.status` in `static_dir` (nothing, and no file, without one).
pub(super) fn write_network_status(
    static_dir: &Path,
    status: &std::collections::BTreeMap<String, libpod_net::types::StatusBlock>,
) -> Result<()> {
    let path = static_dir.join(NETWORK_STATUS);
    if status.is_empty() {
        return remove_file_if_present(&path);
    }
    let json = serde_json::to_vec(status).map_err(|err| CoreError::CheckpointArchive {
        path: path.clone(),
        reason: format!("encoding the network status: {err}"),
    })?;
    libpod_fs::replace(
        &path,
        &json,
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Full,
    )?;
    Ok(())
}

/// What a restore gives back of the networking the checkpoint recorded in `static_dir`:
/// nothing without a record, or when both addresses and MAC addresses are to be chosen anew
/// (Podman then keeps the attachments' own as well).
pub(super) fn restored_networks(
    static_dir: &Path,
    options: &RestoreOptions,
) -> Result<Option<RestoredNetworks>> {
    if options.ignore_static_ip && options.ignore_static_mac {
        return Ok(None);
    }
    let Some(status) = read_network_status(static_dir, NETWORK_STATUS)? else {
        return Ok(None);
    };
    Ok(Some(RestoredNetworks {
        status,
        ignore_ips: options.ignore_static_ip,
        ignore_mac: options.ignore_static_mac,
    }))
}

/// `name` in `dir` as a network status, if there is one: read bounded and through no link
/// (an imported archive's is untrusted), refused by name when it does not parse.
pub(super) fn read_network_status(
    dir: &Path,
    name: &str,
) -> Result<Option<std::collections::BTreeMap<String, libpod_net::types::StatusBlock>>> {
    let read = libpod_fs::Root::open(dir)?.read_regular(
        name,
        libpod_fs::Policy::NoSymlinks,
        super::checkpoint_archive::MAX_DUMP_SIZE,
    );
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(libpod_fs::FsError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|err| CoreError::CheckpointArchive {
            path: dir.join(name),
            reason: format!("malformed network status: {err}"),
        })
}

/// A failed restore in CRIU's words (its `restore.log`) when the runtime's failure was
/// CRIU's; else as it came.
fn restore_error(id: &str, err: CoreError, restore_log: &Path) -> CoreError {
    match err {
        CoreError::OciRuntime { message, .. } => CoreError::Criu {
            id: id.to_string(),
            operation: "restore",
            reason: log_errors(restore_log, &message),
        },
        other => other,
    }
}

/// Removes a checkpoint, its inventory first: cut short, it leaves no checkpoint that
/// looks complete.
pub(crate) fn remove_checkpoint(images: &Path) -> Result<()> {
    remove_file_if_present(&images.join("inventory.img"))?;
    remove_dir_if_present(images)
}

pub(crate) fn remove_dir_if_present(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(CoreError::io("removing", dir, err)),
    }
}

pub(super) fn remove_file_if_present(file: &Path) -> Result<()> {
    match std::fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(CoreError::io("removing", file, err)),
    }
}

#[cfg(test)]
#[path = "checkpoint_network_tests.rs"]
mod network_tests;
