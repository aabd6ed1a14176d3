//! `container cleanup [-a] [-l] [--rm] [--rmi] [--exec SESSION] CONTAINER...`: what conmon's
//! exit command runs (podctl passes itself as every container's exit command, and with
//! `--exec SESSION` as every detached exec session's, as Podman does), and what a user may
//! run by hand: the exit recorded, the container cleaned up (runc delete, unmount) or
//! restarted by its policy, as `podman container cleanup`; with `--exec`, the session's end
//! recorded (and with `--rm`, the session removed).

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
    /// Clean up the given exec session instead of the container.
    #[arg(long, value_name = "SESSION")]
    exec: Option<String>,
    /// Containers (name or ID).
    containers: Vec<String>,
}

pub fn cleanup(rt: &Runtime, args: CleanupArgs) -> Result {
    if let Some(session) = &args.exec {
        return cleanup_exec(rt, &args, session);
    }
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

/// `--exec SESSION`: Podman's checks and words; then the session of the one container.
fn cleanup_exec(rt: &Runtime, args: &CleanupArgs, session: &str) -> Result {
    let conflict = if args.all {
        Some("exec and all options conflict")
    } else if args.containers.len() > 1 {
        Some("cannot use exec option when more than one container is given")
    } else if args.rmi {
        Some("exec and rmi options conflict")
    } else {
        None
    };
    if let Some(message) = conflict {
        return Err(Exit::new(OWN_ERROR, message).into());
    }
    let selected = Selection {
        names: &args.containers,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    for_each(selected, |_, ctr| {
        ctr.exec_cleanup(session)?;
        if args.rm {
            ctr.exec_remove(session, false)?;
        }
        println!("{}", ctr.id());
        Ok(())
    })
}
