//! `create` and `run`.

use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, RemoveOptions, options_from_create_config};
use libpod_core::logs::{LogOptions, Stream};
use libpod_core::runtime::Runtime;
use std::io::Write;

use super::Result;
use super::create_flags::CreateFlags;

pub(super) fn create_container(rt: &Runtime, flags: &CreateFlags, rm: bool) -> Result<Container> {
    let config = flags.to_create_config(rm)?;
    Ok(rt.new_container(options_from_create_config(&config)?)?)
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    flags: CreateFlags,
}

pub fn create(rt: &Runtime, args: CreateArgs) -> Result {
    println!("{}", create_container(rt, &args.flags, false)?.id());
    Ok(())
}

#[derive(Args)]
pub struct RunArgs {
    /// Remove the container when it exits.
    #[arg(long)]
    rm: bool,
    /// Run in the background and print the container's ID.
    #[arg(short, long)]
    detach: bool,
    #[command(flatten)]
    flags: CreateFlags,
}

/// `run`: create, start, and (unless detached) print the output and exit with the container's
/// exit code.
pub fn run(rt: &Runtime, args: RunArgs) -> Result<i32> {
    let ctr = create_container(rt, &args.flags, args.rm)?;
    ctr.start()?;
    if args.detach {
        println!("{}", ctr.id());
        return Ok(0);
    }
    let code = attach_output(&ctr)?;
    if args.rm {
        // An auto-remove container is removed as its exit is handled; this is for one that
        // outlived it (a dependent appeared, the exit was handled elsewhere and failed).
        match rt.remove_container(&ctr, RemoveOptions::default().force(true)) {
            Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(code)
}

/// Follows the container's log to our stdout/stderr until it exits; returns its exit code.
pub(super) fn attach_output(ctr: &Container) -> Result<i32> {
    let mut options = LogOptions::default();
    options.follow = true;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ctr.logs(&options, &mut |line| {
        let _ = match line.stream {
            Stream::Stdout => writeln!(stdout.lock(), "{}", line.message),
            Stream::Stderr => writeln!(stderr.lock(), "{}", line.message),
        };
        true
    })?;
    Ok(ctr.wait()?)
}
