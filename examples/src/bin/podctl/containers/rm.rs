//! `rm`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::RemoveOptions;
use libpod_core::runtime::Runtime;

use super::Result;

#[derive(Args)]
pub struct RmArgs {
    /// Stop running containers first.
    #[arg(short, long)]
    force: bool,
    /// Seconds to wait before SIGKILL.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn rm(rt: &Runtime, args: RmArgs) -> Result {
    for name in &args.containers {
        let ctr = match rt.container(name) {
            Ok(ctr) => ctr,
            // Its config does not decode: only force removes it.
            Err(CoreError::Corrupt { id, .. }) if args.force => {
                rt.remove_broken_container(&id)?;
                println!("{id}");
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        let mut options = RemoveOptions::default().force(args.force);
        if let Some(t) = args.time {
            options = options.timeout(t);
        }
        rt.remove_container(&ctr, options)?;
        println!("{}", ctr.id());
    }
    Ok(())
}
