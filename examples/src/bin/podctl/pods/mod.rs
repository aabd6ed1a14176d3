//! `pod create|start|stop|kill|restart|pause|unpause|rm|ps|inspect|stats|top|exists|prune`,
//! as Podman 4.3's: one file per verb (the one-line lifecycle verbs together in
//! `lifecycle.rs`); the words and exit codes of its pod errors here.

mod create;
mod exists;
mod filters;
pub(crate) mod infra_flags;
mod inspect;
mod lifecycle;
pub(crate) mod network;
mod prune;
mod ps;
mod rm;
mod row;
mod select;
mod stats;
mod top;

use crate::errors::{Exit, OWN_ERROR};
use clap::Subcommand;
use libpod_core::CoreError;
use libpod_core::pod::Pod;
use libpod_core::runtime::Runtime;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `podctl pod VERB`.
#[derive(Subcommand)]
#[command(defer = true)]
pub enum PodCommand {
    /// Create a new empty pod.
    Create(Box<create::CreateArgs>),
    /// Start one or more pods.
    Start(lifecycle::StartArgs),
    /// Stop one or more pods.
    Stop(lifecycle::StopArgs),
    /// Send the specified signal or SIGKILL to containers in pod.
    Kill(lifecycle::KillArgs),
    /// Restart one or more pods.
    Restart(lifecycle::PodsArgs),
    /// Pause one or more pods.
    Pause(lifecycle::PodsArgs),
    /// Unpause one or more pods.
    Unpause(lifecycle::PodsArgs),
    /// Remove one or more pods.
    Rm(rm::RmArgs),
    /// List pods.
    #[command(visible_aliases = ["ls", "list"])]
    Ps(ps::PsArgs),
    /// Displays a pod configuration.
    Inspect(inspect::InspectArgs),
    /// Display a live stream of resource usage statistics for the containers in pods.
    Stats(stats::StatsArgs),
    /// Display the running processes of containers in a pod.
    Top(top::TopArgs),
    /// Check if a pod exists in local storage (exit 0 if it does, 1 if not).
    Exists(exists::ExistsArgs),
    /// Remove all stopped pods and their containers.
    Prune(prune::PruneArgs),
}

/// Runs a pod verb; returns the exit code.
pub fn run(rt: &Runtime, command: PodCommand) -> Result<i32> {
    match command {
        PodCommand::Create(args) => create::create(rt, *args)?,
        PodCommand::Start(args) => lifecycle::start(rt, args)?,
        PodCommand::Stop(args) => lifecycle::stop(rt, args)?,
        PodCommand::Kill(args) => lifecycle::kill(rt, args)?,
        PodCommand::Restart(args) => lifecycle::simple(rt, &args, Pod::restart)?,
        PodCommand::Pause(args) => lifecycle::simple(rt, &args, Pod::pause)?,
        PodCommand::Unpause(args) => lifecycle::simple(rt, &args, Pod::unpause)?,
        PodCommand::Rm(args) => rm::rm(rt, args)?,
        PodCommand::Ps(args) => ps::ps(rt, args)?,
        PodCommand::Inspect(args) => inspect::inspect(rt, args)?,
        PodCommand::Stats(args) => stats::stats(rt, args)?,
        PodCommand::Top(args) => top::top(rt, args)?,
        PodCommand::Exists(args) => return exists::exists(rt, args),
        PodCommand::Prune(args) => prune::prune(rt, args)?,
    }
    Ok(0)
}

/// The pod with this name or ID, in Podman's words when there is none (exit 125).
fn lookup(rt: &Runtime, name: &str) -> Result<Pod> {
    rt.pod(name).map_err(pod_error)
}

/// Podman's words and exit code for a pod error.
pub(crate) fn pod_error(err: CoreError) -> Box<dyn std::error::Error> {
    match &err {
        CoreError::PodNotFound(name) => Exit::new(
            OWN_ERROR,
            format!("no pod with name or ID {name} found: no such pod"),
        )
        .into(),
        CoreError::NameInUse(name) => Exit::new(
            OWN_ERROR,
            format!("adding pod to state: name \"{name}\" is in use: pod already exists"),
        )
        .into(),
        // Already in Podman's words.
        CoreError::InvalidOption {
            option: "pod network" | "pod dns" | "pod infra" | "pod infra image" | "pod hostname",
            reason,
        } => Exit::new(OWN_ERROR, reason.clone()).into(),
        // A private user namespace needs ID mappings: Podman's words for that.
        CoreError::PodOptionUnsupported {
            flag: "--userns",
            value,
            reason,
        } if value == "private" => Exit::new(OWN_ERROR, reason.clone()).into(),
        _ => err.into(),
    }
}

/// A pod's ID as listings show it: 12 digits unless `full`.
fn short(id: &str, full: bool) -> &str {
    if full { id } else { &id[..id.len().min(12)] }
}
