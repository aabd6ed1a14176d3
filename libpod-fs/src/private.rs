//! Who may enter what the engine and the store create: nobody but their owner. Directories
//! are 0700, so nothing below them can be traversed by another local user (what a layer
//! holds, setuid binaries included; every container's environment); files are 0600.

use crate::error::{FsError, Result};
use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the directories we create.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of the files we create.
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// What [`create_private_dir`] does with a directory that is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExistingDir {
    /// Leave its mode as it is (the caller checks it itself, or it is not ours to change).
    Keep,
    /// Take group and other access away if it has any (as earlier versions made them 0755).
    Restrict,
}

/// Creates the directory `path` (and its missing parents) 0700, or, when it exists, does
/// what `existing` says. Costs what `create_dir_all` costs: a `mkdir`, and a `stat` when it
/// exists.
///
/// ```
/// use libpod_fs::{ExistingDir, create_private_dir};
/// use std::os::unix::fs::PermissionsExt;
/// let dir = tempfile::tempdir()?;
/// let nested = dir.path().join("a/b");
/// create_private_dir(&nested, ExistingDir::Keep)?;
/// assert_eq!(std::fs::metadata(&nested)?.permissions().mode() & 0o777, 0o700);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn create_private_dir(path: &Path, existing: ExistingDir) -> Result<()> {
    let failed = |err| FsError::io("create directory", path, err);
    match DirBuilder::new().mode(PRIVATE_DIR_MODE).create(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            let meta = fs::metadata(path).map_err(|err| FsError::io("stat", path, err))?;
            if !meta.is_dir() {
                return Err(failed(ErrorKind::NotADirectory.into()));
            }
            match existing {
                ExistingDir::Keep => Ok(()),
                ExistingDir::Restrict => restrict(path, &meta.permissions(), PRIVATE_DIR_MODE),
            }
        }
        Err(err) if err.kind() == ErrorKind::NotFound => DirBuilder::new()
            .mode(PRIVATE_DIR_MODE)
            .recursive(true)
            .create(path)
            .map_err(failed),
        Err(err) => Err(failed(err)),
    }
}

/// Options that create a file 0600 (an existing file keeps its mode).
pub fn private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(PRIVATE_FILE_MODE);
    options
}

/// Sets `private` on `path` if its current `permissions` grant group or others anything.
pub fn restrict(path: &Path, permissions: &Permissions, private: u32) -> Result<()> {
    if permissions.mode() & 0o077 == 0 {
        return Ok(());
    }
    tracing::info!(path = %path.display(), "taking group and other access away");
    fs::set_permissions(path, Permissions::from_mode(private))
        .map_err(|err| FsError::io("chmod", path, err))
}

#[cfg(test)]
#[path = "private_tests.rs"]
mod tests;
