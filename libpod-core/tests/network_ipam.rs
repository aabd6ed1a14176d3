//! IPAM in the state database with the real netavark 1.4, conmon and runc, across threads,
//! processes and kills: 40 containers initialized at once by 4 threads in each of 2 processes
//! (this test binary, re-executed) get 40 distinct addresses on one network; a full subnet is
//! a typed error naming the network and leaves nothing; a process SIGKILLed after it reserved
//! an address, before or after netavark's setup, leaves nothing the next open does not clean
//! up (`ip`, `iptables-save`). The kill point is exact: the killed process runs netavark
//! through a wrapper that says it is in the setup and stops there.

mod common;

use common::net::{NetCleanup, TestNet, iptables_save, links};
use common::{CgroupParent, IMAGE, runtime};
use libpod_core::CoreError;
use libpod_core::container::{
    Container, ContainerStatus, RemoveOptions, with_cgroup_parent, with_command, with_name,
    with_networks, with_port_mappings, with_rootfs_from_image,
};
use libpod_core::network::Netavark;
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_core::state::{NetworkAttachmentStore, SqliteState};
use libpod_net::NetError;
use libpod_testutil::{TempRoot, require_root, serial};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ENV_ROOT: &str = "LIBPOD_RS_IPAM_ROOT";
const ENV_NETWORK: &str = "LIBPOD_RS_IPAM_NETWORK";
const ENV_CGROUP: &str = "LIBPOD_RS_IPAM_CGROUP";
const ENV_WRAPPER: &str = "LIBPOD_RS_IPAM_WRAPPER";
const READY: &str = "IPAM-CHILD-READY";

const THREADS: usize = 4;
const PER_THREAD: usize = 5;

/// A busybox container on `network`, named `name`.
fn on_network(rt: &Runtime, cgroup: &str, network: &str, name: &str) -> Container {
    let ctr = rt
        .new_container([
            with_name(name),
            with_rootfs_from_image(IMAGE),
            with_command(["sleep", "1000"]),
            with_cgroup_parent(cgroup),
            with_networks(vec![NetworkAttachment::new(network)]),
        ])
        .unwrap();
    common::oci::assert_test_runtime(&ctr);
    ctr
}

/// Creates and initializes (network setup included) `THREADS * PER_THREAD` containers from
/// `THREADS` threads at once.
fn init_from_threads(rt: &Runtime, cgroup: &str, network: &str, tag: &str) {
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                for n in 0..PER_THREAD {
                    let name = format!("{tag}-{thread}-{n}");
                    let ctr = on_network(rt, cgroup, network, &name);
                    ctr.init()
                        .unwrap_or_else(|e| panic!("init of {name}: {e:?}"));
                }
            });
        }
    });
}

/// The state database beside the runtime's.
fn db(root: &Path) -> SqliteState {
    SqliteState::open(&root.join("root/db.sql")).unwrap()
}

/// The IPv4 addresses of a namespace's interfaces.
fn local_addresses(netns: &Path) -> Vec<IpAddr> {
    let trie = libpod_net::netns::run_in(netns, || {
        std::fs::read_to_string("/proc/thread-self/net/fib_trie").unwrap()
    })
    .unwrap();
    let lines: Vec<&str> = trie.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[1].starts_with("/32 host LOCAL"))
        .filter_map(|pair| pair[0].strip_prefix("|-- ")?.parse().ok())
        .collect()
}

