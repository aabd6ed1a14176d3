//! `create`: conmon's command line, its launch and what it reports.

use super::{ConmonRuntime, absolute};
use crate::error::{CoreError, Result};
use crate::oci::exitfile::{ExitFiles, check_id};
use crate::oci::runc;
use crate::oci::sync::{self, Launched, SyncRead};
use crate::oci::{CreateArgs, Created, LogTarget, PendingCreate};
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// runc's message for an ID in use.
const EXISTS: &str = "container with given ID already exists";

/// The absolute paths `create` uses.
#[derive(Debug)]
pub(crate) struct CreatePaths {
    pub bundle: PathBuf,
    pub run_dir: PathBuf,
    pub pidfile: PathBuf,
    pub conmon_pidfile: PathBuf,
    pub oci_log: PathBuf,
    pub persist_dir: PathBuf,
    pub log_path: Option<PathBuf>,
}

impl CreatePaths {
    pub(crate) fn new(args: &CreateArgs<'_>, exits: &ExitFiles) -> Result<Self> {
        let run_dir = absolute(args.run_dir)?;
        Ok(CreatePaths {
            bundle: absolute(args.bundle)?,
            pidfile: run_dir.join("pidfile"),
            conmon_pidfile: run_dir.join("conmon.pid"),
            oci_log: run_dir.join("oci-log"),
            persist_dir: exits.persist_dir(args.id)?,
            log_path: match &args.log {
                LogTarget::K8sFile(path) => Some(absolute(path)?),
                _ => None,
            },
            run_dir,
        })
    }
}

/// An argument list being built.
#[derive(Default)]
struct Argv(Vec<OsString>);

impl Argv {
    fn add(&mut self, args: &[&dyn AsRef<OsStr>]) -> &mut Self {
        self.0
            .extend(args.iter().map(|arg| arg.as_ref().to_os_string()));
        self
    }
}

/// `prefix` followed by `path`, as one argument.
fn joined(prefix: &str, path: &Path) -> OsString {
    let mut arg = OsString::from(prefix);
    arg.push(path);
    arg
}

impl ConmonRuntime {
    /// conmon's command line for creating the container, as Podman 4.3 builds it
    /// (`sharedConmonArgs` + `createOCIContainer`).
    pub(crate) fn conmon_args(&self, args: &CreateArgs<'_>, paths: &CreatePaths) -> Vec<OsString> {
        let config = &self.config;
        let mut argv = Argv::default();
        argv.add(&[&"--api-version", &"1", &"-c", &args.id, &"-u", &args.id])
            .add(&[&"-r", &config.runtime_path, &"-b", &paths.bundle])
            .add(&[&"-p", &paths.pidfile, &"-n", &args.name])
            .add(&[&"--exit-dir", &config.exit_dir])
            .add(&[&"--persist-dir", &paths.persist_dir])
            .add(&[&"--full-attach"]);
        // Podman's `runtime_flags`, our private state root first.
        argv.add(&[
            &"--runtime-arg",
            &"--root",
            &"--runtime-arg",
            &config.runtime_root,
        ]);
        for flag in &self.runtime_flags {
            argv.add(&[&"--runtime-arg", flag]);
        }
        if let Some(restore) = &args.restore {
            // runc finds CRIU through its global `--criu`.
            argv.add(&[&"--runtime-arg", &"--criu", &"--runtime-arg", &restore.criu]);
        }
        if self.systemd_cgroup {
            argv.add(&[&"-s"]);
        }
        let log = match (&args.log, &paths.log_path) {
            (LogTarget::K8sFile(_), Some(path)) => joined("k8s-file:", path),
            (LogTarget::Journald, _) => "journald".into(),
            _ => "none".into(),
        };
        argv.add(&[&"-l", &log, &"--log-level", &config.log_level, &"--syslog"]);
        if let Some(size) = args.log_size_max {
            argv.add(&[&"--log-size-max", &size.to_string()]);
        }
        argv.add(&[
            &"--runtime-arg",
            &"--log-format=json",
            &"--runtime-arg",
            &"--log",
        ])
        .add(&[&joined("--runtime-arg=", &paths.oci_log)]);
        if let Some(tag) = args.log_tag.filter(|tag| !tag.is_empty()) {
            argv.add(&[&"--log-tag", &tag]);
        }
        if args.terminal {
            argv.add(&[&"-t"]);
        } else if args.stdin {
            argv.add(&[&"-i"]);
        }
        argv.add(&[&"--conmon-pidfile", &paths.conmon_pidfile]);
        if let Some(restore) = &args.restore {
            // conmon runs `runtime restore --detach --work-path BUNDLE --image-path PATH`
            // with these options after (Podman's createOCIContainer).
            argv.add(&[&"--restore", &restore.image_path]);
            for (wanted, flag) in [
                (restore.tcp_established, "--tcp-established"),
                (restore.file_locks, "--file-locks"),
            ] {
                if wanted {
                    argv.add(&[&"--runtime-opt", &flag]);
                }
            }
        }
        if let Some((program, rest)) = args.exit_command.split_first() {
            argv.add(&[&"--exit-command", program]);
            for arg in rest {
                argv.add(&[&"--exit-command-arg", arg]);
            }
        }
        argv.0
    }

