//! Whiteout entries: deletions and opaque directories in overlay format.

use super::{EntryName, Unpacker, WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX, entry};
use crate::error::Result;
use crate::layer::fsutil::{self, Kind, c_name, lstat_at};
use crate::layer::tar_reader::Entry;
use crate::layer::xattr::{Node, OVERLAY_OPAQUE};
use nix::sys::stat::{Mode, SFlag, mknodat};
use nix::unistd::fchownat;
use std::os::fd::AsFd;

impl Unpacker<'_, '_> {
    /// `.wh.NAME` becomes a 0:0 character device `NAME`, `.wh..wh..opq` the opaque xattr on
    /// its directory; other AUFS metadata (`.wh..wh.*`) is ignored, as containers/storage does.
    pub(super) fn apply_whiteout(
        &mut self,
        parent: &[Vec<u8>],
        last: &[u8],
        entry: &Entry,
        name: &EntryName<'_>,
    ) -> Result<()> {
        if last == WHITEOUT_OPAQUE {
            // Files in flight in the directory stay: this layer made them.
            let dir = self.parent_dir(parent, name)?;
            return Node::Fd(dir.fd.as_fd())
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
        self.pool.settle_file(dir.id, target.as_bytes())?;
        let dir = dir.fd.as_fd();
        match lstat_at(dir, &target).map_err(|errno| name.io("stat", errno))? {
            None => {
                mknodat(dir, target.as_c_str(), SFlag::S_IFCHR, Mode::empty(), 0)
                    .map_err(|errno| name.io("create the whiteout", errno))?;
                let (uid, gid) = entry::owner(entry, name)?;
                fchownat(
                    dir,
                    target.as_c_str(),
                    Some(uid),
                    Some(gid),
                    nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
                )
                .map_err(|errno| name.io("chown the whiteout", errno))
            }
            // The same layer made a directory of that name: what it hides below is gone.
            Some(stat) if Kind::of(&stat) == Kind::Directory => {
                let made =
                    fsutil::open_subdir(dir, &target).map_err(|errno| name.io("open", errno))?;
                Node::Fd(made.as_fd())
                    .set(OVERLAY_OPAQUE, b"y")
                    .map_err(|errno| name.io("set the opaque xattr on", errno))
            }
            // Anything else of that name in this layer already hides the lower one.
            Some(_) => Ok(()),
        }
    }
}
