//! The exit command: the program conmon runs when a container exits, and the arguments it
//! gets to open the same runtime again (Podman's `podman --root R --runroot R ... container
//! cleanup ID`).

use super::CleanupOutcome;
use crate::error::{CoreError, Result};
use crate::runtime::{Runtime, RuntimeBuilder};
use std::path::PathBuf;

/// The program that serves as conmon's exit command (see [`RuntimeBuilder::exit_command`]):
/// conmon runs `PROGRAM ARGS... FLAGS... ARGS_AFTER_FLAGS... ID`, where FLAGS are the flags
/// that open the same runtime (see [`CleanupArgs`]). The program hands everything after its
/// own `ARGS` to [`run_cleanup`].
///
/// ```
/// use libpod_core::monitor::ExitCommand;
/// // conmon runs `/usr/local/bin/myapp cleanup --root ... --runroot ... ID`, and myapp's main
/// // passes the arguments after "cleanup" to libpod_core::monitor::run_cleanup.
/// let mine = ExitCommand::new("/usr/local/bin/myapp").args(["cleanup"]);
/// // podctl, as Podman: `podctl --root ... --runroot ... container cleanup ID`.
/// let podctl = ExitCommand::new("/usr/bin/podctl").args_after_flags(["container", "cleanup"]);
/// # let _ = (mine, podctl);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCommand {
    program: PathBuf,
    args: Vec<String>,
    args_after_flags: Vec<String>,
}

impl ExitCommand {
    /// The program, by absolute path (conmon runs it with no `PATH` lookup of ours).
    pub fn new(program: impl Into<PathBuf>) -> Self {
        ExitCommand {
            program: program.into(),
            args: Vec::new(),
            args_after_flags: Vec::new(),
        }
    }

    /// Arguments before the runtime's flags (a subcommand of the embedder's binary).
    #[must_use]
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Arguments after the runtime's flags, before the container's ID (podctl's `container
    /// cleanup`, whose global flags come first).
    #[must_use]
    pub fn args_after_flags<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args_after_flags
            .extend(args.into_iter().map(Into::into));
        self
    }

    /// The whole command for container `id`, with the runtime's `flags`.
    pub(crate) fn argv(&self, flags: &[String], id: &str) -> Vec<String> {
        let mut argv = vec![self.program.display().to_string()];
        argv.extend(self.args.iter().cloned());
        argv.extend(flags.iter().cloned());
        argv.extend(self.args_after_flags.iter().cloned());
        argv.push(id.to_string());
        argv
    }

    /// The whole command for exec session `session` of container `id`: the container's,
    /// with `--exec SESSION` before the ID (Podman's `container cleanup --exec`).
    pub(crate) fn exec_argv(&self, flags: &[String], session: &str, id: &str) -> Vec<String> {
        let mut argv = self.argv(flags, id);
        let at = argv.len() - 1;
        argv.splice(at..at, ["--exec".to_string(), session.to_string()]);
        argv
    }
}

/// What the cleanup process needs to open the runtime that created the container, as flags
/// with Podman's names: `--root`, `--runroot`, `--runtime`, `--conmon`, `--storage-driver`;
/// then the container's ID.
///
/// ```
/// use libpod_core::monitor::CleanupArgs;
/// let args = CleanupArgs::parse(["--root", "/r", "--runroot=/run/r", "abc"])?;
/// assert_eq!(args.id, "abc");
/// assert_eq!(args.flags(), ["--root", "/r", "--runroot", "/run/r"]);
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CleanupArgs {
    /// The persistent root.
    pub root: PathBuf,
    /// The volatile root.
    pub run_root: PathBuf,
    /// The OCI runtime's path, when the runtime was opened with one.
    pub runtime: Option<PathBuf>,
    /// conmon's path.
    pub conmon: Option<PathBuf>,
    /// The storage driver, when one was asked for (the store remembers its own otherwise).
    pub storage_driver: Option<String>,
    /// The container to clean up (empty in the flags a runtime keeps).
    pub id: String,
    /// The exec session of that container to clean up instead of the container
    /// (`--exec SESSION`).
    pub exec: Option<String>,
}

