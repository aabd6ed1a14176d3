//! Applying a layer tarball (tar, tar+gzip, tar+zstd) into a directory, safely.
//!
//! The tar stream is read entry by entry (never with the tar crate's `unpack`, whose symlink
//! handling lets entries escape) and every entry is created relative to its parent directory's
//! descriptor, which is resolved with `openat2(RESOLVE_IN_ROOT)`: a symlink in the layer, even
//! `/` or `../../..`, resolves inside the root. The final component is never followed. Layer
//! symlinks themselves are just data and may point anywhere.

use super::compress::Decoder;
use super::fsutil::{self, Kind, c_name, is_whiteout, lstat_at};
use super::tar_reader::{Entry, EntryType, TarReader, Timestamp};
use super::xattr::{Node, OVERLAY_OPAQUE};
use crate::digest::{Digest, HashingReader};
use crate::error::{Result, StorageError};
use nix::errno::Errno;
use std::ffi::CStr;
use std::io::{self, BufReader, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[path = "apply_dirs.rs"]
mod dirs;
#[path = "apply_entry.rs"]
mod entry;
#[path = "apply_files.rs"]
mod files;
#[path = "apply_pool.rs"]
mod pool;
#[path = "apply_whiteout.rs"]
mod whiteout;

use pool::{DirId, ParentDir, Pool, PoolOptions, Shared};

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
/// Regular files are created by a pool of worker threads (one per CPU) while the stream is
/// read on, so that one big layer uses every core; the result, and the error of a layer that
/// fails, are those of creating the entries one by one in archive order.
///
/// ```no_run
/// let blob = std::fs::File::open("/tmp/layer.tar.gz")?;
/// let applied = libpod_storage::layer::apply_layer(blob, std::path::Path::new("/tmp/layer"))?;
/// println!("diff ID {}, {} bytes of files", applied.diff_id, applied.size);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_layer(reader: impl Read, root: &Path) -> Result<AppliedLayer> {
    apply_with(reader, root, &Shared::new(PoolOptions::host()))
}

