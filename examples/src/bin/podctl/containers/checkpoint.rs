//! `container checkpoint` and `container restore`, with Podman 4.3's main flags. libpod-rs
//! does not checkpoint yet; each container's command first checks CRIU (as Podman's
//! `checkpointRestoreSupported` does before anything else), so that where CRIU cannot work,
//! as on this project's hosts (Debian 12's CRIU 3.17 on Linux 6.18), the error says why in
//! CRIU's words.

use clap::Args;
use libpod_core::container::Container;
use libpod_core::oci::criu::{CRIU_PATH, check_criu};
use libpod_core::runtime::Runtime;
use std::path::{Path, PathBuf};

use super::{Result, Selection, for_each};
use crate::errors::{Exit, OWN_ERROR};

#[derive(Args)]
pub struct CheckpointArgs {
    /// Checkpoint all running containers.
    #[arg(short, long)]
    all: bool,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Keep all temporary checkpoint files.
    #[arg(short, long)]
    keep: bool,
    /// Leave the container running after writing checkpoint to disk.
    #[arg(short = 'R', long = "leave-running")]
    leave_running: bool,
    /// Checkpoint a container with established TCP connections.
    #[arg(long = "tcp-established")]
    tcp_established: bool,
    /// Export the checkpoint image to a tar.gz.
    #[arg(short, long)]
    export: Option<PathBuf>,
    /// Containers (name or ID).
    containers: Vec<String>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// Restore all checkpointed containers.
    #[arg(short, long)]
    all: bool,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Keep all temporary checkpoint files.
    #[arg(short, long)]
    keep: bool,
    /// Restore a container with established TCP connections.
    #[arg(long = "tcp-established")]
    tcp_established: bool,
    /// Restore from exported checkpoint archive (tar.gz).
    #[arg(short, long)]
    import: Option<PathBuf>,
    /// Specify new name for container restored from exported checkpoint (only works with
    /// --import).
    #[arg(short, long)]
    name: Option<String>,
    /// Containers (name or ID).
    containers: Vec<String>,
}

pub fn checkpoint(rt: &Runtime, args: CheckpointArgs) -> Result {
    let selected = select(rt, &args.containers, args.all, args.latest)?;
    for_each(selected, |_, ctr| {
        not_yet(Path::new(CRIU_PATH), ctr.id(), "checkpoint")
    })
}

pub fn restore(rt: &Runtime, args: RestoreArgs) -> Result {
    if let Some(archive) = &args.import {
        // A restore from an archive makes a new container: nothing to look up.
        let name = args.name.as_deref().unwrap_or("(from the archive)");
        tracing::debug!(archive = %archive.display(), name, "restore from an archive");
        return not_yet(Path::new(CRIU_PATH), name, "restore");
    }
    let selected = select(rt, &args.containers, args.all, args.latest)?;
    for_each(selected, |_, ctr| {
        not_yet(Path::new(CRIU_PATH), ctr.id(), "restore")
    })
}

/// The containers named, or `--all`, or `--latest`.
fn select(
    rt: &Runtime,
    names: &[String],
    all: bool,
    latest: bool,
) -> Result<Vec<(String, Container)>> {
    Selection {
        names,
        all,
        latest,
        ..Selection::default()
    }
    .resolve(rt)
}

/// CRIU's verdict when it cannot work here; else that podctl cannot do it yet.
fn not_yet(criu: &Path, id: &str, operation: &'static str) -> Result {
    check_criu(criu, id, operation)?;
    Err(Exit::new(
        OWN_ERROR,
        format!("{operation} is not supported by podctl yet (CRIU works on this host)"),
    )
    .into())
}
