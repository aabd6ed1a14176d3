//! Pods with the real conmon, runc and catatonit: shared PID and network namespaces (two
//! containers see each other's processes and talk over 127.0.0.1), the pod's hostname in
//! every member, a dependency chain started in order and stopped in reverse, the pod's cgroup
//! with its limits, and a forced removal of a running pod that leaves nothing behind.

mod common;

use common::{CgroupParent, process_gone, runtime, shell};
use libpod_core::container::{Container, ContainerStatus, with_dependencies, with_name, with_pod};
use libpod_core::events::{EventStatus, EventType, ReadOptions};
use libpod_core::pod::{
    Pod, PodCreateOption, PodRemoveOptions, PodStatus, with_pod_cgroup_parent, with_pod_hostname,
    with_pod_memory, with_pod_name, with_pod_network_mode, with_pod_share,
};
use libpod_core::runtime::Runtime;
use libpod_testutil::{TempRoot, require_root, serial};
use std::path::PathBuf;

/// A pod network of loopback only: these tests are about namespaces, cgroups and order (the
/// bridge is `pod_network.rs`'s).
fn no_network() -> PodCreateOption {
    with_pod_network_mode(libpod_spec::NetworkMode::None)
}

fn log_text(ctr: &Container) -> String {
    let mut out = String::new();
    ctr.logs(&Default::default(), &mut |l| {
        out.push_str(&l.message);
        out.push('\n');
        true
    })
    .unwrap();
    out
}

/// The pod's cgroup directory in every mounted hierarchy.
fn cgroup_dirs(pod: &Pod) -> Vec<PathBuf> {
    let rel = pod.cgroup_path().unwrap().expect("a pod cgroup");
    std::fs::read_dir("/sys/fs/cgroup")
        .unwrap()
        .flatten()
        .filter(|e| !e.file_type().unwrap().is_symlink())
        .map(|e| e.path().join(rel.trim_start_matches('/')))
        .collect()
}

/// The events of `kind` with one of `statuses`, as (status, name), in order.
fn events(rt: &Runtime, kind: EventType, statuses: &[EventStatus]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    rt.events()
        .read(&ReadOptions::default(), &|| false, &mut |e| {
            if e.kind == kind && statuses.contains(&e.status) {
                out.push((e.status.to_string(), e.name.clone()));
            }
            true
        })
        .unwrap();
    out
}

#[test]
fn members_share_processes_loopback_and_the_pods_hostname() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let pod = rt
        .new_pod([
            with_pod_name("shared"),
            with_pod_hostname("podhost"),
            with_pod_share(["ipc", "net", "uts", "pid"]),
            with_pod_cgroup_parent(cg.0.clone()),
            with_pod_memory(256 << 20),
            no_network(),
        ])
        .unwrap();
    let server = shell(
        &rt,
        &cg,
        "mkdir -p /tmp/www && echo hello-from-the-pod > /tmp/www/index.html && \
         exec httpd -f -p 127.0.0.1:8080 -h /tmp/www",
        vec![with_name("server"), with_pod(&pod)],
    );
    let client = shell(
        &rt,
        &cg,
        "for i in $(seq 1 50); do wget -q -O - http://127.0.0.1:8080/ && break; sleep 0.1; done; \
         ps -o pid,comm; echo host=$(hostname); echo etc-hostname=$(cat /etc/hostname); echo in-hosts=$(grep -c podhost /etc/hosts)",
        vec![
            with_name("client"),
            with_pod(&pod),
            with_dependencies(&[&server]),
        ],
    );
    pod.start().unwrap();
    assert_eq!(client.wait().unwrap(), 0);
    let out = log_text(&client);
    assert!(out.contains("hello-from-the-pod"), "over 127.0.0.1: {out}");
    assert!(out.contains("httpd"), "the server's process is seen: {out}");
    assert!(out.contains("catatonit"), "the infra's too: {out}");
    assert!(out.contains("host=podhost"), "{out}");
    assert!(out.contains("etc-hostname=podhost\n"), "{out}");
    assert!(
        !out.contains("in-hosts=0"),
        "/etc/hosts names the pod's host: {out}"
    );
    assert_eq!(
        pod.status().unwrap(),
        PodStatus::Degraded,
        "the client exited"
    );
    // The pod's limit is on its cgroup; the members are beneath it.
    let rel = pod.cgroup_path().unwrap().unwrap();
    assert_eq!(rel, format!("{}/pod-{}", cg.0, pod.id()));
    let memory = PathBuf::from("/sys/fs/cgroup/memory").join(rel.trim_start_matches('/'));
    assert_eq!(
        std::fs::read_to_string(memory.join("memory.limit_in_bytes"))
            .unwrap()
            .trim(),
        (256u64 << 20).to_string()
    );
    assert!(memory.join(format!("libpod-{}", server.id())).is_dir());
    let stats = pod.stats(&Default::default()).unwrap();
    assert!(
        stats.contains_key(server.id()) && !stats.contains_key(client.id()),
        "only running ones"
    );
    let top = pod.top(&[]).unwrap();
    assert!(
        top.rows
            .iter()
            .any(|r| r.iter().any(|c| c.contains("httpd"))),
        "{top:?}"
    );
    rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0))
        .unwrap();
}

