//! `network exists NAME`: exit 0 if it does, 1 if not (no output).

use super::Result;
use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;
use libpod_net::NetError;

#[derive(Args)]
pub struct ExistsArgs {
    /// The network's name or ID.
    name: String,
}

pub fn exists(rt: &Runtime, args: ExistsArgs) -> Result<i32> {
    match rt.networks()?.inspect(&args.name) {
        Ok(_) => Ok(0),
        Err(NetError::NoSuchNetwork { .. }) => Ok(1),
        Err(err) => Err(CoreError::from(err).into()),
    }
}
