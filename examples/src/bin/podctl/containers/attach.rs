//! `attach [--detach-keys K] [--no-stdin] [--sig-proxy] [-l] CONTAINER`, and the attach
//! session `run -i/-t` and `start -a -i` use, as Podman's `StartAttachCtr`: stdin in raw
//! mode when it is a terminal and the container has one, the terminal's size passed on,
//! signals proxied.

use clap::{ArgAction, Args};
use libpod_core::container::{AttachOptions, Container, ContainerStatus};
use libpod_core::oci::{AttachEnd, AttachIo, DEFAULT_DETACH_KEYS, DetachKeys};
use libpod_core::runtime::Runtime;
use std::io::Write;
use std::os::fd::AsFd;

use super::terminal::{RawMode, Resize, forward_signals, size};
use super::{Result, Selection};
use crate::errors::{Exit, OWN_ERROR};

// `--detach-keys` and `--sig-proxy`, as `attach`, `run` and `start` take them.
#[derive(Args, Debug)]
pub struct AttachFlags {
    /// Select the key sequence for detaching a container: a single character or a comma
    /// separated sequence of `ctrl-<value>`, `<value>` one of a-z, @, ^, [, \, ], _.
    #[arg(long = "detach-keys", default_value = DEFAULT_DETACH_KEYS)]
    pub detach_keys: String,
    /// Proxy received signals to the process.
    #[arg(long = "sig-proxy", action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_value = "true", default_missing_value = "true")]
    pub sig_proxy: bool,
}

#[derive(Args)]
pub struct AttachArgs {
    #[command(flatten)]
    flags: AttachFlags,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Do not attach STDIN.
    #[arg(long = "no-stdin")]
    no_stdin: bool,
    /// The container (name or ID).
    container: Option<String>,
}

pub fn attach(rt: &Runtime, args: AttachArgs) -> Result {
    let names: Vec<String> = args.container.into_iter().collect();
    let selected = Selection {
        names: &names,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    let Some((_, ctr)) = selected.into_iter().next() else {
        return Err(Exit::new(OWN_ERROR, "you must provide at least one name or id").into());
    };
    if ctr.status()? != ContainerStatus::Running {
        return Err(Exit::new(OWN_ERROR, "you can only attach to running containers").into());
    }
    session(&ctr, Begin::Attach, !args.no_stdin, &args.flags)
        .map_err(|err| format!("attaching to container {}: {err}", ctr.id()))?;
    // As Podman, whether detached or ended.
    println!();
    Ok(())
}

/// Whether a session starts the container or finds it running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Begin {
    /// `run`, `start -a`: started once connected.
    Start,
    /// `attach`: running already.
    Attach,
}

/// Attaches podctl's stdout and stderr (and stdin when `with_stdin`) to the container until it
/// ends or is detached from.
pub fn session(
    ctr: &Container,
    begin: Begin,
    with_stdin: bool,
    flags: &AttachFlags,
) -> Result<AttachEnd> {
    let keys = DetachKeys::parse(&flags.detach_keys)?;
    let stdin = std::io::stdin();
    let tty = ctr.config().spec.tty;
    let mut options = AttachOptions::default().detach_keys(keys);
    if tty && let Some(size) = size(stdin.as_fd()) {
        options = options.initial_size(size);
    }
    // Raw only when the container has a terminal to interpret the keys.
    let raw = if tty {
        RawMode::enter(stdin.as_fd())
    } else {
        None
    };
    let resize = if raw.is_some() {
        Resize::Container
    } else {
        Resize::Nothing
    };
    forward_signals(ctr, resize, flags.sig_proxy);
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let io = AttachIo::new(
        with_stdin.then(|| stdin.as_fd()),
        Some(&mut out),
        Some(&mut err),
    );
    let end = match begin {
        Begin::Start => ctr.start_and_attach(io, &options),
        Begin::Attach => ctr.attach(io, &options),
    };
    drop(raw);
    let _ = std::io::stdout().flush();
    Ok(end?)
}
