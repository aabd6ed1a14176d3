//! Who may enter what the engine creates: nobody but us. The roots and every directory
//! holding containers' files are 0700, so nothing below them can be traversed by another
//! user (as Podman's and c/storage's); the files we create are 0600. The few files a
//! container's own non-root user reads through a bind mount (hosts, resolv.conf...) stay
//! 0644: the kernel checks the 0700 directories above them only on host paths, never from
//! inside the container.

use crate::error::{CoreError, Result};
use libpod_fs::ExistingDir;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The modes of the directories and the files we create, and options that create a file
/// 0600 (an existing file keeps its mode).
pub(crate) use libpod_fs::{
    PRIVATE_DIR_MODE as PRIVATE_DIR, PRIVATE_FILE_MODE as PRIVATE_FILE, private_file,
};

/// The top-level entries of the root that earlier versions created world-readable.
const ROOT_ENTRIES: [&str; 2] = ["containers", "volumes"];
/// The same for the run root.
const RUN_ROOT_ENTRIES: [&str; 8] = [
    "containers",
    "locks",
    "exits",
    "persist",
    "runtime",
    "alive",
    "alive.lock",
    "conmon-path",
];

/// Creates `dir` and its missing parents, 0700 (an existing directory is left as it is:
/// [`secure_roots`] looks at the roots' modes after creating them).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    Ok(libpod_fs::create_private_dir(dir, ExistingDir::Keep)?)
}

/// Opens lock file `path` (created 0600) and takes its exclusive flock, held until the file
/// is dropped.
pub(crate) fn lock_file(path: &Path) -> Result<fs::File> {
    let file = private_file()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| CoreError::io("open lock", path, e))?;
    file.lock().map_err(|e| CoreError::io("lock", path, e))?;
    Ok(file)
}

/// Writes `data` to `path`, creating it 0600.
pub(crate) fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    private_file()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .and_then(|mut file| file.write_all(data))
        .map_err(|e| CoreError::io("write", path, e))
}

/// Creates the root and the run root 0700; one that an earlier version made open to others
/// is closed, with the top-level entries it made (a `stat` each when all is in order: the
/// entries below are unreachable once these are closed).
pub(crate) fn secure_roots(root: &Path, run_root: &Path) -> Result<()> {
    secure_root(root, &ROOT_ENTRIES)?;
    secure_root(run_root, &RUN_ROOT_ENTRIES)
}

fn secure_root(dir: &Path, entries: &[&str]) -> Result<()> {
    create_private_dir(dir)?;
    let mode = fs::metadata(dir)
        .map_err(|e| CoreError::io("inspect", dir, e))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        return Ok(());
    }
    tracing::info!(dir = %dir.display(), mode = format!("{:o}", mode & 0o7777), "closing a directory to other users");
    for entry in entries {
        let path = dir.join(entry);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => tighten(&path, PRIVATE_DIR)?,
            Ok(meta) if meta.is_file() => tighten(&path, PRIVATE_FILE)?,
            _ => {}
        }
    }
    // Last: a failure before leaves the root open, and the next open tries again.
    tighten(dir, PRIVATE_DIR)
}

/// Sets `path`'s mode to `mode`.
pub(crate) fn tighten(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| CoreError::io("change the mode of", path, e))
}

/// Sets `path`'s mode to `mode` if it exists.
pub(crate) fn tighten_if_present(path: &Path, mode: u32) -> Result<()> {
    match fs::set_permissions(path, fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CoreError::io("change the mode of", path, e))
        }
        _ => Ok(()),
    }
}
