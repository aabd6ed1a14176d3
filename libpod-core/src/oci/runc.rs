//! The runtime's command line (runc, or crun with the same CLI), called directly for every
//! operation but create (which conmon runs), and its JSON error log.
//!
//! Every call gets the global flags `--root RUNTIME_ROOT` (the engine's private state root),
//! `--systemd-cgroup` when asked, the configured extra flags, and `--log-format json`, so that
//! the error runc writes to stderr is one JSON line whose `msg` is the message to surface.

use super::RuntimeState;
use crate::error::{CoreError, Result};
use oci_spec::runtime::LinuxResources;
use serde::Deserialize;
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The runtime binary with its global flags.
#[derive(Clone, Debug)]
pub(crate) struct RuntimeCli {
    /// `runc`, `crun`: names errors.
    pub name: String,
    /// The binary.
    pub path: PathBuf,
    /// The global flags that come before the subcommand (`--root DIR`, ...).
    pub global_flags: Vec<OsString>,
}

/// The part of `runc state`'s output we read.
#[derive(Deserialize)]
struct StateOutput {
    status: String,
    #[serde(default)]
    pid: i32,
}

/// One line of runc's JSON log (`--log-format json`).
#[derive(Deserialize)]
struct LogLine {
    #[serde(default)]
    level: String,
    #[serde(default)]
    msg: String,
}

impl RuntimeCli {
    /// A command for `runtime GLOBAL_FLAGS --log-format json`, stdin closed.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.path);
        command
            .args(&self.global_flags)
            .args(["--log-format", "json"])
            .stdin(Stdio::null());
        command
    }

    /// Runs `runtime ... ARGS` for container `id` (operation `op`), with `stdin` written to its
    /// standard input; returns its standard output, or the runtime's error message.
    pub fn run(
        &self,
        id: &str,
        op: &'static str,
        args: &[&OsStr],
        stdin: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        let mut command = self.command();
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        tracing::debug!(runtime = %self.path.display(), ?args, "running the OCI runtime");
        let mut child = command
            .spawn()
            .map_err(|err| CoreError::io("running", &self.path, err))?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A runtime that fails early closes its stdin: its exit status tells why.
            if let Err(err) = pipe.write_all(input) {
                tracing::debug!(%err, "writing to the OCI runtime's stdin");
            }
        }
        let output = child
            .wait_with_output()
            .map_err(|err| CoreError::io("waiting for", &self.path, err))?;
        if output.status.success() {
            return Ok(output.stdout);
        }
        Err(self.error(
            id,
            op,
            error_message(&output.stderr, &output.status.to_string()),
        ))
    }

    /// An [`CoreError::OciRuntime`] for container `id`. The runtime's own `NAME OP failed: `
    /// prefix (runc: `runc create failed: ...`) is dropped: the error says it already.
    pub fn error(&self, id: &str, op: &'static str, message: String) -> CoreError {
        let prefix = format!("{} {op} failed: ", self.name);
        let message = match message.strip_prefix(&prefix) {
            Some(rest) if !rest.trim().is_empty() => rest.to_string(),
            _ => message,
        };
        CoreError::OciRuntime {
            id: id.to_string(),
            runtime: self.name.clone(),
            op,
            message,
        }
    }

    /// `runtime start ID`.
    pub fn start(&self, id: &str) -> Result<()> {
        self.run(id, "start", &["start".as_ref(), id.as_ref()], None)
            .map(drop)
    }

    /// `runtime kill [--all] ID SIGNAL`.
    pub fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let signal = signal.to_string();
        let mut args: Vec<&OsStr> = vec!["kill".as_ref()];
        if all {
            args.push("--all".as_ref());
        }
        args.extend([OsStr::new(id), signal.as_ref()]);
        self.run(id, "kill", &args, None).map(drop)
    }

    /// `runtime delete [--force] ID`; a container the runtime does not know is deleted already.
    pub fn delete(&self, id: &str, force: bool) -> Result<()> {
        let mut args: Vec<&OsStr> = vec!["delete".as_ref()];
        if force {
            args.push("--force".as_ref());
        }
        args.push(id.as_ref());
        match self.run(id, "delete", &args, None) {
            Err(CoreError::OciRuntime { message, .. }) if is_not_exist(&message) => Ok(()),
            other => other.map(drop),
        }
    }

    /// `runtime state ID`; `None` when the runtime does not know the container.
    pub fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let stdout = match self.run(id, "state", &["state".as_ref(), id.as_ref()], None) {
            Ok(stdout) => stdout,
            Err(CoreError::OciRuntime { message, .. }) if is_not_exist(&message) => {
                return Ok(None);
            }
            Err(err) => return Err(err),
        };
        parse_state(&stdout)
            .map(Some)
            .map_err(|reason| self.error(id, "state", reason))
    }

    /// `runtime pause ID`.
    pub fn pause(&self, id: &str) -> Result<()> {
        self.run(id, "pause", &["pause".as_ref(), id.as_ref()], None)
            .map(drop)
    }

    /// `runtime resume ID`.
    pub fn resume(&self, id: &str) -> Result<()> {
        self.run(id, "resume", &["resume".as_ref(), id.as_ref()], None)
            .map(drop)
    }

    /// `runtime update --resources - ID`, the resources as OCI JSON on stdin.
    pub fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        let json = serde_json::to_vec(resources).map_err(|err| {
            self.error(id, "update", format!("cannot encode the resources: {err}"))
        })?;
        let args: [&OsStr; 4] = ["update".as_ref(), "-r".as_ref(), "-".as_ref(), id.as_ref()];
        self.run(id, "update", &args, Some(&json)).map(drop)
    }
}

