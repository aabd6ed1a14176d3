//! `network rm [-f] NETWORK...`: prints each removed network as given; exit 1 for a
//! missing network, 2 for one in use (without `-f`), as Podman 4.3's.

use super::{Result, exit_code, message};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct RmArgs {
    /// Remove any containers using the network (and the network).
    #[arg(short, long)]
    force: bool,
    /// Networks (name or ID).
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result<i32> {
    let mut failures = Vec::new();
    let mut code = 0;
    for name in &args.names {
        match rt.remove_network(name, args.force) {
            Ok(_) => println!("{name}"),
            Err(err) => {
                // As Podman's setExitCode: the last missing or in-use error sets the code.
                match exit_code(&err) {
                    OWN_ERROR => {}
                    known => code = known,
                }
                failures.push(message(&err, name));
            }
        }
    }
    let Some(last) = failures.pop() else {
        return Ok(0);
    };
    for failure in failures {
        eprintln!("Error: {failure}");
    }
    Err(Exit::new(if code == 0 { OWN_ERROR } else { code }, last).into())
}
