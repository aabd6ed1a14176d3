//! `rm`: `-a`, `-f`, `-t`, `-i`, `--depend`, `--cidfile`, as Podman's.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, RemoveOptions};
use libpod_core::runtime::Runtime;
use std::path::PathBuf;

use super::{Result, Selection, for_each};
use crate::errors::{Exit, report};

#[derive(Args)]
pub struct RmArgs {
    /// Remove all containers.
    #[arg(short, long)]
    all: bool,
    /// Read the container ID from the file.
    #[arg(long)]
    cidfile: Vec<PathBuf>,
    /// Remove container and all containers that depend on the selected container.
    #[arg(long)]
    depend: bool,
    /// Filter the containers removed by conditions given (KEY=VALUE, as ps takes them).
    #[arg(long, value_delimiter = ',')]
    filter: Vec<String>,
    /// Force removal of a running or unusable container.
    #[arg(short, long)]
    force: bool,
    /// Ignore errors when a specified container is missing.
    #[arg(short, long)]
    ignore: bool,
    /// Act on the latest container.
    #[arg(short, long)]
    latest: bool,
    /// Seconds to wait for stop before killing the container (default 10).
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Remove anonymous volumes associated with the container.
    #[arg(short, long)]
    volumes: bool,
    /// Containers.
    containers: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    let mut options = RemoveOptions::default()
        .force(args.force)
        .volumes(args.volumes);
    if let Some(t) = args.time {
        options = options.timeout(t);
    }
    // Only force removes a container whose records do not decode: it cannot be looked up.
    let mut names = Vec::new();
    for name in &args.containers {
        match rt.container(name) {
            Err(CoreError::Corrupt { id, .. }) if args.force => {
                rt.remove_broken_container(&id)?;
                println!("{name}");
            }
            _ => names.push(name.clone()),
        }
    }
    if names.is_empty()
        && !args.containers.is_empty()
        && args.cidfile.is_empty()
        && args.filter.is_empty()
    {
        return Ok(());
    }
    let selection = Selection {
        names: &names,
        cidfiles: &args.cidfile,
        all: args.all,
        latest: args.latest,
        ignore: args.ignore,
        filters: &args.filter,
    };
    let selected = selection.resolve(rt).map_err(missing_is_1)?;
    let result = for_each(selected, |name, ctr| {
        if args.depend {
            remove_dependents(rt, ctr, options)?;
        }
        match rt.remove_container(ctr, options) {
            // Removed meanwhile (a dependent's --depend, or its own --rm).
            Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
        println!("{name}");
        Ok(())
    });
    result.map_err(missing_is_1)
}

/// Removes the containers that depend on `ctr`, theirs first.
fn remove_dependents(rt: &Runtime, ctr: &Container, options: RemoveOptions) -> Result {
    for other in rt.containers()? {
        if other.config().dependencies.iter().any(|d| d == ctr.id()) {
            remove_dependents(rt, &other, options)?;
            match rt.remove_container(&other, options) {
                Ok(()) | Err(CoreError::ContainerNotFound(_)) => println!("{}", other.id()),
                Err(err) => return Err(err.into()),
            }
        }
    }
    Ok(())
}

/// Podman's `rm` exits 1 when a container did not exist (and nothing else failed).
fn missing_is_1(err: Box<dyn std::error::Error>) -> Box<dyn std::error::Error> {
    match err.downcast_ref::<CoreError>() {
        Some(CoreError::ContainerNotFound(_)) => Exit::new(1, report(err.as_ref()).0).into(),
        _ => err,
    }
}
