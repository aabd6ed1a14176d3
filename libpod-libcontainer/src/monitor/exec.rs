//! An exec session's monitor: conmon's `-e --exec-attach` for this runtime. Detached already
//! (as a create's monitor), it
//!
//! 1. records its PID (`DIR/conmon.pid`; its command line holds the session's ID, by which
//!    libpod-core recognises it), makes `DIR` its working directory, binds the attach socket
//!    there and reports `Ready`;
//! 2. waits for the caller's go-ahead (the caller connects to the socket first, when
//!    attached, so no output is lost); the pipe closed without it, it exits;
//! 3. checks that it holds one thread and has libcontainer's tenant builder run
//!    `DIR/process.json` in the container (joining its namespaces and cgroup; the process is
//!    our child), under the container's seccomp filter (`seccomp.rs`: libcontainer's tenant
//!    builder drops it), its stdio pipes to us, and reports `Started` or `Failed`;
//! 4. serves the attach socket until the process exits (`attach.rs`), drains its output,
//!    writes `DIR/exit/CONTAINER_ID`, closes the connections and runs the exit command.

use super::{attach, detach, quiet_stdio, record_exit, report, run_exit_command, seccomp};
use crate::launch::MONITOR_PIDFILE;
use crate::ops::chain;
use crate::protocol::{EXEC_GO, ExecReport, ExecRequest};
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::syscall::syscall::SyscallType;
use nix::fcntl::OFlag;
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
    let listener = match attach::listen_here() {
        Ok(listener) => listener,
        Err(err) => return fail(format!("binding the attach socket: {err}")),
    };
    report(&ExecReport::Ready { monitor_pid });
    let mut line = String::new();
    let go = std::io::stdin().read_line(&mut line).is_ok() && line.trim() == EXEC_GO;
    if !go {
        // Abandoned: nothing ran.
        let _ = std::fs::remove_file(attach::SOCKET);
        return ExitCode::SUCCESS;
    }
    let (pid, mut session) = match run(request, listener) {
        Ok(started) => started,
        Err(message) => return fail(message),
    };
    report(&ExecReport::Started { pid });
    if let Err(err) = quiet_stdio() {
        eprintln!("libcontainer monitor: {err}");
    }
    let code = session.serve_until_exit(pid);
    record_exit(
        &libpod_core::oci::exec_exit_dir(&request.dir).join(&request.container_id),
        code,
    );
    drop(session);
    run_exit_command(&request.exit_command);
    ExitCode::SUCCESS
}

/// Runs the process in the container: its PID, and the session that serves it.
fn run(request: &ExecRequest, listener: OwnedFd) -> Result<(i32, attach::Session), String> {
    // libcontainer clones this process: it must hold one thread.
    detach::ensure_single_threaded().map_err(|err| format!("before the exec: {err}"))?;
    let pipe = || nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|err| format!("pipe: {err}"));
    let (stdin_theirs, stdin_ours): (OwnedFd, Option<OwnedFd>) = if request.stdin {
        let (read, write) = pipe()?;
        (read, Some(write))
    } else {
        let null = File::open("/dev/null").map_err(|err| format!("opening /dev/null: {err}"))?;
        (null.into(), None)
    };
    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = pipe()?;
    let (process, executor) = process_and_executor(request)?;
    let mut base = ContainerBuilder::new(request.container_id.clone(), SyscallType::default())
        .with_root_path(&request.state_root)
        .map_err(|err| chain(&err))?
        .with_stdin(stdin_theirs)
        .with_stdout(out_write)
        .with_stderr(err_write);
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
    let session = attach::Session::new(out_read, err_read, stdin_ours, listener);
    Ok((pid.as_raw(), session))
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
/// The notify sockets libcontainer's tenant builder makes in the container's state
/// directory, and leaves there.
const TENANT_NOTIFY: &str = "tenant-notify-";

/// An exec's build under way in a container: libcontainer's tenant builder leaves a notify
/// socket in the state directory per exec, needed only while its build runs. Each build holds
/// the directory's lock shared; after its build, an exec that gets it exclusive (no build
/// runs) removes every such socket.
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
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(TENANT_NOTIFY)
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
