//! `inspect` of containers.

use libpod_core::runtime::Runtime;

use super::{IdsArgs, Result};

pub fn inspect(rt: &Runtime, args: IdsArgs) -> Result {
    let mut out = Vec::new();
    for name in &args.containers {
        out.push(rt.container(name)?.inspect()?);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
