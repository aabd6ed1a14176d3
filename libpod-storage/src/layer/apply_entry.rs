//! Creating one entry's node relative to its parent directory, and setting its metadata.
//!
//! Nothing here follows the entry's own name: files are created with `O_EXCL | O_NOFOLLOW`,
//! owners, modes and times are set through the open descriptor or with `AT_SYMLINK_NOFOLLOW`.

use super::{EntryName, Times};
use crate::error::{Result, StorageError};
use crate::layer::fsutil::{self, Kind, c_name, lstat_at, open_dir_in_root};
use crate::layer::tar_reader::{Entry, EntryType, TarReader, Timestamp};
use crate::layer::xattr::Node;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{
    FchmodatFlags, Mode, SFlag, UtimensatFlags, fchmod, fchmodat, futimens, makedev, mknodat,
    utimensat,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid, fchown, fchownat, linkat, symlinkat};
use std::ffi::CStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::FileExt;

/// The copy buffer for file contents.
const COPY_BUFFER: usize = 128 * 1024;

/// The node whose metadata is set.
#[derive(Clone, Copy)]
pub(super) enum Target<'a> {
    /// An open regular file or directory.
    Fd(BorrowedFd<'a>),
    /// A name in an open directory, never followed.
    At(BorrowedFd<'a>, &'a CStr),
}

/// The entry's numeric owner.
pub(super) fn owner(entry: &Entry, name: &EntryName<'_>) -> Result<(Uid, Gid)> {
    match (u32::try_from(entry.uid), u32::try_from(entry.gid)) {
        (Ok(uid), Ok(gid)) => Ok((Uid::from_raw(uid), Gid::from_raw(gid))),
        _ => Err(name.hostile(format!(
            "its owner {}:{} is out of range",
            entry.uid, entry.gid
        ))),
    }
}

/// Creates a regular file with the entry's data (chunk by chunk for a sparse file) and
/// metadata; returns the file's size.
pub(super) fn create_file<R: Read>(
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    entry: &Entry,
    name: &EntryName<'_>,
    tar: &mut TarReader<R>,
) -> Result<u64> {
    let mut file = create_empty(dir, file_name, name)?;
    let mut buffer = vec![0u8; COPY_BUFFER];
    let mut data = tar.data();
    match &entry.sparse {
        None => {
            while let Some(chunk) = read_chunk(&mut data, &mut buffer, u64::MAX, name)? {
                file.write_all(chunk)
                    .map_err(|err| write_error(name, err))?;
            }
        }
        Some(chunks) => {
            for &(start, length) in chunks {
                let mut offset = start;
                while offset < start + length {
                    let left = start + length - offset;
                    let Some(chunk) = read_chunk(&mut data, &mut buffer, left, name)? else {
                        return Err(truncated());
                    };
                    file.write_all_at(chunk, offset)
                        .map_err(|err| write_error(name, err))?;
                    offset += chunk.len() as u64;
                }
            }
            file.set_len(entry.size)
                .map_err(|err| write_error(name, err))?;
        }
    }
    finish_file(&file, entry, name)?;
    Ok(entry.size)
}

/// Creates an empty regular file `file_name` in `dir` (mode 0600 until [`finish_file`]), never
/// following or reusing anything of that name, and opens it for writing.
pub(super) fn create_empty(
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    name: &EntryName<'_>,
) -> Result<File> {
    let flags =
        OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_WRONLY | OFlag::O_CLOEXEC;
    let fd = openat(dir, file_name, flags, Mode::from_bits_truncate(0o600))
        .map_err(|errno| name.io("create", errno))?;
    Ok(File::from(fd))
}

/// Sets a written file's owner, mode, xattrs and times.
pub(super) fn finish_file(file: &File, entry: &Entry, name: &EntryName<'_>) -> Result<()> {
    set_metadata(Target::Fd(file.as_fd()), entry, false, name)?;
    set_times(Target::Fd(file.as_fd()), Times::of(entry), name)
}

