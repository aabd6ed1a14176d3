//! CRIU, which checkpoint and restore need (runc calls it): whether it works on this host.
//!
//! libpod-rs does not checkpoint or restore yet: where CRIU cannot work, callers report why,
//! in CRIU's own words (Debian 12's CRIU 3.17 fails its self-check on kernels whose vDSO
//! layout it does not know, e.g. "vdso: Failed to fill self vdso symtable" on Linux 6.18).

use crate::error::{CoreError, Result};
use std::path::Path;
use std::process::Command;

/// The CRIU binary where Debian installs it.
pub const CRIU_PATH: &str = "/usr/sbin/criu";

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

/// CRIU's error lines without their source locations (`Error (criu/vdso.c:613): vdso: ...`
/// becomes `vdso: ...`), joined; the whole text when it has none.
pub(crate) fn criu_errors(text: &str) -> String {
    let errors: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Error"))
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
}
