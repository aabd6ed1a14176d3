//! What the caller and the monitor say to each other, over the monitor's stdin and stdout.
//!
//! The caller spawns the monitor with both as pipes and returns ([`OciRuntime::launch`]); the
//! monitor blocks reading its stdin. At `create` the caller writes one [`MonitorRequest`] as
//! JSON and closes the pipe; dropped without `create`, it closes the pipe unwritten (and kills
//! the monitor, which has done nothing). The monitor answers with one [`MonitorReport`] line
//! on its stdout, then points its stdin and stdout at /dev/null.
//!
//! [`OciRuntime::launch`]: libpod_core::oci::OciRuntime::launch

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What the monitor creates and where it records things; every path absolute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The program (and arguments) run after the exit is recorded; empty for none.
    pub exit_command: Vec<String>,
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
}
