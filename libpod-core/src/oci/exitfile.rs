//! conmon's exit files: `EXIT_DIR/ID` holds the exit code, its mtime is the finish time;
//! `PERSIST_DIR/ID/oom` marks an OOM kill.

use std::time::SystemTime;

/// How a container's process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    /// The exit code (128 + N for a signal N, as conmon records it).
    pub code: i32,
    /// When the process ended.
    pub finished_at: SystemTime,
    /// Whether the OOM killer ended it.
    pub oom_killed: bool,
}
