//! `image prune [-a] [-f]` and `image exists`, as Podman 4.3's.

use super::Result;
use crate::confirm::confirmed;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_storage::{StorageError, Store};

#[derive(Args)]
pub struct PruneArgs {
    /// Remove all images not in use by containers, not just dangling ones.
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation.
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (not supported by podctl yet: an error naming it).
    #[arg(long)]
    filter: Vec<String>,
}

pub fn prune(store: &Store, args: PruneArgs) -> Result {
    if !args.filter.is_empty() {
        return Err(Exit::new(
            OWN_ERROR,
            "--filter is not supported by podctl image prune yet",
        )
        .into());
    }
    let warning = if args.all {
        "WARNING! This command removes all images without at least one container associated with them.\n"
    } else {
        "WARNING! This command removes all dangling images.\n"
    };
    if !args.force && !confirmed(warning)? {
        return Ok(());
    }
    for (id, _) in prune_images(store, args.all)? {
        println!("{id}");
    }
    Ok(())
}

/// Prunes the dangling images, or all unused ones with `all`; their IDs with their sizes.
pub fn prune_images(store: &Store, all: bool) -> Result<Vec<(String, u64)>> {
    let sizes: Vec<(String, u64)> = store
        .images()?
        .iter()
        .map(|i| (i.id.hex().to_string(), i.size))
        .collect();
    let pruned = if all {
        store.prune_unused_images()?
    } else {
        store.prune_images()?
    };
    Ok(pruned
        .iter()
        .map(|id| {
            let id = id.hex().to_string();
            let size = sizes.iter().find(|(i, _)| *i == id).map_or(0, |(_, s)| *s);
            (id, size)
        })
        .collect())
}

#[derive(Args)]
pub struct ExistsArgs {
    /// The image's name or ID.
    image: String,
}

/// Exit 0 if the image is in local storage, 1 if not.
pub fn exists(store: &Store, args: ExistsArgs) -> Result<i32> {
    match store.image(&args.image) {
        Ok(_) => Ok(0),
        Err(StorageError::ImageNotKnown(_)) => Ok(1),
        Err(e) => Err(e.into()),
    }
}
