//! CRIU, which checkpoint and restore need (runc calls it): where it is, whether it works on
//! this host, and its errors in its own words.
//!
//! CRIU is found through `PATH`, as runc itself looks for it, and handed to runc with its
//! global `--criu` option. Where CRIU cannot work, callers report why in CRIU's words
//! (Debian 12's CRIU 3.17 fails its self-check on kernels whose vDSO layout it does not know,
//! e.g. "vdso: Failed to fill self vdso symtable" on Linux 6.18).

use crate::error::{CoreError, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The CRIU binary where Debian installs it.
pub const CRIU_PATH: &str = "/usr/sbin/criu";

/// The first executable `criu` in `PATH` (as runc looks for it), else Debian's
/// [`CRIU_PATH`] when it exists; `None` when there is none.
///
/// ```
/// if let Some(criu) = libpod_core::oci::criu::find_criu() {
///     assert!(criu.ends_with("criu"));
/// }
/// ```
pub fn find_criu() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("criu"))
        .chain([PathBuf::from(CRIU_PATH)])
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// [`find_criu`], or `CriuUnavailable` for container `id` and `operation` when there is none.
pub(crate) fn require_criu(id: &str, operation: &'static str) -> Result<PathBuf> {
    find_criu().ok_or_else(|| CoreError::CriuUnavailable {
        id: id.to_string(),
        operation,
        reason: "criu is not installed (not in PATH)".into(),
    })
}

/// CRIU's error lines in its log `log` (`dump.log`, `restore.log`) when it has any; else
/// `fallback` (the runtime's own message).
pub(crate) fn log_errors(log: &Path, fallback: &str) -> String {
    match std::fs::read(log) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            if text
                .lines()
                .any(|line| without_timestamp(line.trim()).starts_with("Error"))
            {
                criu_errors(&text)
            } else {
                fallback.to_string()
            }
        }
        Err(_) => fallback.to_string(),
    }
}

/// Runs `criu check` (CRIU's test of the kernel features it needs). `Ok` when it passes;
/// else `CriuUnavailable` for container `id` and `operation` (`checkpoint`, `restore`), with
/// CRIU's error lines, or that it is not installed.
pub fn check_criu(criu: &Path, id: &str, operation: &'static str) -> Result<()> {
    let unavailable = |reason: String| CoreError::CriuUnavailable {
        id: id.to_string(),
        operation,
        reason,
    };
    let output = match Command::new(criu).arg("check").output() {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(unavailable(format!("{} is not installed", criu.display())));
        }
        Err(err) => return Err(CoreError::io("running", criu, err)),
    };
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    Err(unavailable(format!(
        "`{} check` failed ({}): {}",
        criu.display(),
        output.status,
        criu_errors(&text)
    )))
}

/// A log line without CRIU's leading `(00.012345) ` timestamp.
fn without_timestamp(line: &str) -> &str {
    match line
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
    {
        Some((stamp, rest)) if stamp.chars().all(|c| c.is_ascii_digit() || c == '.') => rest,
        _ => line,
    }
}

/// CRIU's error lines without their source locations (`Error (criu/vdso.c:613): vdso: ...`
/// becomes `vdso: ...`), joined; the whole text when it has none.
pub(crate) fn criu_errors(text: &str) -> String {
    let errors: Vec<&str> = text
        .lines()
        .filter_map(|line| without_timestamp(line.trim()).strip_prefix("Error"))
        .map(|rest| match rest.trim_start().strip_prefix('(') {
            Some(located) => located.split_once("): ").map_or(located, |(_, msg)| msg),
            None => rest.trim_start_matches(':').trim(),
        })
        .collect();
    if errors.is_empty() {
        text.trim().to_string()
    } else {
        errors.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criu_errors_drop_source_locations() {
        let text = "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n\
                    Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n";
        assert_eq!(
            criu_errors(text),
            "vdso: Unexpected rt vDSO area bounds; vdso: Failed to fill self vdso symtable"
        );
        assert_eq!(criu_errors("Looks good.\n"), "Looks good.");
    }

    #[test]
    fn a_missing_criu_is_named() {
        let err = check_criu(Path::new("/nonexistent/criu"), "abc", "restore").unwrap_err();
        assert_eq!(
            err.to_string(),
            "container abc: cannot restore: CRIU does not work on this host: \
             /nonexistent/criu is not installed"
        );
    }

    #[test]
    fn a_log_gives_crius_errors_else_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("dump.log");
        assert_eq!(log_errors(&log, "runc said"), "runc said");
        std::fs::write(
            &log,
            "(00.001) Dumping\n(00.002) Error (criu/files.c:1): files: gone\n",
        )
        .unwrap();
        assert_eq!(log_errors(&log, "runc said"), "files: gone");
    }
}
