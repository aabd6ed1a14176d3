//! `volume prune [--filter K=V] [--force]`: every unused volume, removed.

use super::{Result, filters};
use crate::confirm::confirmed;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_core::volume::VolumeFilter;

#[derive(Args)]
pub struct PruneArgs {
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME).
    #[arg(long)]
    filter: Vec<String>,
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
}

pub fn prune(rt: &Runtime, args: PruneArgs) -> Result {
    let filters = filters(&args.filter)?;
    let prune_filter = |f: &VolumeFilter| {
        matches!(
            f,
            VolumeFilter::Label(..) | VolumeFilter::LabelNot(..) | VolumeFilter::Until(..)
        )
    };
    if !filters.iter().all(prune_filter) {
        return Err(Exit::new(
            OWN_ERROR,
            "volume prune takes only the label, label! and until filters",
        )
        .into());
    }
    if !args.force
        && !confirmed(
            "WARNING! This will remove all volumes not used by at least one container.\n",
        )?
    {
        return Ok(());
    }
    for name in rt.prune_volumes(&filters)? {
        println!("{name}");
    }
    Ok(())
}
