//! The monitor: a process per container that creates it with libcontainer, holds its init as
//! its child, copies its output to the k8s-file log, records its exit code in the exit file
//! and runs the exit command: conmon's work, for this runtime.
//!
//! # Why a process of its own, and why it is safe
//!
//! libcontainer creates a container by `clone`-ing its caller (an intermediate process, then
//! the init, cloned with `CLONE_PARENT` so that the caller is its parent). A clone of a
//! multi-threaded process holds only the calling thread, with every lock another thread held
//! (the allocator's, stdio's, tracing's) locked forever; Rust code run in it before an
//! `exec` can deadlock or corrupt. So the create never runs in the embedder: the runtime
//! spawns the [`MonitorCommand`](crate::MonitorCommand), a fresh program (`posix_spawn`,
//! no fork of the embedder) whose `main` calls [`main`] here before it starts any thread.
//! Then:
//!
//! 1. It reads its request (one JSON line) from stdin; EOF without one means the create
//!    was abandoned: it exits, having made nothing.
//! 2. It forks (`detach.rs`: refused unless `/proc/self/task` shows one thread) and its first
//!    process exits, so the caller reaps it at once; the second calls `setsid` (no terminal,
//!    no signal from the caller's session) and is re-parented to init or the nearest
//!    subreaper: the container outlives the program that started it, as with conmon.
//! 3. It records its PID (`RUN_DIR/conmon.pid`), enters the bundle, binds conmon's attach
//!    socket and makes its `ctl` FIFO there (`attach.rs`, `terminal.rs`), checks again that it
//!    is single-threaded, and has libcontainer create the container: stdin /dev/null (a pipe
//!    to itself with `-i`), stdout and stderr pipes to itself, or with `-t` a terminal whose
//!    master the init sends over a console socket; the init is its child. It reports the
//!    init's PID, or the error, as one JSON line on stdout, then points stdin and stdout at
//!    /dev/null.
//! 4. It waits in one `poll` (`watch.rs`) for output, connections, input, resizes and the
//!    init's exit (a pidfd); output goes to the k8s-file log in conmon's format and with its
//!    size limit (`log.rs`) and to every attach client.
//! 5. At the exit it reaps the init, drains the output, writes `EXIT_DIR/ID` (the code, 128 + N
//!    for signal N, written to a temporary file renamed into place), closes the attach
//!    connections and runs the exit command with stdio on /dev/null, without waiting for it.
//!
//! An exec session's monitor (`exec.rs`) starts the same way (the request says which), then
//! binds the session's attach socket and control FIFO, waits for the caller's go-ahead, runs
//! the process with libcontainer's tenant builder under the container's seccomp filter
//! (`seccomp.rs`), serves the same loop until the process exits, writes the session's exit
//! file and runs the exit command: conmon's `-e --exec-attach`.
//!
//! Nothing of the embedder is shared: the monitor gets its request as data and writes only
//! the files named in it; the caller reads one line from it and never waits for more than its
//! first process.

mod attach;
mod detach;
pub(crate) mod exec;
mod footprint;
mod log;
mod seccomp;
mod terminal;
mod watch;

use crate::launch::{MONITOR_PIDFILE, PIDFILE};
use crate::ops::chain;
use crate::protocol::{MonitorReport, MonitorRequest, Request};
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::error::LibcontainerError;
use libcontainer::syscall::syscall::SyscallType;
use nix::fcntl::OFlag;
use std::fs::File;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::process::{Command, ExitCode, Stdio};

/// How long a container runs before its monitor gives back what only the create used.
const SHED_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The monitor mode's entry point: the program named by the runtime's
/// [`MonitorCommand`](crate::MonitorCommand) calls it, with its standard streams as the
/// runtime spawned them, before it starts any thread (libcontainer clones its caller), and
/// exits with what it returns.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     if std::env::args().nth(1).as_deref() == Some("libcontainer-monitor") {
///         return libpod_libcontainer::monitor::main();
///     }
///     // ... the program's other modes
/// #   std::process::ExitCode::SUCCESS
/// }
/// ```
pub fn main() -> ExitCode {
    let request = match read_request() {
        Ok(Some(request)) => request,
        // The create was abandoned before it was asked for.
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => return fail(message, false),
    };
    match detach::fork_detached() {
        Ok(detach::Side::FirstProcess) => ExitCode::SUCCESS,
        Ok(detach::Side::Monitor) => match &request {
            Request::Create(request) => serve(request),
            Request::Exec(request) => exec::serve(request),
        },
        Err(err) => fail(format!("detaching the monitor: {err}"), false),
    }
}

