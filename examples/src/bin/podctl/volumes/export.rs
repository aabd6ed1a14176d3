//! `volume export [--output FILE] NAME` and `volume import NAME FILE|-`.

use super::{Result, volume_error};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
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

pub fn export(rt: &Runtime, args: ExportArgs) -> Result {
    let volume = rt.volume(&args.name).map_err(|e| volume_error(e, 125))?;
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)?;
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
    let volume = rt.volume(&args.name).map_err(|e| volume_error(e, 125))?;
    if args.source == "-" {
        volume.import(std::io::stdin().lock())?;
    } else {
        volume.import(std::fs::File::open(&args.source)?)?;
    }
    Ok(())
}
