//! Checkpoint archives: a checkpoint exported with what a restore into a new container needs
//! (Podman's `--export` and `--import`), and its import.
//!
//! The archive is a tar, compressed with zstd (Podman's default), gzip or not at all, holding
//! `checkpoint/` (CRIU's images), `config.dump` (the container's config, as the state
//! database keeps it), `spec.dump` (the bundle's OCI spec, for reference), `network.status`
//! (its addresses, given back by an import that keeps the container's name) and, unless
//! `ignore_rootfs`, the root filesystem's changes (`rootfs-diff.tar`, `deleted.files`; see
//! `checkpoint_rootfs.rs`) and the contents of its named volumes (`volumes/NAME.tar`, each
//! as `volume export` writes it), as Podman names them. An import reads any of the three
//! compressions, whatever the file is called, and unpacks each volume's tar into a new volume
//! of that name as `volume import` does (as Podman, it refuses when one exists, unless
//! `ignore_volumes`), and `devshm-checkpoint.tar` (the container's /dev/shm, see
//! `checkpoint_shm.rs`).

use super::checkpoint::{
    CHECKPOINT_DIR, CheckpointOptions, CriuReport, NETWORK_STATUS, RestoreOptions,
    read_network_status, remove_dir_if_present,
};
use super::checkpoint_rootfs::{self as rootfs, DELETED_FILES, ROOTFS_DIFF};
use super::checkpoint_shm::DEVSHM_TAR;
use super::{Container, ContainerConfig, Locked};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;

use std::io::{BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The container's config in an archive.
const CONFIG_DUMP: &str = "config.dump";
/// The OCI spec in an archive.
const SPEC_DUMP: &str = "spec.dump";
/// Where imports are unpacked, under the root.
const IMPORT_DIR: &str = "checkpoint-imports";
/// In an import's directory: the ID of the container it makes (not an archive member name:
/// the archive is unpacked beside it).
const IMPORTED_ID: &str = ".imported-id";
/// In an import's directory: the volumes the import makes (one name a line), removed with
/// its container when it fails or is cut short.
const IMPORTED_VOLUMES: &str = ".imported-volumes";

/// How an exported checkpoint archive is compressed (Podman's `--compress`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// zstd, Podman's default.
    #[default]
    Zstd,
    /// gzip.
    Gzip,
    /// None: a plain tar.
    None,
}

impl std::str::FromStr for Compression {
    type Err = CoreError;

    /// Podman's names: `zstd`, `gzip`, `none`.
    ///
    /// ```
    /// use libpod_core::container::Compression;
    /// assert_eq!("gzip".parse::<Compression>().unwrap(), Compression::Gzip);
    /// assert!("lz4".parse::<Compression>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "zstd" => Ok(Compression::Zstd),
            "gzip" => Ok(Compression::Gzip),
            "none" => Ok(Compression::None),
            other => Err(CoreError::InvalidOption {
                option: "compress",
                reason: format!("selected compression algorithm ({other:?}) not supported"),
            }),
        }
    }
}

/// In an archive: the directory of the volumes' tars.
const VOLUMES_DIR: &str = "volumes";

