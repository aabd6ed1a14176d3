//! `pod top [-l] NAME [DESCRIPTOR..]`: the processes of the pod's running containers, with
//! psgo's descriptors, in a table as Podman prints it; with `-l` the latest pod's, every
//! argument a descriptor.

use super::{Result, lookup};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct TopArgs {
    /// Act on the latest pod podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The pod (name or ID) unless `-l`, then psgo's descriptors (default: user pid ppid
    /// pcpu etime tty time args).
    args: Vec<String>,
}

pub fn top(rt: &Runtime, args: TopArgs) -> Result {
    let (pod, descriptors) = if args.latest {
        let pod = super::select::latest(rt)?.ok_or_else(|| {
            Exit::new(
                OWN_ERROR,
                "unable to look up requested container: no such pod",
            )
        })?;
        (pod, &args.args[..])
    } else {
        let Some((name, descriptors)) = args.args.split_first() else {
            return Err(Exit::new(
                OWN_ERROR,
                "you must provide the name or id of a running pod",
            )
            .into());
        };
        let pod = lookup(rt, name).map_err(|e| {
            Exit::new(
                OWN_ERROR,
                format!("unable to look up requested container: {e}"),
            )
        })?;
        (pod, descriptors)
    };
    let out = pod.top(descriptors)?;
    let mut text = out.headers.join("\t");
    text.push('\n');
    for row in &out.rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    print!("{}", crate::format::tabulate(&text));
    Ok(())
}
