//! `pod prune [-f]`: removes every stopped or exited pod, printing each one's ID.

use super::Result;
use crate::confirm::confirmed;
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
}

pub fn prune(rt: &Runtime, args: PruneArgs) -> Result {
    if !args.force && !confirmed("WARNING! This will remove all stopped/exited pods..\n")? {
        return Ok(());
    }
    for (id, outcome) in rt.prune_pods()? {
        match outcome {
            Ok(()) => println!("{id}"),
            Err(e) => eprintln!("Error: {e}"),
        }
    }
    Ok(())
}
