//! The verbs that move containers between states: `init`, `start`, `stop`, `restart`, `kill`,
//! `pause`, `unpause`, each with Podman's `--all`, `--latest`, `--cidfile` (and `--ignore`
//! where Podman has it). `wait` is in wait.rs.

use clap::Args;
use libpod_core::container::{Container, ContainerStatus};
use libpod_core::runtime::Runtime;
use libpod_spec::parse::parse_signal;
use std::path::PathBuf;

use super::attach::{AttachFlags, Begin, session};
use super::create::attach_output;
use super::{FilterFlag, Result, Selection, for_each};
use crate::errors::{Exit, OWN_ERROR, report};
use libpod_core::oci::AttachEnd;

// `--all`, `--latest`, `--cidfile` and the containers, as most verbs take them.
#[derive(Args)]
pub struct Targets {
    /// Act on all containers (those in the state the verb applies to).
    #[arg(short, long)]
    all: bool,
    /// Read the container ID from the file.
    #[arg(long)]
    cidfile: Vec<PathBuf>,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Containers (name or ID).
    containers: Vec<String>,
}

impl Targets {
    /// The containers named, or with `--all` those whose status `keep` accepts.
    /// (With `filters`, the containers they select, named or not.)
    fn resolve(
        &self,
        rt: &Runtime,
        ignore: bool,
        keep: fn(ContainerStatus) -> bool,
        filters: &[String],
    ) -> Result<Vec<(String, Container)>> {
        let selected = Selection {
            names: &self.containers,
            cidfiles: &self.cidfile,
            all: self.all,
            latest: self.latest,
            ignore,
            filters,
        }
        .resolve(rt)?;
        if !self.all || !filters.is_empty() {
            return Ok(selected);
        }
        Ok(selected
            .into_iter()
            .filter(|(_, c)| c.status().is_ok_and(keep))
            .collect())
    }
}

fn any(_: ContainerStatus) -> bool {
    true
}

fn running(status: ContainerStatus) -> bool {
    matches!(status, ContainerStatus::Running | ContainerStatus::Paused)
}

// `init [-a] [-l] CONTAINER...`: create them in the OCI runtime.
#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    targets: Targets,
}

pub fn init(rt: &Runtime, args: InitArgs) -> Result {
    let selected = args.targets.resolve(
        rt,
        false,
        |s| {
            matches!(
                s,
                ContainerStatus::Configured
                    | ContainerStatus::Created
                    | ContainerStatus::Exited
                    | ContainerStatus::Stopped
            )
        },
        &[],
    )?;
    for_each(selected, |name, ctr| {
        ctr.init()?;
        println!("{name}");
        Ok(())
    })
}

#[derive(Args)]
pub struct StartArgs {
    /// Start all containers regardless of their state or configuration.
    #[arg(long)]
    all: bool,
    /// Attach container's STDOUT and STDERR (and exit with its code).
    #[arg(short, long)]
    attach: bool,
    #[command(flatten)]
    attach_flags: AttachFlags,
    /// Keep STDIN open even if not attached (with -a: attach it).
    #[arg(short, long)]
    interactive: bool,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    #[command(flatten)]
    filter: FilterFlag,
    /// Containers.
    containers: Vec<String>,
}

pub fn start(rt: &Runtime, args: StartArgs) -> Result<i32> {
    let selected = Selection {
        names: &args.containers,
        all: args.all,
        latest: args.latest,
        filters: &args.filter.filter,
        ..Selection::default()
    }
    .resolve(rt)?;
    if args.attach && selected.len() > 1 {
        return Err(Exit::new(
            OWN_ERROR,
            "you cannot start and attach multiple containers at once",
        )
        .into());
    }
    let mut code = 0;
    for_each(selected, |name, ctr| {
        if ctr.status()? == ContainerStatus::Running {
            println!("{name}");
            return Ok(());
        }
        if ctr.config().pod.is_some() {
            // A pod's member: what it depends on first (Podman's recursive start).
            ctr.start_dependencies()
                .map_err(|err| start_failure(ctr, &err))?;
        }
        if args.attach && args.interactive {
            let end = session(ctr, Begin::Start, true, &args.attach_flags)
                .map_err(|err| start_failure(ctr, err.as_ref()))?;
            // Detached: left running, exit 0 (as Podman).
            if end != AttachEnd::Detached {
                code = ctr.wait()?;
            }
            return Ok(());
        }
        ctr.start().map_err(|err| start_failure(ctr, &err))?;
        if args.attach {
            code = attach_output(ctr)?;
        } else {
            println!("{name}");
        }
        Ok(())
    })?;
    Ok(code)
}

