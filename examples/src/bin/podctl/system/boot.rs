//! `system boot`: after a reboot, start the containers whose restart policy says they run
//! (`always`, and `unless-stopped` ones the user did not stop), once per boot: what Podman's
//! `podman-restart.service` does with `podman start --all --filter restart-policy=always`,
//! for an init script or unit to run at boot. Prints the IDs it started.

use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct BootArgs {}

pub fn boot(rt: &Runtime, _args: BootArgs) -> Result<(), Box<dyn std::error::Error>> {
    // Done already this boot: nothing started, nothing printed.
    let report = rt.boot()?;
    for id in &report.started {
        println!("{id}");
    }
    let Some(((last_id, last), earlier)) = report.failed.split_last() else {
        return Ok(());
    };
    for (id, err) in earlier {
        eprintln!("Error: starting {id}: {}", crate::errors::report(err).0);
    }
    Err(Exit::new(
        OWN_ERROR,
        format!("starting {last_id}: {}", crate::errors::report(last).0),
    )
    .into())
}
