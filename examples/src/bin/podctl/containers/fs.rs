//! A container's root filesystem: `mount` and `export`.

use clap::Args;
use libpod_core::runtime::Runtime;

use super::{IdsArgs, Result};

pub fn mount(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        println!("{}", rt.container(name)?.mount()?.display());
    }
    Ok(())
}

#[derive(Args)]
pub struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
    /// The container.
    container: String,
}

pub fn export(rt: &Runtime, args: ExportArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    match &args.output {
        Some(path) => ctr.export(std::io::BufWriter::new(std::fs::File::create(path)?))?,
        None => ctr.export(std::io::BufWriter::new(std::io::stdout().lock()))?,
    }
    Ok(())
}