impl RuntimeCli {
    /// `runtime --criu CRIU checkpoint --image-path IMAGES --work-path WORK [--leave-running]
    /// [--tcp-established] [--file-locks] ID`, as Podman's `CheckpointContainer`. A failure
    /// is worded by CRIU's own errors in `WORK/dump.log` when it wrote any.
    pub fn checkpoint(&self, id: &str, args: &super::CheckpointArgs<'_>) -> Result<()> {
        let mut command = Command::new(&self.path);
        command
            .args(&self.global_flags)
            .args(["--log-format", "json"])
            .arg("--criu")
            .arg(args.criu)
            .arg("checkpoint")
            .arg("--image-path")
            .arg(args.image_path)
            .arg("--work-path")
            .arg(args.work_path);
        for (wanted, flag) in [
            (args.leave_running, "--leave-running"),
            (args.tcp_established, "--tcp-established"),
            (args.file_locks, "--file-locks"),
        ] {
            if wanted {
                command.arg(flag);
            }
        }
        command.arg(id).stdin(Stdio::null());
        tracing::debug!(runtime = %self.path.display(), id, "checkpointing");
        let output = command
            .output()
            .map_err(|err| CoreError::io("running", &self.path, err))?;
        if output.status.success() {
            return Ok(());
        }
        let message = error_message(&output.stderr, &output.status.to_string());
        let message = match self.error(id, "checkpoint", message) {
            CoreError::OciRuntime { message, .. } => message,
            other => other.to_string(),
        };
        Err(CoreError::Criu {
            id: id.to_string(),
            operation: "checkpoint",
            reason: super::criu::log_errors(&args.work_path.join("dump.log"), &message),
        })
    }
}

/// Parses `runc state` output.
pub(crate) fn parse_state(stdout: &[u8]) -> std::result::Result<RuntimeState, String> {
    let state: StateOutput = serde_json::from_slice(stdout)
        .map_err(|err| format!("malformed state output ({err}): {}", lossy(stdout)))?;
    Ok(RuntimeState {
        status: state.status,
        pid: (state.pid > 0).then_some(state.pid),
    })
}

/// The message of the last error in runc's JSON log text (`level` `error` or `fatal`), if any.
pub(crate) fn last_error(log: &str) -> Option<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<LogLine>(line.trim()).ok())
        .filter(|line| matches!(line.level.as_str(), "error" | "fatal" | "panic"))
        .map(|line| line.msg.trim().to_string())
        .rfind(|msg| !msg.is_empty())
}

/// The last error in the JSON log file at `path` (runc's `--log`), if it can be read.
pub(crate) fn last_error_in_file(path: &Path) -> Option<String> {
    let text = std::fs::read(path).ok()?;
    last_error(&String::from_utf8_lossy(&text))
}

/// What a failed runtime call said: the last JSON error on stderr, else its last non-empty
/// line, else `fallback` (the exit status).
pub(crate) fn error_message(stderr: &[u8], fallback: &str) -> String {
    let text = lossy(stderr);
    if let Some(msg) = last_error(&text) {
        return msg;
    }
    text.lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .map_or_else(|| fallback.to_string(), str::to_string)
}

/// Whether a runtime message says the container does not exist (runc: "container does not
/// exist"; crun: "... No such file or directory").
pub(crate) fn is_not_exist(message: &str) -> bool {
    message.contains("does not exist") || message.contains("No such file or directory")
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
#[path = "runc_tests.rs"]
mod tests;
