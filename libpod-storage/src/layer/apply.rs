//! Applying a layer tarball (tar, tar+gzip, tar+zstd) into a directory, safely.
//!
//! The tar stream is read entry by entry (never with the tar crate's `unpack`, whose symlink
//! handling lets entries escape) and every entry is created relative to its parent directory's
//! descriptor, which is resolved with `openat2(RESOLVE_IN_ROOT)`: a symlink in the layer, even
//! `/` or `../../..`, resolves inside the root. The final component is never followed. Layer
//! symlinks themselves are just data and may point anywhere.

use super::compress::Decoder;
use super::fsutil::{self, Kind, c_name, is_whiteout, lstat_at, open_dir_in_root};
use super::tar_reader::{Entry, EntryType, TarReader, Timestamp};
use super::xattr::{Node, OVERLAY_OPAQUE};
use crate::digest::{Digest, HashingReader};
use crate::error::{Result, StorageError};
use nix::errno::Errno;
use nix::sys::stat::{Mode, SFlag, mknodat};
use nix::unistd::fchownat;
use std::io::{self, BufReader, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

#[path = "apply_entry.rs"]
mod entry;

/// What applying a layer produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedLayer {
    /// sha256 of the uncompressed tar stream (the layer's diff ID).
    pub diff_id: Digest,
    /// sha256 of the bytes as read (the compressed blob's digest).
    pub compressed_digest: Digest,
    /// Bytes read (the compressed blob's size).
    pub compressed_size: u64,
    /// Total size of the regular files' content in the layer.
    pub size: u64,
}

/// The read buffer of the compressed stream.
const BUFFER: usize = 128 * 1024;

/// Applies the layer read from `reader` into `root` (an existing, empty directory) in overlay
/// format. Compression is detected from the first bytes. No entry can create, change or read
/// anything outside `root`; an entry that tries is refused with
/// [`StorageError::HostileLayer`](crate::StorageError::HostileLayer).
///
/// Deletions become overlay whiteouts (`.wh.NAME` a 0:0 character device `NAME`,
/// `.wh..wh..opq` the xattr `trusted.overlay.opaque=y` on its directory), so that `root` can
/// be stacked directly as an overlay lower layer. The whole stream is read to its end: the
/// diff ID covers any bytes after the end-of-archive blocks, as containers/image digests them.
///
/// ```no_run
/// let blob = std::fs::File::open("/tmp/layer.tar.gz")?;
/// let applied = libpod_storage::layer::apply_layer(blob, std::path::Path::new("/tmp/layer"))?;
/// println!("diff ID {}, {} bytes of files", applied.diff_id, applied.size);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_layer(reader: impl Read, root: &Path) -> Result<AppliedLayer> {
    let mut compressed = HashingReader::new(reader);
    let (diff_id, size) = {
        let (_, decoder) = Decoder::new(BufReader::with_capacity(BUFFER, &mut compressed))?;
        let mut plain = HashingReader::new(decoder);
        let mut unpacker = Unpacker::new(root)?;
        {
            let mut tar = TarReader::new(&mut plain);
            while let Some(entry) = tar.next_entry()? {
                unpacker.apply(&entry, &mut tar)?;
            }
        }
        unpacker.set_directory_times()?;
        io::copy(&mut plain, &mut io::sink()).map_err(stream_error)?;
        let diff_id = plain.digest();
        // Whatever the decompressor left unread still belongs to the blob's digest.
        io::copy(&mut plain.into_inner().into_inner(), &mut io::sink()).map_err(stream_error)?;
        (diff_id, unpacker.size)
    };
    Ok(AppliedLayer {
        diff_id,
        compressed_digest: compressed.digest(),
        compressed_size: compressed.byte_count(),
        size,
    })
}

fn stream_error(err: io::Error) -> StorageError {
    StorageError::MalformedLayer {
        reason: format!("reading the layer stream: {err}"),
    }
}

