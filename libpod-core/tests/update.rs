//! `update` with the real runc: the new limits in the container's cgroups, in inspect, and
//! kept by a restart; a refused update changes nothing.

mod common;

use common::{CgroupParent, runtime, shell};
use libpod_core::container::{Container, RemoveOptions, with_stop_timeout};
use libpod_spec::CreateResourceConfig;
use libpod_testutil::{TempRoot, require_root, serial};

/// The value of `file` in the container's cgroup of `controller` (cgroup v1, as this host).
fn cgroup_value(ctr: &Container, controller: &str, file: &str) -> String {
    let pid = ctr.state().unwrap().pid.unwrap();
    let cgroups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let path = cgroups
        .lines()
        .find_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            controllers
                .split(',')
                .any(|c| c == controller)
                .then(|| path.to_string())
        })
        .unwrap_or_else(|| panic!("no {controller} cgroup in {cgroups}"));
    let full = format!("/sys/fs/cgroup/{controller}{path}/{file}");
    std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("{full}: {e}"))
        .trim()
        .to_string()
}

#[test]
fn new_limits_reach_the_cgroup_and_inspect_and_outlive_a_restart() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let mut ctr = shell(&rt, &cg, "exec sleep 1000", vec![with_stop_timeout(1)]);
    ctr.start().unwrap();
    let before = cgroup_value(&ctr, "memory", "memory.limit_in_bytes");

    let mut update = CreateResourceConfig::default();
    update.memory = Some(64 << 20);
    update.pids_limit = Some(50);
    update.cpu_shares = Some(512);
    ctr.update(&update).unwrap();
    let limit = (64u64 << 20).to_string();
    assert_ne!(before, limit);
    assert_eq!(cgroup_value(&ctr, "memory", "memory.limit_in_bytes"), limit);
    assert_eq!(
        cgroup_value(&ctr, "memory", "memory.memsw.limit_in_bytes"),
        (128u64 << 20).to_string(),
        "swap as much again, as Podman"
    );
    assert_eq!(cgroup_value(&ctr, "pids", "pids.max"), "50");
    assert_eq!(cgroup_value(&ctr, "cpu", "cpu.shares"), "512");
    // This handle, a new one and inspect all see it.
    assert_eq!(ctr.config().spec.resources.memory, Some(64 << 20));
    let fresh = rt.container(ctr.id()).unwrap();
    assert_eq!(fresh.config().spec.resources.pids_limit, Some(50));
    let host = &fresh.inspect().unwrap()["HostConfig"];
    assert_eq!(host["Memory"], 64 << 20);
    assert_eq!(host["MemorySwap"], 128 << 20);
    assert_eq!(host["PidsLimit"], 50);
    assert_eq!(host["CpuShares"], 512);

    // A second update keeps what it does not name.
    let mut update = CreateResourceConfig::default();
    update.memory = Some(96 << 20);
    ctr.update(&update).unwrap();
    assert_eq!(
        cgroup_value(&ctr, "memory", "memory.limit_in_bytes"),
        (96u64 << 20).to_string()
    );
    assert_eq!(cgroup_value(&ctr, "pids", "pids.max"), "50");

    // A restart runs the new process under the recorded limits.
    let old_pid = ctr.state().unwrap().pid;
    ctr.restart().unwrap();
    assert_ne!(ctr.state().unwrap().pid, old_pid);
    assert_eq!(
        cgroup_value(&ctr, "memory", "memory.limit_in_bytes"),
        (96u64 << 20).to_string()
    );
    assert_eq!(cgroup_value(&ctr, "cpu", "cpu.shares"), "512");

    // Refused (swap below the limit): nothing applied, nothing recorded.
    let mut bad = CreateResourceConfig::default();
    bad.memory = Some(200 << 20);
    bad.memory_swap = Some(100 << 20);
    let err = ctr.update(&bad).unwrap_err();
    assert!(err.to_string().contains("memory-swap"), "{err}");
    assert_eq!(
        cgroup_value(&ctr, "memory", "memory.limit_in_bytes"),
        (96u64 << 20).to_string()
    );
    let fresh = rt.container(ctr.id()).unwrap();
    assert_eq!(fresh.config().spec.resources.memory, Some(96 << 20));

    // A stopped container's update is recorded for its next start.
    ctr.stop(Some(0)).unwrap();
    let mut update = CreateResourceConfig::default();
    update.memory = Some(32 << 20);
    ctr.update(&update).unwrap();
    ctr.start().unwrap();
    assert_eq!(
        cgroup_value(&ctr, "memory", "memory.limit_in_bytes"),
        (32u64 << 20).to_string()
    );
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
}