    /// Launches conmon for `create`; see the module docs of `conmon.rs` and `sync.rs`. conmon
    /// runs its own start-up (loading, option parsing, opening the log) while the caller
    /// writes the bundle, and goes on to `runtime create` once the pending create is
    /// [created](super::super::PendingCreate::create); dropped before that, it is killed,
    /// still waiting.
    pub(super) fn launch_conmon(&self, args: &CreateArgs<'_>) -> Result<ConmonPending<'_>> {
        check_id(args.id)?;
        let paths = CreatePaths::new(args, &self.exits)?;
        let id = args.id;
        // A failed create deletes what it left in the runtime: never another container's.
        if self.config.runtime_root.join(id).exists() {
            return Err(self.cli.error(id, "create", EXISTS.into()));
        }
        // A new process: the last one's exit, PIDs and runtime log are stale (Podman's
        // removeConmonFiles before init).
        self.exits.clear(id)?;
        for stale in [&paths.pidfile, &paths.conmon_pidfile, &paths.oci_log] {
            remove_if_present(stale)?;
        }
        for dir in [&paths.run_dir, &paths.persist_dir] {
            std::fs::create_dir_all(dir).map_err(|err| CoreError::io("creating", dir, err))?;
        }
        let mut command = Command::new(&self.config.conmon_path);
        command
            .args(self.conmon_args(args, &paths))
            // conmon writes a second OOM marker into its working directory.
            .current_dir(&paths.persist_dir)
            .env_remove("NOTIFY_SOCKET");
        if nix::unistd::geteuid().is_root() {
            // Root containers use the system bus, never a user session's (as Podman).
            command.env_remove("DBUS_SESSION_BUS_ADDRESS");
        }
        tracing::debug!(id, conmon = %self.config.conmon_path.display(), "launching conmon");
        let launched = sync::launch(command)
            .map_err(|err| CoreError::io("running", &self.config.conmon_path, err))?;
        tracing::debug!(id, conmon = launched.pid(), "conmon launched");
        Ok(ConmonPending {
            runtime: self,
            id: id.to_string(),
            paths,
            conmon_pidfile: args.conmon_pidfile.map(Path::to_path_buf),
            launched: Some(launched),
        })
    }

    /// Tells a launched conmon to go on and reads what it reports: the container's PID, or
    /// why the runtime's create failed (whatever it left is deleted then).
    fn finish_create(
        &self,
        pending: &ConmonPending<'_>,
        mut launched: Launched,
    ) -> Result<Created> {
        let id = pending.id.as_str();
        let paths = &pending.paths;
        if let Err(err) = launched.signal_start() {
            // conmon is gone already; reaping says how.
            tracing::debug!(id, %err, "signalling conmon to start");
        }
        let status = launched
            .reap()
            .map_err(|err| CoreError::io("waiting for", &self.config.conmon_path, err))?;
        if !status.success() {
            let output = launched.output();
            let reason = format!("conmon exited with {status}: {output}");
            return Err(self.cleanup_after(
                id,
                CoreError::Conmon {
                    id: id.into(),
                    reason,
                },
            ));
        }
        let read = launched.read_sync(self.create_timeout).map_err(|err| {
            CoreError::io("reading the sync pipe of", &self.config.conmon_path, err)
        });
        let pid = match read {
            Ok(SyncRead::Message(message)) if message.data > 0 => message.data,
            Ok(SyncRead::Message(message)) => {
                let text = runc::last_error_in_file(&paths.oci_log)
                    .or(message.message.map(|m| m.trim().to_string()))
                    .unwrap_or_else(|| "container create failed".into());
                let err = self.cli.error(id, "create", text);
                if let CoreError::OciRuntime { message, .. } = &err
                    && message.contains(EXISTS)
                {
                    // Another create of this ID won the race: its container is not ours.
                    return Err(err);
                }
                return Err(self.cleanup_after(id, err));
            }
            Ok(SyncRead::TimedOut) => {
                self.kill_conmon(paths);
                let err = CoreError::Timeout {
                    id: id.into(),
                    what: "conmon to report the container's PID",
                };
                return Err(self.cleanup_after(id, err));
            }
            Ok(other) => {
                let err = match runc::last_error_in_file(&paths.oci_log) {
                    Some(text) => self.cli.error(id, "create", text),
                    None => CoreError::Conmon {
                        id: id.into(),
                        reason: match other {
                            SyncRead::Malformed(text) => format!("malformed sync message {text:?}"),
                            _ => format!("exited without reporting: {}", launched.output()),
                        },
                    },
                };
                return Err(self.cleanup_after(id, err));
            }
            Err(err) => return Err(self.cleanup_after(id, err)),
        };
        let pids = read_pid_file(id, &paths.conmon_pidfile).and_then(|conmon_pid| {
            if let Some(extra) = &pending.conmon_pidfile {
                write_atomically(extra, conmon_pid.to_string().as_bytes())?;
            }
            let pid = i32::try_from(pid).map_err(|_| CoreError::Conmon {
                id: id.into(),
                reason: format!("reported PID {pid} is out of range"),
            })?;
            Ok((pid, conmon_pid))
        });
        // Without conmon's PID nobody can tell whether the monitor lives: undo.
        let (pid, conmon_pid) = pids.map_err(|err| self.cleanup_after(id, err))?;
        tracing::debug!(id, pid, conmon_pid, "container created");
        Ok(Created { pid, conmon_pid })
    }

    /// Deletes what a failed create may have left in the runtime; returns `primary`, with the
    /// cleanup's failure attached if it failed too.
    fn cleanup_after(&self, id: &str, primary: CoreError) -> CoreError {
        match self.cli.delete(id, true) {
            Ok(()) => primary,
            Err(cleanup) => CoreError::WithCleanupFailure {
                primary: Box::new(primary),
                cleanup: cleanup.to_string(),
            },
        }
    }

    /// Kills a conmon that does not answer (its runtime child has PDEATHSIG set).
    fn kill_conmon(&self, paths: &CreatePaths) {
        let Ok(text) = std::fs::read_to_string(&paths.conmon_pidfile) else {
            return;
        };
        if let Ok(pid) = text.trim().parse::<i32>()
            && pid > 1
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// The PID in `path` (conmon's pidfile).
fn read_pid_file(id: &str, path: &Path) -> Result<i32> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| CoreError::io("reading conmon pidfile", path, err))?;
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|pid| *pid > 0)
        .ok_or_else(|| CoreError::Conmon {
            id: id.into(),
            reason: format!("malformed pidfile {}: {text:?}", path.display()),
        })
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(CoreError::io("removing", path, err)),
    }
}