/// Reads the request, one line: `None` when stdin closed empty. The rest of stdin is left
/// for an exec's go-ahead (std's stdin buffer goes with the fork).
fn read_request() -> Result<Option<Request>, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_line(&mut text)
        .map_err(|err| format!("reading the request: {err}"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| format!("malformed request: {err}"))
}

/// Reports a failure and returns the exit code that goes with it.
fn fail(message: String, exists: bool) -> ExitCode {
    eprintln!("libcontainer monitor: {message}");
    report(&MonitorReport::Failed { message, exists });
    ExitCode::FAILURE
}

/// Writes the report line on stdout.
fn report(report: &impl serde::Serialize) {
    let mut line = serde_json::to_vec(report).unwrap_or_default();
    line.push(b'\n');
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(&line).and_then(|()| stdout.flush()) {
        eprintln!("libcontainer monitor: writing the report: {err}");
    }
}

/// The detached monitor's work, from the create to the exit command.
fn serve(request: &MonitorRequest) -> ExitCode {
    let monitor_pid = std::process::id();
    let pidfile = request.run_dir.join(MONITOR_PIDFILE);
    if let Err(err) = libpod_fs::replace(
        &pidfile,
        monitor_pid.to_string().as_bytes(),
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    ) {
        return fail(format!("writing {}: {err}", pidfile.display()), false);
    }
    let Ok(monitor_pid) = i32::try_from(monitor_pid) else {
        return fail(format!("PID {monitor_pid} out of range"), false);
    };
    // The attach socket, the control FIFO and the console socket go in the bundle (conmon's
    // `--full-attach` layout), bound by names relative to it: no limit on its path's length.
    if let Err(err) = std::env::set_current_dir(&request.bundle) {
        return fail(
            format!("entering {}: {err}", request.bundle.display()),
            false,
        );
    }
    let (pid, mut relay) = match create(request) {
        Ok(created) => created,
        Err((message, exists)) => {
            remove_endpoints();
            return fail(message, exists);
        }
    };
    report(&MonitorReport::Created { pid, monitor_pid });
    if let Err(err) = quiet_stdio() {
        eprintln!("libcontainer monitor: {err}");
    }
    relay.shed_after(SHED_DELAY);
    let code = relay.serve_until_exit(pid);
    record_exit(&request.exit_dir.join(&request.id), code);
    drop(relay);
    run_exit_command(&request.exit_command);
    ExitCode::SUCCESS
}

/// Writes exit file `path`: the code, in a temporary file renamed into place.
pub(super) fn record_exit(path: &std::path::Path, code: i32) {
    if let Err(err) = libpod_fs::replace(
        path,
        code.to_string().as_bytes(),
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    ) {
        eprintln!("libcontainer monitor: writing {}: {err}", path.display());
    }
}

/// The attach socket and the control FIFO, bound in the working directory.
fn endpoints() -> Result<(attach::Server, terminal::Ctl), String> {
    let listener =
        attach::listen_here().map_err(|err| format!("binding the attach socket: {err}"))?;
    let ctl =
        terminal::Ctl::create_here().map_err(|err| format!("making the control FIFO: {err}"))?;
    Ok((attach::Server::new(listener), ctl))
}

/// How the process's stdio is set up: a terminal whose master comes over the console
/// socket, or pipes.
enum Plan {
    Terminal(terminal::ConsoleSocket),
    Pipes(watch::Stdio),
}

impl Plan {
    /// The stdio to relay, once libcontainer's build returned.
    fn into_stdio(self) -> Result<watch::Stdio, String> {
        match self {
            Plan::Terminal(console) => console.receive().map(watch::Stdio::Terminal),
            Plan::Pipes(stdio) => Ok(stdio),
        }
    }
}

/// Removes what [`endpoints`] and a console socket made, when nothing was run.
fn remove_endpoints() {
    for name in [attach::SOCKET, terminal::CTL, terminal::CONSOLE_SOCKET] {
        let _ = std::fs::remove_file(name);
    }
}

/// A pipe whose ends are close-on-exec.
fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|err| format!("pipe: {err}"))
}

