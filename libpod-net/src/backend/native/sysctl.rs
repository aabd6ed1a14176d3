//! The kernel settings netavark sets, under `/proc/sys` (`net/...` there belongs to the
//! network namespace of the thread that opens the file).

use crate::error::{NetError, Result};
use std::io::Write;
use std::path::Path;

/// Sets `/proc/sys/KEY` to `value`, writing only when it differs.
pub(super) fn set(key: &str, value: &str) -> Result<()> {
    let path = Path::new("/proc/sys").join(key);
    let failed = |source| NetError::Sysctl {
        path: path.clone(),
        source,
    };
    let current = std::fs::read_to_string(&path).map_err(failed)?;
    if current.trim() == value {
        return Ok(());
    }
    // The setting exists (it was just read): opened for writing, never created.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(failed)?;
    file.write_all(value.as_bytes()).map_err(failed)
}

/// As [`set`], but a setting that does not exist (no IPv6) or a read-only `/proc` is no error.
pub(super) fn set_if_present(key: &str, value: &str) -> Result<()> {
    match set(key, value) {
        Err(NetError::Sysctl { source, .. })
            if matches!(
                source.raw_os_error(),
                Some(nix::libc::ENOENT | nix::libc::EROFS)
            ) =>
        {
            Ok(())
        }
        other => other,
    }
}
