//! `system prune [-a] [-f] [--volumes]`: unused pods, containers, images and networks (and
//! volumes), as Podman 4.3's `SystemPrune`: rounds until one removes no pod, image, network
//! or volume, then each kind's IDs under its heading and the total reclaimed.

use crate::confirm::confirmed;
use crate::containers::{print_reports, prune_containers};
use crate::errors::{Exit, OWN_ERROR, report};
use crate::human::{DECIMAL_UNITS, scaled};
use crate::images::prune_images;
use clap::Args;
use libpod_core::container::PruneReport;
use libpod_core::runtime::Runtime;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct PruneArgs {
    /// Remove all unused data (images without a container, not only dangling ones).
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
    /// Prune volumes too.
    #[arg(long)]
    volumes: bool,
    /// Provide filter values (not supported by podctl yet: an error naming it).
    #[arg(long)]
    filter: Vec<String>,
}

/// What every round removed.
#[derive(Default)]
struct Pruned {
    pods: Vec<(String, libpod_core::Result<()>)>,
    containers: Vec<PruneReport>,
    volumes: Vec<String>,
    images: Vec<(String, u64)>,
    networks: Vec<String>,
}

pub fn prune(rt: &Runtime, args: PruneArgs) -> Result {
    if !args.filter.is_empty() {
        return Err(Exit::new(
            OWN_ERROR,
            "--filter is not supported by podctl system prune yet",
        )
        .into());
    }
    if !args.force && !confirmed(&warning(&args))? {
        return Ok(());
    }
    let mut pruned = Pruned::default();
    loop {
        let pods = rt.prune_pods()?;
        let containers = prune_containers(rt, &[])?;
        let images = prune_images(rt.storage(), args.all)?;
        let networks = rt.prune_networks()?;
        let volumes = if args.volumes {
            rt.prune_volumes(&[])?
        } else {
            Vec::new()
        };
        let again =
            !(pods.is_empty() && images.is_empty() && networks.is_empty() && volumes.is_empty());
        pruned.pods.extend(pods);
        pruned.containers.extend(containers);
        pruned.images.extend(images);
        pruned.networks.extend(networks);
        pruned.volumes.extend(volumes);
        if !again {
            break;
        }
    }
    print(&pruned, args.volumes)
}

/// Podman 4.3's question for these flags.
fn warning(args: &PruneArgs) -> String {
    let volumes = if args.volumes {
        "\n\t- all volumes not used by at least one container"
    } else {
        ""
    };
    let images = if args.all {
        "all images without at least one container associated with them\n\t- all build cache"
    } else {
        "all dangling images\n\t- all dangling build cache"
    };
    format!(
        "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container{volumes}\n\t- {images}\n\n"
    )
}

/// The sections in Podman's order (containers, pods, volumes, images, networks), each only
/// when it has entries, and the reclaimed total; a failure is reported after them.
fn print(pruned: &Pruned, volumes: bool) -> Result {
    let containers = if pruned.containers.is_empty() {
        Ok(())
    } else {
        println!("Deleted Containers");
        print_reports(&pruned.containers)
    };
    let mut pod_failure = None;
    if !pruned.pods.is_empty() {
        println!("Deleted Pods");
        for (id, outcome) in &pruned.pods {
            match outcome {
                Ok(()) => println!("{id}"),
                Err(e) => pod_failure = Some(report(e).0),
            }
        }
    }
    if volumes && !pruned.volumes.is_empty() {
        println!("Deleted Volumes");
        pruned.volumes.iter().for_each(|name| println!("{name}"));
    }
    if !pruned.images.is_empty() {
        println!("Deleted Images");
        pruned.images.iter().for_each(|(id, _)| println!("{id}"));
    }
    if !pruned.networks.is_empty() {
        println!("Deleted Networks");
        pruned.networks.iter().for_each(|name| println!("{name}"));
    }
    containers?;
    if let Some(failure) = pod_failure {
        return Err(Exit::new(OWN_ERROR, failure).into());
    }
    // Volumes are not measured (Podman adds their directories' sizes).
    let reclaimed: u64 = pruned
        .containers
        .iter()
        .filter(|r| r.result.is_ok())
        .map(|r| r.size)
        .chain(pruned.images.iter().map(|(_, size)| *size))
        .sum();
    let (number, unit) = scaled(reclaimed, 1000.0, &DECIMAL_UNITS, 4);
    println!("Total reclaimed space: {number}{unit}");
    Ok(())
}
