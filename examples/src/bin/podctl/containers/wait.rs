//! `wait [--condition STATE]... [-i INTERVAL] [-l] CONTAINER...`.

use clap::Args;
use libpod_core::container::ContainerStatus;
use libpod_core::runtime::Runtime;
use std::time::Duration;

use super::{Result, Selection};
use crate::errors::{Exit, OWN_ERROR};

#[derive(Args)]
pub struct WaitArgs {
    /// Condition to wait on (a state: configured, created, running, stopped, paused, exited,
    /// removing, stopping); the default waits for the container to exit.
    #[arg(long, value_delimiter = ',')]
    condition: Vec<String>,
    /// Time interval to wait before polling for completion.
    #[arg(short, long, default_value = "250ms")]
    interval: String,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Containers.
    containers: Vec<String>,
}

pub fn wait(rt: &Runtime, args: WaitArgs) -> Result {
    let mut conditions = Vec::new();
    for c in &args.condition {
        conditions.push(parse_state(c).ok_or_else(|| {
            Exit::new(
                OWN_ERROR,
                format!("unknown container state: {c}: invalid argument"),
            )
        })?);
    }
    let interval = parse_interval(&args.interval)?;
    let selected = Selection {
        names: &args.containers,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    for (_, ctr) in selected {
        let exits = conditions.is_empty()
            || conditions
                .iter()
                .any(|c| matches!(c, ContainerStatus::Exited | ContainerStatus::Stopped));
        if exits && conditions.len() <= 1 {
            println!("{}", ctr.wait()?);
            continue;
        }
        // Podman polls the state for the other conditions and prints -1.
        loop {
            let status = ctr.status()?;
            if conditions.contains(&status) {
                break;
            }
            std::thread::sleep(interval);
        }
        println!("-1");
    }
    Ok(())
}

/// A state's name as Podman's `--condition` takes it.
fn parse_state(name: &str) -> Option<ContainerStatus> {
    Some(match name {
        "configured" => ContainerStatus::Configured,
        "created" => ContainerStatus::Created,
        "running" => ContainerStatus::Running,
        "stopped" => ContainerStatus::Stopped,
        "paused" => ContainerStatus::Paused,
        "exited" => ContainerStatus::Exited,
        "removing" => ContainerStatus::Removing,
        "stopping" => ContainerStatus::Stopping,
        _ => return None,
    })
}

/// A Go duration (`250ms`, `1s`) or plain milliseconds, as Podman's `--interval` takes it.
fn parse_interval(text: &str) -> Result<Duration> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((text, "ms"), |i| text.split_at(i));
    let value: f64 = number
        .parse()
        .map_err(|_| Exit::new(OWN_ERROR, format!("time: invalid duration {text:?}")))?;
    let seconds = match unit {
        "ns" => value / 1e9,
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(Exit::new(OWN_ERROR, format!("time: invalid duration {text:?}")).into()),
    };
    Ok(Duration::from_secs_f64(seconds))
}
