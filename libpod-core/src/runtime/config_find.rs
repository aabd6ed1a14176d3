//! Finding the OCI runtime and conmon as Podman does.

use super::EngineConfig;
use crate::error::{CoreError, Result};
use std::ffi::OsStr;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// containers/common 0.50's `[engine] conmon_path` default.
pub(super) const BUILTIN_CONMON_PATHS: &[&str] = &[
    "/usr/libexec/podman/conmon",
    "/usr/local/libexec/podman/conmon",
    "/usr/local/lib/podman/conmon",
    "/usr/bin/conmon",
    "/usr/sbin/conmon",
    "/usr/local/bin/conmon",
    "/usr/local/sbin/conmon",
    "/run/current-system/sw/bin/conmon",
];

/// containers/common 0.50's `[engine.runtimes]` default.
pub(super) fn builtin_runtimes() -> &'static [(&'static str, &'static [&'static str])] {
    &[
        (
            "crun",
            &[
                "/usr/bin/crun",
                "/usr/sbin/crun",
                "/usr/local/bin/crun",
                "/usr/local/sbin/crun",
                "/sbin/crun",
                "/bin/crun",
                "/run/current-system/sw/bin/crun",
            ],
        ),
        (
            "runc",
            &[
                "/usr/bin/runc",
                "/usr/sbin/runc",
                "/usr/local/bin/runc",
                "/usr/local/sbin/runc",
                "/sbin/runc",
                "/bin/runc",
                "/usr/lib/cri-o-runc/sbin/runc",
                "/run/current-system/sw/bin/runc",
            ],
        ),
        (
            "kata",
            &[
                "/usr/bin/kata-runtime",
                "/usr/sbin/kata-runtime",
                "/usr/local/bin/kata-runtime",
                "/usr/local/sbin/kata-runtime",
                "/sbin/kata-runtime",
                "/bin/kata-runtime",
                "/usr/bin/kata-qemu",
                "/usr/bin/kata-fc",
            ],
        ),
        (
            "runsc",
            &[
                "/usr/bin/runsc",
                "/usr/sbin/runsc",
                "/usr/local/bin/runsc",
                "/usr/local/sbin/runsc",
                "/bin/runsc",
                "/sbin/runsc",
                "/run/current-system/sw/bin/runsc",
            ],
        ),
        ("krun", &["/usr/bin/krun", "/usr/local/bin/krun"]),
    ]
}

/// The default runtime when no file names one: the first of runc, crun, kata, runsc with an
/// existing candidate or on `$PATH`. Podman 4.3 tries crun first; we prefer runc, which works
/// on every cgroup layout (crun 1.8 refuses hybrid v1/v2 hosts such as ours).
pub(super) fn default_runtime(path_env: Option<&OsStr>) -> Option<String> {
    ["runc", "crun", "kata", "runsc"]
        .into_iter()
        .find_map(|name| {
            let (_, candidates) = builtin_runtimes().iter().find(|(n, _)| *n == name)?;
            let found = candidates.iter().any(|path| Path::new(path).exists())
                || lookup_path(name, path_env).is_some();
            found.then(|| name.to_string())
        })
}

pub(super) fn runtime(
    config: &EngineConfig,
    name: &str,
    path_env: Option<&OsStr>,
) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = if name.starts_with('/') {
        vec![PathBuf::from(name)]
    } else {
        match config.runtimes.iter().find(|(n, _)| n == name) {
            Some((_, paths)) => paths.clone(),
            None => {
                let known: Vec<&str> = config.runtimes.iter().map(|(n, _)| n.as_str()).collect();
                return Err(CoreError::InvalidOption {
                    option: "runtime",
                    reason: format!(
                        "OCI runtime {name:?} is not in [engine.runtimes] (known: {})",
                        known.join(", ")
                    ),
                });
            }
        }
    };
    let mut tried = Vec::new();
    for path in candidates {
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => return Ok(path),
            Ok(_) => tried.push(format!("{} (not a regular file)", path.display())),
            Err(_) => tried.push(path.display().to_string()),
        }
    }
    if !name.contains('/') {
        if let Some(path) = lookup_path(name, path_env) {
            return Ok(path);
        }
        tried.push("$PATH".to_string());
    }
    Err(CoreError::ProgramNotFound {
        program: name.to_string(),
        tried,
    })
}

pub(super) fn conmon(config: &EngineConfig, path_env: Option<&OsStr>) -> Result<PathBuf> {
    let mut tried = Vec::new();
    let on_path = lookup_path("conmon", path_env);
    let candidates = config.conmon_path.iter().map(|p| (p.clone(), false));
    for (path, from_path) in candidates.chain(on_path.map(|p| (p, true))) {
        let shown = if from_path {
            format!("{} (from $PATH)", path.display())
        } else {
            path.display().to_string()
        };
        match std::fs::metadata(&path) {
            Ok(meta) if !meta.is_dir() => match probe_conmon(&path) {
                Ok(()) => return Ok(path),
                Err(why) => {
                    tracing::warn!("conmon at {path:?} is not usable: {why}");
                    tried.push(format!("{shown} ({why})"));
                }
            },
            Ok(_) => tried.push(format!("{shown} (a directory)")),
            Err(_) => tried.push(shown),
        }
    }
    if tried.last().is_none_or(|last| !last.contains("$PATH")) {
        tried.push("$PATH".to_string());
    }
    Err(CoreError::ProgramNotFound {
        program: "conmon".to_string(),
        tried,
    })
}

/// Runs `conmon --version`: Podman needs 2.0.1 or later.
fn probe_conmon(path: &Path) -> std::result::Result<(), String> {
    let mut attempts = 0;
    let output = loop {
        let run = Command::new(path)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        match run {
            // Just installed, and still open for writing in some forked child: try again.
            Err(err) if err.kind() == ErrorKind::ExecutableFileBusy && attempts < 5 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => break other.map_err(|err| format!("cannot run it: {err}"))?,
        }
    };
    if !output.status.success() {
        return Err(format!("`--version` failed ({})", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let (major, minor, patch) = parse_conmon_version(&text)
        .ok_or_else(|| "its `--version` output is not `conmon version X.Y.Z`".to_string())?;
    if (major, minor, patch) < (2, 0, 1) {
        return Err(format!(
            "version {major}.{minor}.{patch} is older than the required 2.0.1"
        ));
    }
    Ok(())
}

/// `conmon version X.Y.Z` (Podman's pattern: any character between the numbers).
fn parse_conmon_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut rest = text.strip_prefix("conmon version ")?;
    let mut numbers = [0u64; 3];
    for (index, number) in numbers.iter_mut().enumerate() {
        if index > 0 {
            let mut chars = rest.chars();
            chars.next()?;
            rest = chars.as_str();
        }
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        *number = rest.get(..len)?.parse().ok()?;
        rest = &rest[len..];
    }
    Some((numbers[0], numbers[1], numbers[2]))
}

/// `exec.LookPath`: the first `$PATH` directory holding an executable regular file `name`.
fn lookup_path(name: &str, path_env: Option<&OsStr>) -> Option<PathBuf> {
    let path_env = path_env?;
    std::env::split_paths(path_env)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
#[path = "config_find_tests.rs"]
mod tests;
