//! An exec session's monitor: conmon's `-e --exec-attach` for this runtime. Detached already
//! (as a create's monitor), it
//!
//! 1. takes the caller's fds passed on to the process (`--preserve-fds`: 3 .. 3+N), records
//!    its PID (`DIR/conmon.pid`; its command line holds the session's ID, by which
//!    libpod-core recognises it), makes `DIR` its working directory, binds the attach socket
//!    and makes the control FIFO there, and reports `Ready`;
//! 2. waits for the caller's go-ahead (the caller connects to the socket first, when
//!    attached, so no output is lost); the pipe closed without it, it exits;
//! 3. checks that it holds one thread and has libcontainer's tenant builder run
//!    `DIR/process.json` in the container (joining its namespaces and cgroup; the process is
//!    our child), under the container's seccomp filter (`seccomp.rs`: libcontainer's tenant
//!    builder drops it), its stdio pipes to us or a terminal whose master it sends us
//!    (`terminal.rs`), the fds passed on at 3.. (ours closed once it runs), and reports
//!    `Started` or `Failed`;
//! 4. serves the attach socket and the control FIFO until the process exits (`watch.rs`),
//!    drains its output, writes `DIR/exit/CONTAINER_ID`, closes the connections and runs
//!    the exit command.

use super::{
    Plan, attach, detach, endpoints, pipe, quiet_stdio, record_exit, remove_endpoints, report,
    run_exit_command, seccomp, terminal, watch,
};
use crate::launch::MONITOR_PIDFILE;
use crate::ops::chain;
use crate::protocol::{EXEC_GO, ExecReport, ExecRequest};
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::process::ExitCode;

/// The process's spec in the session's directory (written by the caller).
pub(crate) const PROCESS_SPEC: &str = "process.json";
/// The spec libcontainer runs when it differs from the caller's (see `seccomp.rs`).
const PROCESS_SPEC_RUN: &str = "process-libcontainer.json";

/// Reports a failure; the exit code that goes with it.
fn fail(message: String) -> ExitCode {
    eprintln!("libcontainer monitor: {message}");
    report(&ExecReport::Failed { message });
    ExitCode::FAILURE
}

/// The detached monitor's work for an exec (see the module docs).
pub(super) fn serve(request: &ExecRequest) -> ExitCode {
    // The caller's fds for the process, at 3.. (open since this program started, so nothing
    // of ours took those numbers), ours until the process runs.
    let inherited = match detach::take_inherited(request.preserve_fds) {
        Ok(inherited) => inherited,
        Err(err) => return fail(format!("the fds to pass on: {err}")),
    };
    let monitor_pid = std::process::id();
    let Ok(monitor_pid) = i32::try_from(monitor_pid) else {
        return fail(format!("PID {monitor_pid} out of range"));
    };
    let pidfile = request.dir.join(MONITOR_PIDFILE);
    if let Err(err) = libpod_fs::replace(
        &pidfile,
        monitor_pid.to_string().as_bytes(),
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    ) {
        return fail(format!("writing {}: {err}", pidfile.display()));
    }
    if let Err(err) = std::env::set_current_dir(&request.dir) {
        return fail(format!("entering {}: {err}", request.dir.display()));
    }
    let (server, ctl) = match endpoints() {
        Ok(endpoints) => endpoints,
        Err(message) => return fail(message),
    };
    report(&ExecReport::Ready { monitor_pid });
    let mut line = String::new();
    let go = std::io::stdin().read_line(&mut line).is_ok() && line.trim() == EXEC_GO;
    if !go {
        // Abandoned: nothing ran.
        remove_endpoints();
        return ExitCode::SUCCESS;
    }
    let started = run(request, server, ctl);
    // The process has its copies (or never will).
    drop(inherited);
    let (pid, mut relay) = match started {
        Ok(started) => started,
        Err(message) => return fail(message),
    };
    report(&ExecReport::Started { pid });
    if let Err(err) = quiet_stdio() {
        eprintln!("libcontainer monitor: {err}");
    }
    let code = relay.serve_until_exit(pid);
    record_exit(
        &libpod_core::oci::exec_exit_dir(&request.dir).join(&request.container_id),
        code,
    );
    drop(relay);
    run_exit_command(&request.exit_command);
    ExitCode::SUCCESS
}

/// Runs the process in the container: its PID, and the relay that serves its stdio.
fn run(
    request: &ExecRequest,
    server: attach::Server,
    ctl: terminal::Ctl,
) -> Result<(i32, watch::Relay), String> {
    // libcontainer clones this process: it must hold one thread.
    detach::ensure_single_threaded().map_err(|err| format!("before the exec: {err}"))?;
    let (process, executor) = process_and_executor(request)?;
    let mut base = ContainerBuilder::new(request.container_id.clone(), SyscallType::default())
        .with_root_path(&request.state_root)
        .map_err(|err| chain(&err))?
        .with_preserved_fds(
            i32::try_from(request.preserve_fds).map_err(|_| "too many fds to pass on")?,
        );
    // With a terminal, the process sends its master over the console socket; else its
    // stdio are pipes to us (stdin /dev/null unless kept open).
    let plan = if request.terminal {
        let socket = terminal::ConsoleSocket::listen_here(&request.dir)
            .map_err(|err| format!("binding the console socket: {err}"))?;
        base = base.with_console_socket(Some(socket.path()));
        Plan::Terminal(socket)
    } else {
        let (stdin_theirs, stdin_ours): (OwnedFd, Option<OwnedFd>) = if request.stdin {
            let (read, write) = pipe()?;
            (read, Some(write))
        } else {
            let null =
                File::open("/dev/null").map_err(|err| format!("opening /dev/null: {err}"))?;
            (null.into(), None)
        };
        let (out_read, out_write) = pipe()?;
        let (err_read, err_write) = pipe()?;
        base = base
            .with_stdin(stdin_theirs)
            .with_stdout(out_write)
            .with_stderr(err_write);
        Plan::Pipes(watch::Stdio::Pipes {
            stdout: out_read,
            stderr: err_read,
            stdin: stdin_ours,
        })
    };
    if let Some(executor) = executor {
        base = base.with_executor(executor);
    }
    let builder = base
        .as_tenant()
        .with_process(Some(process))
        .with_detach(true);
    // The builder goes with our copies of the process's ends of the pipes.
    let builds = Builds::enter(&request.state_root.join(&request.container_id))?;
    let built = detach::with_default_sigpipe(|| builder.build());
    builds.leave();
    let pid = built.map_err(|err| explain(request, chain(&err)))?;
    let relay = watch::Relay::new(plan.into_stdio()?, None, server, ctl)
        .map_err(|err| format!("duplicating the terminal: {err}"))?;
    Ok((pid.as_raw(), relay))
}