/// Reads the whole data of a (non-sparse) regular file entry of `size` bytes.
pub(super) fn read_content<R: Read>(
    tar: &mut TarReader<R>,
    size: usize,
    name: &EntryName<'_>,
) -> Result<Vec<u8>> {
    let mut content = vec![0u8; size];
    tar.data()
        .read_exact(&mut content)
        .map_err(|err| data_error(name, err))?;
    Ok(content)
}

/// Reads at most `limit` bytes of entry data into `buffer`; `None` at the end of the data.
fn read_chunk<'b, R: Read>(
    data: &mut R,
    buffer: &'b mut [u8],
    limit: u64,
    name: &EntryName<'_>,
) -> Result<Option<&'b [u8]>> {
    let want = buffer
        .len()
        .min(usize::try_from(limit).unwrap_or(usize::MAX));
    loop {
        match data.read(&mut buffer[..want]) {
            Ok(0) => return Ok(None),
            Ok(n) => return Ok(Some(&buffer[..n])),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(data_error(name, err)),
        }
    }
}

fn data_error(name: &EntryName<'_>, err: std::io::Error) -> StorageError {
    StorageError::MalformedLayer {
        reason: format!("reading the data of {:?}: {err}", name.shown),
    }
}

fn truncated() -> StorageError {
    StorageError::MalformedLayer {
        reason: "the archive is truncated".into(),
    }
}

pub(super) fn write_error(name: &EntryName<'_>, err: std::io::Error) -> StorageError {
    StorageError::io("write", name.root.join(&name.relative), err)
}

/// Creates a directory (or opens the one an earlier entry made) and returns it open; its
/// mode stays 0700 until the caller sets the entry's.
pub(super) fn create_directory(
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    name: &EntryName<'_>,
) -> Result<OwnedFd> {
    match lstat_at(dir, file_name).map_err(|errno| name.io("stat", errno))? {
        Some(stat) if Kind::of(&stat) == Kind::Directory => fsutil::open_subdir(dir, file_name),
        _ => fsutil::make_dir(dir, file_name, 0o700),
    }
    .map_err(|errno| name.io("create the directory", errno))
}

/// Creates a symlink; its target is data, never resolved here.
pub(super) fn create_symlink(
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    entry: &Entry,
    name: &EntryName<'_>,
) -> Result<()> {
    if entry.link.is_empty() {
        return Err(name.hostile("its symlink target is empty"));
    }
    symlinkat(entry.link.as_slice(), dir, file_name)
        .map_err(|errno| name.io("create the symlink", errno))?;
    let target = Target::At(dir, file_name);
    set_metadata(target, entry, true, name)?;
    set_times(target, Times::of(entry), name)
}

/// Creates a character or block device or a FIFO.
pub(super) fn create_node(
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    entry: &Entry,
    name: &EntryName<'_>,
) -> Result<()> {
    let (kind, device) = match entry.kind {
        EntryType::Char => (SFlag::S_IFCHR, makedev(entry.dev_major, entry.dev_minor)),
        EntryType::Block => (SFlag::S_IFBLK, makedev(entry.dev_major, entry.dev_minor)),
        _ => (SFlag::S_IFIFO, 0),
    };
    mknodat(
        dir,
        file_name,
        kind,
        Mode::from_bits_truncate(0o600),
        device,
    )
    .map_err(|errno| name.io("create the device node", errno))?;
    let target = Target::At(dir, file_name);
    set_metadata(target, entry, false, name)?;
    set_times(target, Times::of(entry), name)
}

