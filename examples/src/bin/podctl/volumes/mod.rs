//! `volume create|ls|inspect|rm|prune|exists|export|import`, as Podman 4.3's: one file per
//! verb; the words and exit codes of its volume errors here.

mod create;
mod exists;
mod export;
mod inspect;
mod ls;
mod prune;
mod rm;

use crate::errors::{Exit, OWN_ERROR};
use clap::Subcommand;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// `podctl volume VERB`.
#[derive(Subcommand)]
#[command(defer = true)]
pub enum VolumeCommand {
    /// Create a new volume.
    Create(create::CreateArgs),
    /// List volumes.
    #[command(visible_aliases = ["list"])]
    Ls(ls::LsArgs),
    /// Display detailed information on one or more volumes.
    Inspect(inspect::InspectArgs),
    /// Remove one or more volumes.
    #[command(visible_aliases = ["remove"])]
    Rm(rm::RmArgs),
    /// Remove all unused volumes.
    Prune(prune::PruneArgs),
    /// Check if the given volume exists (exit 0 if it does, 1 if not).
    Exists(exists::ExistsArgs),
    /// Export a volume's contents as a tar stream.
    Export(export::ExportArgs),
    /// Import a tarball's contents into a volume.
    Import(export::ImportArgs),
}

/// Runs a volume verb; returns the exit code.
pub fn run(rt: &Runtime, command: VolumeCommand) -> Result<i32> {
    match command {
        VolumeCommand::Create(args) => create::create(rt, args)?,
        VolumeCommand::Ls(args) => ls::ls(rt, args)?,
        VolumeCommand::Inspect(args) => inspect::inspect(rt, args)?,
        VolumeCommand::Rm(args) => rm::rm(rt, args)?,
        VolumeCommand::Prune(args) => prune::prune(rt, args)?,
        VolumeCommand::Exists(args) => return exists::exists(rt, args),
        VolumeCommand::Export(args) => export::export(rt, args)?,
        VolumeCommand::Import(args) => export::import(rt, args)?,
    }
    Ok(0)
}

/// Podman's words and exit code (`code` for a missing volume) for a volume error.
fn volume_error(err: CoreError, missing_code: u8) -> Box<dyn std::error::Error> {
    match &err {
        CoreError::VolumeNotFound(name) => Exit::new(
            missing_code,
            format!("no volume with name {name:?} found: no such volume"),
        )
        .into(),
        CoreError::VolumeExists(name) => Exit::new(
            OWN_ERROR,
            format!("volume with name {name} already exists: volume already exists"),
        )
        .into(),
        CoreError::VolumeInUse { name, containers } => Exit::new(
            2,
            format!(
                "volume {name} is being used by the following container(s): {}: volume is being used",
                containers.join(", ")
            ),
        )
        .into(),
        _ => err.into(),
    }
}

/// The volume filters given (`--filter KEY=VALUE`); a bad one in Podman's words (the reason
/// alone: `"colour" is an invalid volume filter`).
fn filters(given: &[String]) -> Result<Vec<libpod_core::volume::VolumeFilter>> {
    given
        .iter()
        .map(|f| {
            libpod_core::volume::VolumeFilter::parse(f).map_err(|e| match e {
                CoreError::InvalidOption {
                    option: "filter",
                    reason,
                } => Exit::new(OWN_ERROR, reason).into(),
                other => other.into(),
            })
        })
        .collect()
}

/// A volume's inspect data as JSON: as `json` prints it (Podman's omitted empty fields
/// left out), or, for a template (`for_template`), with every field of Podman's struct, as
/// Go's templates see them.
fn inspect_value(
    volume: &libpod_core::volume::Volume,
    for_template: bool,
) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(volume.inspect()?)?;
    if for_template && let Some(map) = value.as_object_mut() {
        for (key, zero) in [
            ("UID", serde_json::json!(0)),
            ("GID", serde_json::json!(0)),
            ("Anonymous", serde_json::json!(false)),
            ("NeedsCopyUp", serde_json::json!(false)),
            ("NeedsChown", serde_json::json!(false)),
            ("Status", serde_json::json!({})),
        ] {
            map.entry(key).or_insert(zero);
        }
    }
    Ok(value)
}
