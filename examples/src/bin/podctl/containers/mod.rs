//! podctl's container commands, one file per verb or verb group.

mod attach;
mod checkpoint;
mod cleanup;
mod cp;
mod create;
mod create_config;
mod create_flags;
mod exec;
mod exists;
mod fs;
mod inspect;
mod lifecycle;
mod logs;
mod new_pod;
mod prune;
mod ps;
mod rename;
mod rm;
mod stats;
mod terminal;
mod top;
mod unsupported;
mod update;
mod wait;

pub use attach::{AttachArgs, attach};
pub use checkpoint::{CheckpointArgs, RestoreArgs, checkpoint, restore};
pub use cleanup::{CleanupArgs, cleanup};
pub use cp::{CpArgs, cp};
pub use create::{CreateArgs, RunArgs, create, full_name, run};
pub use exec::{ExecArgs, exec};
pub use exists::{ExistsArgs, exists};
pub use fs::{ExportArgs, export, mount};
pub use inspect::{InspectArgs, inspect};
pub use lifecycle::{
    InitArgs, KillArgs, PauseArgs, RestartArgs, StartArgs, StopArgs, init, kill, pause, restart,
    start, stop, unpause,
};
pub use logs::{LogsArgs, logs};
pub use prune::{PruneArgs, print_reports, prune, prune_containers};
pub use ps::{PsArgs, ps};
pub use rename::{RenameArgs, rename};
pub use rm::{RmArgs, rm};
pub use stats::{StatsArgs, stats};
pub use top::{TopArgs, top};
pub use update::{UpdateArgs, update};
pub use wait::{WaitArgs, wait};

use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::Container;
use libpod_core::runtime::Runtime;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct IdsArgs {
    /// Containers (name or ID).
    #[arg(required = true)]
    containers: Vec<String>,
}

/// Which containers a verb acts on, as Podman's verbs take them: names or IDs, IDs read from
/// `--cidfile` files, every container (`--all`), or the one created last (`--latest`).
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// Names or IDs given on the command line.
    pub names: &'a [String],
    /// Files holding container IDs (`--cidfile`).
    pub cidfiles: &'a [std::path::PathBuf],
    /// `--all`.
    pub all: bool,
    /// `--latest`.
    pub latest: bool,
    /// `--ignore`: skip names that match no container.
    pub ignore: bool,
    /// `--filter`s (ps's keys): the containers matching them, narrowed to the names given.
    pub filters: &'a [String],
}

// `--filter` on the verbs that have it in Podman 4.3 with its short form (`stop`, `start`,
// `restart`, `pause`, `unpause`; `rm` has no `-f` for it).
#[derive(Args, Debug, Default)]
pub struct FilterFlag {
    /// Filter the containers acted on by conditions given (KEY=VALUE, as ps takes them).
    #[arg(short, long, value_delimiter = ',')]
    pub filter: Vec<String>,
}

impl Selection<'_> {
    /// Looks every container up before any is acted on, as Podman does: a name that matches
    /// nothing fails the whole command (unless `ignore`). Returns (what the user called it,
    /// the container) pairs; `--all` and `--latest` call them by ID.
    pub fn resolve(&self, rt: &Runtime) -> Result<Vec<(String, Container)>> {
        if !self.filters.is_empty() {
            // As Podman's getContainersAndInputByContext: called by ID.
            let matching = ps::matching(rt, self.filters)?;
            return Ok(matching
                .into_iter()
                .filter(|c| {
                    self.names.is_empty() || self.names.iter().any(|n| n == c.id() || n == c.name())
                })
                .map(|c| (c.id().to_string(), c))
                .collect());
        }
        let mut names = self.names.to_vec();
        for file in self.cidfiles {
            let id = std::fs::read_to_string(file).map_err(|e| {
                Exit::new(
                    OWN_ERROR,
                    format!(
                        "reading CIDFile: open {}: {}",
                        file.display(),
                        io_reason(&e)
                    ),
                )
            })?;
            names.push(id.trim().to_string());
        }
        match (self.all, self.latest, names.is_empty()) {
            (true, true, _) => {
                return Err(
                    Exit::new(OWN_ERROR, "--all and --latest cannot be used together").into(),
                );
            }
            (true, _, false) => {
                return Err(Exit::new(OWN_ERROR, "no arguments are needed with --all").into());
            }
            (_, true, false) => {
                return Err(Exit::new(OWN_ERROR, "no arguments are needed with --latest").into());
            }
            (false, false, true) => {
                return Err(
                    Exit::new(OWN_ERROR, "you must provide at least one name or id").into(),
                );
            }
            _ => {}
        }
        if self.all || self.latest {
            let mut all = rt.containers()?;
            if self.latest {
                all.sort_by(|a, b| a.config().created.cmp(&b.config().created));
                all = all.pop().into_iter().collect();
                if all.is_empty() {
                    return Err(
                        Exit::new(OWN_ERROR, "no containers to act on: no such container").into(),
                    );
                }
            }
            return Ok(all.into_iter().map(|c| (c.id().to_string(), c)).collect());
        }
        let mut out = Vec::new();
        for name in names {
            match rt.container(&name) {
                Ok(ctr) => out.push((name, ctr)),
                Err(CoreError::ContainerNotFound(_)) if self.ignore => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(out)
    }
}

/// An I/O error in Go's words (`no such file or directory`), as Podman's messages quote them.
pub fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    let reason = text.split(" (os error").next().unwrap_or(&text);
    reason.to_lowercase()
}

/// Acts on each selected container, as Podman's verbs do: every container is tried, each
/// failure but the last is printed as `Error: ...`, and the last is returned.
pub fn for_each(
    selected: Vec<(String, Container)>,
    mut act: impl FnMut(&str, &Container) -> Result,
) -> Result {
    let mut last: Option<Box<dyn std::error::Error>> = None;
    for (name, ctr) in &selected {
        if let Err(err) = act(name, ctr) {
            if let Some(previous) = last.take() {
                eprintln!("Error: {}", crate::errors::report(previous.as_ref()).0);
            }
            last = Some(err);
        }
    }
    match last {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
