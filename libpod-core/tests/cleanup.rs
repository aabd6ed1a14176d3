//! Cleanup after an exit with the real conmon and runc: the runtime delete runs while the
//! storage is unmounted, unless a poststop hook (run by `runc delete`) may need the root
//! filesystem.

mod common;

use common::{CgroupParent, is_mount_point, runtime, shell};
use libpod_core::container::{ContainerStatus, RemoveOptions};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_testutil::{TempRoot, require_root, serial};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Runs `exit 0` to its cleanup; returns the container's root filesystem mount point (taken
/// after init), run directory and whether the overlapping delete was chosen.
fn run_to_cleanup(rt: &Runtime, cg: &CgroupParent) -> (PathBuf, PathBuf, bool) {
    let ctr = shell(rt, cg, "exit 0", vec![]);
    ctr.init().unwrap();
    let state = ctr.state().unwrap();
    let (mountpoint, shm) = (
        state.mountpoint.clone().unwrap(),
        state.bind_mounts["/dev/shm"].clone(),
    );
    assert!(is_mount_point(&mountpoint) && is_mount_point(&shm));
    ctr.start().unwrap();
    assert_eq!(ctr.wait().unwrap(), 0);
    let state = ctr.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Exited);
    assert!(
        !is_mount_point(&mountpoint),
        "the root filesystem is unmounted"
    );
    assert!(!is_mount_point(&shm), "shm is unmounted");
    let runtime_state = common::oci::state_root(rt.run_root()).join(ctr.id());
    assert!(
        !runtime_state.exists(),
        "the OCI runtime deleted the container"
    );
    let overlapped = state.delete_without_rootfs;
    let run_dir = state.run_dir.unwrap();
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
    (mountpoint, run_dir, overlapped)
}

#[test]
fn without_poststop_hooks_delete_and_unmount_overlap() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let (_, _, overlapped) = run_to_cleanup(&rt, &cg);
    // runc's delete never reads the root filesystem; libpod-core overlaps only runc's and
    // crun's (libcontainer's delete runs in process, the release after it).
    let expected = common::oci::test_runtime().is_none();
    assert_eq!(
        overlapped, expected,
        "no poststop hook: the delete overlaps"
    );
}

#[test]
fn a_poststop_hook_still_sees_the_root_filesystem_mounted() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    // The image comes in through a runtime without hooks; the containers run under one whose
    // poststop hook records the mounts it sees.
    drop(runtime(&tmp));
    let hooks = tmp.path().join("hooks.d");
    let seen = tmp.path().join("mounts-seen-by-hook");
    write_poststop_hook(&hooks, &seen);
    let rt = with_hooks(tmp.path(), &hooks);
    let (mountpoint, _, overlapped) = run_to_cleanup(&rt, &cg);
    let mounts = std::fs::read_to_string(&seen).expect("the poststop hook ran");
    assert!(
        mounts.contains(&*mountpoint.to_string_lossy()),
        "the hook ran before the unmount: {mounts}"
    );
    assert!(!overlapped, "a poststop hook: delete first, then unmount");
}

/// A hooks directory with one poststop hook for every container: it copies /proc/self/mounts
/// to `out`.
fn write_poststop_hook(dir: &Path, out: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let script = dir.join("record-mounts.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat /proc/self/mounts > {}\n", out.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hook = serde_json::json!({
        "version": "1.0.0",
        "hook": { "path": script },
        "when": { "always": true },
        "stages": ["poststop"],
    });
    std::fs::write(dir.join("record-mounts.json"), hook.to_string()).unwrap();
}

/// The runtime of [`common::open`] with `hooks` as its hooks directory.
fn with_hooks(dir: &Path, hooks: &Path) -> Runtime {
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    engine.netns = libpod_spec::NetworkMode::None;
    common::builder(dir)
        .engine_config(engine)
        .hooks_dirs(vec![hooks.to_path_buf()])
        .open()
        .unwrap()
}