#[test]
fn a_dependency_chain_starts_in_order_and_stops_in_reverse() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let pod = rt
        .new_pod([
            with_pod_name("chain"),
            with_pod_cgroup_parent(cg.0.clone()),
            no_network(),
        ])
        .unwrap();
    let first = shell(
        &rt,
        &cg,
        "sleep 60",
        vec![with_name("first"), with_pod(&pod)],
    );
    let second = shell(
        &rt,
        &cg,
        "sleep 60",
        vec![
            with_name("second"),
            with_pod(&pod),
            with_dependencies(&[&first]),
        ],
    );
    let _third = shell(
        &rt,
        &cg,
        "sleep 60",
        vec![
            with_name("third"),
            with_pod(&pod),
            with_dependencies(&[&second]),
        ],
    );
    pod.start().unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Running);
    pod.stop(Some(0)).unwrap();
    assert_eq!(pod.status().unwrap(), PodStatus::Exited);
    let infra = format!("{}-infra", &pod.id()[..12]);
    let names = |status: EventStatus| -> Vec<String> {
        events(&rt, EventType::Container, &[status])
            .into_iter()
            .map(|(_, name)| name)
            .collect()
    };
    assert_eq!(
        names(EventStatus::Start),
        [infra.as_str(), "first", "second", "third"]
    );
    let stops: Vec<String> = names(EventStatus::Died);
    assert_eq!(stops.last(), Some(&infra), "infra last: {stops:?}");
    let order: Vec<&str> = stops
        .iter()
        .map(String::as_str)
        .filter(|n| *n != infra)
        .collect();
    assert_eq!(order, ["third", "second", "first"]);
    let pod_events = events(
        &rt,
        EventType::Pod,
        &[EventStatus::Create, EventStatus::Start, EventStatus::Stop],
    );
    assert_eq!(
        pod_events,
        [("create", "chain"), ("start", "chain"), ("stop", "chain")]
            .map(|(s, n)| (s.to_string(), n.to_string()))
    );
    rt.remove_pod(&pod, PodRemoveOptions::default()).unwrap();
}

#[test]
fn force_removing_a_running_pod_leaves_no_process_mount_or_cgroup() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let pod = rt
        .new_pod([
            with_pod_name("doomed"),
            with_pod_cgroup_parent(cg.0.clone()),
            no_network(),
        ])
        .unwrap();
    let a = shell(&rt, &cg, "sleep 60", vec![with_pod(&pod)]);
    let b = shell(&rt, &cg, "trap '' TERM; sleep 60", vec![with_pod(&pod)]);
    pod.start().unwrap();
    let infra = rt
        .container(&pod.infra_container_id().unwrap().unwrap())
        .unwrap();
    common::oci::assert_test_runtime(&infra);
    let ids: Vec<String> = [&a, &b, &infra]
        .iter()
        .map(|c| c.id().to_string())
        .collect();
    let mut pids = Vec::new();
    for ctr in [&a, &b, &infra] {
        let state = ctr.state().unwrap();
        assert_eq!(state.status, ContainerStatus::Running);
        pids.push(state.pid.unwrap());
        pids.extend(state.conmon_pid);
    }
    let netns = std::fs::read_link(format!("/proc/{}/ns/net", pids[4])).unwrap();
    let dirs = cgroup_dirs(&pod);
    assert!(dirs.iter().all(|d| d.is_dir()), "{dirs:?}");
    rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(1))
        .unwrap();
    for pid in &pids {
        assert!(process_gone(*pid), "process {pid} is left");
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for id in &ids {
        assert!(!mounts.contains(id.as_str()), "a mount of {id} is left");
        assert!(matches!(
            rt.container(id),
            Err(libpod_core::CoreError::ContainerNotFound(_))
        ));
    }
    assert!(
        dirs.iter().all(|d| !d.exists()),
        "a pod cgroup is left: {dirs:?}"
    );
    let netns_left = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path().join("ns/net")).ok())
        .any(|ns| ns == netns);
    assert!(!netns_left, "the pod's network namespace is left");
    assert!(matches!(
        rt.pod("doomed"),
        Err(libpod_core::CoreError::PodNotFound(_))
    ));
    assert!(!tmp.path().join("root/pods").join(pod.id()).exists());
}