/// Creates the container: its init (our child) waits for `start`. Returns its PID and the
/// relay that serves its stdio, or the error and whether the ID was in use.
fn create(request: &MonitorRequest) -> Result<(i32, watch::Relay), (String, bool)> {
    let failed = |message: String| (message, false);
    // libcontainer clones this process: it must hold one thread.
    detach::ensure_single_threaded().map_err(|err| failed(format!("before the create: {err}")))?;
    let log = match &request.log_path {
        Some(path) => Some(
            log::K8sLog::open(path, request.log_size_max)
                .map_err(|err| failed(format!("opening {}: {err}", path.display())))?,
        ),
        None => None,
    };
    let (server, ctl) = endpoints().map_err(failed)?;
    let libcontainer_failed = |err: LibcontainerError| {
        let exists = matches!(err, LibcontainerError::Exist);
        (chain(&err), exists)
    };
    let mut builder = ContainerBuilder::new(request.id.clone(), SyscallType::default())
        .with_root_path(&request.state_root)
        .and_then(ContainerBuilder::validate_id)
        .map_err(libcontainer_failed)?;
    // With a terminal, the init sends its master over the console socket; else its stdio
    // are pipes to us (stdin /dev/null unless kept open).
    let plan = if request.terminal {
        let socket = terminal::ConsoleSocket::listen_here(&request.bundle)
            .map_err(|err| failed(format!("binding the console socket: {err}")))?;
        builder = builder.with_console_socket(Some(socket.path()));
        Plan::Terminal(socket)
    } else {
        let (stdin_theirs, stdin_ours): (OwnedFd, _) = if request.stdin {
            let (read, write) = pipe().map_err(failed)?;
            (read, Some(write))
        } else {
            let null = File::open("/dev/null")
                .map_err(|err| failed(format!("opening /dev/null: {err}")))?;
            (null.into(), None)
        };
        let (out_read, out_write) = pipe().map_err(failed)?;
        let (err_read, err_write) = pipe().map_err(failed)?;
        builder = builder
            .with_stdin(stdin_theirs)
            .with_stdout(out_write)
            .with_stderr(err_write);
        Plan::Pipes(watch::Stdio::Pipes {
            stdout: out_read,
            stderr: err_read,
            stdin: stdin_ours,
        })
    };
    let container = builder
        .as_init(&request.bundle)
        .with_systemd(false)
        .with_detach(true);
    // The container's processes start with SIGPIPE's default action, as runc's do (this
    // process ignores it, as every Rust program does, and an ignored signal stays ignored
    // across exec).
    let container =
        detach::with_default_sigpipe(|| container.build()).map_err(libcontainer_failed)?;
    // The builder is gone with our copies of the pipes' ends: only the container holds
    // them, so they close when its processes are gone.
    let pid = container
        .pid()
        .ok_or_else(|| failed("libcontainer reported no init PID".to_string()))?;
    record_init_pid(&request.run_dir.join(PIDFILE), pid.as_raw());
    let stdio = plan.into_stdio().map_err(failed)?;
    let relay = watch::Relay::new(stdio, log, server, ctl)
        .map_err(|err| failed(format!("duplicating the terminal: {err}")))?;
    Ok((pid.as_raw(), relay))
}

/// Writes the init's PID to `path` (conmon's `--container-pidfile`), private as our other
/// files: libcontainer's own pid file is written world-readable. A failure is logged, as
/// libcontainer logs its own: the container is made by then and nothing reads the file.
fn record_init_pid(path: &std::path::Path, pid: i32) {
    if let Err(err) = libpod_fs::replace(
        path,
        pid.to_string().as_bytes(),
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    ) {
        eprintln!("libcontainer monitor: writing {}: {err}", path.display());
    }
}

/// Points stdin and stdout at /dev/null: the caller has its report and closes its ends.
pub(super) fn quiet_stdio() -> std::io::Result<()> {
    let null = File::options().read(true).write(true).open("/dev/null")?;
    nix::unistd::dup2_stdin(&null)?;
    nix::unistd::dup2_stdout(&null)?;
    Ok(())
}

/// Starts the exit command (libpod-core's cleanup), not waiting for it: it reopens the
/// runtime and takes the container's lock, and may restart the container.
pub(super) fn run_exit_command(argv: &[String]) {
    let Some((program, args)) = argv.split_first() else {
        return;
    };
    let spawned = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(err) = spawned {
        eprintln!("libcontainer monitor: running the exit command {program}: {err}");
    }
}
