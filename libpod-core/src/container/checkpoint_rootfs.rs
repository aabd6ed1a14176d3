//! The root filesystem's changes in a checkpoint archive, as Podman writes them: the added and
//! changed paths in `rootfs-diff.tar` and the deleted ones in `deleted.files` (a JSON list).
//!
//! Exported, the paths are read from the mounted root filesystem beneath it, never through a
//! symlink (a container that swaps a directory for a symlink while it runs gets an error, not
//! a host file in its archive). Imported, the tar is applied as a layer into a staging
//! directory (`apply_layer`, which keeps every entry inside it), the deletions become overlay
//! whiteouts there, and the whole is merged onto the new container's mounted root filesystem
//! (`merge_layer_into`, which never writes through a symlink). Regular files, directories and
//! symlinks are carried; device nodes, FIFOs and sockets are left out, hard links are copies.

use super::{Container, Locked, RootfsSource};
use crate::error::{CoreError, Result};
use libpod_fs::{Policy, Root};
use libpod_storage::layer::{ChangeKind, apply_layer, merge_layer_into};
use nix::fcntl::{AtFlags, readlinkat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstatat, mknodat};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The added and changed paths, in an archive.
pub(super) const ROOTFS_DIFF: &str = "rootfs-diff.tar";
/// The deleted paths (a JSON list), in an archive.
pub(super) const DELETED_FILES: &str = "deleted.files";

/// Paths the runtime sets up for every run, which Podman leaves out of a container's diff
/// (libpod's `containerMounts`).
const RUNTIME_PATHS: &[&str] = &[
    "/dev",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/proc",
    "/run",
    "/run/.containerenv",
    "/run/secrets",
    "/sys",
];

/// Writes the container's changes into `dir` as [`ROOTFS_DIFF`] and [`DELETED_FILES`]
/// (0600); nothing for a container whose root filesystem is a host path.
pub(super) fn export(locked: &Locked<'_>, dir: &Path) -> Result<()> {
    if !matches!(locked.config().rootfs, Some(RootfsSource::Image { .. })) {
        return Ok(());
    }
    let store = locked.runtime().storage();
    let changes = store.container_changes(locked.id())?;
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    for change in changes {
        if RUNTIME_PATHS.iter().any(|p| change.path == Path::new(p)) {
            continue;
        }
        match change.kind {
            ChangeKind::Deleted => deleted.push(change.path.to_string_lossy().into_owned()),
            ChangeKind::Added | ChangeKind::Changed => kept.push(change.path),
        }
    }
    let diff = dir.join(ROOTFS_DIFF);
    let mount = store.mount_container(locked.id())?;
    let written = write_diff(&mount, &kept, &diff);
    let unmounted = store.unmount_container(locked.id(), false);
    written?;
    unmounted?;
    let list = serde_json::to_vec(&deleted).map_err(|err| CoreError::CheckpointArchive {
        path: dir.join(DELETED_FILES),
        reason: err.to_string(),
    })?;
    private_file(&dir.join(DELETED_FILES))?
        .write_all(&list)
        .map_err(|err| CoreError::io("writing", dir.join(DELETED_FILES), err))
}

fn private_file(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|err| CoreError::io("creating", path, err))
}

/// Tars `paths` (absolute in the container, parents first) from beneath `mount` into `out`.
fn write_diff(mount: &Path, paths: &[PathBuf], out: &Path) -> Result<()> {
    let root = Root::open(mount)?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(private_file(out)?));
    let io = |err| CoreError::io("writing", out, err);
    for path in paths {
        let rel = path.strip_prefix("/").unwrap_or(path);
        let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
            continue;
        };
        let parent = if parent.as_os_str().is_empty() {
            Root::open(mount)?
        } else {
            root.open_dir(parent, Policy::NoSymlinks)?
        };
        let stat = fstatat(parent.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW)
            .map_err(|errno| CoreError::io("stat", mount.join(rel), errno.into()))?;
        let mut header = header(&stat);
        match SFlag::from_bits_truncate(stat.st_mode & SFlag::S_IFMT.bits()) {
            SFlag::S_IFREG => {
                let file = parent.open_regular(name, Policy::NoSymlinks)?;
                let size = file.metadata().map_err(io)?.size();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(size);
                // Exactly `size` bytes, whatever a running container does to the file
                // meanwhile (the tar crate writes what the reader gives).
                let data = file.take(size).chain(std::io::repeat(0)).take(size);
                tar.append_data(&mut header, rel, data).map_err(io)?;
            }
            SFlag::S_IFDIR => {
                header.set_entry_type(tar::EntryType::Directory);
                tar.append_data(&mut header, rel, std::io::empty())
                    .map_err(io)?;
            }
            SFlag::S_IFLNK => {
                let target = readlinkat(parent.as_fd(), name)
                    .map_err(|errno| CoreError::io("readlink", mount.join(rel), errno.into()))?;
                header.set_entry_type(tar::EntryType::Symlink);
                tar.append_link(&mut header, rel, PathBuf::from(target))
                    .map_err(io)?;
            }
            _ => {
                tracing::debug!(path = %path.display(), "not a file, directory or symlink: left out")
            }
        }
    }
    tar.into_inner().map_err(io)?.flush().map_err(io)
}