/// The process spec libcontainer runs, and the executor that puts it under the container's
/// seccomp filter (`seccomp.rs`; the spec rewritten to `PROCESS_SPEC_RUN` when that needs
/// a capability for the install).
fn process_and_executor(
    request: &ExecRequest,
) -> Result<(std::path::PathBuf, Option<seccomp::SeccompExecutor>), String> {
    let given = request.dir.join(PROCESS_SPEC);
    let container_dir = request.state_root.join(&request.container_id);
    let container = libcontainer::container::Container::load(container_dir)
        .map_err(|err| format!("loading the container's state: {}", chain(&err)))?;
    let config = container.bundle().join("config.json");
    let spec = oci_spec::runtime::Spec::load(&config)
        .map_err(|err| format!("reading {}: {err}", config.display()))?;
    let text =
        std::fs::read(&given).map_err(|err| format!("reading {}: {err}", given.display()))?;
    let mut process: oci_spec::runtime::Process = serde_json::from_slice(&text)
        .map_err(|err| format!("reading {}: {err}", given.display()))?;
    let before = process.clone();
    let executor = seccomp::SeccompExecutor::for_process(&spec, &mut process)?;
    if process == before {
        return Ok((given, executor));
    }
    let rewritten = request.dir.join(PROCESS_SPEC_RUN);
    let json =
        serde_json::to_vec(&process).map_err(|err| format!("encoding the process: {err}"))?;
    libpod_fs::replace(
        &rewritten,
        &json,
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Volatile,
    )
    .map_err(|err| format!("writing {}: {err}", rewritten.display()))?;
    Ok((rewritten, executor))
}

/// The lock file in the container's state directory: held shared by every exec's build.
const BUILD_LOCK: &str = "libpod-exec.lock";
/// The notify sockets and console socket links libcontainer's tenant builder makes in the
/// container's state directory, and leaves there.
const TENANT_LEFTOVERS: [&str; 2] = ["tenant-notify-", "tenant-tty-"];

/// An exec's build under way in a container: libcontainer's tenant builder leaves a notify
/// socket (and, with a terminal, a link to the console socket) in the state directory per
/// exec, needed only while its build runs. Each build holds the directory's lock shared;
/// after its build, an exec that gets it exclusive (no build runs) removes every such file.
struct Builds {
    dir: std::path::PathBuf,
    lock: File,
}

impl Builds {
    fn enter(dir: &std::path::Path) -> Result<Builds, String> {
        let path = dir.join(BUILD_LOCK);
        let lock = libpod_fs::private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|err| format!("opening {}: {err}", path.display()))?;
        lock.lock_shared()
            .map_err(|err| format!("locking {}: {err}", path.display()))?;
        Ok(Builds {
            dir: dir.to_path_buf(),
            lock,
        })
    }

    fn leave(self) {
        if self.lock.unlock().is_err() || self.lock.try_lock().is_err() {
            return;
        }
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if TENANT_LEFTOVERS
                .iter()
                .any(|prefix| name.starts_with(prefix))
                && let Err(err) = std::fs::remove_file(entry.path())
            {
                eprintln!(
                    "libcontainer monitor: removing {}: {err}",
                    entry.path().display()
                );
            }
        }
    }
}

/// libcontainer's message for a failed exec, with what runc would say when the working
/// directory is missing in the container (libcontainer names only the failed system call;
/// runc's words make it Podman's 127, as with runc).
fn explain(request: &ExecRequest, message: String) -> String {
    if !message.contains("syscall") {
        return message;
    }
    let cwd = std::fs::read(request.dir.join(PROCESS_SPEC))
        .ok()
        .and_then(|json| serde_json::from_slice::<oci_spec::runtime::Process>(&json).ok())
        .map(|process| process.cwd().clone());
    let init =
        libcontainer::container::Container::load(request.state_root.join(&request.container_id))
            .ok()
            .and_then(|container| container.pid());
    if let (Some(cwd), Some(init)) = (cwd, init) {
        let inside = std::path::Path::new("/proc")
            .join(init.as_raw().to_string())
            .join("root")
            .join(cwd.strip_prefix("/").unwrap_or(&cwd));
        if !inside.exists() {
            return format!(
                "{message}: chdir to cwd ({:?}) set in config.json failed: no such file or directory",
                cwd.display().to_string()
            );
        }
    }
    message
}
