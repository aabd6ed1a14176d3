//! Bridge networking, side by side in one run:
//!
//! - whole commands, medians of interleaved runs and of their per-round ratios: `podctl run
//!   --rm busybox /bin/true` on the default bridge (ours: `libpod` on `libpod0`, the first free
//!   /16 of 10.80.0.0/13) against `podman run --rm` of the same image on Podman's own default
//!   network (`podman` on `podman0`, 10.88.0.0/16); the same two with `--network none` run in
//!   the same turns, for what the network adds to each;
//! - one container's network, in process: libpod-core's path (`connect_network` then
//!   `disconnect_network` of a running container: the attachment row, the address reserved in
//!   the state database, the default backend's setup (`NativeBridge`: netavark's bridge driver
//!   in process) with its status block kept, then its teardown, the address freed) against
//!   netavark's own `setup` + `teardown` of the same namespace on the same network with the
//!   same options (what the same work costs through netavark: two processes and nothing
//!   else).
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench network` after
//! `cargo build --release -p libpod-examples --bin podctl`), as root.

use libpod_benches::{median, median_ratio};
use libpod_core::container::{RemoveOptions, with_command, with_networks, with_rootfs_from_image};
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_net::types::Network;
use libpod_testutil::{Podman, TempRoot};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ULIMITS: [&str; 2] = ["nofile=1024:1024", "nproc=1024:1024"];
/// Runs of each variant; the medians give the ratios.
const ROUNDS: usize = 25;
/// The pause before each run: a run's asynchronous teardown (the kernel frees a network
/// namespace and its veth in a worker) must not land on the next one.
const SETTLE: Duration = Duration::from_millis(100);
/// The in-process bench's network: a bridge and subnet of its own, DNS off as on both
/// engines' default networks.
const BENCH_NETWORK: &str = "lpbench";
const BENCH_SUBNET: &str = "10.233.0.0/24";
/// The address netavark's own setup asks for (ours gets the first free one, .2).
const FLOOR_ADDRESS: &str = "10.233.0.200";
const NETAVARK: &str = "/usr/lib/podman/netavark";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn timed(mut command: Command) -> Duration {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{command:?} failed");
    start.elapsed()
}

/// Runs the variants in turns, each after a pause, the order rotating every round; their
/// times by variant.
fn interleaved<const N: usize>(variants: [&dyn Fn() -> Duration; N]) -> [Vec<Duration>; N] {
    let mut times: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..ROUNDS {
        for k in 0..N {
            let which = (round + k) % N;
            std::thread::sleep(SETTLE);
            times[which].push(variants[which]());
        }
    }
    times
}

fn main() {
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let tmp = TempRoot::new_in(fs.path()).unwrap();
    let (rootfs, tar) = libpod_benches::busybox_tarball(tmp.path());
    whole_commands(tmp.path(), &rootfs, &tar, &fs);
    one_containers_network(tmp.path(), &tar);
}

/// `podctl run --rm` against `podman run --rm`, on each one's default bridge and with none.
fn whole_commands(dir: &Path, rootfs: &Path, tar: &Path, fs: &libpod_benches::BenchFs) {
    let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
    assert!(
        podctl.exists(),
        "build podctl first: cargo build --release -p libpod-examples --bin podctl"
    );
    let podctl_dir = dir.join("podctl");
    let ours = |args: &[&str]| {
        let mut c = Command::new(&podctl);
        c.arg("--root")
            .arg(podctl_dir.join("root"))
            .arg("--runroot")
            .arg(podctl_dir.join("run"))
            .args(args);
        c
    };
    let mut import = ours(&["import"]);
    import.arg(tar).arg("busybox");
    timed(import);
    // Podman's own directories go in DIR/podman (its run root must stay under 50 characters);
    // its network config directory is private too, so its default network is its built-in
    // `podman`.
    let podman = Podman::new(
        dir,
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n",
    );
    podman.import_rootfs(rootfs, "busybox", &[]).unwrap();
    let theirs = |args: &[&str]| {
        let mut c = podman.command();
        c.args(args);
        c
    };
    let ulimits = ["--ulimit", ULIMITS[0], "--ulimit", ULIMITS[1]];
    let run = |network: &[&'static str]| -> Vec<&str> {
        let mut args = vec!["run", "--rm"];
        args.extend(network);
        args.extend(ulimits);
        args.extend(["busybox", "/bin/true"]);
        args
    };
    let (bridge, none) = (run(&[]), run(&["--network", "none"]));
    // The first runs make the default networks' bridges and firewall chains.
    timed(ours(&bridge));
    timed(theirs(&bridge));
    let variants: [&dyn Fn() -> Duration; 4] = [
        &|| timed(ours(&bridge)),
        &|| timed(theirs(&bridge)),
        &|| timed(ours(&none)),
        &|| timed(theirs(&none)),
    ];
    let times = interleaved(variants);
    let ratio = |a: usize, b: usize| median_ratio(&times[a], &times[b]);
    let [podctl_bridge, podman_bridge, podctl_none, podman_none] = times.clone().map(median);
    println!(
        "network: run --rm busybox /bin/true on {}, medians of {ROUNDS} interleaved runs: on the default bridge podctl {:.1} ms, podman {:.1} ms; with --network none podctl {:.1} ms, podman {:.1} ms",
        fs.describe(),
        ms(podctl_bridge),
        ms(podman_bridge),
        ms(podctl_none),
        ms(podman_none),
    );
    println!(
        "network: medians of the per-round ratios: on the default bridge {:.2}x faster than podman (target 3x); with --network none {:.2}x; the bridge adds {:.1} ms to podctl, {:.1} ms to podman",
        ratio(1, 0),
        ratio(3, 2),
        ms(podctl_bridge.saturating_sub(podctl_none)),
        ms(podman_bridge.saturating_sub(podman_none)),
    );
}

/// libpod-core's network setup and teardown of one running container (the default backend)
/// against netavark's.
fn one_containers_network(dir: &Path, tar: &Path) {
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = ULIMITS.iter().map(|s| s.to_string()).collect();
    let rt = Runtime::builder()
        .root(dir.join("lib/root"))
        .run_root(dir.join("lib/run"))
        .engine_config(engine)
        .open()
        .unwrap();
    libpod_benches::import_busybox(&rt, tar);
    let mut request = Network::default();
    request.name = BENCH_NETWORK.into();
    request.network_interface = format!("{BENCH_NETWORK}0");
    request.subnets = vec![libpod_net::types::Subnet::new(
        BENCH_SUBNET.parse().unwrap(),
    )];
    let network = rt.create_network(request).unwrap();
    let ctr = rt
        .new_container([
            with_rootfs_from_image("localhost/busybox"),
            with_command(["sleep", "1000"]),
            with_networks(vec![NetworkAttachment::new(BENCH_NETWORK)]),
        ])
        .unwrap();
    ctr.start().unwrap();
    // Running, its namespace set up; then off the network, so that each variant sets it up
    // and tears it down again.
    rt.disconnect_network(&ctr, BENCH_NETWORK).unwrap();
    let netns = ctr
        .state()
        .unwrap()
        .netns_path
        .expect("a namespace of ours");

    let ours = || {
        let start = Instant::now();
        rt.connect_network(&ctr, NetworkAttachment::new(BENCH_NETWORK))
            .unwrap();
        rt.disconnect_network(&ctr, BENCH_NETWORK).unwrap();
        start.elapsed()
    };
    // netavark's input for the same container on the same network, written once.
    let stdin = serde_json::to_vec(&serde_json::json!({
        "container_id": ctr.id(),
        "container_name": ctr.name(),
        "port_mappings": [],
        "networks": {
            BENCH_NETWORK: {
                "static_ips": [FLOOR_ADDRESS],
                "aliases": [&ctr.id()[..12]],
                "interface_name": "eth0",
            }
        },
        "network_info": { BENCH_NETWORK: network },
    }))
    .unwrap();
    let config_dir = dir.join("lib/run/networks");
    let netavark = |verb: &str| {
        let mut child = Command::new(NETAVARK)
            .arg("--config")
            .arg(&config_dir)
            .args(["--rootless=false", verb])
            .arg(&netns)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&stdin).unwrap();
        assert!(child.wait().unwrap().success(), "netavark {verb} failed");
    };
    let through_netavark = || {
        let start = Instant::now();
        netavark("setup");
        netavark("teardown");
        start.elapsed()
    };
    // Once each first: the bridge and its chains exist from then on, in both.
    ours();
    through_netavark();
    let variants: [&dyn Fn() -> Duration; 2] = [&ours, &through_netavark];
    let times = interleaved(variants);
    let ratio = median_ratio(&times[0], &times[1]);
    let [ours_median, netavark_median] = times.map(median);
    println!(
        "network: one running container's network set up and torn down (one bridge network, no DNS), medians of {ROUNDS} interleaved rounds: libpod-core (connect + disconnect, in process) {:.1} ms, netavark setup + teardown {:.1} ms: {ratio:.2} of netavark's time",
        ms(ours_median),
        ms(netavark_median),
    );
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
    rt.remove_network(BENCH_NETWORK, false).unwrap();
}
