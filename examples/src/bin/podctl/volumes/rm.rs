//! `volume rm [--all] [--force] [--time N] NAME...`: exit 1 for a missing volume, 2 for one
//! in use, as Podman's.

use super::{Result, volume_error};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_core::volume::VolumeRemoveOptions;

#[derive(Args)]
pub struct RmArgs {
    /// Remove all volumes.
    #[arg(short, long)]
    all: bool,
    /// Remove a volume by force, even if it is being used by a container.
    #[arg(short, long)]
    force: bool,
    /// Seconds to wait for running containers to stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Volumes.
    names: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    if args.all != args.names.is_empty() {
        return Err(Exit::new(OWN_ERROR, "choose either one or more volumes or all").into());
    }
    let mut options = VolumeRemoveOptions::default().force(args.force);
    options.timeout = args.time;
    let volumes = if args.all {
        rt.volumes()?
    } else {
        let mut found = Vec::new();
        for name in &args.names {
            found.push(rt.volume(name).map_err(|e| volume_error(e, 1))?);
        }
        found
    };
    for volume in volumes {
        match rt.remove_volume(&volume, options) {
            Ok(()) => println!("{}", volume.name()),
            // With --all, Podman skips the volumes in use without force.
            Err(libpod_core::CoreError::VolumeInUse { .. }) if args.all && !args.force => {}
            Err(e) => return Err(volume_error(e, 1)),
        }
    }
    Ok(())
}
