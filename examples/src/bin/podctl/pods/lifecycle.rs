//! `pod start|stop|kill|restart|pause|unpause [-a|-l] NAME..` (`start` and `stop` with
//! `--pod-id-file`, `stop` with `-i` and `-t N`, `kill` with `-s SIG`): each pod in turn, its
//! ID printed when done; a failure is reported after the others were tried (Podman's exit
//! code 125).

use super::select::{IdFiles, Selection};
use super::{Result, pod_error};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::pod::Pod;
use libpod_core::runtime::Runtime;
use libpod_spec::parse::parse_signal;

#[derive(Args)]
pub struct PodsArgs {
    #[command(flatten)]
    pub select: Selection,
}

#[derive(Args)]
pub struct StartArgs {
    #[command(flatten)]
    select: Selection,
    #[command(flatten)]
    ids: IdFiles,
}

#[derive(Args)]
pub struct StopArgs {
    /// Ignore errors when a specified pod is missing.
    #[arg(short, long)]
    ignore: bool,
    /// Seconds to wait for pod stop before killing the container.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    #[command(flatten)]
    select: Selection,
    #[command(flatten)]
    ids: IdFiles,
}

#[derive(Args)]
pub struct KillArgs {
    /// Signal to send to the containers in the pod.
    #[arg(short, long, default_value = "KILL")]
    signal: String,
    #[command(flatten)]
    select: Selection,
}

/// How [`each`] treats a name that matches no pod.
#[derive(Clone, Copy)]
pub struct Missing {
    /// Skip it and act on the others (`--ignore`).
    pub ignore: bool,
    /// The exit code it gives (Podman: 1 for `pod rm`, else 125).
    pub code: u8,
    /// Act on none and succeed silently (Podman 4.3's `pod rm -f`).
    pub quiet: bool,
}

impl Default for Missing {
    fn default() -> Missing {
        Missing {
            ignore: false,
            code: OWN_ERROR,
            quiet: false,
        }
    }
}

/// Looks every pod named up, then runs `act` on each, printing each one's ID; the first
/// failure is returned once all were tried, the others printed. As Podman 4.3: a name that
/// matches no pod fails the command before any pod is acted on, unless `missing` says
/// otherwise.
pub fn each(
    rt: &Runtime,
    names: &[String],
    missing: Missing,
    act: impl Fn(&Pod) -> libpod_core::Result<()>,
) -> Result {
    let mut pods = Vec::new();
    for name in names {
        match rt.pod(name) {
            Ok(pod) => pods.push(pod),
            Err(CoreError::PodNotFound(_)) if missing.ignore => {}
            Err(CoreError::PodNotFound(_)) if missing.quiet => return Ok(()),
            Err(CoreError::PodNotFound(name)) => {
                return Err(Exit::new(
                    missing.code,
                    format!("no pod with name or ID {name} found: no such pod"),
                )
                .into());
            }
            Err(err) => return Err(pod_error(err)),
        }
    }
    let mut first_error = None;
    for pod in pods {
        match act(&pod) {
            Ok(()) => println!("{}", pod.id()),
            Err(e) if first_error.is_some() => eprintln!("Error: {e}"),
            Err(e) => first_error = Some(e),
        }
    }
    first_error.map_or(Ok(()), |e| Err(e.into()))
}

/// `start`, `restart`, `pause`, `unpause`: `act` on the pods selected.
pub fn simple(
    rt: &Runtime,
    args: &PodsArgs,
    act: impl Fn(&Pod) -> libpod_core::Result<()>,
) -> Result {
    let names = args.select.names(rt, &IdFiles::default(), OWN_ERROR)?;
    each(rt, &names, Missing::default(), act)
}

pub fn start(rt: &Runtime, args: StartArgs) -> Result {
    let names = args.select.names(rt, &args.ids, OWN_ERROR)?;
    each(rt, &names, Missing::default(), Pod::start)
}

pub fn stop(rt: &Runtime, args: StopArgs) -> Result {
    let names = args.select.names(rt, &args.ids, OWN_ERROR)?;
    let missing = Missing {
        ignore: args.ignore,
        ..Missing::default()
    };
    each(rt, &names, missing, |pod| pod.stop(args.time))
}

pub fn kill(rt: &Runtime, args: KillArgs) -> Result {
    let signal = parse_signal(&args.signal)?;
    let names = args.select.names(rt, &IdFiles::default(), OWN_ERROR)?;
    each(rt, &names, Missing::default(), |pod| pod.kill(signal))
}
