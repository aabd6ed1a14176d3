//! `container checkpoint` and `container restore` (only under `container`, as in Podman 4.3),
//! with Podman 4.3's flags: a running container's processes written to disk by CRIU (found
//! through `PATH`, as runc finds it) and brought back, in place or from an exported archive
//! into a new container.
//!
//! Each container done is printed on a line of its own, as the user named it (its ID with
//! `--all`, `--latest` and `--import`); each failure but the last is printed as `Error: ...`
//! and the last one is returned (exit 125), as Podman does. A flag podctl cannot honour
//! (`--pre-checkpoint`, `--with-previous`, `--create-image`, `--import-previous`, `--pod`,
//! `--publish`, a restore from a checkpoint image) is refused, naming it, before anything is
//! done. `--print-stats` prints Podman's JSON (its field names
//! and order, four-space indent, durations in microseconds) instead of the names.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{
    CheckpointOptions, Compression, Container, ContainerStatus, CriuReport, RestoreOptions,
};
use libpod_core::oci::criu::CriuStatistics;
use libpod_core::runtime::Runtime;
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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
    /// Checkpoint a container with file locks.
    #[arg(long = "file-locks")]
    file_locks: bool,
    /// Export the checkpoint image to a tar.gz.
    #[arg(short, long)]
    export: Option<PathBuf>,
    /// Select compression algorithm (gzip, none, zstd) for checkpoint archive [default: zstd].
    #[arg(short, long)]
    compress: Option<String>,
    /// Do not include root file-system changes when exporting.
    #[arg(long = "ignore-rootfs")]
    ignore_rootfs: bool,
    /// Do not export volumes associated with container.
    #[arg(long = "ignore-volumes")]
    ignore_volumes: bool,
    /// Dump container's memory information only, leave the container running (not supported).
    #[arg(short = 'P', long = "pre-checkpoint")]
    pre_checkpoint: bool,
    /// Checkpoint container with pre-checkpoint images (not supported).
    #[arg(long = "with-previous")]
    with_previous: bool,
    /// Create checkpoint image with specified name (not supported).
    #[arg(long = "create-image")]
    create_image: Option<String>,
    /// Display checkpoint statistics.
    #[arg(long = "print-stats")]
    print_stats: bool,
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
    /// Restore a container with file locks.
    #[arg(long = "file-locks")]
    file_locks: bool,
    /// Restore from exported checkpoint archive (tar.gz).
    #[arg(short, long)]
    import: Option<PathBuf>,
    /// Specify new name for container restored from exported checkpoint (only works with
    /// --import).
    #[arg(short, long)]
    name: Option<String>,
    /// Do not apply root file-system changes when importing from exported checkpoint.
    #[arg(long = "ignore-rootfs")]
    ignore_rootfs: bool,
    /// Do not import volumes associated with container.
    #[arg(long = "ignore-volumes")]
    ignore_volumes: bool,
    /// Ignore IP address set via --static-ip.
    #[arg(long = "ignore-static-ip")]
    ignore_static_ip: bool,
    /// Ignore MAC address set via --mac-address.
    #[arg(long = "ignore-static-mac")]
    ignore_static_mac: bool,
    /// Restore from exported pre-checkpoint archive (not supported).
    #[arg(long = "import-previous")]
    import_previous: Option<PathBuf>,
    /// Restore container into existing Pod (not supported).
    #[arg(long)]
    pod: Option<String>,
    /// Publish a container's port (not supported).
    #[arg(short, long, value_delimiter = ',')]
    publish: Vec<String>,
    /// Display restore statistics.
    #[arg(long = "print-stats")]
    print_stats: bool,
    /// Containers (name or ID).
    containers: Vec<String>,
}

fn own(message: impl Into<String>) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

/// The first flag given that podctl cannot honour.
fn unsupported(flags: &[(&str, bool)]) -> Result {
    match flags.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(own(format!("{flag} is not supported by podctl"))),
        None => Ok(()),
    }
}

