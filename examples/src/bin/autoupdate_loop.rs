//! autoupdate_loop: what a user without systemd timers runs to keep containers up to date.
//! Every `--interval` seconds it opens the runtime, runs one auto-update pass (registry and
//! local policies, rollback on, containers recreated in process unless they run in a systemd
//! unit and `--systemd` is given) and logs each container's outcome.
//!
//! ```text
//! autoupdate_loop --root /var/lib/libpod-rs --runroot /run/libpod-rs --interval 300
//! ```

#![forbid(unsafe_code)]

use clap::Parser;
use libpod_autoupdate::restart::SystemdBus;
use libpod_autoupdate::{Options, auto_update};
use libpod_core::runtime::Runtime;
use std::path::PathBuf;
use std::time::Duration;

/// Runs auto-update passes on an interval.
#[derive(Parser)]
struct Args {
    /// Persistent storage root.
    #[arg(long, default_value = "/var/lib/libpod-rs")]
    root: PathBuf,
    /// Volatile state root.
    #[arg(long, default_value = "/run/libpod-rs")]
    runroot: PathBuf,
    /// Seconds between passes.
    #[arg(long, default_value_t = 300)]
    interval: u64,
    /// Restart containers of systemd units through systemd (else in process too).
    #[arg(long)]
    systemd: bool,
    /// Run one pass and exit.
    #[arg(long)]
    once: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    loop {
        // Opened for each pass: another process may have changed anything meanwhile, and an
        // open finishes what a killed pass left.
        let rt = Runtime::builder()
            .root(&args.root)
            .run_root(&args.runroot)
            .open()?;
        let options = Options {
            systemd: args.systemd.then_some(SystemdBus::System),
            ..Options::new()
        };
        let (reports, errors) = auto_update(&rt, options);
        for report in &reports {
            println!(
                "{} {} {} {}",
                report.container_name, report.image_name, report.policy, report.updated
            );
        }
        for err in &errors {
            eprintln!("auto-update: {err}");
        }
        drop(rt);
        if args.once {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(args.interval));
    }
}
