//! `top CONTAINER [DESCRIPTORS...]`: the container's processes with psgo's descriptors
//! (default `user pid ppid pcpu etime tty time args`), set as Podman's tabwriter sets them.
//! `-l/--latest` takes the container created last.

use super::{Result, Selection};
use clap::Args;
use libpod_core::runtime::Runtime;

#[derive(Args)]
pub struct TopArgs {
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The container, then the descriptors.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn top(rt: &Runtime, args: TopArgs) -> Result {
    let (names, descriptors) = if args.latest {
        (&[][..], &args.args[..])
    } else if args.args.is_empty() {
        return Err(crate::errors::Exit::new(
            crate::errors::OWN_ERROR,
            "you must provide the name or id of a running container",
        )
        .into());
    } else {
        args.args.split_at(1)
    };
    let selected = Selection {
        names,
        latest: args.latest,
        ..Selection::default()
    }
    .resolve(rt)?;
    let Some((_, ctr)) = selected.first() else {
        return Ok(());
    };
    let output = ctr.top(descriptors)?;
    let mut text = output.headers.join("\t");
    for row in &output.rows {
        text.push('\n');
        text.push_str(&row.join("\t"));
    }
    print!("{}", crate::format::tabulate(&text));
    Ok(())
}
