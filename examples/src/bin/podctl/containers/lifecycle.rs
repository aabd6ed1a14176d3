//! The verbs that move containers between states: `init`, `start`, `stop`, `restart`, `kill`,
//! `wait`, `pause`, `unpause`.

use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_spec::parse::parse_signal;

use super::create::attach_output;
use super::{IdsArgs, Result};

pub fn init(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.init()?;
        println!("{name}");
    }
    Ok(())
}

#[derive(Args)]
pub struct StartArgs {
    /// Attach to the output and exit with the container's code.
    #[arg(short, long)]
    attach: bool,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn start(rt: &Runtime, args: StartArgs) -> Result<i32> {
    let mut code = 0;
    for name in &args.containers {
        let ctr = rt.container(name)?;
        ctr.start()?;
        if args.attach {
            code = attach_output(&ctr)?;
        } else {
            println!("{name}");
        }
    }
    Ok(code)
}

#[derive(Args)]
pub struct StopArgs {
    /// Seconds to wait before SIGKILL.
    #[arg(short = 't', long = "time")]
    time: Option<u32>,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn stop(rt: &Runtime, args: StopArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.stop(args.time)?;
        println!("{name}");
    }
    Ok(())
}

pub fn restart(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.restart()?;
        println!("{name}");
    }
    Ok(())
}

#[derive(Args)]
pub struct KillArgs {
    /// The signal.
    #[arg(short, long, default_value = "KILL")]
    signal: String,
    /// Containers.
    #[arg(required = true)]
    containers: Vec<String>,
}

pub fn kill(rt: &Runtime, args: KillArgs) -> Result {
    let signal = parse_signal(&args.signal)?;
    for name in &args.containers {
        rt.container(name)?.kill(signal)?;
        println!("{name}");
    }
    Ok(())
}

pub fn wait(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        println!("{}", rt.container(name)?.wait()?);
    }
    Ok(())
}

pub fn pause(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.pause()?;
        println!("{name}");
    }
    Ok(())
}

pub fn unpause(rt: &Runtime, args: IdsArgs) -> Result {
    for name in &args.containers {
        rt.container(name)?.unpause()?;
        println!("{name}");
    }
    Ok(())
}
