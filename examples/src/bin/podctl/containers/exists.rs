//! `container exists NAME`: exit 0 if it does, 1 if not (no output), as Podman's.

use super::Result;
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct ExistsArgs {
    /// Also look at storage containers no container record owns (by ID).
    #[arg(long)]
    external: bool,
    /// The container's name or ID.
    name: String,
}

pub fn exists(rt: &Runtime, args: ExistsArgs) -> Result<i32> {
    if rt.container_exists(&args.name)? {
        return Ok(0);
    }
    let external = args.external
        && rt
            .storage()
            .containers()?
            .iter()
            .any(|c| c.id.starts_with(&args.name) && !args.name.is_empty());
    Ok(if external { 0 } else { 1 })
}
