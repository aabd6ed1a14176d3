//! `exec [-i] [-t] [-d] [-e K=V]... [--env-file F]... [-u USER] [-w DIR] [--privileged]
//! [--preserve-fds N] [--detach-keys KEYS] (-l | CONTAINER) COMMAND [ARG...]`, as Podman 4.3:
//! the process's exit code; 125 for podctl's own errors, 126 when the command cannot be
//! invoked, 127 when it is not found; `-d` prints the session's ID.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::Container;
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::record::ExecConfig;
use libpod_core::runtime::Runtime;
use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::path::PathBuf;

use super::terminal::{self, RawMode, Resize};
use super::{Result, Selection};
use crate::errors::{CANNOT_INVOKE, Exit, NOT_FOUND, OWN_ERROR};

#[derive(Args)]
#[command(trailing_var_arg = true)]
pub struct ExecArgs {
    /// Run the exec session in detached mode (backgrounded).
    #[arg(short, long)]
    detach: bool,
    /// Select the key sequence for detaching a container.
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    detach_keys: String,
    /// Set environment variables.
    #[arg(short, long)]
    env: Vec<String>,
    /// Read in a file of environment variables.
    #[arg(long, value_delimiter = ',')]
    env_file: Vec<PathBuf>,
    /// Keep STDIN open even if not attached.
    #[arg(short, long)]
    interactive: bool,
    /// Give the process extended Linux capabilities inside the container.
    #[arg(long)]
    privileged: bool,
    /// Allocate a pseudo-TTY.
    #[arg(short, long)]
    tty: bool,
    /// Sets the username or UID used and optionally the groupname or GID.
    #[arg(short, long)]
    user: Option<String>,
    /// Pass N additional file descriptors to the container.
    #[arg(long, default_value_t = 0)]
    preserve_fds: u32,
    /// Working directory inside the container.
    #[arg(short, long)]
    workdir: Option<String>,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The container (unless --latest), then the command and its arguments.
    #[arg(allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn exec(rt: &Runtime, args: ExecArgs) -> Result<i32> {
    if args.args.is_empty() && !args.latest {
        return Err(own(
            "exec requires the name or ID of a container or the --latest flag",
        ));
    }
    let (names, command) = if args.latest {
        (Vec::new(), args.args.clone())
    } else {
        (vec![args.args[0].clone()], args.args[1..].to_vec())
    };
    let config = exec_config(&args, command)?;
    check_preserved_fds(args.preserve_fds)?;
    let selected = Selection {
        names: &names,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    let Some((_, ctr)) = selected.into_iter().next() else {
        return Err(own("no containers to exec in"));
    };
    if config.command.is_empty() {
        return Err(own(
            "must provide a non-empty command to start an exec session: invalid argument",
        ));
    }
    if args.detach {
        let session = ctr.exec_create(config).map_err(exec_error)?;
        ctr.exec_start_detached(&session).map_err(exec_error)?;
        println!("{session}");
        return Ok(0);
    }
    let session = ctr.exec_create(config).map_err(exec_error)?;
    // As `podman exec`: an ended session goes (with the container, if it went).
    let end = attached(&ctr, &session, args.interactive, args.tty);
    match end.map_err(exec_error)? {
        ExecEnd::Exited(code) => Ok(code),
        _ => Ok(0),
    }
}

/// Runs session `session` attached to podctl's stdio; with a terminal, as Podman's
/// `handleTerminalAttach` and `run -it`: the local terminal (when stdin is one) in raw mode,
/// its size passed on at the start and on every SIGWINCH.
fn attached(
    ctr: &Container,
    session: &str,
    interactive: bool,
    tty: bool,
) -> libpod_core::Result<ExecEnd> {
    let stdin = std::io::stdin();
    let mut streams = ExecStreams::new(std::io::stdout(), std::io::stderr());
    if interactive {
        streams = streams.stdin(std::io::stdin());
    }
    let mut raw = None;
    if tty && let Some(size) = terminal::size(stdin.as_fd()) {
        streams = streams.terminal_size(size);
        raw = RawMode::enter(stdin.as_fd());
        terminal::forward_signals(ctr, Resize::ExecSession(session.to_string()), false);
    }
    let end = ctr.exec_start_and_remove(session, streams);
    drop(raw);
    end
}

fn own(message: &str) -> Box<dyn std::error::Error> {
    Box::new(Exit::new(OWN_ERROR, message))
}

/// The flags as a session's config: `--env-file`s then `-e`s, later ones winning.
fn exec_config(args: &ExecArgs, command: Vec<String>) -> Result<ExecConfig> {
    let mut env = BTreeMap::new();
    for file in &args.env_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            own(&format!(
                "open {}: {}",
                file.display(),
                super::io_reason(&e)
            ))
        })?;
        for line in text.lines().map(str::trim) {
            if !line.is_empty() && !line.starts_with('#') {
                add_env(&mut env, line);
            }
        }
    }
    for entry in &args.env {
        add_env(&mut env, entry);
    }
    let mut config = ExecConfig::new(command);
    config.env = env;
    config.terminal = args.tty;
    config.attach_stdin = args.interactive;
    config.attach_stdout = !args.detach;
    config.attach_stderr = !args.detach;
    config.privileged = args.privileged;
    config.user = args.user.clone().filter(|u| !u.is_empty());
    config.workdir = args.workdir.clone().filter(|w| !w.is_empty());
    config.preserve_fds = args.preserve_fds;
    config.detach_keys = Some(args.detach_keys.clone());
    Ok(config)
}

/// `K=V`, or `K` for the host's value (skipped when unset), as Podman's env parsing.
fn add_env(env: &mut BTreeMap<String, String>, entry: &str) {
    match entry.split_once('=') {
        Some((key, value)) => {
            env.insert(key.to_string(), value.to_string());
        }
        None => {
            if let Ok(value) = std::env::var(entry) {
                env.insert(entry.to_string(), value);
            }
        }
    }
}

/// Podman's check that fds 3 .. 3+N were passed. podctl's own fds (the database, locks) are
/// all close-on-exec, so a passed one is also told from ours by lacking that flag.
fn check_preserved_fds(count: u32) -> Result<()> {
    for fd in (3..).take(usize::try_from(count).unwrap_or(usize::MAX)) {
        if !inherited_fd(fd) {
            return Err(own(
                "invalid --preserve-fds=N specified. Not enough FDs available",
            ));
        }
    }
    Ok(())
}

/// Whether fd `fd` is open without close-on-exec (`/proc/self/fdinfo`'s octal `flags`,
/// O_CLOEXEC = 0o2000000).
fn inherited_fd(fd: u32) -> bool {
    let Ok(info) = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")) else {
        return false;
    };
    info.lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
        .is_some_and(|flags| flags & 0o2_000_000 == 0)
}

/// Maps the library's errors to Podman's exit codes and words.
fn exec_error(err: CoreError) -> Box<dyn std::error::Error> {
    let code = match &err {
        CoreError::ExecCommandNotFound { .. } => NOT_FOUND,
        CoreError::ExecCannotInvoke { .. } => CANNOT_INVOKE,
        CoreError::InvalidState { .. } => {
            return own(
                "can only create exec sessions on running containers: container state improper",
            );
        }
        _ => return Box::new(err),
    };
    Box::new(Exit::new(code, err.to_string()))
}
