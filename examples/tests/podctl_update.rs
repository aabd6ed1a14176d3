//! `podctl update` with the real runc (the new limits in the cgroup and in inspect).
//! Checkpoint and restore are in podctl_checkpoint.rs.

mod common;

use common::{Cgroup, ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::Path;

/// The container's cgroup v1 file of `controller`, through its PID.
fn cgroup_value(root: &Path, name: &str, controller: &str, file: &str) -> String {
    let pid = ok(root, &["inspect", "--format", "{{.State.Pid}}", name]);
    let cgroups = std::fs::read_to_string(format!("/proc/{}/cgroup", pid.trim())).unwrap();
    let path = cgroups
        .lines()
        .find_map(|l| {
            let (_, rest) = l.split_once(':')?;
            let (controllers, path) = rest.split_once(':')?;
            controllers
                .split(',')
                .any(|c| c == controller)
                .then(|| path.to_string())
        })
        .unwrap();
    std::fs::read_to_string(format!("/sys/fs/cgroup/{controller}{path}/{file}"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn update_changes_the_cgroup_and_inspect() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-update-{}", std::process::id()));
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    let id = ok(
        &root,
        &[
            "run",
            "-d",
            "--name",
            "limited",
            "-m",
            "64m",
            "--stop-timeout",
            "1",
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
            "--cgroup-parent",
            &cg.0,
            "busybox",
            "sleep",
            "1000",
        ],
    )
    .trim()
    .to_string();
    assert_eq!(
        cgroup_value(&root, "limited", "memory", "memory.limit_in_bytes"),
        (64u64 << 20).to_string()
    );

    let out = ok(
        &root,
        &[
            "update",
            "--memory",
            "128m",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "60",
            "limited",
        ],
    );
    assert_eq!(out.trim(), id, "prints the ID, as Podman");
    assert_eq!(
        cgroup_value(&root, "limited", "memory", "memory.limit_in_bytes"),
        (128u64 << 20).to_string()
    );
    assert_eq!(cgroup_value(&root, "limited", "cpu", "cpu.shares"), "512");
    assert_eq!(cgroup_value(&root, "limited", "pids", "pids.max"), "60");
    let inspect: serde_json::Value =
        serde_json::from_str(&ok(&root, &["container", "inspect", "limited"])).unwrap();
    let host = &inspect[0]["HostConfig"];
    assert_eq!(host["Memory"], 128 << 20);
    assert_eq!(host["CpuShares"], 512);
    assert_eq!(host["PidsLimit"], 60);

    // A refused value: Podman's words and code, nothing changed.
    let out = podctl(&root, &["update", "--memory-swappiness", "200", "limited"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&out.stderr).contains("memory-swappiness"));
    let out = podctl(&root, &["update", "--memory", "64m", "nosuch"]);
    assert_eq!(out.status.code(), Some(125), "{out:?}");

    ok(&root, &["rm", "-f", "limited"]);
}