/// The names of the container's named volumes (its anonymous ones are named by now).
fn named_volumes(config: &ContainerConfig) -> Vec<String> {
    config
        .mounts
        .iter()
        .filter_map(|m| match m {
            libpod_spec::parse::VolumeMount::Named { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Writes the container's checkpoint, config, spec, (unless `ignore_rootfs`) root filesystem
/// changes and (unless `ignore_volumes`) volumes to `archive` (created 0600, replaced when
/// it exists).
pub(super) fn export(
    locked: &Locked<'_>,
    archive: &Path,
    options: &CheckpointOptions,
) -> Result<()> {
    let staging = locked
        .runtime()
        .container_static_dir(locked.id())
        .join("rootfs-export");
    remove_dir_if_present(&staging)?;
    let result = (|| {
        crate::runtime::modes::create_private_dir(&staging)?;
        if !options.ignore_rootfs {
            rootfs::export(locked, &staging)?;
        }
        let volumes = match options.ignore_volumes {
            true => Vec::new(),
            false => export_volumes(locked, &staging.join(VOLUMES_DIR))?,
        };
        write_archive(locked, archive, options.compression, &staging, &volumes)
    })();
    if let Err(err) = remove_dir_if_present(&staging) {
        tracing::debug!(%err, "removing the exported root filesystem changes");
    }
    result
}

/// Each named volume's data as `dir/NAME.tar`; their names.
fn export_volumes(locked: &Locked<'_>, dir: &Path) -> Result<Vec<String>> {
    let names = named_volumes(locked.config());
    if names.is_empty() {
        return Ok(names);
    }
    crate::runtime::modes::create_private_dir(dir)?;
    for name in &names {
        let path = dir.join(format!("{name}.tar"));
        let file = crate::runtime::modes::private_file()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|err| CoreError::io("create", &path, err))?;
        let mut out = BufWriter::new(file);
        crate::volume::Volume::load(locked.runtime(), name)?.export(&mut out)?;
        out.flush()
            .map_err(|err| CoreError::io("write", &path, err))?;
    }
    Ok(names)
}

fn write_archive(
    locked: &Locked<'_>,
    archive: &Path,
    compression: Compression,
    staging: &Path,
    volumes: &[String],
) -> Result<()> {
    let failed = |reason: String| CoreError::CheckpointArchive {
        path: archive.to_path_buf(),
        reason,
    };
    let config = serde_json::to_vec_pretty(locked.config())
        .map_err(|err| failed(format!("encoding the config: {err}")))?;
    let spec_path = locked
        .runtime()
        .container_run_dir(locked.id())
        .join("config.json");
    let spec = std::fs::read(&spec_path).ok();
    let static_dir = locked.runtime().container_static_dir(locked.id());
    let images = locked.ctr.checkpoint_path();
    // Written beside the target and renamed over it once whole: a failed or cut-short
    // export leaves no half archive under the name asked for.
    let temp = libpod_fs::TempFile::beside(archive, 0o600)?;
    let io = |err| CoreError::io("writing", archive, err);
    let entries = Entries {
        images: &images,
        config: &config,
        spec: spec.as_deref(),
        staging,
        static_dir: &static_dir,
        volumes,
    };
    let out = BufWriter::new(temp.file());
    let out = match compression {
        Compression::Zstd => {
            let encoder = zstd::Encoder::new(out, 0).map_err(io)?;
            entries.write(encoder).map_err(io)?.finish().map_err(io)?
        }
        Compression::Gzip => {
            let encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            entries.write(encoder).map_err(io)?.finish().map_err(io)?
        }
        Compression::None => entries.write(out).map_err(io)?,
    };
    out.into_inner().map_err(|err| io(err.into_error()))?;
    temp.commit(libpod_fs::Durability::Full)?;
    tracing::debug!(container = %locked.id(), archive = %archive.display(), "checkpoint exported");
    Ok(())
}

/// What an exported archive holds, in its order.
struct Entries<'a> {
    images: &'a Path,
    config: &'a [u8],
    spec: Option<&'a [u8]>,
    /// Holds the root filesystem's changes and `volumes/`.
    staging: &'a Path,
    /// The container's: `network.status`, `devshm-checkpoint.tar`.
    static_dir: &'a Path,
    volumes: &'a [String],
}

impl Entries<'_> {
    /// Writes the tar stream into `out`; returns `out` for its compressor to be finished.
    fn write<W: Write>(&self, out: W) -> std::io::Result<W> {
        let mut tar = tar::Builder::new(out);
        tar.follow_symlinks(false);
        tar.append_dir_all(CHECKPOINT_DIR, self.images)?;
        append_bytes(&mut tar, CONFIG_DUMP, self.config)?;
        if let Some(spec) = self.spec {
            append_bytes(&mut tar, SPEC_DUMP, spec)?;
        }
        for name in [ROOTFS_DIFF, DELETED_FILES] {
            let path = self.staging.join(name);
            if path.exists() {
                tar.append_path_with_name(&path, name)?;
            }
        }
        for volume in self.volumes {
            let name = format!("{VOLUMES_DIR}/{volume}.tar");
            tar.append_path_with_name(self.staging.join(&name), &name)?;
        }
        for name in [NETWORK_STATUS, DEVSHM_TAR] {
            let path = self.static_dir.join(name);
            if path.exists() {
                tar.append_path_with_name(&path, name)?;
            }
        }
        let mut out = tar.into_inner()?;
        out.flush()?;
        Ok(out)
    }
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, data)
}

