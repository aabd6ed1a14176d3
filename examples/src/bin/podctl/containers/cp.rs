//! `cp [-a=false] SRC DEST` (also `container cp`): files and directories between a container
//! and the host, one side `CONTAINER:PATH`, parsed as Podman 4.3 parses them.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, CopyOptions};
use libpod_core::runtime::Runtime;
use std::path::Path;

#[derive(Args)]
pub struct CpArgs {
    /// Chown copied files to the primary uid/gid of the destination container.
    #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    archive: bool,
    /// Allow to overwrite directories with non-directories and vice versa (not supported
    /// by podctl yet: an error naming it).
    #[arg(long)]
    overwrite: bool,
    /// SRC_PATH, or CONTAINER:SRC_PATH.
    source: String,
    /// DEST_PATH, or CONTAINER:DEST_PATH.
    destination: String,
}

/// Podman's `parseUserInput`: `NAME:PATH` unless it starts with `.` or `/`.
fn split(input: &str) -> (Option<&str>, &str) {
    if input.starts_with(['.', '/']) {
        return (None, input);
    }
    match input.split_once(':') {
        Some((container, path)) => (Some(container), path),
        None => (None, input),
    }
}

pub fn cp(rt: &Runtime, args: CpArgs) -> Result {
    if args.overwrite {
        return Err(Exit::new(OWN_ERROR, "--overwrite is not supported by podctl cp yet").into());
    }
    let (from, source) = split(&args.source);
    let (to, dest) = split(&args.destination);
    if source.is_empty() || dest.is_empty() {
        return Err(Exit::new(
            OWN_ERROR,
            format!(
                "invalid arguments {:?}, {:?}: you must specify paths",
                args.source, args.destination
            ),
        )
        .into());
    }
    if source == "-" || dest == "-" {
        return Err(Exit::new(
            OWN_ERROR,
            "copying a tar stream from stdin or to stdout (-) is not supported by podctl cp yet",
        )
        .into());
    }
    match (from, to) {
        (Some(_), Some(_)) => Err(Exit::new(
            OWN_ERROR,
            "copying between containers is not supported by podctl cp yet",
        )
        .into()),
        (Some(name), None) => Ok(must_exist(rt, name)?.copy_out(source, Path::new(dest))?),
        (None, Some(name)) => Ok(must_exist(rt, name)?.copy_in(
            Path::new(source),
            dest,
            CopyOptions::default().chown(args.archive),
        )?),
        // As Podman, which takes the destination for a container with an empty name.
        (None, None) => Err(Exit::new(OWN_ERROR, "name or ID cannot be empty").into()),
    }
}

/// The container, or Podman's `containerMustExist` error.
fn must_exist(rt: &Runtime, name: &str) -> Result<Container> {
    match rt.container(name) {
        Err(CoreError::ContainerNotFound(_)) => {
            Err(Exit::new(OWN_ERROR, format!("container {name:?} does not exist")).into())
        }
        found => Ok(found?),
    }
}
