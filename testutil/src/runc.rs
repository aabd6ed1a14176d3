//! Running a bundle with runc, away from the host's runc state.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

/// What a container run by [`runc_run`] did.
#[derive(Debug)]
pub struct RuncOutput {
    /// runc's exit status, which is the container process's when runc got to start it.
    pub status: ExitStatus,
    /// The container's standard output (and runc's, which prints nothing there).
    pub stdout: String,
    /// The container's standard error, and runc's error messages.
    pub stderr: String,
}

impl RuncOutput {
    /// The exit code as a shell reports it: the code, or 128 + the signal that killed it.
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .or_else(|| self.status.signal().map(|signal| 128 + signal))
            .unwrap_or(1)
    }
}

/// Runs the bundle at `bundle` (a directory holding `config.json`) as container `id` with
/// `runc run`, stdin closed, and returns its exit status and output.
///
/// runc keeps its state in a fresh directory next to the bundle, removed afterwards, so
/// tests never touch the host's `/run/runc` nor each other's containers; `runc delete -f`
/// runs afterwards whatever happened. A spec whose `cgroupsPath` has systemd's
/// `slice:prefix:name` form is run with `--systemd-cgroup`, as Podman would.
///
/// The run has no timeout: the spec's process must end by itself.
///
/// # Panics
/// When runc cannot be started (install `runc`), or the state directory cannot be created.
///
/// ```no_run
/// let out = libpod_testutil::runc_run(std::path::Path::new("/tmp/bundle"), "demo");
/// println!("exit {}: {}", out.code(), out.stdout);
/// ```
pub fn runc_run(bundle: &Path, id: &str) -> RuncOutput {
    let bundle = bundle
        .canonicalize()
        .unwrap_or_else(|_| bundle.to_path_buf());
    let parent = bundle
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    let state = tempfile::Builder::new()
        .prefix("runc-state-")
        .tempdir_in(parent.map_or_else(std::env::temp_dir, Path::to_path_buf))
        .expect("creating a runc state directory next to the bundle");
    let systemd_cgroup = uses_systemd_cgroup(&bundle.join("config.json"));
    let runc = |args: &[&str]| {
        let mut command = Command::new("runc");
        command.arg("--root").arg(state.path());
        if systemd_cgroup {
            command.arg("--systemd-cgroup");
        }
        command.args(args).stdin(Stdio::null());
        command
    };

    let output = runc(&["run", "--bundle", &bundle.to_string_lossy(), id])
        .output()
        .unwrap_or_else(|err| panic!("running runc: {err} (install runc)"));
    // `runc run` deletes the container when it exits; this is for when it did not get there.
    if let Ok(delete) = runc(&["delete", "-f", id]).output() {
        let stderr = String::from_utf8_lossy(&delete.stderr);
        if !delete.status.success() && !stderr.contains("does not exist") {
            eprintln!("runc delete -f {id}: {}", stderr.trim());
        }
    }
    RuncOutput {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Whether the spec at `config` asks for a systemd cgroup (`slice:prefix:name`).
fn uses_systemd_cgroup(config: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(config) else {
        return false;
    };
    let Ok(spec) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    spec.pointer("/linux/cgroupsPath")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|path| path.split(':').count() == 3)
}
