//! `rename CONTAINER NAME` (also `container rename`), with Podman 4.3's errors.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct RenameArgs {
    /// The container (name or ID).
    container: String,
    /// Its new name.
    name: String,
}

pub fn rename(rt: &Runtime, args: RenameArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    match rt.rename_container(&ctr, &args.name) {
        Ok(_) => Ok(()),
        Err(CoreError::InvalidOption { option: "name", .. })
            if libpod_spec::parse::check_name("name", &args.name).is_err() =>
        {
            Err(Exit::new(
                OWN_ERROR,
                "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
            )
            .into())
        }
        Err(CoreError::NameInUse(name)) => {
            let id = ctr.id();
            Err(Exit::new(
                OWN_ERROR,
                format!(
                    "renaming container {id}: name {name} already in use, cannot rename container {id}: container already exists"
                ),
            )
            .into())
        }
        Err(e) => Err(e.into()),
    }
}
