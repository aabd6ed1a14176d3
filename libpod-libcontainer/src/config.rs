//! Where the runtime keeps its files, and the program that serves as a container's monitor.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long `create` waits for the monitor to report the container's PID (conmon's, as
/// Podman's `define.ContainerCreateTimeout`).
pub const CREATE_TIMEOUT: Duration = Duration::from_secs(240);

/// The program that serves as a container's monitor: `PROGRAM ARGS...`, which must call
/// [`monitor::main`](crate::monitor::main) before it starts any thread (the embedder's
/// binary in a monitor mode, as conmon's exit command is served), or this crate's
/// `libpod-libcontainer-monitor`. The runtime appends [`CONTAINER_FLAG`](crate::CONTAINER_FLAG)
/// and the container's ID (a container's monitor) or
/// [`EXEC_SESSION_FLAG`](crate::EXEC_SESSION_FLAG) and the session's ID (an exec session's):
/// the program must accept and ignore them.
///
/// ```
/// use libpod_libcontainer::MonitorCommand;
/// // podctl serves it as a hidden verb: `podctl libcontainer-monitor`.
/// let podctl = MonitorCommand::new("/usr/bin/podctl").args(["libcontainer-monitor"]);
/// # let _ = podctl;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorCommand {
    program: PathBuf,
    args: Vec<String>,
}

impl MonitorCommand {
    /// The program, by absolute path.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        MonitorCommand {
            program: program.into(),
            args: Vec::new(),
        }
    }

    /// Arguments that put the program in its monitor mode.
    #[must_use]
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The command to spawn.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        command
    }
}

/// Where [`LibcontainerRuntime`](crate::LibcontainerRuntime) keeps its files and which
/// monitor it starts.
///
/// ```
/// use libpod_libcontainer::{LibcontainerConfig, MonitorCommand};
/// let config = LibcontainerConfig::new("/run/libpod-rs", MonitorCommand::new("/usr/bin/m"));
/// assert_eq!(config.state_root, std::path::Path::new("/run/libpod-rs/runtime/libcontainer"));
/// assert_eq!(config.exit_dir, std::path::Path::new("/run/libpod-rs/exits"));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LibcontainerConfig {
    /// libcontainer's state root: `STATE_ROOT/ID` per container.
    pub state_root: PathBuf,
    /// Where exits are recorded (conmon's `--exit-dir`: `EXIT_DIR/ID`).
    pub exit_dir: PathBuf,
    /// conmon's persist directories (`PERSIST_DIR/ID`), cleared with the exit.
    pub persist_dir: PathBuf,
    /// The monitor program.
    pub monitor: MonitorCommand,
    /// How long `create` waits for the monitor (default [`CREATE_TIMEOUT`]).
    pub create_timeout: Duration,
}

impl LibcontainerConfig {
    /// Everything under `run_root`, where libpod-core's runtime keeps runc's: the state in
    /// `runtime/libcontainer/` (emptied after a reboot with the other runtimes'), exits in
    /// `exits/` (watched by the exit monitor), persist directories in `persist/`.
    pub fn new(run_root: impl AsRef<Path>, monitor: MonitorCommand) -> Self {
        let run_root = run_root.as_ref();
        LibcontainerConfig {
            state_root: run_root.join("runtime").join(crate::RUNTIME_NAME),
            exit_dir: run_root.join("exits"),
            persist_dir: run_root.join("persist"),
            monitor,
            create_timeout: CREATE_TIMEOUT,
        }
    }
}