impl Runtime {
    /// Restores a checkpoint archive ([`CheckpointOptions::export`]) into a new container
    /// (Podman's `restore --import`): the container is created from the archived config on
    /// the same image, with `options.name` and a new ID if given, else with the checkpointed
    /// container's name and ID, then restored. Returns it with the restore's report. A failed
    /// restore removes it again.
    ///
    /// [`CheckpointOptions::export`]: super::CheckpointOptions::export
    ///
    /// ```no_run
    /// use libpod_core::container::RestoreOptions;
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let (ctr, _report) =
    ///     rt.import_checkpoint("/tmp/web.tar.zst".as_ref(), &RestoreOptions::default().name("web2"))?;
    /// println!("{}", ctr.id());
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn import_checkpoint(
        &self,
        archive: &Path,
        options: &RestoreOptions,
    ) -> Result<(Container, CriuReport)> {
        // Held while the import works, locked before it is in place: an open removes only
        // the directories of imports whose process is gone (`repair_interrupted_imports`).
        let (_held, unpacked) = crate::runtime::held::create_dir(
            "make the unpack directory",
            &self.root().join(IMPORT_DIR),
            &super::new_id()?,
        )?;
        let result = self.import_unpacked(archive, &unpacked, options);
        if let Err(err) = remove_dir_if_present(&unpacked) {
            tracing::warn!(%err, "removing an unpacked checkpoint archive");
        }
        result
    }