/// Writes `data` to `path` (0600) through a new temporary file beside it, synced and renamed
/// into place (the directory is not synced: the file is a copy of conmon's pidfile, as
/// volatile as it). The temporary name is unpredictable and opened with O_EXCL and
/// O_NOFOLLOW: the caller's directory may be writable by others, and a link planted at a
/// predictable name would have root write through it.
fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let (mode, durability) = (
        libpod_fs::PRIVATE_FILE_MODE,
        libpod_fs::Durability::Contents,
    );
    Ok(libpod_fs::replace(path, data, mode, durability)?)
}

/// A conmon launched for a create, waiting for the start byte while the caller writes the
/// bundle. [`create`](PendingCreate::create) lets it go on; dropping it kills and reaps it
/// (it has forked nothing yet) and closes our ends of its pipes: nothing is created.
#[derive(Debug)]
pub(crate) struct ConmonPending<'r> {
    runtime: &'r ConmonRuntime,
    id: String,
    paths: CreatePaths,
    conmon_pidfile: Option<PathBuf>,
    /// `None` once handed to `create`.
    launched: Option<Launched>,
}

#[cfg(test)]
impl ConmonPending<'_> {
    /// Our fds of the launched conmon: its sync and start pipes and its output.
    pub(super) fn fds(&self) -> Vec<std::os::fd::RawFd> {
        self.launched
            .as_ref()
            .map(Launched::fds)
            .unwrap_or_default()
    }
}

impl PendingCreate for ConmonPending<'_> {
    fn create(mut self: Box<Self>) -> Result<Created> {
        let launched = self
            .launched
            .take()
            .expect("a pending create is created once");
        let runtime = self.runtime;
        let created = runtime.finish_create(&self, launched)?;
        // runc and conmon write their pidfiles and runc its log 0644; made private like
        // everything else we keep (a chmod each, no more). A failure is no reason to undo
        // the container: they are in its private run directory.
        let paths = &self.paths;
        for file in [&paths.pidfile, &paths.conmon_pidfile, &paths.oci_log] {
            let private = crate::runtime::modes::PRIVATE_FILE;
            if let Err(err) = crate::runtime::modes::tighten_if_present(file, private) {
                tracing::warn!(id = self.id, %err, "a pidfile stays readable");
            }
        }
        Ok(created)
    }
}

impl Drop for ConmonPending<'_> {
    fn drop(&mut self) {
        if let Some(mut launched) = self.launched.take() {
            tracing::debug!(
                id = self.id,
                conmon = launched.pid(),
                "create abandoned: killing conmon"
            );
            if let Err(err) = launched.kill() {
                tracing::warn!(id = self.id, %err, "killing conmon after an abandoned create");
            }
        }
    }
}