/// The `.wh.` prefix of whiteout entries.
const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// The `.wh..wh.` prefix of AUFS metadata entries.
const WHITEOUT_META_PREFIX: &[u8] = b".wh..wh.";
/// The entry that makes its directory opaque.
const WHITEOUT_OPAQUE: &[u8] = b".wh..wh..opq";

/// Names one entry in errors: as written in the archive, and where it lands.
struct EntryName<'a> {
    shown: String,
    root: &'a Path,
    relative: PathBuf,
}

impl EntryName<'_> {
    fn hostile(&self, reason: impl Into<String>) -> StorageError {
        StorageError::HostileLayer {
            entry: self.shown.clone(),
            reason: reason.into(),
        }
    }

    fn io(&self, op: &'static str, errno: Errno) -> StorageError {
        StorageError::io(op, self.root.join(&self.relative), errno.into())
    }
}

/// Timestamps to set on a node.
#[derive(Clone, Copy, Debug)]
struct Times {
    atime: Timestamp,
    mtime: Timestamp,
}

impl Times {
    /// An entry's times; the access time is never before the modification time (as in
    /// containers/storage).
    fn of(entry: &Entry) -> Times {
        let atime = entry.atime.unwrap_or(entry.mtime).max(entry.mtime);
        Times {
            atime,
            mtime: entry.mtime,
        }
    }
}

/// The state of one extraction.
struct Unpacker<'a> {
    root_path: &'a Path,
    root: OwnedFd,
    /// Directories whose times are set last, once nothing is created in them any more.
    directory_times: Vec<(Vec<Vec<u8>>, Times)>,
    size: u64,
}

impl<'a> Unpacker<'a> {
    fn new(root_path: &'a Path) -> Result<Self> {
        let root = fsutil::open_dir(root_path)
            .map_err(|errno| StorageError::io("open", root_path, errno.into()))?;
        Ok(Unpacker {
            root_path,
            root,
            directory_times: Vec::new(),
            size: 0,
        })
    }

    fn apply<R: Read>(&mut self, entry: &Entry, tar: &mut TarReader<R>) -> Result<()> {
        let shown = String::from_utf8_lossy(&entry.path).into_owned();
        let components = match clean_path(&entry.path) {
            Some(components) => components,
            None => {
                return Err(StorageError::HostileLayer {
                    entry: shown,
                    reason: "its path climbs above the layer root".into(),
                });
            }
        };
        let name = EntryName {
            shown,
            root: self.root_path,
            relative: fsutil::join(&components),
        };
        for (xattr, _) in &entry.xattrs {
            // They would let a layer forge overlay redirects, metacopy or opaque markers.
            if xattr.starts_with("trusted.overlay.") || xattr.starts_with("user.overlay.") {
                return Err(name.hostile(format!("it sets the overlayfs xattr {xattr}")));
            }
        }
        if let EntryType::Other(flag) = entry.kind {
            return Err(StorageError::Unsupported {
                what: "layer entry type",
                reason: format!("{:?} has tar type {:?}", name.shown, char::from(flag)),
            });
        }
        let Some((last, parent)) = components.split_last() else {
            return self.apply_root(entry, &name);
        };
        if last.starts_with(WHITEOUT_PREFIX) {
            return self.apply_whiteout(parent, last, entry, &name);
        }
        let dir = self.parent_dir(parent, &name)?;
        let file_name =
            c_name(last).map_err(|_| name.hostile("its name is not a valid file name"))?;
        self.create(dir.as_fd(), &file_name, &components, entry, &name, tar)
    }

    /// An entry for the root itself (`.`, `/`): a directory sets the root's metadata;
    /// anything else would replace the root and is refused.
    fn apply_root(&mut self, entry: &Entry, name: &EntryName<'_>) -> Result<()> {
        if entry.kind != EntryType::Directory {
            return Err(name.hostile("only a directory may stand for the layer root"));
        }
        entry::set_metadata(entry::Target::Fd(self.root.as_fd()), entry, false, name)?;
        self.directory_times.push((Vec::new(), Times::of(entry)));
        Ok(())
    }

