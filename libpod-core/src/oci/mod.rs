//! OCI runtimes: a small trait, and its conmon + runc (or crun) implementation.
//!
//! The trait works on container IDs and small argument structs, never on whole containers: the
//! lifecycle code decides, the runtime executes.
//!
//! - [`ConmonRuntime`] (`conmon.rs`, `conmon_create.rs`): conmon + runc as Podman drives
//!   them; `sync.rs` holds conmon's pipe protocol, `runc.rs` the runtime's command line and
//!   its JSON errors, `direct.rs` runc's start and delete done in process where runc only
//!   works on files, `exitfile.rs` the exit files and OOM markers ([`ExitFiles`]).
//! - [`OciExec`] (`exec.rs`): exec sessions, a trait of its own; conmon's in `conmon_exec.rs`,
//!   attached through the same attach socket client as containers ([`AttachSocket::copy`]),
//!   its processes reached by checked pidfds (`process.rs`: [`ProcessRef`]).
//! - [`FakeRuntime`] (`fake.rs`): an in-memory state machine with runc's rules, for unit tests.
//! - Attaching (`attach_socket.rs`, `attach_stream.rs`, `detach_keys.rs`): the client of
//!   conmon's attach socket and terminal control FIFO, the attach loop, and Podman's detach
//!   keys; used by `Container::attach` and by exec sessions. conmon's protocol, not the
//!   runtime's: no trait.
//! - `suite` (with the `testsuite` feature): the conformance cases both pass, so the fake
//!   stays true to runc; a runtime in another crate runs them with `oci_runtime_suite!`.

pub mod attach_socket;
mod attach_stream;
mod conmon;
pub mod criu;
mod detach_keys;
mod direct;
mod exec;
mod exitfile;
pub mod fake;
mod fake_exec;
mod process;
mod runc;
pub(crate) mod spawn;
mod sync;

#[cfg(feature = "testsuite")]
pub mod suite;

pub use attach_socket::{AttachSocket, TerminalSize};
pub use attach_stream::{AttachEnd, AttachIo, pump};
pub use conmon::exec::classify_exec_error;
pub use conmon::{CREATE_TIMEOUT, ConmonRuntime, ConmonRuntimeConfig};
pub use detach_keys::{DEFAULT_DETACH_KEYS, DetachKeys, DetachMatcher, Fed};
pub use exec::{ExecArgs, ExecStarted, OciExec, PendingExec, exec_exit_dir};
pub use exitfile::{ExitFiles, ExitInfo};
pub use fake::FakeRuntime;
pub use process::{Identity, ProcessHandle, ProcessRef};

use crate::error::Result;
use oci_spec::runtime::LinuxResources;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a container's output goes, as conmon's `-l` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogTarget {
    /// A k8s-file log at this path.
    K8sFile(PathBuf),
    /// The journal.
    Journald,
    /// Dropped.
    None,
}

/// What creating a container in the runtime needs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreateArgs<'a> {
    /// The container's ID.
    pub id: &'a str,
    /// The container's name (conmon's `-n`).
    pub name: &'a str,
    /// The OCI bundle: the directory holding config.json.
    pub bundle: &'a Path,
    /// The container's run directory: pidfile, conmon.pid, oci-log.
    pub run_dir: &'a Path,
    /// Where the output goes.
    pub log: LogTarget,
    /// conmon's `--log-tag`.
    pub log_tag: Option<&'a str>,
    /// conmon's `--log-size-max`.
    pub log_size_max: Option<u64>,
    /// Allocate a terminal.
    pub terminal: bool,
    /// Keep stdin open.
    pub stdin: bool,
    /// The program (and arguments) conmon runs when the container exits.
    pub exit_command: &'a [String],
    /// An extra pidfile for conmon's PID.
    pub conmon_pidfile: Option<&'a Path>,
    /// Restore the container's processes from a checkpoint instead of creating them: the
    /// runtime's `restore`, whose process runs at once (no `start`).
    pub restore: Option<RestoreArgs<'a>>,
}

