//! Quickstart: open a runtime, import a busybox image made from the host's busybox-static,
//! run a container under conmon + runc, print its output and exit code.
//!
//! Run it as root with `cargo xtask demo`, which first installs what it needs on Debian 12
//! (runc, conmon, busybox-static). Everything lives under a temporary root that is removed at
//! the end.

#![forbid(unsafe_code)]

use libpod_core::container::{RemoveOptions, with_command, with_name, with_rootfs_from_image};
use libpod_core::logs::LogOptions;
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_storage::ImageReference;
use libpod_testutil::{TempRoot, busybox_rootfs, tar_directory};
use std::error::Error;
use std::fs::File;
use std::process::ExitCode;

fn main() -> Result<ExitCode, Box<dyn Error>> {
    let tmp = TempRoot::new()?;

    // The engine: storage, state database and OCI runtime under a root of our own.
    let mut engine = EngineConfig::load_default()?;
    // Podman's implicit 1048576 open files are more than many hosts allow.
    engine.default_ulimits = vec!["nofile=1024:1024".into()];
    let rt = Runtime::builder()
        .root(tmp.path().join("root"))
        .run_root(tmp.path().join("run"))
        .engine_config(engine)
        .open()?;

    // An image: a busybox root filesystem, imported like `podman import`.
    let rootfs = tmp.path().join("busybox");
    busybox_rootfs(&rootfs)?;
    let tarball = tmp.path().join("busybox.tar");
    tar_directory(&rootfs, &tarball)?;
    let name = ImageReference::parse("localhost/busybox")?;
    let image = rt
        .storage()
        .import_tarball(File::open(&tarball)?, Some(&name), &[])?;
    println!("imported localhost/busybox as {}", &image.id.hex()[..12]);

    // A container, from functional options, as libpod's NewContainer takes them.
    let ctr = rt.new_container([
        with_name("quickstart"),
        with_rootfs_from_image("localhost/busybox"),
        with_command(["/bin/sh", "-c", "echo hello from libpod-rs; id"]),
    ])?;
    ctr.start()?;
    let code = ctr.wait()?;
    ctr.logs(&LogOptions::default(), &mut |line| {
        println!("{}", line.message);
        true
    })?;
    println!(
        "container {} ({}) exited with code {code}",
        ctr.name(),
        &ctr.id()[..12]
    );
    rt.remove_container(&ctr, RemoveOptions::default())?;
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
