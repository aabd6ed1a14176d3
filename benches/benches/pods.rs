//! A pod's life, side by side in one run: a pod made, three busybox containers created in
//! it, the pod started (its infra container first), then force-removed.
//!
//! - criterion, in process: `new_pod`, three `new_container(with_pod)`, `Pod::start`,
//!   `remove_pod(force)`;
//! - whole processes, medians of interleaved rounds: the six podctl commands (`pod create
//!   --network none`, `create --pod` three times, `pod start`, `pod rm -f -t 0`) against the
//!   same six podman commands, with the ratio (median of the per-round ratios); and the same
//!   six podctl commands with `--runtime libcontainer` (every container of the pod, its infra
//!   container too, under youki's libcontainer and our monitor instead of conmon + runc).
//!
//! The pods have no network (`--network none`) on both sides: bridge setup is netavark's time
//! on both, and a like-for-like comparison of the rest is what this measures.
//!
//! Run with `cargo bench -p libpod-benches --bench pods`, as root, podctl built first
//! (`cargo build --release -p libpod-examples --bin podctl`).

use criterion::Criterion;
use libpod_benches::{median, median_ratio};
use libpod_core::container::{with_command, with_pod, with_rootfs_from_image};
use libpod_core::pod::{PodRemoveOptions, with_pod_network_mode};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_spec::NetworkMode;
use libpod_testutil::{Podman, TempRoot};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ULIMITS: [&str; 2] = ["nofile=1024:1024", "nproc=1024:1024"];
/// Rounds of each whole-process variant.
const ROUNDS: usize = 10;
/// The pause before each round.
const SETTLE: Duration = Duration::from_millis(200);
/// Containers per pod, besides the infra container.
const MEMBERS: usize = 3;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `command`, which must succeed.
fn run(mut command: Command) {
    let out = command.stdout(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The six commands of one pod's life, named `name`, run by `tool` (a command with its
/// store flags); how long they took together.
fn pod_life(tool: &dyn Fn(&[&str]) -> Command, name: &str) -> Duration {
    let start = Instant::now();
    run(tool(&[
        "pod",
        "create",
        "--network",
        "none",
        "--name",
        name,
    ]));
    for _ in 0..MEMBERS {
        run(tool(&["create", "--pod", name, "busybox", "sleep", "1000"]));
    }
    run(tool(&["pod", "start", name]));
    run(tool(&["pod", "rm", "-f", "-t", "0", name]));
    start.elapsed()
}

fn main() {
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let tmp = TempRoot::new_in(fs.path()).unwrap();
    let (rootfs, tar) = libpod_benches::busybox_tarball(tmp.path());
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = ULIMITS.iter().map(|s| s.to_string()).collect();
    let rt = Runtime::builder()
        .root(tmp.path().join("lib/root"))
        .run_root(tmp.path().join("lib/run"))
        .engine_config(engine)
        .open()
        .unwrap();
    libpod_benches::import_busybox(&rt, &tar);

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    criterion.bench_function("pod create + 3 containers + start + rm -f", |b| {
        b.iter(|| pod_in_process(&rt))
    });
    criterion.final_summary();

    let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
    assert!(
        podctl.exists(),
        "build podctl first: cargo build --release -p libpod-examples --bin podctl"
    );
    let podctl_dir = tmp.path().join("podctl");
    let podctl_command = |args: &[&str]| {
        let mut c = Command::new(&podctl);
        c.arg("--root")
            .arg(podctl_dir.join("root"))
            .arg("--runroot")
            .arg(podctl_dir.join("run"))
            .args(args);
        c
    };
    run(podctl_command(&[
        "import",
        &tar.display().to_string(),
        "busybox",
    ]));
    let podman = Podman::new(
        tmp.path(),
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n",
    );
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let podman_command = |args: &[&str]| {
        let mut c = podman.command();
        c.args(args);
        c
    };
    let libcontainer_command = |args: &[&str]| {
        let mut c = podctl_command(&["--runtime", "libcontainer"]);
        c.args(args);
        c
    };
    // Once each, untimed: Podman builds its pause image at its first pod.
    pod_life(&podctl_command, "warm");
    pod_life(&podman_command, "warm");
    pod_life(&libcontainer_command, "warm-lc");

    let variants: [&dyn Fn(&str) -> Duration; 3] = [
        &|name| pod_life(&podctl_command, name),
        &|name| pod_life(&podman_command, name),
        &|name| pod_life(&libcontainer_command, &format!("{name}-lc")),
    ];
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..variants.len() {
            let which = (round + k) % variants.len();
            std::thread::sleep(SETTLE);
            times[which].push(variants[which](&format!("bench{round}")));
        }
    }
    let ratio = median_ratio(&times[1], &times[0]);
    let lc_ratio = median_ratio(&times[1], &times[2]);
    let lc_over_runc = median_ratio(&times[0], &times[2]);
    let [ours, theirs, lc] = times.map(median);
    println!(
        "pods: pod create --network none, {MEMBERS} x create --pod, pod start, pod rm -f on {}, medians of {ROUNDS} interleaved rounds: podctl {:.1} ms, podman {:.1} ms: {ratio:.2}x faster",
        fs.describe(),
        ms(ours),
        ms(theirs)
    );
    println!(
        "pods: the same with podctl --runtime libcontainer: {:.1} ms: {lc_ratio:.2}x faster than podman, {lc_over_runc:.2}x faster than podctl on conmon + runc",
        ms(lc)
    );
}

/// One pod's life in process.
fn pod_in_process(rt: &Runtime) {
    let pod = rt
        .new_pod([with_pod_network_mode(NetworkMode::None)])
        .unwrap();
    for _ in 0..MEMBERS {
        rt.new_container([
            with_pod(&pod),
            with_rootfs_from_image("localhost/busybox"),
            with_command(["sleep", "1000"]),
        ])
        .unwrap();
    }
    pod.start().unwrap();
    rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0))
        .unwrap();
}