impl CleanupArgs {
    /// Parses `FLAGS... ID` (each flag as `--flag VALUE` or `--flag=VALUE`).
    pub fn parse<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Result<CleanupArgs> {
        let mut parsed = CleanupArgs::default();
        let mut args = args.into_iter().map(|a| a.as_ref().to_string());
        let mut ids = Vec::new();
        while let Some(arg) = args.next() {
            let Some(flag) = arg.strip_prefix("--") else {
                ids.push(arg);
                continue;
            };
            let (name, value) = match flag.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => {
                    let value = args
                        .next()
                        .ok_or_else(|| bad(format!("--{flag} needs a value")))?;
                    (flag.to_string(), value)
                }
            };
            match name.as_str() {
                "root" => parsed.root = value.into(),
                "runroot" => parsed.run_root = value.into(),
                "runtime" => parsed.runtime = Some(value.into()),
                "conmon" => parsed.conmon = Some(value.into()),
                "storage-driver" => parsed.storage_driver = Some(value),
                "exec" => parsed.exec = Some(value),
                _ => return Err(bad(format!("unknown flag --{name}"))),
            }
        }
        parsed.id = match <[String; 1]>::try_from(ids) {
            Ok([id]) => id,
            Err(ids) => return Err(bad(format!("expected one container ID, got {ids:?}"))),
        };
        if parsed.root.as_os_str().is_empty() || parsed.run_root.as_os_str().is_empty() {
            return Err(bad("--root and --runroot are required".into()));
        }
        Ok(parsed)
    }

    /// The flags (without the ID).
    pub fn flags(&self) -> Vec<String> {
        let mut flags = vec![
            "--root".to_string(),
            self.root.display().to_string(),
            "--runroot".to_string(),
            self.run_root.display().to_string(),
        ];
        let optional = [
            (
                "--runtime",
                self.runtime.as_ref().map(|p| p.display().to_string()),
            ),
            (
                "--conmon",
                self.conmon.as_ref().map(|p| p.display().to_string()),
            ),
            ("--storage-driver", self.storage_driver.clone()),
        ];
        for (flag, value) in optional {
            if let Some(value) = value {
                flags.extend([flag.to_string(), value]);
            }
        }
        flags
    }

    /// A builder for the runtime these flags name, without an exit monitor (a cleanup process
    /// acts once and exits).
    pub fn builder(&self) -> RuntimeBuilder {
        let mut builder = Runtime::builder()
            .root(&self.root)
            .run_root(&self.run_root)
            .exit_monitor(false);
        if let Some(runtime) = &self.runtime {
            builder = builder.oci_runtime(runtime.display().to_string());
        }
        if let Some(conmon) = &self.conmon {
            builder = builder.conmon_path(conmon);
        }
        if let Some(driver) = &self.storage_driver {
            builder = builder.storage_driver(driver);
        }
        builder
    }
}

/// The cleanup process: what an embedder's binary runs when conmon starts it as a container's
/// exit command. `args` are the runtime's flags and the container's ID (see [`CleanupArgs`]);
/// the runtime is opened as they say (containers.conf read as usual) and
/// [`Runtime::cleanup_container`] does the rest. With `--exec SESSION` (the exit command of a
/// detached exec session), [`Container::exec_cleanup`](crate::container::Container::exec_cleanup)
/// records that session's end instead.
///
/// ```no_run
/// // The embedder's main, for an exit command made with
/// // `ExitCommand::new("/usr/local/bin/myapp").args(["cleanup"])`:
/// let args: Vec<String> = std::env::args().collect();
/// if args.get(1).map(String::as_str) == Some("cleanup") {
///     let outcome = libpod_core::monitor::run_cleanup(&args[2..]);
///     std::process::exit(if outcome.is_ok() { 0 } else { 1 });
/// }
/// ```
pub fn run_cleanup<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Result<CleanupOutcome> {
    let args = CleanupArgs::parse(args)?;
    let rt = args.builder().open()?;
    match &args.exec {
        Some(session) => match rt.container(&args.id) {
            Ok(ctr) => {
                ctr.exec_cleanup(session)?;
                Ok(CleanupOutcome::CleanedUp)
            }
            // Its sessions went with it.
            Err(CoreError::ContainerNotFound(_)) => Ok(CleanupOutcome::Removed),
            Err(err) => Err(err),
        },
        None => rt.cleanup_container(&args.id),
    }
}

fn bad(reason: String) -> CoreError {
    CoreError::InvalidOption {
        option: "cleanup arguments",
        reason,
    }
}

#[cfg(test)]
#[path = "exit_command_tests.rs"]
mod tests;