/// Nothing of `net` is left: no namespace, address, veth, bridge or firewall rule.
fn assert_nothing_left(root: &Path, net: &TestNet) {
    let netns: Vec<_> = std::fs::read_dir(root.join("run/netns"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(netns.is_empty(), "namespaces left: {netns:?}");
    assert_eq!(
        db(root).allocated_addresses(&net.name).unwrap(),
        Vec::<IpAddr>::new()
    );
    let links = links();
    assert!(net.ports(&links).is_empty(), "veths left: {links}");
    assert!(!net.has_bridge(&links), "bridge {} left", net.bridge);
    let saved = iptables_save();
    let rules = net.rules(&saved);
    assert!(rules.is_empty(), "firewall rules left: {rules:#?}");
}

#[test]
fn forty_containers_from_two_processes_get_distinct_addresses() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let net = TestNet::new("ipam", 0, 24);
    let _cleanup = NetCleanup(vec![net.clone()]);
    let rt = runtime(&tmp);
    rt.create_network(net.request(false)).unwrap();

    // The other process: this binary running `ipam_child`, which starts its threads as soon
    // as its runtime is open; ours start when it says so.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "ipam_child", "--nocapture", "--test-threads=1"])
        .env(ENV_ROOT, tmp.path())
        .env(ENV_NETWORK, &net.name)
        .env(ENV_CGROUP, &cg.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        // libtest prints `test ipam_child ... ` before the test's own first line.
        lines.any(|l| l.is_ok_and(|l| l.ends_with(READY))),
        "the child never opened its runtime"
    );
    init_from_threads(&rt, &cg.0, &net.name, "parent");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && rest.iter().any(|l| l.ends_with("IPAM-CHILD-DONE")),
        "the child failed: {rest:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let ctrs = rt.containers().unwrap();
    assert_eq!(ctrs.len(), 2 * THREADS * PER_THREAD);
    let mut addresses = BTreeSet::new();
    for ctr in &ctrs {
        let state = ctr.state().unwrap();
        assert_eq!(state.status, ContainerStatus::Created, "{}", ctr.name());
        let address = state.network_status[&net.name].interfaces["eth0"].subnets[0]
            .ipnet
            .address();
        assert!(
            addresses.insert(address),
            "{address} given twice ({})",
            ctr.name()
        );
        let netns = state.netns_path.clone().unwrap();
        assert!(
            local_addresses(&netns).contains(&address),
            "{} lacks {address}",
            ctr.name()
        );
    }
    let reserved: BTreeSet<IpAddr> = db(tmp.path())
        .allocated_addresses(&net.name)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(reserved, addresses);
    assert_eq!(
        net.ports(&links()).len(),
        ctrs.len(),
        "one veth per container"
    );

    for ctr in &ctrs {
        rt.remove_container(ctr, RemoveOptions::default().force(true))
            .unwrap();
    }
    assert_nothing_left(tmp.path(), &net);
}

/// Run by `forty_containers_from_two_processes_get_distinct_addresses` in the other process.
#[test]
fn ipam_child() {
    let (Ok(root), Ok(network), Ok(cgroup)) = (
        std::env::var(ENV_ROOT),
        std::env::var(ENV_NETWORK),
        std::env::var(ENV_CGROUP),
    ) else {
        return;
    };
    let rt = common::open(Path::new(&root));
    println!("{READY}");
    init_from_threads(&rt, &cgroup, &network, "child");
    println!("IPAM-CHILD-DONE");
}

#[test]
fn a_full_subnet_is_a_typed_error_naming_the_network() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    // A /30: its network address, the gateway, one address for a container, the broadcast.
    let net = TestNet::new("ipam", 1, 30);
    let _cleanup = NetCleanup(vec![net.clone()]);
    let rt = runtime(&tmp);
    rt.create_network(net.request(false)).unwrap();
    let first = on_network(&rt, &cg.0, &net.name, "first");
    let second = on_network(&rt, &cg.0, &net.name, "second");
    first.init().unwrap();

    let err = second.init().unwrap_err();
    match &err {
        CoreError::Network {
            container,
            source: NetError::SubnetExhausted { network, .. },
        } => {
            assert_eq!(container, second.id());
            assert_eq!(network, &net.name);
        }
        other => panic!("not SubnetExhausted: {other:?}"),
    }
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains(&net.name), "{source}");
    // Nothing half made: no namespace, no address, still configured.
    assert_eq!(second.state().unwrap().status, ContainerStatus::Configured);
    assert!(!tmp.path().join("run/netns").join(second.id()).exists());
    assert_eq!(
        db(tmp.path())
            .container_addresses(second.id(), &net.name)
            .unwrap(),
        Vec::<IpAddr>::new()
    );

    // The address is free again once its holder is gone.
    rt.remove_container(&first, RemoveOptions::default().force(true))
        .unwrap();
    second.init().unwrap();
    rt.remove_container(&second, RemoveOptions::default().force(true))
        .unwrap();
    assert_nothing_left(tmp.path(), &net);
}

/// Where the wrapper stops the setup.
#[derive(Clone, Copy, Debug)]
enum KillPoint {
    /// Before netavark runs: the address reserved and the namespace made, nothing else.
    BeforeNetavark,
    /// After netavark's setup and before its caller read the result: veth, bridge, firewall
    /// rules, DNS entry made.
    AfterNetavark,
}

