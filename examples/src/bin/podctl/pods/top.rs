//! `pod top NAME [DESCRIPTOR..]`: the processes of the pod's running containers, with psgo's
//! descriptors, in a table as Podman prints it.

use super::{Result, lookup};
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct TopArgs {
    /// The pod (name or ID).
    pod: String,
    /// psgo's descriptors (default: user pid ppid pcpu etime tty time args).
    descriptors: Vec<String>,
}

pub fn top(rt: &Runtime, args: TopArgs) -> Result {
    let pod = lookup(rt, &args.pod)?;
    let out = pod.top(&args.descriptors)?;
    let mut text = out.headers.join("\t");
    text.push('\n');
    for row in &out.rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    print!("{}", crate::format::tabulate(&text));
    Ok(())
}
