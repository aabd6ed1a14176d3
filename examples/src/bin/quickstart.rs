//! Quickstart: generate a container's OCI spec as Podman would, and run it with runc.
//!
//! Run it as root with `cargo xtask demo`, which first installs what it needs (runc and
//! busybox-static on Debian 12). It prints the generated `config.json`, then the
//! container's output, and exits with the container's exit code.

use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
use libpod_testutil::{TempRoot, busybox_rootfs, runc_run};
use std::error::Error;
use std::hash::{BuildHasher, RandomState};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() -> Result<ExitCode, Box<dyn Error>> {
    // A scratch directory, unmounted and removed when main returns.
    let tmp = TempRoot::new()?;
    let bundle = tmp.path().join("bundle");
    let rootfs = bundle.join("rootfs");
    busybox_rootfs(&rootfs)?;

    // Podman's defaults, plus what the user asked for: here, only the command.
    let generator = SpecGenerator::new(SpecDefaults::default())?;
    let mut config = CreateConfig::default();
    config.command = Some(vec![
        "/bin/sh".into(),
        "-c".into(),
        "echo hello from libpod-rs; id".into(),
    ]);
    let id = container_id();
    let ctx = SpecContext::new(&id, &rootfs);
    let spec = generator.generate(&config, None, &ctx)?;

    // An OCI bundle is a directory holding config.json (and here, the rootfs).
    let json = serde_json::to_string_pretty(&spec)?;
    std::fs::write(bundle.join("config.json"), &json)?;
    println!("{json}");

    let output = runc_run(&bundle, &id);
    print!("{}", output.stdout);
    eprint!("{}", output.stderr);
    println!("container {} exited with code {}", &id[..12], output.code());
    Ok(ExitCode::from(u8::try_from(output.code()).unwrap_or(1)))
}

/// A new container ID in Podman's form, 64 hex digits (here hashed from the time and PID).
fn container_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let hasher = RandomState::new();
    (0..4u8)
        .map(|part| {
            format!(
                "{:016x}",
                hasher.hash_one((nanos, std::process::id(), part))
            )
        })
        .collect()
}
