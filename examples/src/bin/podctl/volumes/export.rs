//! `volume export [--output FILE] NAME` and `volume import NAME FILE|-`.

use super::{Result, volume_error};
use crate::containers::io_reason;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;
use std::io::IsTerminal;

#[derive(Args)]
pub struct ExportArgs {
    /// Write to a specified file (default: stdout, which must be redirected).
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
    /// The volume.
    name: String,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The volume.
    name: String,
    /// The tarball (`-` for stdin).
    source: String,
}

/// The volume named, in the words of Podman 4.3's export and import when there is none.
fn lookup(rt: &Runtime, name: &str) -> Result<libpod_core::volume::Volume> {
    rt.volume(name).map_err(|e| match e {
        CoreError::VolumeNotFound(name) => {
            Exit::new(OWN_ERROR, format!("no such volume {name}")).into()
        }
        other => volume_error(other, OWN_ERROR),
    })
}

pub fn export(rt: &Runtime, args: ExportArgs) -> Result {
    let volume = lookup(rt, &args.name)?;
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                Exit::new(
                    OWN_ERROR,
                    format!(
                        "could not create tarball file '{}': open {}: {}",
                        path.display(),
                        path.display(),
                        io_reason(&e)
                    ),
                )
            })?;
            volume.export(std::io::BufWriter::new(file))?;
        }
        None => {
            if std::io::stdout().is_terminal() {
                return Err(Exit::new(
                    OWN_ERROR,
                    "cannot write to terminal, use command-line redirection or the --output flag",
                )
                .into());
            }
            volume.export(std::io::BufWriter::new(std::io::stdout().lock()))?;
        }
    }
    Ok(())
}

pub fn import(rt: &Runtime, args: ImportArgs) -> Result {
    let volume = lookup(rt, &args.name)?;
    if args.source == "-" {
        volume.import(std::io::stdin().lock())?;
    } else {
        let file = std::fs::File::open(&args.source).map_err(|e| {
            Exit::new(
                OWN_ERROR,
                format!("open {}: {}", args.source, io_reason(&e)),
            )
        })?;
        volume.import(file)?;
    }
    Ok(())
}
