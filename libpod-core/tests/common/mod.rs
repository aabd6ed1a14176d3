//! Shared helpers of libpod-core's integration tests: a runtime on a private root with a
//! busybox image, containers in a private cgroup parent removed afterwards.
#![allow(dead_code)]

pub mod net;
pub mod oci;

use libpod_core::container::{
    Container, CtrCreateOption, with_cgroup_parent, with_command, with_rootfs_from_image,
};
use libpod_core::runtime::{EngineConfig, Runtime, RuntimeBuilder};
use libpod_spec::NetworkMode;
use libpod_storage::ImageReference;
use libpod_testutil::{TempRoot, busybox_rootfs, tar_directory};
use std::fs::File;
use std::path::Path;

pub const IMAGE: &str = "localhost/busybox";

/// A runtime on `tmp` with the busybox image imported, whose containers have no network
/// unless they ask for one.
pub fn runtime(tmp: &TempRoot) -> Runtime {
    runtime_with(tmp, NetworkMode::None)
}

/// [`runtime`], whose containers that choose no network mode get `netns` (containers.conf's
/// `netns`).
pub fn runtime_with(tmp: &TempRoot, netns: NetworkMode) -> Runtime {
    let rt = open_with(tmp.path(), netns);
    if rt.storage().image(IMAGE).is_err() {
        let rootfs = tmp.path().join("busybox-rootfs");
        busybox_rootfs(&rootfs).unwrap();
        let tar = tmp.path().join("busybox.tar");
        tar_directory(&rootfs, &tar).unwrap();
        rt.storage()
            .import_tarball(
                File::open(&tar).unwrap(),
                Some(&ImageReference::parse(IMAGE).unwrap()),
                &[],
            )
            .unwrap();
    }
    rt
}

/// Opens (again) the runtime on `dir`; its containers have no network unless they ask.
pub fn open(dir: &Path) -> Runtime {
    open_with(dir, NetworkMode::None)
}

/// Opens (again) the runtime on `dir`, with containers.conf's `netns` (the mode of containers
/// that choose none; bridge is the default, as in Podman).
pub fn open_with(dir: &Path, netns: NetworkMode) -> Runtime {
    let mut engine = EngineConfig::builtin();
    // This host's hard limits are below Podman's implicit 1048576.
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    engine.netns = netns;
    builder(dir).engine_config(engine).open().unwrap()
}

/// A builder on `dir`'s roots (`root`, `run`) with the test run's OCI runtime
/// ([`oci::with_test_runtime`]).
pub fn builder(dir: &Path) -> RuntimeBuilder {
    let builder = Runtime::builder()
        .root(dir.join("root"))
        .run_root(dir.join("run"));
    oci::with_test_runtime(builder, &dir.join("run"))
}

/// The cgroup parent of this test process's containers, removed by [`CgroupParent`]'s drop.
pub struct CgroupParent(pub String);

impl CgroupParent {
    pub fn new() -> Self {
        CgroupParent(format!("/libpod-rs-core-test-{}", std::process::id()))
    }
}

impl Drop for CgroupParent {
    /// Kills whatever a failed test left running in the cgroups (thawing frozen ones first),
    /// then removes them, deepest first.
    fn drop(&mut self) {
        libpod_testutil::remove_cgroup_parent(&self.0);
    }
}

/// A busybox container running `sh -c SCRIPT`, plus `extra` options.
pub fn shell(
    rt: &Runtime,
    cgroup: &CgroupParent,
    script: &str,
    extra: Vec<CtrCreateOption>,
) -> Container {
    let mut options = vec![
        with_rootfs_from_image(IMAGE),
        with_command(["/bin/sh", "-c", script]),
        with_cgroup_parent(cgroup.0.clone()),
    ];
    options.extend(extra);
    let ctr = rt.new_container(options).unwrap();
    oci::assert_test_runtime(&ctr);
    ctr
}

/// Whether `path` is a mount point now.
pub fn is_mount_point(path: &Path) -> bool {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let path = path.to_string_lossy();
    mounts.lines().any(|l| l.split(' ').nth(4) == Some(&*path))
}

/// Whether a live (not zombie) process with this PID exists.
pub fn process_exists(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits up to two seconds for process `pid` to be gone; whether it went.
pub fn process_gone(pid: i32) -> bool {
    for _ in 0..40 {
        if !process_exists(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}