/// A netavark for the killed process: runs the real one, except that a setup writes its PID
/// to `marker` and sleeps (before or after running the real setup).
fn write_wrapper(dir: &Path, point: KillPoint) -> (PathBuf, PathBuf) {
    let marker = dir.join("in-setup");
    let wrapper = dir.join("netavark-wrapper");
    let real_setup = match point {
        KillPoint::BeforeNetavark => "",
        KillPoint::AfterNetavark => "/usr/lib/podman/netavark \"$@\" >/dev/null || exit $?",
    };
    let script = format!(
        "#!/bin/sh\n\
         case \" $* \" in\n\
         *\" setup \"*)\n\
         \x20   {real_setup}\n\
         \x20   echo $$ > '{marker}.tmp' && mv '{marker}.tmp' '{marker}'\n\
         \x20   exec sleep 600\n\
         \x20   ;;\n\
         esac\n\
         exec /usr/lib/podman/netavark \"$@\"\n",
        marker = marker.display()
    );
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o700)).unwrap();
    (wrapper, marker)
}

/// SIGKILLs a process of ours when dropped (the wrapper's sleep, if a failure left it).
struct KillOnDrop(i32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

fn killed_in_setup(point: KillPoint, index: u32) {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let net = TestNet::new("kill", index, 24);
    let _cleanup = NetCleanup(vec![net.clone()]);
    let rt = runtime(&tmp);
    rt.create_network(net.request(true)).unwrap();
    let port = libpod_net::parse::parse_publish("127.0.0.1::80").unwrap();
    let ctr = rt
        .new_container([
            with_name("victim"),
            with_rootfs_from_image(IMAGE),
            with_command(["sleep", "1000"]),
            with_cgroup_parent(cg.0.clone()),
            with_networks(vec![NetworkAttachment::new(net.name.clone())]),
            with_port_mappings(vec![port]),
        ])
        .unwrap();
    let id = ctr.id().to_string();
    drop(ctr);
    drop(rt);

    let (wrapper, marker) = write_wrapper(tmp.path(), point);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "kill_child", "--nocapture", "--test-threads=1"])
        .env(ENV_ROOT, tmp.path())
        .env(ENV_WRAPPER, &wrapper)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let sleeper = loop {
        if let Ok(pid) = std::fs::read_to_string(&marker) {
            break KillOnDrop(pid.trim().parse().unwrap());
        }
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("the child never reached netavark's setup");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    drop(sleeper);

    // What the kill left: the address reserved, the namespace made, and (after netavark)
    // the bridge, a veth and the firewall rules.
    assert_eq!(
        db(tmp.path())
            .container_addresses(&id, &net.name)
            .unwrap()
            .len(),
        1
    );
    assert!(tmp.path().join("run/netns").join(&id).exists());
    if let KillPoint::AfterNetavark = point {
        let links = links();
        assert_eq!(net.ports(&links).len(), 1, "{links}");
        assert!(!net.rules(&iptables_save()).is_empty());
    }

    // The next open cleans up: the container is configured again, its address free, and
    // no namespace, veth, bridge or rule is left.
    let rt = common::open(tmp.path());
    let ctr = rt.container(&id).unwrap();
    assert_eq!(ctr.state().unwrap().status, ContainerStatus::Configured);
    assert_nothing_left(tmp.path(), &net);

    // And it starts again, with the first address of the subnet.
    ctr.start().unwrap();
    let status = ctr.state().unwrap().network_status;
    let address = status[&net.name].interfaces["eth0"].subnets[0]
        .ipnet
        .address();
    let first: IpAddr = net.subnet.replace(".0/24", ".2").parse().unwrap();
    assert_eq!(address, first);
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
    assert_nothing_left(tmp.path(), &net);
}

#[test]
fn a_process_killed_before_netavark_setup_leaves_nothing_after_the_next_open() {
    killed_in_setup(KillPoint::BeforeNetavark, 2);
}

#[test]
fn a_process_killed_after_netavark_setup_leaves_nothing_after_the_next_open() {
    killed_in_setup(KillPoint::AfterNetavark, 3);
}

/// Run by `killed_in_setup` in the process it kills: starts the container with netavark
/// behind the wrapper, which stops in the setup.
#[test]
fn kill_child() {
    let (Ok(root), Ok(wrapper)) = (std::env::var(ENV_ROOT), std::env::var(ENV_WRAPPER)) else {
        return;
    };
    let root = Path::new(&root);
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    let backend = Netavark::new(root.join("run/networks")).with_binary(wrapper);
    let rt = common::builder(root)
        .engine_config(engine)
        .network_backend(Arc::new(backend))
        .open()
        .unwrap();
    rt.container("victim").unwrap().start().unwrap();
    unreachable!("the wrapper never ends the setup");
}
