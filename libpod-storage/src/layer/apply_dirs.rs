//! Resolving the directory that holds an entry (creating missing ones), and setting the
//! directories' times at the end.

use super::pool::ParentDir;
use super::{EntryName, Unpacker, entry};
use crate::error::Result;
use crate::layer::fsutil::{self, Kind, c_name, lstat_at, open_dir_in_root};
use nix::errno::Errno;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

impl Unpacker<'_, '_> {
    /// The directory that will hold an entry, with any missing directories on the way
    /// created (0755, root-owned, as containers/storage creates them).
    pub(super) fn parent_dir(
        &mut self,
        parent: &[Vec<u8>],
        name: &EntryName<'_>,
    ) -> Result<Arc<ParentDir>> {
        if let Some((last, dir)) = &self.last_parent
            && last.as_slice() == parent
        {
            return Ok(Arc::clone(dir));
        }
        let dir = match open_dir_in_root(self.root.as_fd(), parent) {
            Ok(dir) => dir,
            Err(Errno::ENOENT) => {
                // A file still in flight may be what is missing on the way: one by one, it
                // would be there (and refused as a parent).
                self.pool.drain()?;
                self.make_parents(parent, name)?
            }
            Err(errno) => return Err(refuse_parent(name, errno)),
        };
        let dir = ParentDir::new(dir).map_err(|errno| name.io("stat the parent of", errno))?;
        let dir = Arc::new(dir);
        self.last_parent = Some((parent.to_vec(), Arc::clone(&dir)));
        Ok(dir)
    }

    /// Opens `parent` component by component, creating the missing ones.
    fn make_parents(&self, parent: &[Vec<u8>], name: &EntryName<'_>) -> Result<OwnedFd> {
        let refuse = |errno| refuse_parent(name, errno);
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

    /// Sets the directories' times, after everything was created in them (the workers are
    /// done). A directory that a later entry replaced is left alone.
    pub(super) fn set_directory_times(&self) -> Result<()> {
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

/// The error for a parent path that cannot be opened.
fn refuse_parent(name: &EntryName<'_>, errno: Errno) -> crate::StorageError {
    match errno {
        Errno::ENOTDIR => name.hostile("one of its parents is not a directory"),
        Errno::ELOOP => name.hostile("its parent path is a symlink loop"),
        errno => name.io("open the parent of", errno),
    }
}
