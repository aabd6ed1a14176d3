//! A second [`OciRuntime`](libpod_core::oci::OciRuntime) for libpod-rs: youki's
//! [`libcontainer`] crate instead of conmon + runc, with a monitor of our own.
//!
//! [`LibcontainerRuntime`] implements libpod-core's `OciRuntime` trait, so a
//! [`Runtime`](libpod_core::runtime::Runtime) offered it creates,
//! starts, stops and removes containers exactly as with runc: the same bundle and config.json,
//! the same cgroups path (cgroupfs, as runc without `--systemd-cgroup`), the same exit files
//! (`EXIT_DIR/ID`, read by [`ExitFiles`](libpod_core::oci::ExitFiles)), the same k8s-file log.
//!
//! # Two sides
//!
//! - **In the caller** (`runtime.rs`, `ops.rs`): start, kill, delete, state, pause, resume and
//!   update work on libcontainer's state directory (`STATE_ROOT/ID`) and the container's
//!   cgroups, in process: no program runs. None of them clones or forks, and none changes the
//!   process's working directory (libcontainer's own `start` does, to reach its notify
//!   socket: ours reaches it through `/proc/self/fd`), so they are safe in a multi-threaded
//!   embedder.
//! - **The monitor** ([`monitor`]): libcontainer creates a container by cloning its caller,
//!   which is only sound in a single-threaded process. So the create runs in a fresh process
//!   per container, the [`MonitorCommand`] (the embedder's binary in a monitor mode that calls
//!   [`monitor::main`], or this crate's `libpod-libcontainer-monitor`): it detaches, creates
//!   the container, holds its init as its child, copies its output to the k8s-file log and
//!   to the clients of conmon's attach socket (stdin kept open with `-i`, or a terminal whose
//!   master libcontainer sends over a console socket, resized through conmon's `ctl` FIFO),
//!   records its exit code, and runs the exit command, as conmon does.
//!
//! # Offering it, and the exit command
//!
//! [`RuntimeBuilder::add_oci_runtime`](libpod_core::runtime::RuntimeBuilder::add_oci_runtime)
//! offers it beside the configured conmon runtime; each container records the runtime it was
//! created with and every operation on it uses that one, so every process that opens the
//! engine must offer it, the exit command's too: an embedder serving the exit command opens
//! the runtime from [`CleanupArgs::builder`](libpod_core::monitor::CleanupArgs::builder)
//! with `add_oci_runtime` and calls `Runtime::cleanup_container`, rather than `run_cleanup`
//! (podctl offers it in every call).
//!
//! # Exec sessions
//!
//! [`LibcontainerRuntime`] is its own [`OciExec`](libpod_core::oci::OciExec)
//! ([`OciRuntime::exec_side`](libpod_core::oci::OciRuntime::exec_side)), so the exec sessions
//! of its containers run under it: a monitor per session (the same [`MonitorCommand`], with
//! [`EXEC_SESSION_FLAG`] and the session's ID appended) runs the process with libcontainer's
//! tenant builder (with a terminal, and the caller's fds passed on with `--preserve-fds`),
//! serves conmon's attach socket protocol and `ctl` FIFO in the session's directory, writes
//! the exit code where conmon does and runs the exit command; a command that is not found
//! or cannot be invoked fails as Podman's 127 and 126. The process runs under the
//! container's seccomp filter, which libcontainer's tenant builder leaves out (the monitor
//! installs it; `monitor/seccomp.rs`).
//!
//! # Not supported yet
//!
//! These fail with [`CoreError::RuntimeUnsupported`](libpod_core::CoreError), naming what:
//! the journald log driver, and Podman's `tmpcopyup` tmpfs option
//! over a directory of the image that holds files (libcontainer does not know the option; it
//! is dropped where there is nothing to copy: the mount point missing or empty). Nor
//! checkpoint/restore; the OOM marker is not written (an OOM kill reads as exit 137).
//!
//! # Cargo features of libcontainer
//!
//! Pinned at `=0.7.0` (with libcgroups `=0.7.0`): the monitor and the runtime read each
//! other's state directory, which must come from one version. Default features off, then
//! `v1` and `v2` (the cgroup managers: this host is hybrid, others unified) and `libseccomp`
//! (specs carry Podman's seccomp profile; libseccomp is a dependency of libpod-spec already).
//! Not `systemd`: cgroups are managed through the filesystem (`cgroupsPath` a path), as the
//! conmon + runc runtime does here, so no D-Bus client is built in.
//!
//! ```no_run
//! use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
//! use std::sync::Arc;
//!
//! let monitor = MonitorCommand::new("/usr/libexec/libpod-libcontainer-monitor");
//! let oci = LibcontainerRuntime::new(LibcontainerConfig::new("/run/libpod-rs", monitor))?;
//! // Offered beside conmon + runc, and the runtime of new containers.
//! let rt = libpod_core::runtime::Runtime::builder()
//!     .run_root("/run/libpod-rs")
//!     .add_oci_runtime(Arc::new(oci))
//!     .oci_runtime(libpod_libcontainer::RUNTIME_NAME)
//!     .open()?;
//! # Ok::<(), libpod_core::CoreError>(())
//! ```

mod config;
mod copyup;
mod creating;
mod errors;
mod exec;
mod launch;
mod loopback;
pub mod monitor;
mod ops;
mod protocol;
mod runtime;

pub use config::{CREATE_TIMEOUT, LibcontainerConfig, MonitorCommand};
pub use exec::EXEC_SESSION_FLAG;

/// The flag, with the container's ID, the runtime appends to the monitor command of a
/// container's monitor (an exec session's gets [`EXEC_SESSION_FLAG`]): the monitor is
/// recognised by its command line, as conmon's `-c ID`. The monitor program ignores it.
///
/// ```
/// // podctl's monitor verb: `podctl libcontainer-monitor [--container ID]`.
/// assert_eq!(libpod_libcontainer::CONTAINER_FLAG, "--container");
/// ```
pub const CONTAINER_FLAG: &str = "--container";
pub use runtime::LibcontainerRuntime;

/// The runtime's name (`OciRuntime::name`, and the `--runtime` value that selects it).
pub const RUNTIME_NAME: &str = "libcontainer";