/// Podman's words for a start that failed, with the failure's exit code.
fn start_failure(ctr: &Container, err: &(dyn std::error::Error + 'static)) -> Exit {
    let (message, code) = report(err);
    Exit::new(
        code,
        format!("unable to start container {:?}: {message}", ctr.id()),
    )
}

#[derive(Args)]
pub struct StopArgs {
    #[command(flatten)]
    targets: Targets,
    #[command(flatten)]
    filter: FilterFlag,
    /// Ignore errors when a specified container is missing.
    #[arg(short, long)]
    ignore: bool,
    /// Seconds to wait for stop before killing the container (default: its --stop-timeout).
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
}

pub fn stop(rt: &Runtime, args: StopArgs) -> Result {
    let selected = args
        .targets
        .resolve(rt, args.ignore, running, &args.filter.filter)?;
    for_each(selected, |name, ctr| {
        // Stopping one that is not running is no error in Podman.
        if running(ctr.status()?) {
            ctr.stop(args.time)?;
        }
        println!("{name}");
        Ok(())
    })
}

#[derive(Args)]
pub struct RestartArgs {
    #[command(flatten)]
    targets: Targets,
    #[command(flatten)]
    filter: FilterFlag,
    /// Restart only running containers.
    #[arg(long)]
    running: bool,
    /// Seconds to wait for stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
}

pub fn restart(rt: &Runtime, args: RestartArgs) -> Result {
    let keep = if args.running { running } else { any };
    let selected = args.targets.resolve(rt, false, keep, &args.filter.filter)?;
    for_each(selected, |name, ctr| {
        match args.time {
            Some(t) if running(ctr.status()?) => {
                ctr.stop(Some(t))?;
                ctr.start()?;
            }
            _ => ctr.restart()?,
        }
        println!("{name}");
        Ok(())
    })
}

#[derive(Args)]
pub struct KillArgs {
    #[command(flatten)]
    targets: Targets,
    /// Signal to send to the container.
    #[arg(short, long, default_value = "KILL")]
    signal: String,
}

pub fn kill(rt: &Runtime, args: KillArgs) -> Result {
    let signal = parse_signal(&args.signal)
        .map_err(|_| Exit::new(OWN_ERROR, format!("invalid signal: {}", args.signal)))?;
    let selected = args.targets.resolve(rt, false, running, &[])?;
    for_each(selected, |name, ctr| {
        ctr.kill(signal)?;
        println!("{name}");
        Ok(())
    })
}

#[derive(Args)]
pub struct PauseArgs {
    #[command(flatten)]
    targets: Targets,
    #[command(flatten)]
    filter: FilterFlag,
}

pub fn pause(rt: &Runtime, args: PauseArgs) -> Result {
    let selected = args.targets.resolve(
        rt,
        false,
        |s| s == ContainerStatus::Running,
        &args.filter.filter,
    )?;
    for_each(selected, |name, ctr| {
        ctr.pause()?;
        println!("{name}");
        Ok(())
    })
}

pub fn unpause(rt: &Runtime, args: PauseArgs) -> Result {
    let selected = args.targets.resolve(
        rt,
        false,
        |s| s == ContainerStatus::Paused,
        &args.filter.filter,
    )?;
    for_each(selected, |name, ctr| {
        ctr.unpause()?;
        println!("{name}");
        Ok(())
    })
}