pub fn checkpoint(rt: &Runtime, args: CheckpointArgs) -> Result {
    // Podman's checks, in its order.
    let compression = match &args.compress {
        Some(_) if args.export.is_none() => {
            return Err(own("--compress can only be used with --export"));
        }
        Some(name) => name.to_lowercase().parse::<Compression>().map_err(|_| {
            own(format!(
                "selected compression algorithm ({name:?}) not supported. Please select one \
                 from: gzip, none, zstd"
            ))
        })?,
        None => Compression::Zstd,
    };
    if args.export.is_none() && args.ignore_rootfs {
        return Err(own("--ignore-rootfs can only be used with --export"));
    }
    if args.export.is_none() && args.ignore_volumes {
        return Err(own("--ignore-volumes can only be used with --export"));
    }
    if args.with_previous && args.pre_checkpoint {
        return Err(own("--with-previous can not be used with --pre-checkpoint"));
    }
    unsupported(&[
        ("--pre-checkpoint", args.pre_checkpoint),
        ("--with-previous", args.with_previous),
        ("--create-image", args.create_image.is_some()),
    ])?;
    let started = Instant::now();
    let mut selected = Selection {
        names: &args.containers,
        all: args.all,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    if args.all {
        // Podman's --all: the running ones.
        selected.retain(|(_, ctr)| ctr.status().is_ok_and(|s| s == ContainerStatus::Running));
    }
    let mut options = CheckpointOptions::default()
        .keep(args.keep)
        .leave_running(args.leave_running)
        .tcp_established(args.tcp_established)
        .file_locks(args.file_locks)
        .ignore_rootfs(args.ignore_rootfs)
        .ignore_volumes(args.ignore_volumes);
    if let Some(archive) = &args.export {
        options = options.export(archive).compression(compression);
    }
    let by_name = !args.all && !args.latest;
    let mut stats = Vec::new();
    let result = for_each(selected, |name, ctr| {
        let report = ctr.checkpoint(&options).map_err(|e| podman_words(e, ctr))?;
        if args.print_stats {
            stats.push(Entry::new(
                ctr,
                by_name.then_some(name),
                report,
                "checkpointing",
            )?);
        } else {
            println!("{name}");
        }
        Ok(())
    });
    if args.print_stats {
        print_json(&CheckpointStatistics {
            podman_checkpoint_duration: micros(started.elapsed()),
            container_statistics: (!stats.is_empty()).then(|| {
                stats
                    .into_iter()
                    .map(|e| CheckpointEntry {
                        id: e.id,
                        raw_input: e.raw_input,
                        runtime_checkpoint_duration: e.runtime,
                        criu_statistics: e.criu,
                    })
                    .collect()
            }),
        })?;
    }
    result
}

pub fn restore(rt: &Runtime, args: RestoreArgs) -> Result {
    let import = args.import.is_some();
    // Podman's checks, in its order (a checkpoint image is not one of ours).
    if !import && args.import_previous.is_some() {
        return Err(own(
            "--import-previous can only be used with image or --import",
        ));
    }
    if !import && args.ignore_rootfs {
        return Err(own(
            "--ignore-rootfs can only be used with image or --import",
        ));
    }
    if !import && args.ignore_volumes {
        return Err(own(
            "--ignore-volumes can only be used with image or --import",
        ));
    }
    if !import && args.name.is_some() {
        return Err(own("--name can only be used with image or --import"));
    }
    if !import && args.pod.is_some() {
        return Err(own("--pod can only be used with image or --import"));
    }
    if args.name.is_some() && args.tcp_established {
        return Err(own("--tcp-established cannot be used with --name"));
    }
    let given = args.containers.len();
    if import && (args.all || args.latest) {
        return Err(own("cannot use --import with --all or --latest"));
    }
    if import && given > 0 {
        return Err(own("cannot use --import with positional arguments"));
    }
    if (args.all || args.latest) && given > 0 {
        return Err(own(
            "--all or --latest and containers cannot be used together",
        ));
    }
    if given == 0 && !args.all && !args.latest && !import {
        return Err(own("you must provide at least one name or id"));
    }
    unsupported(&[
        ("--import-previous", args.import_previous.is_some()),
        ("--pod", args.pod.is_some()),
        ("--publish", !args.publish.is_empty()),
    ])?;
    let started = Instant::now();
    let mut options = RestoreOptions::default()
        .keep(args.keep)
        .tcp_established(args.tcp_established)
        .file_locks(args.file_locks)
        .ignore_rootfs(args.ignore_rootfs)
        .ignore_volumes(args.ignore_volumes)
        .ignore_static_ip(args.ignore_static_ip)
        .ignore_static_mac(args.ignore_static_mac);
    if let Some(archive) = &args.import {
        if let Some(name) = &args.name {
            options = options.name(name);
        }
        let (ctr, report) = rt.import_checkpoint(archive, &options)?;
        if args.print_stats {
            let entry = Entry::new(&ctr, None, report, "restore")?;
            return print_restore_statistics(started, vec![entry]);
        }
        println!("{}", ctr.id());
        return Ok(());
    }
    let selected = if args.all || args.latest {
        let mut selected = Selection {
            all: args.all,
            latest: args.latest,
            ..Selection::default()
        }
        .resolve(rt)?;
        if args.all {
            // Podman's --all: the exited ones.
            selected.retain(|(_, ctr)| ctr.status().is_ok_and(|s| s == ContainerStatus::Exited));
        }
        selected
    } else {
        // Every name is looked up before any is restored; a name no container has would be a
        // checkpoint image in Podman.
        let mut selected = Vec::new();
        for name in &args.containers {
            match rt.container(name) {
                Ok(ctr) => selected.push((name.clone(), ctr)),
                Err(CoreError::ContainerNotFound(_)) => {
                    return Err(own(format!("no such container or image: {name}")));
                }
                Err(err) => return Err(err.into()),
            }
        }
        selected
    };
    let by_name = !args.all && !args.latest;
    let mut stats = Vec::new();
    let result = for_each(selected, |name, ctr| {
        let report = ctr.restore(&options).map_err(|e| podman_words(e, ctr))?;
        if args.print_stats {
            stats.push(Entry::new(ctr, by_name.then_some(name), report, "restore")?);
        } else {
            println!("{name}");
        }
        Ok(())
    });
    if args.print_stats {
        print_restore_statistics(started, stats)?;
    }
    result
}

/// One container's line of `--print-stats`.
struct Entry {
    id: String,
    raw_input: String,
    runtime: u64,
    criu: CriuStatistics,
}

impl Entry {
    /// The report of `ctr`, named `name` by the user; an error as Podman's when CRIU wrote
    /// no statistics (`what`: `checkpointing` or `restore`).
    fn new(ctr: &Container, name: Option<&str>, report: CriuReport, what: &str) -> Result<Entry> {
        let criu = report.statistics.ok_or_else(|| {
            own(format!(
                "displaying {what} statistics not possible: CRIU wrote no statistics"
            ))
        })?;
        Ok(Entry {
            id: ctr.id().to_string(),
            raw_input: name.unwrap_or_default().to_string(),
            runtime: micros(report.runtime_duration),
            criu,
        })
    }
}

/// Podman's `checkpointStatistics`, its fields in its order.
#[derive(Serialize)]
struct CheckpointStatistics {
    podman_checkpoint_duration: u64,
    container_statistics: Option<Vec<CheckpointEntry>>,
}

/// Podman's `CheckpointReport` as JSON.
#[derive(Serialize)]
struct CheckpointEntry {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "RawInput")]
    raw_input: String,
    runtime_checkpoint_duration: u64,
    criu_statistics: CriuStatistics,
}

