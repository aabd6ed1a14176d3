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

/// CRIU's statistics of a checkpoint (`stats-dump`) or a restore (`stats-restore`), with
/// the names and fields Podman's `--print-stats` shows (its `CRIUCheckpointRestoreStatistics`;
/// a field CRIU did not write is left out). Times are in microseconds.
///
/// ```
/// let stats = libpod_core::oci::criu::CriuStatistics::default();
/// assert_eq!(serde_json::to_string(&stats).unwrap(), "{}");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CriuStatistics {
    /// Time taken to freeze the processes (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freezing_time: Option<u32>,
    /// Time the processes were not running (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_time: Option<u32>,
    /// Time taken to get the memory pages (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memdump_time: Option<u32>,
    /// Time taken to write the memory pages (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memwrite_time: Option<u32>,
    /// Memory pages looked at (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages_scanned: Option<u64>,
    /// Memory pages written (checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages_written: Option<u64>,
    /// Pages compared (restore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages_compared: Option<u64>,
    /// Copy-on-write pages skipped (restore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages_skipped_cow: Option<u64>,
    /// Time taken to fork the processes (restore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forking_time: Option<u32>,
    /// Time taken to restore (restore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_time: Option<u32>,
    /// Memory pages restored (restore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages_restored: Option<u64>,
}

/// CRIU's image magics: every image file, then the statistics one.
const IMG_SERVICE_MAGIC: u32 = 0x5510_5940;
const STATS_MAGIC: u32 = 0x5709_3306;

/// Reads CRIU's statistics file (`stats-dump` or `stats-restore`): two magics, a length and
/// a `StatsEntry` protobuf message (`dump` is field 1, `restore` field 2, each a message of
/// varints). `None` when it is missing or not one.
pub(crate) fn read_statistics(path: &Path) -> Option<CriuStatistics> {
    let bytes = std::fs::read(path).ok()?;
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if word(0)? != IMG_SERVICE_MAGIC || word(4)? != STATS_MAGIC {
        return None;
    }
    let size = usize::try_from(word(8)?).ok()?;
    let entry = bytes.get(12..12 + size)?;
    let mut stats = CriuStatistics::default();
    for (field, value) in protobuf_fields(entry)? {
        let (ProtoValue::Bytes(message), 1 | 2) = (value, field) else {
            continue;
        };
        for (number, value) in protobuf_fields(message)? {
            let ProtoValue::Varint(n) = value else {
                continue;
            };
            let small = u32::try_from(n).ok();
            match (field, number) {
                (1, 1) => stats.freezing_time = small,
                (1, 2) => stats.frozen_time = small,
                (1, 3) => stats.memdump_time = small,
                (1, 4) => stats.memwrite_time = small,
                (1, 5) => stats.pages_scanned = Some(n),
                (1, 7) => stats.pages_written = Some(n),
                (2, 1) => stats.pages_compared = Some(n),
                (2, 2) => stats.pages_skipped_cow = Some(n),
                (2, 3) => stats.forking_time = small,
                (2, 4) => stats.restore_time = small,
                (2, 5) => stats.pages_restored = Some(n),
                _ => {}
            }
        }
    }
    Some(stats)
}

/// A protobuf field's value, of the wire types CRIU's statistics use.
enum ProtoValue<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

/// The fields of a protobuf message (number, value); `None` when it is malformed or has a
/// wire type other than varint, length-delimited, 32 or 64 bits.
fn protobuf_fields(mut data: &[u8]) -> Option<Vec<(u64, ProtoValue<'_>)>> {
    fn varint(data: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = data.split_first()?;
            *data = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
    let mut fields = Vec::new();
    while !data.is_empty() {
        let key = varint(&mut data)?;
        let value = match key & 7 {
            0 => ProtoValue::Varint(varint(&mut data)?),
            2 => {
                let len = usize::try_from(varint(&mut data)?).ok()?;
                let (bytes, rest) = (data.get(..len)?, data.get(len..)?);
                data = rest;
                ProtoValue::Bytes(bytes)
            }
            1 => {
                data = data.get(8..)?;
                continue;
            }
            5 => {
                data = data.get(4..)?;
                continue;
            }
            _ => return None,
        };
        fields.push((key >> 3, value));
    }
    Some(fields)
}

/// A log line without CRIU's leading `(00.012345) ` timestamp.
fn without_timestamp(line: &str) -> &str {
    let rest = match line
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
    {
        Some((stamp, rest)) if stamp.chars().all(|c| c.is_ascii_digit() || c == '.') => rest,
        _ => line,
    };
    // A restored task's lines carry its PID: `(00.065535)      1: Error (...)`.
    let rest = rest.trim_start();
    match rest.split_once(": ") {
        Some((pid, after)) if !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) => after,
        _ => rest,
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
        // A restored task's errors carry its PID (the one that says why a restore failed).
        let restore = "(00.040945) Error (criu/util.c:1533): rlimit: Can't setup\n\
                       (00.065535)      1: Error (criu/mount-v2.c:324): mnt-v2: Failed to \
                       move_mount\n(00.066456) Error (criu/cr-restore.c:2320): Restoring FAILED.\n";
        assert_eq!(
            criu_errors(restore),
            "rlimit: Can't setup; mnt-v2: Failed to move_mount; Restoring FAILED."
        );
    }

    #[test]
    fn statistics_are_read_from_crius_image() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stats-dump");
        // StatsEntry { dump: { freezing_time: 300, frozen_time: 5, memdump_time: 7,
        // memwrite_time: 9, pages_scanned: 20561, pages_skipped_parent: 1,
        // pages_written: 2129 } }
        let dump: &[u8] = &[
            0x08, 0xac, 0x02, 0x10, 0x05, 0x18, 0x07, 0x20, 0x09, 0x28, 0xd1, 0xa0, 0x01, 0x30,
            0x01, 0x38, 0xd1, 0x10,
        ];
        let mut entry = vec![0x0a, u8::try_from(dump.len()).unwrap()];
        entry.extend_from_slice(dump);
        let mut file = IMG_SERVICE_MAGIC.to_le_bytes().to_vec();
        file.extend_from_slice(&STATS_MAGIC.to_le_bytes());
        file.extend_from_slice(&u32::try_from(entry.len()).unwrap().to_le_bytes());
        file.extend_from_slice(&entry);
        std::fs::write(&path, &file).unwrap();
        let stats = read_statistics(&path).unwrap();
        assert_eq!(stats.freezing_time, Some(300));
        assert_eq!(stats.pages_scanned, Some(20561));
        assert_eq!(stats.pages_written, Some(2129));
        assert_eq!(stats.restore_time, None);
        assert_eq!(
            serde_json::to_string(&stats).unwrap(),
            r#"{"freezing_time":300,"frozen_time":5,"memdump_time":7,"memwrite_time":9,"pages_scanned":20561,"pages_written":2129}"#
        );
        std::fs::write(&path, &file[..10]).unwrap();
        assert_eq!(read_statistics(&path), None);
        assert_eq!(read_statistics(&dir.path().join("none")), None);
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
