//! `pod start|restart|pause|unpause NAME..`, `pod stop [-t N] NAME..`, `pod kill [-s SIG]
//! NAME..`: each pod in turn, its ID printed when done; a failure is reported after the
//! others were tried (Podman's exit code 125).

use super::{Result, lookup};
use clap::Args;
use libpod_core::pod::Pod;
use libpod_core::runtime::Runtime;
use libpod_spec::parse::parse_signal;

#[derive(Args)]
pub struct PodsArgs {
    /// The pods (name or ID).
    #[arg(required = true)]
    pub pods: Vec<String>,
}

#[derive(Args)]
pub struct StopArgs {
    /// Seconds to wait for pod stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// The pods (name or ID).
    #[arg(required = true)]
    pods: Vec<String>,
}

#[derive(Args)]
pub struct KillArgs {
    /// Signal to send to the containers in the pod.
    #[arg(short, long, default_value = "KILL")]
    signal: String,
    /// The pods (name or ID).
    #[arg(required = true)]
    pods: Vec<String>,
}

/// Runs `verb` on each pod named, printing each one's ID; the first failure is returned
/// once all were tried, the others printed.
pub fn each(
    rt: &Runtime,
    names: &[String],
    act: impl Fn(&Pod) -> libpod_core::Result<()>,
) -> Result {
    let mut first_error = None;
    for name in names {
        let outcome = lookup(rt, name).and_then(|pod| {
            act(&pod).map_err(|e| -> Box<dyn std::error::Error> { e.into() })?;
            println!("{}", pod.id());
            Ok(())
        });
        if let Err(e) = outcome {
            if first_error.is_some() {
                eprintln!("Error: {e}");
            } else {
                first_error = Some(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

pub fn stop(rt: &Runtime, args: StopArgs) -> Result {
    each(rt, &args.pods, |pod| pod.stop(args.time))
}

pub fn kill(rt: &Runtime, args: KillArgs) -> Result {
    let signal = parse_signal(&args.signal)?;
    each(rt, &args.pods, |pod| pod.kill(signal))
}
