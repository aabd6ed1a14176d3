//! `pod exists NAME`: exit 0 if it does, 1 if not (no output).

use super::Result;
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct ExistsArgs {
    /// The pod's name or ID.
    name: String,
}

pub fn exists(rt: &Runtime, args: ExistsArgs) -> Result<i32> {
    Ok(if rt.pod_exists(&args.name)? { 0 } else { 1 })
}
