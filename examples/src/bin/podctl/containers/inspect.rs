//! `inspect [--type container|image|all] [--format FMT] [--size] NAME...`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, RootfsSource};
use libpod_core::runtime::Runtime;
use serde_json::Value;

use super::Result;
use crate::errors::{Exit, OWN_ERROR};

#[derive(Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// Display total file size (containers: SizeRootFs and SizeRw).
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
    let mut out = Vec::new();
    for name in &args.names {
        let value = match args.kind.as_str() {
            "container" => container_value(&rt.container(name)?, args.size)?,
            "image" => crate::images::inspect_value(rt.storage(), name)?,
            "all" => match rt.container(name) {
                Ok(ctr) => container_value(&ctr, args.size)?,
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

/// A container's inspect data; with `--size`, Podman's `SizeRw` (its own changes) and
/// `SizeRootFs` (its image's layers and its changes). A `--rootfs` container's directory is the
/// user's and is not measured: both are 0 (Podman reports the directory's size as `SizeRw`).
fn container_value(ctr: &Container, size: bool) -> Result<Value> {
    let mut value = ctr.inspect()?;
    if size {
        let (root_fs, rw) = match &ctr.config().rootfs {
            Some(RootfsSource::Image { .. }) => {
                let rw = ctr.rw_size()?;
                (ctr.rootfs_size()? + rw, rw)
            }
            _ => (0, 0),
        };
        value["SizeRootFs"] = root_fs.into();
        value["SizeRw"] = rw.into();
    }
    Ok(value)
}
