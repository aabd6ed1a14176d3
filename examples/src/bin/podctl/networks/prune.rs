//! `network prune [-f] [--filter label=...]`: removes the networks no container uses (never
//! the default), printing their names; without `-f` it asks first, as Podman 4.3's.

use super::Result;
use super::filters::{NetworkFilter, Verb};
use crate::confirm::confirmed;
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (label, label!).
    #[arg(long)]
    filter: Vec<String>,
}

pub fn prune(rt: &Runtime, args: PruneArgs) -> Result {
    let filters = NetworkFilter::parse_all(&args.filter, Verb::Prune)?;
    if !args.force
        && !confirmed(
            "WARNING! This will remove all networks not used by at least one container.\n",
        )?
    {
        return Ok(());
    }
    let removed = if filters.is_empty() {
        rt.prune_networks()?
    } else {
        let store = rt.networks()?;
        let mut removed = Vec::new();
        for network in store.list()? {
            if network.name == store.default_network()
                || !NetworkFilter::all_match(&filters, &network)
                || !rt.network_users(&network.name)?.is_empty()
            {
                continue;
            }
            rt.remove_network(&network.name, false)?;
            removed.push(network.name);
        }
        removed
    };
    for name in removed {
        println!("{name}");
    }
    Ok(())
}
