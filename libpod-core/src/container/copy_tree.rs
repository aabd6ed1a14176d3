//! The tree work of `copy.rs`: a directory copied as a tar stream through a pipe (the
//! storage's descriptor-walking tar writer on one side, its in-root layer applier on the
//! other) and owners set without following a symlink.

use crate::error::{CoreError, Result};
use libpod_fs::Root;
use nix::dir::Dir;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::{Gid, Uid, fchownat};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::Path;

/// How deep [`chown_tree`] goes before refusing (a tree deeper than this was not made by a
/// copy).
const MAX_DEPTH: usize = 512;

/// `/proc/self/fd/N` of the directory `root` holds open: a path that reaches exactly that
/// directory, for the APIs that take paths.
pub(super) fn fd_path(root: &Root) -> String {
    format!("/proc/self/fd/{}", root.as_fd().as_raw_fd())
}

/// Copies the content of the directory `from` into the existing directory `to`: owners,
/// modes, times, symlinks, hardlinks and devices as they are. Each side is walked through
/// descriptors, so neither can be left through a symlink.
pub(super) fn copy_tree(from: &Path, to: &str) -> Result<()> {
    let (reader, writer) = std::io::pipe().map_err(|e| CoreError::io("pipe", from, e))?;
    std::thread::scope(|scope| {
        let writing = scope.spawn(move || {
            libpod_storage::layer::write_tar(
                from,
                writer,
                &libpod_storage::layer::TarOptions::default(),
            )
        });
        let applied = libpod_storage::layer::apply_layer(reader, Path::new(to));
        let written = writing.join().unwrap_or_else(|_| {
            Err(libpod_storage::StorageError::MalformedLayer {
                reason: "the tar writer panicked".into(),
            })
        });
        // A writer that failed closed the pipe early: its error is the cause.
        written?;
        applied?;
        Ok(())
    })
}

/// Gives everything beneath `root` (and `root` itself) the owner `uid`:`gid`, symlinks
/// themselves and never what they point to.
pub(super) fn chown_tree(root: &Root, uid: u32, gid: u32) -> Result<()> {
    let (uid, gid) = (Uid::from_raw(uid), Gid::from_raw(gid));
    nix::unistd::fchown(root, Some(uid), Some(gid))
        .map_err(|e| CoreError::io("chown", root.path(), e.into()))?;
    chown_below(root.as_fd(), root.path(), uid, gid, 0)
}

fn chown_below(dir: BorrowedFd<'_>, shown: &Path, uid: Uid, gid: Gid, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(CoreError::io(
            "chown",
            shown,
            std::io::Error::other("directory tree too deep"),
        ));
    }
    let io = |op, e: nix::Error| CoreError::io(op, shown, e.into());
    let mut listing = Dir::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io("open", e))?;
    let mut subdirs = Vec::new();
    for entry in listing.iter() {
        let entry = entry.map_err(|e| io("read", e))?;
        let name = entry.file_name();
        if name.to_bytes() == b"." || name.to_bytes() == b".." {
            continue;
        }
        fchownat(
            dir,
            name,
            Some(uid),
            Some(gid),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(|e| io("chown", e))?;
        if entry.file_type() == Some(nix::dir::Type::Directory) {
            subdirs.push(name.to_owned());
        }
    }
    for name in subdirs {
        // O_NOFOLLOW: a directory swapped for a symlink since the listing is not entered.
        let sub = nix::fcntl::openat(
            dir,
            name.as_c_str(),
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| io("open", e))?;
        let shown = shown.join(name.to_string_lossy().as_ref());
        chown_below(sub.as_fd(), &shown, uid, gid, depth + 1)?;
    }
    Ok(())
}
