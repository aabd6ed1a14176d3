//! `inspect [--type container|image|all] [--format FMT] [--size] NAME...`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;

use super::Result;
use crate::errors::{Exit, OWN_ERROR};

#[derive(Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// Display total file size (not supported yet).
    #[arg(short, long)]
    size: bool,
    /// Specify inspect-object type: container, image or all.
    #[arg(short, long = "type", default_value = "all")]
    kind: String,
    /// Containers or images (name or ID).
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn inspect(rt: &Runtime, args: InspectArgs) -> Result {
    if args.size {
        return Err(Exit::new(OWN_ERROR, "--size is not supported by podctl yet: the library does not measure a container's root filesystem").into());
    }
    let mut out = Vec::new();
    for name in &args.names {
        let value = match args.kind.as_str() {
            "container" => rt.container(name)?.inspect()?,
            "image" => crate::images::inspect_value(rt.storage(), name)?,
            "all" => match rt.container(name) {
                Ok(ctr) => ctr.inspect()?,
                Err(CoreError::ContainerNotFound(_)) => {
                    crate::images::inspect_value(rt.storage(), name).map_err(|_| {
                        Exit::new(
                            OWN_ERROR,
                            format!("inspecting object: no such object: {name:?}"),
                        )
                    })?
                }
                Err(err) => return Err(err.into()),
            },
            other => {
                return Err(Exit::new(OWN_ERROR, format!("invalid type {other:?}: must be one of container, image, volume, network, pod, or all")).into());
            }
        };
        out.push(value);
    }
    print!(
        "{}",
        crate::format::render(&args.format, &out).map_err(|e| Exit::new(OWN_ERROR, e))?
    );
    if args.format == "json" {
        println!();
    }
    Ok(())
}