/// Where a checkpoint is and how to restore it (`runc restore`, through conmon's `--restore`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RestoreArgs<'a> {
    /// CRIU's image directory, written by [`OciRuntime::checkpoint`].
    pub image_path: &'a Path,
    /// The CRIU binary.
    pub criu: &'a Path,
    /// Restore established TCP connections (`--tcp-established`).
    pub tcp_established: bool,
    /// Restore file locks (`--file-locks`).
    pub file_locks: bool,
}

impl<'a> RestoreArgs<'a> {
    /// A restore from `image_path` with `criu`, without TCP connections or file locks.
    ///
    /// ```
    /// use std::path::Path;
    /// let args = libpod_core::oci::RestoreArgs::new(Path::new("/ckpt"), Path::new("/usr/sbin/criu"));
    /// assert!(!args.tcp_established);
    /// ```
    pub fn new(image_path: &'a Path, criu: &'a Path) -> Self {
        RestoreArgs {
            image_path,
            criu,
            tcp_established: false,
            file_locks: false,
        }
    }
}

/// What a checkpoint needs (`runc checkpoint`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CheckpointArgs<'a> {
    /// Where CRIU writes its images (created by the caller, empty).
    pub image_path: &'a Path,
    /// Where CRIU writes its log (`dump.log`) and work files.
    pub work_path: &'a Path,
    /// The CRIU binary.
    pub criu: &'a Path,
    /// Leave the container running (`--leave-running`); else its processes end.
    pub leave_running: bool,
    /// Checkpoint established TCP connections (`--tcp-established`).
    pub tcp_established: bool,
    /// Checkpoint file locks (`--file-locks`).
    pub file_locks: bool,
}

impl<'a> CheckpointArgs<'a> {
    /// A checkpoint into `image_path`, CRIU's log in `work_path`, with nothing else asked.
    ///
    /// ```
    /// use std::path::Path;
    /// let args = libpod_core::oci::CheckpointArgs::new(
    ///     Path::new("/ckpt"),
    ///     Path::new("/work"),
    ///     Path::new("/usr/sbin/criu"),
    /// );
    /// assert!(!args.leave_running);
    /// ```
    pub fn new(image_path: &'a Path, work_path: &'a Path, criu: &'a Path) -> Self {
        CheckpointArgs {
            image_path,
            work_path,
            criu,
            leave_running: false,
            tcp_established: false,
            file_locks: false,
        }
    }
}

impl<'a> CreateArgs<'a> {
    /// The arguments with no log, terminal, stdin or exit command.
    pub fn new(id: &'a str, name: &'a str, bundle: &'a Path, run_dir: &'a Path) -> Self {
        CreateArgs {
            id,
            name,
            bundle,
            run_dir,
            log: LogTarget::None,
            log_tag: None,
            log_size_max: None,
            terminal: false,
            stdin: false,
            exit_command: &[],
            conmon_pidfile: None,
            restore: None,
        }
    }
}

/// What `create` started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Created {
    /// The container's PID 1 on the host.
    pub pid: i32,
    /// conmon's PID.
    pub conmon_pid: i32,
}

/// The runtime's view of a container (`runc state`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuntimeState {
    /// `creating`, `created`, `running`, `paused` or `stopped`.
    pub status: String,
    /// Its PID 1, when it has one.
    pub pid: Option<i32>,
}

impl RuntimeState {
    /// A state, as a runtime in another crate reports it.
    ///
    /// ```
    /// let state = libpod_core::oci::RuntimeState::new("running", Some(42));
    /// assert_eq!((state.status.as_str(), state.pid), ("running", Some(42)));
    /// ```
    pub fn new(status: impl Into<String>, pid: Option<i32>) -> Self {
        RuntimeState {
            status: status.into(),
            pid,
        }
    }
}

/// A create under way: its monitor launched, waiting for the bundle (see
/// [`OciRuntime::launch`]). Dropping it without [`create`](PendingCreate::create) aborts the
/// create: the monitor is stopped and reaped, its pipes closed, nothing is created.
pub trait PendingCreate {
    /// Lets the monitor go on: the runtime reads the bundle and creates the container. Returns
    /// once it has (its process waits for `start`); on a failure, what the runtime left is
    /// deleted.
    fn create(self: Box<Self>) -> Result<Created>;
}

