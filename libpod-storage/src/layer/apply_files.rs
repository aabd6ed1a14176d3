//! Regular files, handed to the workers when small, and hardlinks, which wait for the file
//! they link to.

use super::pool::{self, FileJob, ParentDir};
use super::{EntryName, Unpacker, entry};
use crate::error::Result;
use crate::layer::fsutil::open_dir_in_root;
use crate::layer::tar_reader::{Entry, TarReader};
use std::ffi::CStr;
use std::io::Read;
use std::os::fd::AsFd;
use std::sync::Arc;

impl<'env> Unpacker<'_, 'env> {
    /// Creates a regular file: a small one through a worker, with its content read now; a
    /// large or sparse one (or any, without workers) streamed here.
    pub(super) fn create_file<R: Read>(
        &mut self,
        dir: &Arc<ParentDir>,
        file_name: &CStr,
        entry: &Entry,
        name: &EntryName<'env>,
        tar: &mut TarReader<R>,
    ) -> Result<()> {
        let buffered = entry.sparse.is_none() && entry.size <= pool::MAX_BUFFERED_FILE;
        let size = usize::try_from(entry.size).ok().filter(|_| buffered);
        let Some(size) = size.filter(|_| self.pool.enabled()) else {
            let written = entry::create_file(dir.fd.as_fd(), file_name, entry, name, tar)?;
            self.size = self.size.saturating_add(written);
            return Ok(());
        };
        let content = match entry::read_content(tar, size, name) {
            Ok(content) => content,
            Err(err) => {
                // One by one, the file was created before its data ran short: a failure to
                // create it comes first (and the workers' earlier failures, in `finish`).
                entry::create_empty(dir.fd.as_fd(), file_name, name)?;
                return Err(err);
            }
        };
        let job = FileJob {
            dir: Arc::clone(dir),
            file_name: file_name.to_owned(),
            entry: entry.clone(),
            name: name.clone(),
            content,
        };
        self.pool.submit(self.seq, job)?;
        self.size = self.size.saturating_add(entry.size);
        Ok(())
    }

    /// Before hardlinking to `target`: waits if the file it names is in flight.
    pub(super) fn settle_hardlink_target(&mut self, target: &[Vec<u8>]) -> Result<()> {
        if !self.pool.busy() {
            return Ok(());
        }
        let Some((last, parent)) = target.split_last() else {
            return Ok(());
        };
        match open_dir_in_root(self.root.as_fd(), parent).and_then(ParentDir::new) {
            Ok(dir) => self.pool.settle_file(dir.id, last),
            // What is missing on the way may be in flight.
            Err(_) => self.pool.drain(),
        }
    }
}
