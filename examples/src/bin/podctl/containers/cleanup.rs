//! `container cleanup [-a] [-l] [--rm] [--rmi] CONTAINER...`: what conmon's exit command runs
//! (podctl passes itself as every container's exit command, as Podman does), and what a user
//! may run by hand: the exit recorded, the container cleaned up (runc delete, unmount) or
//! restarted by its policy, as `podman container cleanup`.

use super::{Result, Selection, for_each};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::container::{ContainerStatus, RemoveOptions, RootfsSource};
use libpod_core::monitor::CleanupOutcome;
use libpod_core::runtime::Runtime;
use libpod_storage::StorageError;

#[derive(Args)]
pub struct CleanupArgs {
    /// Clean up all containers (those not running).
    #[arg(short, long)]
    all: bool,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// After cleanup, remove the container (unless its policy restarted it).
    #[arg(long)]
    rm: bool,
    /// After cleanup, remove the image of the container.
    #[arg(long)]
    rmi: bool,
    /// Containers (name or ID).
    containers: Vec<String>,
}

pub fn cleanup(rt: &Runtime, args: CleanupArgs) -> Result {
    let mut selected = Selection {
        names: &args.containers,
        all: args.all,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    if args.all {
        selected.retain(|(_, c)| {
            !c.status()
                .is_ok_and(|s| matches!(s, ContainerStatus::Running | ContainerStatus::Paused))
        });
    }
    for_each(selected, |_, ctr| {
        let outcome = rt.cleanup_container(ctr.id())?;
        if outcome == CleanupOutcome::Running {
            return Err(Exit::new(
                OWN_ERROR,
                format!(
                    "container {} is running or paused, refusing to clean up: container state improper",
                    ctr.id()
                ),
            )
            .into());
        }
        let removable = !matches!(outcome, CleanupOutcome::Restarted | CleanupOutcome::Removed);
        if args.rm && removable {
            rt.remove_container(ctr, RemoveOptions::default())?;
        }
        if args.rmi
            && let Some(RootfsSource::Image { id, .. }) = &ctr.config().rootfs
        {
            // Kept when other containers use it, as `run --rmi` does.
            match rt.storage().remove_image(id, false) {
                Ok(_) | Err(StorageError::ImageInUse { .. }) => {}
                Err(err) => return Err(err.into()),
            }
        }
        println!("{}", ctr.id());
        Ok(())
    })
}