/// [`apply_layer`] with the worker pool's shared state given (tests choose its options).
fn apply_with(reader: impl Read, root: &Path, shared: &Shared) -> Result<AppliedLayer> {
    let mut compressed = HashingReader::new(reader);
    let (diff_id, size) = {
        let (_, decoder) = Decoder::new(BufReader::with_capacity(BUFFER, &mut compressed))?;
        let mut plain = HashingReader::new(decoder);
        let size = std::thread::scope(|scope| {
            let mut unpacker = Unpacker::new(root, Pool::new(scope, shared))?;
            let mut tar = TarReader::new(&mut plain);
            let mut read_all = || -> Result<()> {
                while let Some(entry) = tar.next_entry()? {
                    unpacker.apply(&entry, &mut tar)?;
                }
                Ok(())
            };
            let result = read_all();
            unpacker.finish(result)
        })?;
        io::copy(&mut plain, &mut io::sink()).map_err(stream_error)?;
        let diff_id = plain.digest();
        // Whatever the decompressor left unread still belongs to the blob's digest.
        io::copy(&mut plain.into_inner().into_inner(), &mut io::sink()).map_err(stream_error)?;
        (diff_id, size)
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
#[derive(Clone)]
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
struct Unpacker<'scope, 'env> {
    root_path: &'env Path,
    root: OwnedFd,
    root_id: DirId,
    /// The workers creating regular files.
    pool: Pool<'scope, 'env>,
    /// The entry being applied, counted from 1 in archive order.
    seq: u64,
    /// The last parent directory resolved, reused while entries stay in it. Dropped whenever
    /// an entry removes something: only that changes what a path resolves to (entries add
    /// names that did not exist, and as root, modes do not stop the resolution).
    last_parent: Option<(Vec<Vec<u8>>, Arc<ParentDir>)>,
    /// Directories whose times are set last, once nothing is created in them any more.
    directory_times: Vec<(Vec<Vec<u8>>, Times)>,
    size: u64,
}

impl<'scope, 'env> Unpacker<'scope, 'env> {
    fn new(root_path: &'env Path, pool: Pool<'scope, 'env>) -> Result<Self> {
        let open = |errno: Errno| StorageError::io("open", root_path, errno.into());
        let root = fsutil::open_dir(root_path).map_err(open)?;
        let root_id = DirId::of(&nix::sys::stat::fstat(&root).map_err(open)?);
        Ok(Unpacker {
            root_path,
            root,
            root_id,
            pool,
            seq: 0,
            last_parent: None,
            directory_times: Vec::new(),
            size: 0,
        })
    }

    /// Waits for the workers, then returns the earliest failure (theirs come before the
    /// reading thread's, as their entries do) or sets the directories' times; returns the
    /// size of the layer's files.
    fn finish(mut self, result: Result<()>) -> Result<u64> {
        self.pool.drain().and(result)?;
        self.set_directory_times()?;
        Ok(self.size)
    }

    fn apply<R: Read>(&mut self, entry: &Entry, tar: &mut TarReader<R>) -> Result<()> {
        self.seq += 1;
        self.pool.check()?;
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
        self.create(&dir, &file_name, &components, entry, &name, tar)
    }

    /// An entry for the root itself (`.`, `/`): a directory sets the root's metadata;
    /// anything else would replace the root and is refused.
    fn apply_root(&mut self, entry: &Entry, name: &EntryName<'_>) -> Result<()> {
        if entry.kind != EntryType::Directory {
            return Err(name.hostile("only a directory may stand for the layer root"));
        }
        self.pool.settle_dir(self.root_id)?;
        entry::set_metadata(entry::Target::Fd(self.root.as_fd()), entry, false, name)?;
        self.directory_times.push((Vec::new(), Times::of(entry)));
        Ok(())
    }

    /// Creates the entry `file_name` in `dir`, replacing what an earlier entry put there
    /// (except that a directory over a directory only updates its metadata).
    fn create<R: Read>(
        &mut self,
        dir: &Arc<ParentDir>,
        file_name: &CStr,
        components: &[Vec<u8>],
        entry: &Entry,
        name: &EntryName<'env>,
        tar: &mut TarReader<R>,
    ) -> Result<()> {
        // An earlier file of that name must be there before it is looked at.
        self.pool.settle_file(dir.id, file_name.to_bytes())?;
        let fd = dir.fd.as_fd();
        let existing = lstat_at(fd, file_name).map_err(|errno| name.io("stat", errno))?;
        let replaced_whiteout = existing.as_ref().is_some_and(is_whiteout);
        match existing {
            Some(stat) if Kind::of(&stat) == Kind::Directory => {
                if entry.kind == EntryType::Directory {
                    self.pool.settle_dir(DirId::of(&stat))?;
                } else {
                    // Files in flight may be anywhere beneath it.
                    self.pool.drain()?;
                    self.remove(fd, file_name, name)?;
                }
            }
            Some(_) => self.remove(fd, file_name, name)?,
            None => {}
        }
        match entry.kind {
            EntryType::Regular => self.create_file(dir, file_name, entry, name, tar)?,
            EntryType::Directory => {
                let made = entry::create_directory(fd, file_name, name)?;
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
                self.settle_hardlink_target(&target)?;
                entry::create_hardlink(self.root.as_fd(), &target, fd, file_name, entry, name)?;
            }
            EntryType::Symlink => entry::create_symlink(fd, file_name, entry, name)?,
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                entry::create_node(fd, file_name, entry, name)?;
            }
            EntryType::Other(_) => unreachable!("refused before"),
        }
        Ok(())
    }

    /// Removes what an earlier entry put at `file_name`.
    fn remove(
        &mut self,
        dir: BorrowedFd<'_>,
        file_name: &CStr,
        name: &EntryName<'_>,
    ) -> Result<()> {
        self.last_parent = None;
        fsutil::remove_all_at(dir, file_name)
            .map_err(|errno| name.io("remove the earlier entry at", errno))
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

#[cfg(test)]
#[path = "apply_parallel_tests.rs"]
mod parallel_tests;

#[cfg(test)]
#[path = "apply_parallel_error_tests.rs"]
mod parallel_error_tests;
