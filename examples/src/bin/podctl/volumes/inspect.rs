//! `volume inspect [--all] [--format FMT] NAME...`: Podman's `InspectVolumeData`.

use super::{Result, inspect_value};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct InspectArgs {
    /// Inspect all volumes.
    #[arg(short, long)]
    all: bool,
    /// Format volume output using Go template.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// Volumes (name or unique name prefix).
    names: Vec<String>,
}

pub fn inspect(rt: &Runtime, args: InspectArgs) -> Result {
    if args.all != args.names.is_empty() {
        return Err(Exit::new(OWN_ERROR, "provide one or more volume names or use --all").into());
    }
    let volumes = if args.all {
        rt.volumes()?
    } else {
        let mut found = Vec::new();
        let mut missing = None;
        for name in &args.names {
            match rt.volume(name) {
                Ok(volume) => found.push(volume),
                // Podman prints the ones it found, then fails naming the first it did not.
                Err(CoreError::VolumeNotFound(_)) => {
                    missing.get_or_insert_with(|| name.clone());
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Some(name) = missing {
            print_all(&args.format, &found)?;
            return Err(Exit::new(
                OWN_ERROR,
                format!("inspecting object: no such volume {name}"),
            )
            .into());
        }
        found
    };
    print_all(&args.format, &volumes)
}

fn print_all(format: &str, volumes: &[libpod_core::volume::Volume]) -> Result {
    if volumes.is_empty() && format == "json" {
        println!("[]");
        return Ok(());
    }
    let rows = volumes
        .iter()
        .map(|v| inspect_value(v, format != "json"))
        .collect::<Result<Vec<_>>>()?;
    let text = crate::format::render(format, &rows).map_err(|e| Exit::new(OWN_ERROR, e))?;
    print!("{text}");
    if format == "json" {
        println!();
    }
    Ok(())
}
