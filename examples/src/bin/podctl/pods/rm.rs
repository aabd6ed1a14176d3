//! `pod rm [-f] [-t N] [-a] NAME..`: each pod (every pod with `-a`) and its containers; its
//! ID printed.

use super::Result;
use super::lifecycle::each;
use clap::Args;
use libpod_core::pod::PodRemoveOptions;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct RmArgs {
    /// Remove all running pods.
    #[arg(short, long)]
    all: bool,
    /// Force removal of a running pod by first stopping all containers, then removing all
    /// containers in the pod.
    #[arg(short, long)]
    force: bool,
    /// Seconds to wait for pod stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// The pods (name or ID).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pods: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    let mut options = PodRemoveOptions::default().force(args.force);
    if let Some(time) = args.time {
        options = options.timeout(time);
    }
    let pods = if args.all {
        rt.pods()?.iter().map(|p| p.id().to_string()).collect()
    } else {
        args.pods
    };
    each(rt, &pods, |pod| rt.remove_pod(pod, options))
}
