//! Facts about the host that Podman's `info` reports, read where Podman reads them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The architecture in Go's words (`amd64`, `arm64`, ...).
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "loongarch64" => "loong64",
        other => other,
    }
}

/// `/etc/os-release` as KEY=VALUE pairs, quotes removed.
pub fn os_release() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string("/etc/os-release")
        .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

/// `/proc/meminfo`'s KEY in bytes.
pub fn meminfo(key: &str) -> Option<i64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with(&format!("{key}:")))?;
    let kib: i64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The first line of a file, trimmed.
pub fn read_trimmed(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// `PROGRAM --version`'s output, trimmed ("" when it does not run).
pub fn version_of(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// `v2` on the unified hierarchy, else `v1`.
pub fn cgroup_version() -> &'static str {
    if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "v2"
    } else {
        "v1"
    }
}

/// The controllers of the unified hierarchy's root (on v1, none are reported).
pub fn cgroup_controllers() -> Option<Vec<String>> {
    let text = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers").ok()?;
    Some(text.split_whitespace().map(String::from).collect())
}
