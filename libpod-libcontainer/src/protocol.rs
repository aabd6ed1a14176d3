//! What the caller and the monitor say to each other, over the monitor's stdin and stdout:
//! JSON documents, one a line.
//!
//! A create: the caller spawns the monitor with both as pipes and returns
//! ([`OciRuntime::launch`]); the monitor blocks reading its stdin. At `create` the caller
//! writes one [`Request::Create`] and closes the pipe; dropped without `create`, it closes the
//! pipe unwritten (and kills the monitor, which has done nothing). The monitor answers with
//! one [`MonitorReport`] line on its stdout, then points its stdin and stdout at /dev/null.
//!
//! An exec ([`OciExec::exec_launch`]): the caller writes one [`Request::Exec`] and keeps the
//! pipe open; the monitor detaches, binds the session's attach socket and reports
//! [`ExecReport::Ready`]. At `start` (the caller connected to the socket, if attached) the
//! caller writes the line [`EXEC_GO`] and closes the pipe; the monitor runs the process and
//! reports [`ExecReport::Started`] or [`ExecReport::Failed`]. A pipe closed without the line
//! is an abandoned exec: the monitor exits, having run nothing.
//!
//! [`OciRuntime::launch`]: libpod_core::oci::OciRuntime::launch
//! [`OciExec::exec_launch`]: libpod_core::oci::OciExec::exec_launch

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What the monitor creates and where it records things; every path absolute. A field this
/// monitor does not know is refused, never ignored: a monitor program older than its runtime
/// (`PODCTL_LIBCONTAINER_MONITOR`, an embedder's stale binary) would otherwise make the
/// container without what the field asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MonitorRequest {
    /// The container's ID.
    pub id: String,
    /// The bundle (config.json, rootfs).
    pub bundle: PathBuf,
    /// libcontainer's state root.
    pub state_root: PathBuf,
    /// The container's run directory: `pidfile`, `conmon.pid`.
    pub run_dir: PathBuf,
    /// Where the exit file goes (`EXIT_DIR/ID`).
    pub exit_dir: PathBuf,
    /// The k8s-file log; `None`: the output is dropped.
    pub log_path: Option<PathBuf>,
    /// The log's size limit (conmon's `--log-size-max`: past it the file starts over).
    pub log_size_max: Option<u64>,
    /// Give the container a terminal (conmon's `-t`): its master comes to the monitor.
    pub terminal: bool,
    /// Keep its stdin open without a terminal (conmon's `-i`), fed from the attach socket.
    pub stdin: bool,
    /// The program (and arguments) run after the exit is recorded; empty for none.
    pub exit_command: Vec<String>,
}

/// What the monitor is asked to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Request {
    /// Create a container (and hold its init).
    Create(MonitorRequest),
    /// Run a process in a running container (and hold it).
    Exec(ExecRequest),
}

/// An exec session: what the monitor runs and where it records things; every path absolute.
/// Unknown fields are refused, as [`MonitorRequest`]'s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExecRequest {
    /// The container's ID.
    pub container_id: String,
    /// The session's directory: `process.json` (the process, written by the caller), the
    /// attach socket `attach`, `conmon.pid` (the monitor's PID) and the exit directory
    /// `exit/` (the exit file named after the container, as conmon's).
    pub dir: PathBuf,
    /// libcontainer's state root.
    pub state_root: PathBuf,
    /// Keep the process's stdin open, fed from the attach socket's clients.
    pub stdin: bool,
    /// Give the process a terminal: its master comes to the monitor.
    pub terminal: bool,
    /// Pass the monitor's fds 3 .. 3+N (the caller's, inherited) on to the process.
    pub preserve_fds: u32,
    /// The program (and arguments) run after the exit is recorded; empty for none.
    pub exit_command: Vec<String>,
}

/// The line that lets an exec's monitor run its process.
pub(crate) const EXEC_GO: &str = "start";

/// What an exec's monitor reports, one line each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ExecReport {
    /// Detached, its attach socket bound: it waits for [`EXEC_GO`].
    Ready {
        /// The monitor's PID.
        monitor_pid: i32,
    },
    /// The process runs.
    Started {
        /// Its PID on the host.
        pid: i32,
    },
    /// Nothing runs.
    Failed {
        /// What went wrong (libcontainer's words, with runc's for a command that cannot run).
        message: String,
    },
}

/// What the monitor reports once libcontainer's create is done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MonitorReport {
    /// The container is created; its init waits for `start`.
    Created {
        /// The container's init, on the host.
        pid: i32,
        /// The monitor's own PID (the process that holds the init as its child).
        monitor_pid: i32,
    },
    /// The create failed.
    Failed {
        /// libcontainer's error.
        message: String,
        /// The ID was in use: what is there belongs to another create.
        exists: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_one_json_line() {
        let report = MonitorReport::Created {
            pid: 42,
            monitor_pid: 41,
        };
        let line = serde_json::to_string(&report).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(line, r#"{"created":{"pid":42,"monitor_pid":41}}"#);
        assert_eq!(
            serde_json::from_str::<MonitorReport>(&line).unwrap(),
            report
        );
    }

    #[test]
    fn requests_say_what_they_are() {
        let exec = Request::Exec(ExecRequest {
            container_id: "c".into(),
            dir: "/d".into(),
            state_root: "/s".into(),
            stdin: false,
            terminal: true,
            preserve_fds: 2,
            exit_command: Vec::new(),
        });
        let line = serde_json::to_string(&exec).unwrap();
        assert!(line.starts_with(r#"{"exec":{"#), "{line}");
        assert_eq!(serde_json::from_str::<Request>(&line).unwrap(), exec);
        let ready = serde_json::to_string(&ExecReport::Ready { monitor_pid: 7 }).unwrap();
        assert_eq!(ready, r#"{"ready":{"monitor_pid":7}}"#);
    }

    #[test]
    fn a_field_the_monitor_does_not_know_is_refused() {
        let line = r#"{"exec":{"container_id":"c","dir":"/d","state_root":"/s","stdin":false,"terminal":false,"preserve_fds":0,"exit_command":[],"from_the_future":true}}"#;
        let err = serde_json::from_str::<Request>(line).unwrap_err();
        assert!(err.to_string().contains("from_the_future"), "{err}");
        let create = r#"{"create":{"id":"c","from_the_future":1}}"#;
        let err = serde_json::from_str::<Request>(create).unwrap_err();
        assert!(err.to_string().contains("from_the_future"), "{err}");
    }
}