    /// `.wh.NAME` becomes a 0:0 character device `NAME`, `.wh..wh..opq` the opaque xattr on
    /// its directory; other AUFS metadata (`.wh..wh.*`) is ignored, as containers/storage does.
    fn apply_whiteout(
        &mut self,
        parent: &[Vec<u8>],
        last: &[u8],
        entry: &Entry,
        name: &EntryName<'_>,
    ) -> Result<()> {
        if last == WHITEOUT_OPAQUE {
            let dir = self.parent_dir(parent, name)?;
            return Node::Fd(dir.as_fd())
                .set(OVERLAY_OPAQUE, b"y")
                .map_err(|errno| name.io("set the opaque xattr on the parent of", errno));
        }
        if last.starts_with(WHITEOUT_META_PREFIX) {
            tracing::debug!(entry = %name.shown, "ignoring AUFS metadata entry");
            return Ok(());
        }
        let target = &last[WHITEOUT_PREFIX.len()..];
        if target.is_empty() || target == b"." || target == b".." {
            return Err(name.hostile("it whites out no name, `.` or `..`"));
        }
        let dir = self.parent_dir(parent, name)?;
        let target = c_name(target).map_err(|_| name.hostile("it whites out an invalid name"))?;
        match lstat_at(dir.as_fd(), &target).map_err(|errno| name.io("stat", errno))? {
            None => {
                mknodat(&dir, target.as_c_str(), SFlag::S_IFCHR, Mode::empty(), 0)
                    .map_err(|errno| name.io("create the whiteout", errno))?;
                let (uid, gid) = entry::owner(entry, name)?;
                fchownat(
                    &dir,
                    target.as_c_str(),
                    Some(uid),
                    Some(gid),
                    nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
                )
                .map_err(|errno| name.io("chown the whiteout", errno))
            }
            // The same layer made a directory of that name: what it hides below is gone.
            Some(stat) if Kind::of(&stat) == Kind::Directory => {
                let made = fsutil::open_subdir(dir.as_fd(), &target)
                    .map_err(|errno| name.io("open", errno))?;
                Node::Fd(made.as_fd())
                    .set(OVERLAY_OPAQUE, b"y")
                    .map_err(|errno| name.io("set the opaque xattr on", errno))
            }
            // Anything else of that name in this layer already hides the lower one.
            Some(_) => Ok(()),
        }
    }