/// Podman's `restoreStatistics`.
#[derive(Serialize)]
struct RestoreStatistics {
    podman_restore_duration: u64,
    container_statistics: Option<Vec<RestoreEntry>>,
}

/// Podman's `RestoreReport` as JSON.
#[derive(Serialize)]
struct RestoreEntry {
    #[serde(rename = "Id")]
    id: String,
    #[serde(rename = "RawInput")]
    raw_input: String,
    runtime_restore_duration: u64,
    criu_statistics: CriuStatistics,
}

fn print_restore_statistics(started: Instant, entries: Vec<Entry>) -> Result {
    print_json(&RestoreStatistics {
        podman_restore_duration: micros(started.elapsed()),
        container_statistics: (!entries.is_empty()).then(|| {
            entries
                .into_iter()
                .map(|e| RestoreEntry {
                    id: e.id,
                    raw_input: e.raw_input,
                    runtime_restore_duration: e.runtime,
                    criu_statistics: e.criu,
                })
                .collect()
        }),
    })
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// JSON as Go's `json.MarshalIndent(v, "", "    ")` and `fmt.Println` write it.
fn print_json(value: &impl Serialize) -> Result {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    println!("{}", String::from_utf8(out)?);
    Ok(())
}

/// libpod's words for a refused checkpoint or restore.
fn podman_words(err: CoreError, ctr: &Container) -> Box<dyn std::error::Error> {
    match err {
        CoreError::InvalidState {
            operation: "checkpoint",
            status,
            ..
        } => own(format!(
            "{:?} is not running, cannot checkpoint: container state improper",
            status.as_str()
        )),
        CoreError::InvalidState {
            operation: "restore",
            ..
        } => own(format!(
            "container {} is running or paused, cannot restore: container state improper",
            ctr.id()
        )),
        CoreError::NoCheckpoint { .. } => own(format!(
            "a complete checkpoint for this container cannot be found, cannot restore: stat \
             {}: no such file or directory",
            ctr.checkpoint_path().join("inventory.img").display()
        )),
        CoreError::InvalidOption { reason, .. } => own(reason),
        other => other.into(),
    }
}
