//! podctl and the real Podman 4.3 side by side, on stores of their own holding the same
//! busybox image as `localhost/busybox`.

use super::Cgroup;
use libpod_testutil::{Podman, TempRoot, busybox_rootfs, tar_directory};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Podman's engine settings for the comparisons: runc, cgroupfs, the same default ulimits
/// and capabilities as the library's defaults.
pub const CONTAINERS_CONF: &str = r#"[containers]
default_capabilities = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
default_sysctls = ["net.ipv4.ping_group_range=0 0"]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
pids_limit = 2048
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
"#;

/// Both engines; dropped in field order: Podman cleans up, then the cgroup parent goes, then
/// the temporary directory.
pub struct Pair {
    pub podman: Podman,
    pub cgroup: Cgroup,
    /// podctl's store: `--root ROOT/root --runroot ROOT/run`.
    pub root: PathBuf,
    pub tmp: TempRoot,
}

impl Pair {
    /// Both stores, each with `localhost/busybox` imported from the same rootfs.
    pub fn new(tag: &str) -> Pair {
        let tmp = TempRoot::new().unwrap();
        let rootfs = tmp.path().join("rootfs");
        busybox_rootfs(&rootfs).unwrap();
        let tar = tmp.path().join("rootfs.tar");
        tar_directory(&rootfs, &tar).unwrap();
        let root = tmp.path().join("store");
        super::ok(
            &root,
            &["import", tar.to_str().unwrap(), "localhost/busybox"],
        );
        let podman = Podman::new(tmp.path(), CONTAINERS_CONF);
        podman
            .import_rootfs(&rootfs, "localhost/busybox", &[])
            .unwrap();
        Pair {
            podman,
            cgroup: Cgroup(format!("/libpod-rs-{tag}-{}", std::process::id())),
            root,
            tmp,
        }
    }

    /// The flags every container of these tests gets on both sides: the test's cgroup parent
    /// (removed at the end) and ulimits this host's hard limits allow.
    pub fn run_flags(&self) -> Vec<String> {
        [
            "--cgroup-parent",
            &self.cgroup.0,
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
        ]
        .map(String::from)
        .to_vec()
    }

    /// podctl with `args`.
    pub fn podctl(&self, args: &[&str]) -> Output {
        super::podctl(&self.root, args)
    }

    /// podctl with `args`, asserting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        super::ok(&self.root, args)
    }

    /// Podman with `args`.
    pub fn podman(&self, args: &[&str]) -> Output {
        self.podman.command().args(args).output().unwrap()
    }

    /// Podman with `args`, asserting success; returns stdout.
    pub fn podman_ok(&self, args: &[&str]) -> String {
        let out = self.podman(args);
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The temporary directory.
    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }
}

/// The lines of `stderr` a user's script sees from either engine: `Error: ...` and the usage
/// hint, with container IDs as `<ID>` and the program's name as podctl (Podman's log
/// warnings about its network plugins are left out).
pub fn error_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("Error:") || l.starts_with("See '"))
        .map(|l| hide_ids(&l.replace("'podman ", "'podctl ")))
        .collect()
}

/// [`error_lines`] as a comparison across OCI runtimes can hold them: for an exit `code` of
/// 126 or 127 under another runtime than Podman's runc (`LIBPOD_TEST_RUNTIME`), each line cut
/// to Podman's classification that ends it (`OCI permission denied`, `OCI runtime attempted
/// to invoke a command that was not found`): the OCI runtime's own words before it differ.
pub fn runtime_error_lines(stderr: &[u8], code: Option<i32>) -> Vec<String> {
    let lines = error_lines(stderr);
    if super::test_runtime().is_none() || !matches!(code, Some(126 | 127)) {
        return lines;
    }
    let class = |line: &String| line.rsplit(": ").next().unwrap_or_default().to_string();
    lines.iter().map(class).collect()
}

/// `text` with every 64-hex-digit ID replaced by `<ID>`.
pub fn hide_ids(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() && c.is_ascii_lowercase() || c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() == 64 {
            out.push_str("<ID>");
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}