fn header(stat: &FileStat) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_mode(stat.st_mode & 0o7777);
    header.set_uid(u64::from(stat.st_uid));
    header.set_gid(u64::from(stat.st_gid));
    header.set_mtime(u64::try_from(stat.st_mtime).unwrap_or(0));
    header.set_size(0);
    header
}

/// Applies the changes unpacked in `unpacked` (its [`ROOTFS_DIFF`] and [`DELETED_FILES`], if
/// any) onto the new container's root filesystem.
pub(super) fn import(ctr: &Container, unpacked: &Path) -> Result<()> {
    let diff = unpacked.join(ROOTFS_DIFF);
    let deleted = unpacked.join(DELETED_FILES);
    if !diff.exists() && !deleted.exists() {
        return Ok(());
    }
    let staging = unpacked.join("rootfs-diff");
    crate::runtime::modes::create_private_dir(&staging)?;
    if diff.exists() {
        let file = File::open(&diff).map_err(|err| CoreError::io("reading", &diff, err))?;
        apply_layer(file, &staging)?;
    }
    if deleted.exists() {
        let list = libpod_fs::Root::open(unpacked)?
            .read_regular(
                DELETED_FILES,
                libpod_fs::Policy::NoSymlinks,
                super::checkpoint_archive::MAX_DUMP_SIZE,
            )
            .map_err(|err| CoreError::CheckpointArchive {
                path: deleted.clone(),
                reason: format!("unreadable {DELETED_FILES}: {err}"),
            })?;
        let paths: Vec<PathBuf> =
            serde_json::from_slice(&list).map_err(|err| CoreError::CheckpointArchive {
                path: deleted.clone(),
                reason: format!("malformed {DELETED_FILES}: {err}"),
            })?;
        whiteouts(&staging, &paths)?;
    }
    let mount = ctr.mount()?;
    let merged = root_like(&staging, &mount).and_then(|()| Ok(merge_layer_into(&staging, &mount)?));
    let unmounted = ctr.unmount();
    merged?;
    unmounted
}

/// An overlay whiteout (a 0:0 character device) in `staging` for each deleted path; parents
/// the diff does not have are made 0755.
fn whiteouts(staging: &Path, paths: &[PathBuf]) -> Result<()> {
    let root = Root::open(staging)?;
    for path in paths {
        let rel = path.strip_prefix("/").unwrap_or(path);
        let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
            continue;
        };
        let parent = if parent.as_os_str().is_empty() {
            Root::open(staging)?
        } else {
            root.ensure_dir(parent, 0o755)?
        };
        match mknodat(parent.as_fd(), name, SFlag::S_IFCHR, Mode::empty(), 0) {
            Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
            Err(errno) => return Err(CoreError::io("mknod", staging.join(rel), errno.into())),
        }
    }
    Ok(())
}

/// Gives `staging`'s root the owner and mode of `mount`'s (a merge copies them).
fn root_like(staging: &Path, mount: &Path) -> Result<()> {
    let meta = std::fs::metadata(mount).map_err(|err| CoreError::io("stat", mount, err))?;
    std::os::unix::fs::chown(staging, Some(meta.uid()), Some(meta.gid()))
        .map_err(|err| CoreError::io("chown", staging, err))?;
    std::fs::set_permissions(
        staging,
        std::fs::Permissions::from_mode(meta.mode() & 0o7777),
    )
    .map_err(|err| CoreError::io("chmod", staging, err))
}