/// An OCI runtime driven for containers.
pub trait OciRuntime: Send + Sync + Debug {
    /// The runtime's name (`runc`, `crun`, `fake`).
    fn name(&self) -> &str;
    /// Launches the monitor for a create and returns at once, before the runtime reads the
    /// bundle: the caller writes the bundle (mounts the root filesystem, writes config.json)
    /// while the monitor starts up, then calls [`PendingCreate::create`]. Dropping the
    /// pending create instead stops the monitor: nothing is created, no process or fd is
    /// left.
    ///
    /// ```no_run
    /// # use libpod_core::oci::{CreateArgs, OciRuntime};
    /// # fn write_bundle() -> libpod_core::Result<()> { Ok(()) }
    /// # fn f(oci: &dyn OciRuntime, args: &CreateArgs<'_>) -> libpod_core::Result<()> {
    /// let pending = oci.launch(args)?;
    /// write_bundle()?; // on an error, `pending` is dropped: the monitor is stopped
    /// let created = pending.create()?;
    /// # Ok(()) }
    /// ```
    fn launch<'r>(&'r self, args: &CreateArgs<'_>) -> Result<Box<dyn PendingCreate + 'r>>;
    /// Creates the container from a bundle written already ([`launch`](OciRuntime::launch)
    /// then [`create`](PendingCreate::create)); returns once the runtime has created it (its
    /// process waits for `start`).
    fn create(&self, args: &CreateArgs<'_>) -> Result<Created> {
        self.launch(args)?.create()
    }
    /// Starts a created container's process.
    fn start(&self, id: &str) -> Result<()>;
    /// Sends `signal` to the container's PID 1 (to every process with `all`).
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()>;
    /// Deletes the container from the runtime; `force` kills it first.
    fn delete(&self, id: &str, force: bool) -> Result<()>;
    /// The runtime's state of the container; `None` when it does not know it.
    fn state(&self, id: &str) -> Result<Option<RuntimeState>>;
    /// Freezes the container.
    fn pause(&self, id: &str) -> Result<()>;
    /// Thaws the container.
    fn resume(&self, id: &str) -> Result<()>;
    /// Changes the container's cgroup resources.
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()>;
    /// How the container's last process exited, once the monitor recorded it.
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>>;
    /// Waits up to `timeout` (forever with `None`) for the monitor to record the exit.
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>>;
    /// Forgets a recorded exit (before the container runs again).
    fn clear_exit(&self, id: &str) -> Result<()>;
    /// The runtime's exec side, for the exec sessions of the containers made with it; `None`
    /// (the default) when it has none: the containers of the runtime given to
    /// [`RuntimeBuilder::with_oci`](crate::runtime::RuntimeBuilder::with_oci) then use the
    /// one given to [`with_oci_exec`](crate::runtime::RuntimeBuilder::with_oci_exec), the
    /// others have no exec.
    ///
    /// ```no_run
    /// # use libpod_core::oci::{OciExec, OciRuntime};
    /// # use std::sync::Arc;
    /// # fn f(oci: Arc<dyn OciRuntime>) {
    /// let exec: Option<Arc<dyn OciExec>> = oci.exec_side();
    /// # }
    /// ```
    fn exec_side(self: std::sync::Arc<Self>) -> Option<std::sync::Arc<dyn OciExec>> {
        None
    }
    /// Checkpoints the running container's processes with CRIU into `args.image_path`; unless
    /// `args.leave_running`, they end and the runtime forgets the container. A runtime that
    /// cannot refuses (the default).
    fn checkpoint(&self, id: &str, args: &CheckpointArgs<'_>) -> Result<()> {
        let _ = args;
        Err(crate::CoreError::RuntimeUnsupported {
            id: id.to_string(),
            runtime: self.name().to_string(),
            what: "checkpoint",
        })
    }
}
