//! `pod rm [-f] [-i] [-t N] [-a|-l|--pod-id-file F] NAME..`: each pod and its containers;
//! its ID printed. A name that matches no pod exits 1 before any pod is removed, as Podman's
//! (with `-f`, 0: Podman 4.3 then removes none and says nothing; `-i` removes the others).

use super::Result;
use super::lifecycle::{Missing, each};
use super::select::{IdFiles, Selection};
use clap::Args;
use libpod_core::pod::PodRemoveOptions;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct RmArgs {
    /// Force removal of a running pod by first stopping all containers, then removing all
    /// containers in the pod.
    #[arg(short, long)]
    force: bool,
    /// Ignore errors when a specified pod is missing.
    #[arg(short, long)]
    ignore: bool,
    /// Seconds to wait for pod stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    #[command(flatten)]
    select: Selection,
    #[command(flatten)]
    ids: IdFiles,
}

/// Podman's exit code for a pod that is not there.
const NO_SUCH_POD: u8 = 1;

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    let mut options = PodRemoveOptions::default().force(args.force);
    if let Some(time) = args.time {
        options = options.timeout(time);
    }
    let names = args.select.names(rt, &args.ids, NO_SUCH_POD)?;
    let missing = Missing {
        ignore: args.ignore,
        code: NO_SUCH_POD,
        // (Podman 4.3 then removes none of the pods named, and says nothing.)
        quiet: args.force,
    };
    each(rt, &names, missing, |pod| rt.remove_pod(pod, options))
}
