//! A temporary directory that is safe to mount things beneath.

use crate::mounts::unmount_beneath;
use std::io;
use std::path::{Path, PathBuf};

/// A temporary directory that, when dropped, ends the processes left running beneath it (the
/// monitors and containers a test started: a failed assertion must not leak them), unmounts
/// whatever is mounted beneath it (deepest first, lazily) and then removes it.
///
/// If a mount cannot be removed the directory is left in place, rather than risk deleting
/// host files through a bind mount; errors go to stderr, as `Drop` cannot return them.
///
/// ```
/// let tmp = libpod_testutil::TempRoot::new()?;
/// let path = tmp.path().to_path_buf();
/// std::fs::write(path.join("file"), "data")?;
/// drop(tmp);
/// assert!(!path.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TempRoot {
    path: PathBuf,
}

impl TempRoot {
    /// Creates a directory under the system's temporary directory (`$TMPDIR` or `/tmp`).
    pub fn new() -> io::Result<TempRoot> {
        Self::new_in(std::env::temp_dir())
    }

    /// Creates a directory under `base`.
    pub fn new_in(base: impl AsRef<Path>) -> io::Result<TempRoot> {
        let dir = tempfile::Builder::new()
            .prefix("libpod-test-")
            .tempdir_in(base)?;
        // The kernel reports mount points by their canonical paths.
        let path = dir.path().canonicalize()?;
        // From here on our Drop, not TempDir's, removes it: only after the unmounts.
        let _ = dir.keep();
        Ok(TempRoot { path })
    }

    /// The directory's canonical path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempRoot {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        // Again until none is found: a monitor may fork its exit command (a cleanup process
        // that would make the store again) between a scan and its kill.
        let mut killed = 0;
        let mut clean = false;
        for _ in 0..5 {
            match crate::processes::kill_processes_beneath(&self.path) {
                0 => {
                    clean = true;
                    break;
                }
                n => killed += n,
            }
        }
        if !clean {
            eprintln!(
                "TempRoot: processes still beneath {} after five rounds",
                self.path.display()
            );
        }
        if killed > 0 {
            eprintln!(
                "TempRoot: ended {killed} processes left beneath {}",
                self.path.display()
            );
        }
        if let Err(err) = unmount_beneath(&self.path) {
            eprintln!("TempRoot: leaving {} in place: {err}", self.path.display());
            return;
        }
        if let Err(err) = std::fs::remove_dir_all(&self.path) {
            eprintln!("TempRoot: removing {}: {err}", self.path.display());
        }
    }
}
