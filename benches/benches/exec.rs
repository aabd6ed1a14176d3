//! Exec and healthchecks, side by side in one run:
//!
//! - criterion, in process, on a running busybox container: an exec session (`Container::exec`:
//!   a row, conmon, the process, the row removed), the sessionless exec (no row, no lock held
//!   while it runs) and one healthcheck (`healthcheck_run`: a sessionless exec and the health
//!   file);
//! - whole processes, medians of interleaved runs: `podctl exec ctr true` against
//!   `podman exec ctr true`, and `podctl healthcheck run ctr` against `podman healthcheck
//!   run ctr`, with the ratios (median of per-round ratios); the same two podctl commands on
//!   a `--runtime libcontainer` container beside them (libcontainer's tenant builder under
//!   our monitor against conmon + `runc exec`).
//!
//! Run with `cargo bench -p libpod-benches --bench exec`, as root, podctl built first
//! (`cargo build --release -p libpod-examples --bin podctl`).

use criterion::Criterion;
use libpod_benches::{median, median_ratio};
use libpod_core::container::{
    HealthCheck, RemoveOptions, with_command, with_healthcheck, with_rootfs_from_image,
};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::record::ExecConfig;
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_testutil::{Podman, TempRoot};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ULIMITS: [&str; 2] = ["nofile=1024:1024", "nproc=1024:1024"];
/// Runs of each whole-process variant.
const ROUNDS: usize = 25;
/// The pause before each whole-process run.
const SETTLE: Duration = Duration::from_millis(50);
/// The flags of the benched container on both sides: a healthcheck run only on demand.
const RUN: [&str; 10] = [
    "run",
    "-d",
    "--name",
    "ctr",
    "--health-cmd",
    "true",
    "--health-interval",
    "disable",
    "busybox",
    "sleep",
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `command`, which must exit with `code`; how long it took.
fn timed(mut command: Command, code: i32) -> Duration {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(code), "{command:?}");
    start.elapsed()
}

fn true_config() -> ExecConfig {
    let mut config = ExecConfig::new(vec!["true".into()]);
    config.attach_stdout = true;
    config.attach_stderr = true;
    config
}

fn main() {
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let tmp = TempRoot::new_in(fs.path()).unwrap();
    let (rootfs, tar) = libpod_benches::busybox_tarball(tmp.path());
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = ULIMITS.iter().map(|s| s.to_string()).collect();
    engine.netns = libpod_spec::NetworkMode::None;
    let rt = Runtime::builder()
        .root(tmp.path().join("lib/root"))
        .run_root(tmp.path().join("lib/run"))
        .engine_config(engine)
        .open()
        .unwrap();
    libpod_benches::import_busybox(&rt, &tar);
    let mut check = HealthCheck::default();
    check.test = vec!["CMD".into(), "true".into()];
    check.timeout_seconds = 30;
    check.retries = 3;
    let ctr = rt
        .new_container([
            with_rootfs_from_image("localhost/busybox"),
            with_command(["sleep", "100000"]),
            with_healthcheck(check),
        ])
        .unwrap();
    ctr.start().unwrap();

    let mut criterion = Criterion::default().sample_size(30).configure_from_args();
    criterion.bench_function("exec true (session)", |b| {
        b.iter(|| {
            let end = ctr.exec(true_config(), ExecStreams::discard()).unwrap();
            assert_eq!(end, ExecEnd::Exited(0));
        })
    });
    criterion.bench_function("exec true (sessionless)", |b| {
        b.iter(|| {
            let end = ctr
                .exec_sessionless(true_config(), ExecStreams::discard())
                .unwrap();
            assert_eq!(end, ExecEnd::Exited(0));
        })
    });
    criterion.bench_function("healthcheck run", |b| {
        b.iter(|| ctr.healthcheck_run().unwrap())
    });
    criterion.final_summary();
    rt.remove_container(&ctr, RemoveOptions::default().force(true).timeout(0))
        .unwrap();

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
    let tar_arg = tar.display().to_string();
    timed(podctl_command(&["import", &tar_arg, "busybox"]), 0);
    let mut run = RUN.to_vec();
    run.push("100000");
    timed(podctl_command(&run), 0);
    let mut run_lc = vec!["--runtime", "libcontainer"];
    run_lc.extend(&run);
    let name = run_lc.iter().position(|arg| *arg == "ctr").unwrap();
    run_lc[name] = "lc";
    timed(podctl_command(&run_lc), 0);
    let podman = Podman::new(
        tmp.path(),
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n",
    );
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let mut podman_run = podman.command();
    podman_run.args(&run);
    timed(podman_run, 0);

    let podctl_exec = || timed(podctl_command(&["exec", "ctr", "true"]), 0);
    let podman_exec = || {
        let mut p = podman.command();
        p.args(["exec", "ctr", "true"]);
        timed(p, 0)
    };
    let podctl_check = || timed(podctl_command(&["healthcheck", "run", "ctr"]), 0);
    let podman_check = || {
        let mut p = podman.command();
        p.args(["healthcheck", "run", "ctr"]);
        timed(p, 0)
    };
    let lc_exec = || timed(podctl_command(&["exec", "lc", "true"]), 0);
    let lc_check = || timed(podctl_command(&["healthcheck", "run", "lc"]), 0);
    let variants: [&dyn Fn() -> Duration; 6] = [
        &podctl_exec,
        &podman_exec,
        &podctl_check,
        &podman_check,
        &lc_exec,
        &lc_check,
    ];
    let mut times: [Vec<Duration>; 6] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..variants.len() {
            let which = (round + k) % variants.len();
            std::thread::sleep(SETTLE);
            times[which].push(variants[which]());
        }
    }
    let exec_ratio = median_ratio(&times[1], &times[0]);
    let check_ratio = median_ratio(&times[3], &times[2]);
    let lc_ratios = [
        median_ratio(&times[0], &times[4]),
        median_ratio(&times[1], &times[4]),
        median_ratio(&times[2], &times[5]),
        median_ratio(&times[3], &times[5]),
    ];
    let [ours, theirs, our_check, their_check, lc, lc_check] = times.map(median);
    println!(
        "exec: exec ctr true on {}, medians of {ROUNDS} interleaved runs: podctl {:.1} ms, podman {:.1} ms: {exec_ratio:.2}x faster",
        fs.describe(),
        ms(ours),
        ms(theirs)
    );
    println!(
        "exec: healthcheck run ctr: podctl {:.1} ms, podman {:.1} ms: {check_ratio:.2}x faster",
        ms(our_check),
        ms(their_check)
    );
    println!(
        "exec: with libcontainer: exec {:.1} ms: {:.2}x faster than runc's, {:.2}x than podman's; healthcheck run {:.1} ms: {:.2}x, {:.2}x",
        ms(lc),
        lc_ratios[0],
        lc_ratios[1],
        ms(lc_check),
        lc_ratios[2],
        lc_ratios[3]
    );
    timed(podctl_command(&["rm", "-f", "-t", "0", "ctr", "lc"]), 0);
    let mut rm = podman.command();
    rm.args(["rm", "-f", "-t", "0", "ctr"]);
    timed(rm, 0);
}
