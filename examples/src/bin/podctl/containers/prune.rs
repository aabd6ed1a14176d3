//! `container prune [-f] [--filter label=..|label!=..|until=..]`: removes every container
//! that is not running and in no pod, printing each one's ID, as Podman 4.3's.

use super::Result;
use crate::confirm::confirmed;
use crate::errors::{Exit, OWN_ERROR, report};
use clap::Args;
use libpod_core::container::{PruneFilter, PruneReport};
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME).
    #[arg(long)]
    filter: Vec<String>,
}

pub fn prune(rt: &Runtime, args: PruneArgs) -> Result {
    if !args.force && !confirmed("WARNING! This will remove all non running containers.\n")? {
        return Ok(());
    }
    let removed = prune_containers(rt, &args.filter)?;
    print_reports(&removed)
}

/// The containers pruned with `filters` (`system prune` shares it).
pub fn prune_containers(rt: &Runtime, filters: &[String]) -> Result<Vec<PruneReport>> {
    let filters = filters
        .iter()
        .map(|f| PruneFilter::parse(f))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rt.prune_containers(|ctr| PruneFilter::all_match(&filters, ctr))?)
}

/// Podman's `PrintContainerPruneResults`: every ID, then each failure as `Error: ...`, the
/// last one the command's error.
pub fn print_reports(reports: &[PruneReport]) -> Result {
    let mut failures = Vec::new();
    for pruned in reports {
        println!("{}", pruned.id);
        if let Err(e) = &pruned.result {
            failures.push(report(e).0);
        }
    }
    match failures.pop() {
        Some(last) => {
            for earlier in failures {
                eprintln!("Error: {earlier}");
            }
            Err(Exit::new(OWN_ERROR, last).into())
        }
        None => Ok(()),
    }
}
