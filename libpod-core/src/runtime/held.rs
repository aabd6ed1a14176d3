//! Entries that a scan at open must never take for abandoned while their maker works.
//!
//! Several repairs at open (exec intents, recreate plans, checkpoint imports) look at the
//! entries of a directory and undo those whose maker is gone, which they tell by the entry's
//! flock being free. An entry created first and locked after is free for a moment: an open
//! in another process (a cleanup process that conmon started, say) that looked then took a
//! live operation for a dead one and removed its entry under it. So an entry is made under a
//! temporary name, `.NAME.PID-N` (PID: its maker's; N: a count within the process), locked,
//! filled, and only then renamed to NAME, never over an existing NAME: the lock goes with the
//! inode, so a scan never sees NAME unlocked while its maker lives. A temporary entry is its
//! maker's until the process its name gives is gone (PIDs are those of the PID namespace the
//! runtime's processes share).

use crate::error::{CoreError, Result};
use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Creates file `dir/name` (0600, `dir` made 0700 if missing) holding `contents`, flock'd;
/// the lock is held until the returned file is dropped. `sync`: the contents and the rename
/// are made durable. `what` names the operation in errors. An existing `dir/name` is left
/// alone: the error is [`CoreError::Io`] with `ErrorKind::AlreadyExists`.
pub(crate) fn create_file(
    what: &'static str,
    dir: &Path,
    name: &str,
    contents: &[u8],
    sync: bool,
) -> Result<File> {
    let temp = dir.join(temporary_name(name));
    let path = dir.join(name);
    let open = || {
        super::modes::private_file()
            .write(true)
            .create_new(true)
            .open(&temp)
    };
    let mut file = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            super::modes::create_private_dir(dir)?;
            open()
        }
        other => other,
    }
    .map_err(|e| CoreError::io(what, &temp, e))?;
    let filled = file
        .lock()
        .and_then(|()| file.write_all(contents))
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) });
    if let Err(e) = filled.and_then(|()| rename_new(&temp, &path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(CoreError::io(what, &path, e));
    }
    if sync && let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        // In place but not durable: taken back while still held, as the caller is told.
        let _ = std::fs::remove_file(&path);
        return Err(CoreError::io(what, &path, e));
    }
    Ok(file)
}

/// Creates directory `parent/name` (0700, `parent` made if missing), flock'd; the lock is
/// held until the returned handle is dropped. Returns the handle and the directory's path.
pub(crate) fn create_dir(what: &'static str, parent: &Path, name: &str) -> Result<(File, PathBuf)> {
    let temp = parent.join(temporary_name(name));
    let path = parent.join(name);
    super::modes::create_private_dir(&temp)?;
    let made = File::open(&temp)
        .and_then(|dir| dir.lock().map(|()| dir))
        .and_then(|dir| rename_new(&temp, &path).map(|()| dir));
    match made {
        Ok(dir) => Ok((dir, path)),
        Err(e) => {
            let _ = std::fs::remove_dir(&temp);
            Err(CoreError::io(what, &path, e))
        }
    }
}

/// Whether directory entry `file_name` is a temporary one (see the module docs): scans
/// leave it alone unless [`abandoned`] says its maker is gone.
pub(crate) fn is_temporary(file_name: &str) -> bool {
    file_name.starts_with('.')
}

/// Whether temporary entry `file_name` was left by a maker that is gone: the process its
/// name gives no longer exists (or the name gives none). A reused PID keeps the entry for a
/// later open, which costs nothing: nothing reads a temporary entry.
pub(crate) fn abandoned(file_name: &str) -> bool {
    let maker = file_name
        .rsplit_once('.')
        .and_then(|(_, tail)| tail.split('-').next())
        .and_then(|pid| pid.parse::<i32>().ok())
        .filter(|pid| *pid > 0);
    match maker {
        // EPERM: it exists, as someone else's.
        Some(pid) => {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) == Err(Errno::ESRCH)
        }
        None => true,
    }
}

/// `temp` renamed to `path`, unless `path` exists.
fn rename_new(temp: &Path, path: &Path) -> std::io::Result<()> {
    renameat2(
        AT_FDCWD,
        temp,
        AT_FDCWD,
        path,
        RenameFlags::RENAME_NOREPLACE,
    )
    .map_err(std::io::Error::from)
}

fn temporary_name(name: &str) -> String {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{}-{n}", std::process::id())
}

#[cfg(test)]
#[path = "held_tests.rs"]
mod tests;