    /// Creates the entry `file_name` in `dir`, replacing what an earlier entry put there
    /// (except that a directory over a directory only updates its metadata).
    fn create<R: Read>(
        &mut self,
        dir: BorrowedFd<'_>,
        file_name: &std::ffi::CStr,
        components: &[Vec<u8>],
        entry: &Entry,
        name: &EntryName<'_>,
        tar: &mut TarReader<R>,
    ) -> Result<()> {
        let existing = lstat_at(dir, file_name).map_err(|errno| name.io("stat", errno))?;
        let replaced_whiteout = existing.as_ref().is_some_and(is_whiteout);
        match existing.map(|stat| Kind::of(&stat)) {
            Some(Kind::Directory) if entry.kind == EntryType::Directory => {}
            Some(_) => fsutil::remove_all_at(dir, file_name)
                .map_err(|errno| name.io("remove the earlier entry at", errno))?,
            None => {}
        }
        match entry.kind {
            EntryType::Regular => {
                let written = entry::create_file(dir, file_name, entry, name, tar)?;
                self.size = self.size.saturating_add(written);
            }
            EntryType::Directory => {
                let made = entry::create_directory(dir, file_name, name)?;
                entry::set_metadata(entry::Target::Fd(made.as_fd()), entry, false, name)?;
                // A whiteout then a directory in one layer: the lower directory is gone.
                if replaced_whiteout {
                    Node::Fd(made.as_fd())
                        .set(OVERLAY_OPAQUE, b"y")
                        .map_err(|errno| name.io("set the opaque xattr on", errno))?;
                }
                self.directory_times
                    .push((components.to_vec(), Times::of(entry)));
            }
            EntryType::Hardlink => {
                let target = clean_path(&entry.link).ok_or_else(|| {
                    name.hostile("its hardlink target climbs above the layer root")
                })?;
                entry::create_hardlink(self.root.as_fd(), &target, dir, file_name, entry, name)?;
            }
            EntryType::Symlink => entry::create_symlink(dir, file_name, entry, name)?,
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                entry::create_node(dir, file_name, entry, name)?;
            }
            EntryType::Other(_) => unreachable!("refused before"),
        }
        Ok(())
    }

    /// The directory that will hold an entry, with any missing directories on the way
    /// created (0755, root-owned, as containers/storage creates them).
    fn parent_dir(&self, parent: &[Vec<u8>], name: &EntryName<'_>) -> Result<OwnedFd> {
        let refuse = |errno: Errno| match errno {
            Errno::ENOTDIR => name.hostile("one of its parents is not a directory"),
            Errno::ELOOP => name.hostile("its parent path is a symlink loop"),
            errno => name.io("open the parent of", errno),
        };
        match open_dir_in_root(self.root.as_fd(), parent) {
            Ok(dir) => return Ok(dir),
            Err(Errno::ENOENT) => {}
            Err(errno) => return Err(refuse(errno)),
        }
        let mut dir = open_dir_in_root(self.root.as_fd(), &[] as &[&[u8]]).map_err(refuse)?;
        for depth in 1..=parent.len() {
            match open_dir_in_root(self.root.as_fd(), &parent[..depth]) {
                Ok(next) => dir = next,
                Err(Errno::ENOENT) => {
                    let missing = c_name(&parent[depth - 1])
                        .map_err(|_| name.hostile("its parent path is not valid"))?;
                    if lstat_at(dir.as_fd(), &missing).map_err(refuse)?.is_some() {
                        return Err(name.hostile("one of its parents is a symlink to nothing"));
                    }
                    dir = fsutil::make_dir(dir.as_fd(), &missing, 0o755)
                        .map_err(|errno| name.io("create a parent of", errno))?;
                }
                Err(errno) => return Err(refuse(errno)),
            }
        }
        Ok(dir)
    }

    /// Sets the directories' times, after everything was created in them. A directory that
    /// a later entry replaced is left alone.
    fn set_directory_times(&self) -> Result<()> {
        for (components, times) in &self.directory_times {
            let name = EntryName {
                shown: fsutil::join(components).display().to_string(),
                root: self.root_path,
                relative: fsutil::join(components),
            };
            let Some((last, parent)) = components.split_last() else {
                entry::set_times(entry::Target::Fd(self.root.as_fd()), *times, &name)?;
                continue;
            };
            let dir = match open_dir_in_root(self.root.as_fd(), parent) {
                Ok(dir) => dir,
                Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => continue,
                Err(errno) => return Err(name.io("open the parent of", errno)),
            };
            let Ok(last) = c_name(last) else { continue };
            match lstat_at(dir.as_fd(), &last).map_err(|errno| name.io("stat", errno))? {
                Some(stat) if Kind::of(&stat) == Kind::Directory => {
                    entry::set_times(entry::Target::At(dir.as_fd(), &last), *times, &name)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The components of an archive path inside the layer: `/` and `.` components dropped and
/// `..` resolved lexically; `None` when `..` would climb above the root.
pub(crate) fn clean_path(path: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut components: Vec<Vec<u8>> = Vec::new();
    for component in path.split(|b| *b == b'/') {
        match component {
            b"" | b"." => {}
            b".." => {
                components.pop()?;
            }
            _ => components.push(component.to_vec()),
        }
    }
    Some(components)
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "apply_hostile_tests.rs"]
mod hostile_tests;

#[cfg(test)]
#[path = "apply_stream_tests.rs"]
mod stream_tests;

#[cfg(test)]
#[path = "apply_link_tests.rs"]
mod link_tests;
