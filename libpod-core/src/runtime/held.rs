//! Entries that a scan at open must never take for abandoned while their maker works.
//!
//! Several repairs at open (exec intents, recreate plans, checkpoint imports) look at the
//! entries of a directory and undo those whose maker is gone, which they tell by the entry's
//! flock being free. An entry created first and locked after is free for a moment: an open
//! in another process (a cleanup process that conmon started, say) that looked then took a
//! live operation for a dead one and removed its entry under it. So an entry is made under a
//! temporary name, `.NAME.PID` (PID: its maker's), locked, filled, and only then renamed to
//! NAME: the lock goes with the inode, so a scan never sees NAME unlocked while its maker
//! lives. A temporary entry is the maker's until the process its name gives is gone.

use crate::error::{CoreError, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Creates file `dir/name` (0600, `dir` made 0700 if missing) holding `contents`, flock'd;
/// the lock is held until the returned file is dropped. `sync`: the contents and the rename
/// are made durable. An existing `dir/name` is replaced.
pub(crate) fn create_file(dir: &Path, name: &str, contents: &[u8], sync: bool) -> Result<File> {
    let temp = dir.join(temporary_name(name));
    let path = dir.join(name);
    let open = || {
        super::modes::private_file()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
    };
    let mut file = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            super::modes::create_private_dir(dir)?;
            open()
        }
        other => other,
    }
    .map_err(|e| CoreError::io("create", &temp, e))?;
    let made = file
        .lock()
        .and_then(|()| file.write_all(contents))
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
        .and_then(|()| std::fs::rename(&temp, &path))
        .and_then(|()| {
            if sync {
                File::open(dir)?.sync_all()
            } else {
                Ok(())
            }
        });
    if let Err(e) = made {
        let _ = std::fs::remove_file(&temp);
        return Err(CoreError::io("create", &path, e));
    }
    Ok(file)
}

/// Creates directory `parent/name` (0700, `parent` made if missing), flock'd; the lock is
/// held until the returned handle is dropped. Returns the handle and the directory's path.
pub(crate) fn create_dir(parent: &Path, name: &str) -> Result<(File, PathBuf)> {
    let temp = parent.join(temporary_name(name));
    let path = parent.join(name);
    super::modes::create_private_dir(&temp)?;
    let made = File::open(&temp)
        .and_then(|dir| dir.lock().map(|()| dir))
        .and_then(|dir| std::fs::rename(&temp, &path).map(|()| dir));
    match made {
        Ok(dir) => Ok((dir, path)),
        Err(e) => {
            let _ = std::fs::remove_dir(&temp);
            Err(CoreError::io("create", &path, e))
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
        .and_then(|(_, pid)| pid.parse::<i32>().ok())
        .filter(|pid| *pid > 0);
    match maker {
        Some(pid) => !Path::new(&format!("/proc/{pid}")).exists(),
        None => true,
    }
}

fn temporary_name(name: &str) -> String {
    format!(".{name}.{}", std::process::id())
}

#[cfg(test)]
#[path = "held_tests.rs"]
mod tests;