/// Hardlinks `file_name` to the entry's target, which must already be in the layer. The
/// target's parent is resolved inside the root and the target itself is not followed: a
/// hardlink to a symlink links the symlink.
pub(super) fn create_hardlink(
    root: BorrowedFd<'_>,
    target: &[Vec<u8>],
    dir: BorrowedFd<'_>,
    file_name: &CStr,
    entry: &Entry,
    name: &EntryName<'_>,
) -> Result<()> {
    let not_in_layer = || name.hostile("its hardlink target is not in this layer");
    let Some((target_last, target_parent)) = target.split_last() else {
        return Err(name.hostile("it hardlinks to the layer root"));
    };
    let target_dir = match open_dir_in_root(root, target_parent) {
        Ok(target_dir) => target_dir,
        Err(Errno::ENOENT | Errno::ENOTDIR) => return Err(not_in_layer()),
        Err(Errno::ELOOP) => return Err(name.hostile("its hardlink target path is a symlink loop")),
        Err(errno) => return Err(name.io("open the hardlink target's parent for", errno)),
    };
    let target_name = c_name(target_last).map_err(|_| not_in_layer())?;
    match linkat(
        &target_dir,
        target_name.as_c_str(),
        dir,
        file_name,
        AtFlags::empty(),
    ) {
        Ok(()) => {}
        Err(Errno::ENOENT) => return Err(not_in_layer()),
        Err(Errno::EPERM) => return Err(name.hostile("its hardlink target is a directory")),
        Err(errno) => return Err(name.io("hardlink", errno)),
    }
    let symlink = lstat_at(dir, file_name)
        .map_err(|errno| name.io("stat", errno))?
        .is_some_and(|stat| Kind::of(&stat) == Kind::Symlink);
    let target = Target::At(dir, file_name);
    set_metadata(target, entry, symlink, name)?;
    if !symlink {
        set_times(target, Times::of(entry), name)?;
    }
    Ok(())
}

/// Sets the owner, then the mode (after the owner, as chown clears setuid and setgid; never
/// on a symlink), then the xattrs (after the owner, as chown clears `security.capability`).
pub(super) fn set_metadata(
    target: Target<'_>,
    entry: &Entry,
    symlink: bool,
    name: &EntryName<'_>,
) -> Result<()> {
    let (uid, gid) = owner(entry, name)?;
    match target {
        Target::Fd(fd) => fchown(fd, Some(uid), Some(gid)),
        Target::At(dir, file) => fchownat(
            dir,
            file,
            Some(uid),
            Some(gid),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        ),
    }
    .map_err(|errno| name.io("chown", errno))?;
    if !symlink {
        let mode = Mode::from_bits_truncate(entry.mode & 0o7777);
        match target {
            Target::Fd(fd) => fchmod(fd, mode),
            Target::At(dir, file) => fchmodat(dir, file, mode, FchmodatFlags::NoFollowSymlink),
        }
        .map_err(|errno| name.io("chmod", errno))?;
    }
    let node = match target {
        Target::Fd(fd) => Node::Fd(fd),
        Target::At(dir, file) => Node::At(dir, file),
    };
    for (key, value) in &entry.xattrs {
        // The host labels files itself, as containers/storage leaves labels out.
        if key == "security.selinux" {
            continue;
        }
        match node.set(key, value) {
            Ok(()) => {}
            Err(Errno::EOPNOTSUPP) => {
                tracing::debug!(entry = %name.shown, xattr = %key, "xattr not supported here, skipped");
            }
            Err(Errno::EPERM) if symlink && key.starts_with("user.") => {
                tracing::debug!(entry = %name.shown, xattr = %key, "user xattr on a symlink, skipped");
            }
            Err(errno) => return Err(name.io("set an xattr on", errno)),
        }
    }
    Ok(())
}

/// Sets access and modification times.
pub(super) fn set_times(target: Target<'_>, times: Times, name: &EntryName<'_>) -> Result<()> {
    let spec = |time: Timestamp| TimeSpec::new(time.secs, i64::from(time.nanos));
    let (atime, mtime) = (spec(times.atime), spec(times.mtime));
    match target {
        Target::Fd(fd) => futimens(fd, &atime, &mtime),
        Target::At(dir, file) => {
            utimensat(dir, file, &atime, &mtime, UtimensatFlags::NoFollowSymlink)
        }
    }
    .map_err(|errno| name.io("set the times of", errno))
}