    fn import_unpacked(
        &self,
        archive: &Path,
        unpacked: &Path,
        options: &RestoreOptions,
    ) -> Result<(Container, CriuReport)> {
        let failed = |reason: String| CoreError::CheckpointArchive {
            path: archive.to_path_buf(),
            reason,
        };
        unpack(archive, unpacked)?;
        // Untrusted: read bounded, never through a link.
        let config = libpod_fs::Root::open(unpacked)?
            .read_regular(CONFIG_DUMP, libpod_fs::Policy::NoSymlinks, MAX_DUMP_SIZE)
            .map_err(|err| failed(format!("no readable {CONFIG_DUMP}: {err}")))?;
        let mut config: ContainerConfig = serde_json::from_slice(&config)
            .map_err(|err| failed(format!("malformed {CONFIG_DUMP}: {err}")))?;
        if !unpacked.join(CHECKPOINT_DIR).join("inventory.img").exists() {
            return Err(failed("it holds no complete checkpoint".into()));
        }
        // The volumes whose contents it restores are its own: none may exist (Podman's rule).
        // The ones it makes go again if it fails.
        let mut new_volumes = Vec::new();
        for name in named_volumes(&config) {
            if !self.volume_exists(&name)? {
                new_volumes.push(name);
            } else if !options.ignore_volumes {
                return Err(CoreError::ImportVolumeExists(name));
            }
        }
        // Checked before anything is made; given back only under the same name (Podman: a
        // container restored under a new name is a copy, which gets addresses of its own).
        let network_status =
            read_network_status(unpacked, NETWORK_STATUS)?.filter(|_| options.name.is_none());
        for attachment in &mut config.networks {
            if options.ignore_static_ip {
                attachment.static_ips.clear();
            }
            if options.ignore_static_mac {
                attachment.static_mac = None;
            }
        }
        if let Some(name) = &options.name {
            let id = super::new_id()?;
            if config.exit_command.last() == Some(&config.id) {
                config.exit_command.pop();
                config.exit_command.push(id.clone());
            }
            config.id = id;
            config.name = name.clone();
        }
        // The container this import makes, named before it exists: an open that finds the
        // import cut short removes it unless it was restored.
        match self.state().container_name(&config.id) {
            Ok(_) => return Err(crate::state::common::id_in_use(&config.id)),
            Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err),
        }
        // Whole or absent (an open reads them to find what to undo), 0600 as our other files.
        libpod_fs::replace(
            &unpacked.join(IMPORTED_VOLUMES),
            new_volumes.join("\n").as_bytes(),
            libpod_fs::PRIVATE_FILE_MODE,
            libpod_fs::Durability::Volatile,
        )?;
        libpod_fs::replace(
            &unpacked.join(IMPORTED_ID),
            config.id.as_bytes(),
            libpod_fs::PRIVATE_FILE_MODE,
            libpod_fs::Durability::Volatile,
        )?;
        let ctr = match self.add_recreated(&config) {
            Ok(ctr) => ctr,
            // It may have made volumes before it failed (a name taken, the image gone).
            Err(err) => {
                return Err(match remove_volumes(self, &new_volumes) {
                    Ok(()) => err,
                    Err(cleanup) => CoreError::WithCleanupFailure {
                        primary: Box::new(err),
                        cleanup: cleanup.to_string(),
                    },
                });
            }
        };
        let moved = (|| {
            let static_dir = self.container_static_dir(ctr.id());
            crate::runtime::modes::create_private_dir(&static_dir)?;
            let images = static_dir.join(CHECKPOINT_DIR);
            remove_dir_if_present(&images)?;
            std::fs::rename(unpacked.join(CHECKPOINT_DIR), &images)
                .map_err(|err| CoreError::io("moving the checkpoint to", &images, err))?;
            if let Some(status) = &network_status {
                super::checkpoint::write_network_status(&static_dir, status)?;
            }
            // Only a regular file (the restore reads it as a tar, as safely as a layer).
            // 0600 before it is in place, as our other files.
            let unpacked_shm = unpacked.join(DEVSHM_TAR);
            if unpacked_shm.is_file() {
                let shm = static_dir.join(DEVSHM_TAR);
                std::fs::set_permissions(&unpacked_shm, std::fs::Permissions::from_mode(0o600))
                    .and_then(|()| std::fs::rename(&unpacked_shm, &shm))
                    .map_err(|err| CoreError::io("moving the shm contents to", &shm, err))?;
            }
            Ok(())
        })();
        let moved = moved.and_then(|()| {
            if options.ignore_rootfs {
                Ok(())
            } else {
                rootfs::import(&ctr, unpacked)
            }
        });
        let moved = moved.and_then(|()| match options.ignore_volumes {
            true => Ok(()),
            false => import_volumes(self, &ctr, archive, unpacked),
        });
        match moved.and_then(|()| ctr.restore(options)) {
            Ok(report) => Ok((ctr, report)),
            Err(err) => {
                let removal = super::RemoveOptions::default().force(true);
                let undone = self
                    .remove_container(&ctr, removal)
                    .and_then(|()| remove_volumes(self, &new_volumes));
                if let Err(cleanup) = undone {
                    return Err(CoreError::WithCleanupFailure {
                        primary: Box::new(err),
                        cleanup: cleanup.to_string(),
                    });
                }
                Err(err)
            }
        }
    }
}

