//! `healthcheck run CTR` (Podman's: nothing printed and 0 when healthy; the status printed
//! and 1 when the check failed (`unhealthy`) or the startup check did (`starting`); 125 for
//! an error: no such container, not running, no healthcheck) and `healthcheck timer CTR`,
//! the timer mode that a container's start spawns (see `libpod_core::health`): it runs the
//! checks every interval until the container stops, with no podctl and no systemd around.

use clap::{Args, Subcommand};
use libpod_core::CoreError;
use libpod_core::container::HealthCheckOutcome;
use libpod_core::runtime::Runtime;

use crate::errors::{Exit, OWN_ERROR};

/// `podctl healthcheck VERB`.
#[derive(Subcommand)]
#[command(defer = true)]
pub enum HealthcheckCommand {
    /// Run the health check of a container.
    Run(HealthcheckArgs),
    /// Run a container's health checks every interval until it stops (started with the
    /// container; not for interactive use).
    #[command(hide = true)]
    Timer(HealthcheckArgs),
}

// The container.
#[derive(Args)]
pub struct HealthcheckArgs {
    /// The container's name or ID.
    container: String,
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn healthcheck(rt: &Runtime, command: HealthcheckCommand) -> Result<i32> {
    match command {
        HealthcheckCommand::Run(args) => run(rt, &args.container),
        HealthcheckCommand::Timer(args) => {
            libpod_core::health::run_timer(rt, &args.container)?;
            Ok(0)
        }
    }
}

fn run(rt: &Runtime, name: &str) -> Result<i32> {
    let ctr = rt.container(name).map_err(|e| match e {
        CoreError::ContainerNotFound(_) => Box::new(Exit::new(
            OWN_ERROR,
            format!(
                "unable to look up {name} to perform a health check: no container with name or ID \"{name}\" found: no such container"
            ),
        )) as Box<dyn std::error::Error>,
        other => other.into(),
    })?;
    let outcome = ctr.healthcheck_run().map_err(|e| match e {
        CoreError::InvalidState { .. } => Box::new(Exit::new(
            OWN_ERROR,
            format!("container {} is not running", ctr.id()),
        )) as Box<dyn std::error::Error>,
        other => other.into(),
    })?;
    Ok(match outcome {
        HealthCheckOutcome::Healthy => 0,
        other => {
            println!("{}", other.as_str());
            1
        }
    })
}