/// Unpacks each of the container's named volumes that the archive holds (`volumes/NAME.tar`)
/// into the volume, made by the container's creation (none existed before), as `volume
/// import` does: entries as safely as image layers. A volume the archive lacks stays empty.
fn import_volumes(rt: &Runtime, ctr: &Container, archive: &Path, unpacked: &Path) -> Result<()> {
    let root = libpod_fs::Root::open(unpacked)?;
    for name in named_volumes(ctr.config()) {
        // A volume's name has no '/' (checked when it was made): one entry of `volumes/`.
        let tar = match root.open_regular(
            Path::new(VOLUMES_DIR).join(format!("{name}.tar")),
            libpod_fs::Policy::NoSymlinks,
        ) {
            Ok(file) => file,
            Err(libpod_fs::FsError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        let volume = crate::volume::Volume::load(rt, &name)?;
        volume.import(std::io::BufReader::new(tar)).map_err(|err| {
            CoreError::CheckpointArchive {
                path: archive.to_path_buf(),
                reason: format!("importing volume {name}: {err}"),
            }
        })?;
        tracing::debug!(volume = %name, "volume restored from the checkpoint archive");
    }
    Ok(())
}

/// Unpacks `archive` (zstd, gzip or plain tar, told by its first bytes) into `dir` with the
/// store's archive unpacker: an archive is untrusted, so only regular files and directories
/// at plain relative paths are taken (a CRIU image directory holds nothing else), and no
/// later read of `dir` can follow a link out of it.
/// The most an archive's `config.dump` or `deleted.files` may hold.
pub(super) const MAX_DUMP_SIZE: u64 = 16 << 20;

fn unpack(archive: &Path, dir: &Path) -> Result<()> {
    libpod_storage::transport::unpack_archive(archive, dir).map_err(|err| match err {
        libpod_storage::StorageError::InvalidLayout { reason, .. } => {
            CoreError::CheckpointArchive {
                path: archive.to_path_buf(),
                reason: format!("unpacking failed: {reason}"),
            }
        }
        other => other.into(),
    })
}

/// At open: removes what imports whose process is gone left (their directory is no longer
/// locked): the unpacked archive, and the container one made but never restored (a half
/// import: created, not running what the archive held). Failures are logged; the next open
/// tries again.
pub(crate) fn repair_interrupted_imports(rt: &Runtime) {
    let Ok(entries) = std::fs::read_dir(rt.root().join(IMPORT_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::runtime::held::is_temporary(&name) {
            // Not yet in place (nothing unpacked into it): its maker's, unless that process
            // is gone.
            if crate::runtime::held::abandoned(&name) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            continue;
        }
        let free = std::fs::File::open(&dir).map(|f| f.try_lock().is_ok());
        if !matches!(free, Ok(true)) {
            continue;
        }
        let removed = remove_half_import(rt, &dir).and_then(|()| remove_dir_if_present(&dir));
        if let Err(err) = removed {
            tracing::warn!(path = %dir.display(), %err, "interrupted import not undone");
        }
    }
}

fn remove_half_import(rt: &Runtime, dir: &Path) -> Result<()> {
    let Ok(id) = std::fs::read_to_string(dir.join(IMPORTED_ID)) else {
        return Ok(());
    };
    let volumes: Vec<String> = std::fs::read_to_string(dir.join(IMPORTED_VOLUMES))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    match Container::load(rt, id.trim()) {
        Ok(ctr) if ctr.state()?.restored => return Ok(()),
        Ok(ctr) => {
            tracing::info!(container = %ctr.id(), "removing the container of an interrupted import");
            rt.remove_container(&ctr, super::RemoveOptions::default().force(true))?;
        }
        // Never made, or its removal done: its volumes may be left.
        Err(CoreError::ContainerNotFound(_)) => {}
        Err(err) => return Err(err),
    }
    remove_volumes(rt, &volumes)
}

/// Removes the volumes an import made (any already gone is no error).
fn remove_volumes(rt: &Runtime, names: &[String]) -> Result<()> {
    for name in names.iter().filter(|n| !n.is_empty()) {
        rt.remove_volume_named(name, true)?;
    }
    Ok(())
}
