//! The container lifecycle, in process and as whole commands, side by side in one run:
//!
//! - criterion: in-process create (config and database only), and create + start + wait +
//!   remove of a busybox `/bin/true`;
//! - whole processes, medians of interleaved runs: `podctl run --rm --network none busybox
//!   /bin/true`, `podman run --rm --network none` of the same image, `runc run` of a prepared
//!   bundle, and the floor of a conmon design (conmon + `runc create` + `runc start` of a
//!   prepared bundle until the exit file appears, with podctl's conmon flags: the same runc,
//!   log level and k8s-file log), with the ratios. The floor runs the `runc start` binary, as
//!   its definition says; podctl starts runc containers in process (see
//!   `ConmonRuntime::with_direct_runc`), so the floor is also measured that way. And
//!   `podctl --runtime libcontainer run --rm` (libpod-libcontainer: youki's libcontainer with
//!   podctl as each container's monitor), on the same store.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench lifecycle`), as root.

use criterion::Criterion;
use libpod_benches::{median, median_ratio};
use libpod_core::container::{
    RemoveOptions, with_command, with_rootfs_from_image, with_rootfs_path,
};
use libpod_core::oci::{ConmonRuntime, ConmonRuntimeConfig, CreateArgs, LogTarget, OciRuntime};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_core::state::MemoryState;
use libpod_testutil::{Podman, TempRoot};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ULIMITS: [&str; 2] = ["nofile=1024:1024", "nproc=1024:1024"];
/// Runs of each whole-process variant; the medians give the ratios.
const ROUNDS: usize = 25;
/// The pause before each whole-process run.
const SETTLE: Duration = Duration::from_millis(100);

fn engine() -> EngineConfig {
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = ULIMITS.iter().map(|s| s.to_string()).collect();
    // As `--network none` for the whole commands: the network has a bench of its own.
    engine.netns = libpod_spec::NetworkMode::None;
    engine
}

fn runtime(dir: &Path) -> Runtime {
    Runtime::builder()
        .root(dir.join("root"))
        .run_root(dir.join("run"))
        .engine_config(engine())
        .open()
        .unwrap()
}

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

fn main() {
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let tmp = TempRoot::new_in(fs.path()).unwrap();
    let (rootfs, tar) = libpod_benches::busybox_tarball(tmp.path());
    let rt = runtime(&tmp.path().join("lib"));
    libpod_benches::import_busybox(&rt, &tar);

    let mut criterion = Criterion::default().sample_size(20).configure_from_args();
    let config_rootfs = rootfs.clone();
    criterion.bench_function("create (config and database)", |b| {
        b.iter_custom(|n| {
            let start = Instant::now();
            let created: Vec<_> = (0..n)
                .map(|_| {
                    rt.new_container([
                        with_rootfs_path(config_rootfs.clone()),
                        with_command(["/bin/true"]),
                    ])
                    .unwrap()
                })
                .collect();
            let elapsed = start.elapsed();
            for c in created {
                rt.remove_container(&c, RemoveOptions::default()).unwrap();
            }
            elapsed
        })
    });
    criterion.bench_function("create + start + wait + remove", |b| {
        b.iter(|| {
            let c = rt
                .new_container([
                    with_rootfs_from_image("localhost/busybox"),
                    with_command(["/bin/true"]),
                ])
                .unwrap();
            c.start().unwrap();
            assert_eq!(c.wait().unwrap(), 0);
            rt.remove_container(&c, RemoveOptions::default()).unwrap();
        })
    });
    criterion.final_summary();

    // Creates per second, in process, over 1000 creates: with the SQLite database (a durable
    // commit each, so bound by the filesystem's fsync) and with the config only (options,
    // validation, the in-memory state store).
    let per_second = creates_per_second(&rt, &rootfs);
    let config_only = Runtime::builder()
        .root(tmp.path().join("config-only/root"))
        .run_root(tmp.path().join("config-only/run"))
        .engine_config(engine())
        .state_store(Box::new(MemoryState::new()))
        .open()
        .unwrap();
    let config_per_second = creates_per_second(&config_only, &rootfs);

    // Whole operations, interleaved.
    let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
    assert!(
        podctl.exists(),
        "build podctl first: cargo build --release -p libpod-examples --bin podctl"
    );
    let podctl_dir = tmp.path().join("podctl");
    let status = Command::new(&podctl)
        .arg("--root")
        .arg(podctl_dir.join("root"))
        .arg("--runroot")
        .arg(podctl_dir.join("run"))
        .args(["import"])
        .arg(&tar)
        .arg("busybox")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // Podman's own directories go in tmp/podman (its run root must stay under 50 characters).
    let podman = Podman::new(
        tmp.path(),
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n",
    );
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let runc_root = tmp.path().join("runc-root");
    let runc_bundle = libpod_benches::true_bundle(tmp.path(), "runc", &ULIMITS);
    let floor_bundle = libpod_benches::true_bundle(tmp.path(), "floor", &ULIMITS);
    let floor_dir = tmp.path().join("floor");
    // conmon as podctl runs it: the same runc, log level and k8s-file log.
    let mut floor_config = ConmonRuntimeConfig::runc(&floor_dir);
    floor_config.log_level = "error".into();
    let conmon = ConmonRuntime::new(floor_config.clone())
        .unwrap()
        .with_direct_runc(false);
    let conmon_direct = ConmonRuntime::new(floor_config).unwrap();
    assert!(conmon_direct.direct_runc());

    // The variants take turns, each run after a pause: a run's asynchronous teardown (the
    // kernel frees a network namespace in a worker, cgroups linger) must not land on the
    // next run, and which variant follows which changes every round.
    let run_podctl_with = |runtime: &[&str]| {
        let mut c = Command::new(&podctl);
        c.arg("--root")
            .arg(podctl_dir.join("root"))
            .arg("--runroot")
            .arg(podctl_dir.join("run"))
            .args(runtime)
            .args(["run", "--rm", "--network", "none", "busybox", "/bin/true"]);
        timed(c)
    };
    let run_podctl = || run_podctl_with(&[]);
    let run_podctl_libcontainer = || run_podctl_with(&["--runtime", "libcontainer"]);
    let run_podman = || {
        let mut p = podman.command();
        p.args(["run", "--rm", "--network", "none", "busybox", "/bin/true"]);
        timed(p)
    };
    let runs = std::cell::Cell::new(0);
    let run_runc = || {
        runs.set(runs.get() + 1);
        let mut r = Command::new("runc");
        r.arg("--root")
            .arg(&runc_root)
            .args(["run", "--bundle"])
            .arg(&runc_bundle)
            .arg(format!("bench-{}", runs.get()));
        timed(r)
    };
    let run_floor = || {
        runs.set(runs.get() + 1);
        conmon_floor(
            &conmon,
            &floor_dir,
            &floor_bundle,
            &format!("floor-{}", runs.get()),
        )
    };
    let run_floor_direct = || {
        runs.set(runs.get() + 1);
        let id = format!("floor-direct-{}", runs.get());
        conmon_floor(&conmon_direct, &floor_dir, &floor_bundle, &id)
    };
    let variants: [&dyn Fn() -> Duration; 6] = [
        &run_podctl,
        &run_podman,
        &run_runc,
        &run_floor,
        &run_floor_direct,
        &run_podctl_libcontainer,
    ];
    let mut times: [Vec<Duration>; 6] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..variants.len() {
            let which = (round + k) % variants.len();
            std::thread::sleep(SETTLE);
            times[which].push(variants[which]());
        }
    }
    let ratio = |a: usize, b: usize| median_ratio(&times[a], &times[b]);
    let (podman_ratio, floor_ratio, direct_ratio, raw_ratio) =
        (ratio(1, 0), ratio(0, 3), ratio(0, 4), ratio(0, 2));
    let libcontainer_ratio = ratio(1, 5);
    let libcontainer_runc_ratio = ratio(0, 5);
    let [ours, theirs, raw, floor, floor_direct, libcontainer] = times.clone().map(median);
    println!(
        "lifecycle: in-process creates: {config_per_second:.0}/s config only, {per_second:.0}/s with the database row (one fsync'ed commit each; fsync here: {:.2} ms)",
        ms(fs.fsync_latency())
    );
    println!(
        "lifecycle: run --rm --network none busybox /bin/true on {}, medians of {ROUNDS} interleaved runs: podctl {:.1} ms, podman {:.1} ms, runc run {:.1} ms, conmon floor {:.1} ms (with an in-process start {:.1} ms)",
        fs.describe(),
        ms(ours),
        ms(theirs),
        ms(raw),
        ms(floor),
        ms(floor_direct)
    );
    println!(
        "lifecycle: medians of the per-round ratios: {podman_ratio:.2}x faster than podman; {floor_ratio:.2}x the conmon floor ({direct_ratio:.2}x the floor with an in-process start); {raw_ratio:.2}x raw runc run"
    );
    println!(
        "lifecycle: podctl --runtime libcontainer run --rm: {:.1} ms, {libcontainer_ratio:.2}x faster than podman, {libcontainer_runc_ratio:.2}x faster than podctl with conmon + runc",
        ms(libcontainer)
    );
}

/// Creates per second of 1000 in-process creates of a container on a root filesystem path.
fn creates_per_second(rt: &Runtime, rootfs: &Path) -> f64 {
    let start = Instant::now();
    let created: Vec<_> = (0..1000)
        .map(|_| {
            rt.new_container([
                with_rootfs_path(rootfs.to_path_buf()),
                with_command(["/bin/true"]),
            ])
            .unwrap()
        })
        .collect();
    let per_second = 1000.0 / start.elapsed().as_secs_f64();
    for c in created {
        rt.remove_container(&c, RemoveOptions::default()).unwrap();
    }
    per_second
}

/// One run of the conmon floor: conmon + `runc create` of the prepared bundle, then `start`
/// (the runc binary, or in process, as `conmon` does it), until the exit file appears.
fn conmon_floor(conmon: &ConmonRuntime, dir: &Path, bundle: &Path, id: &str) -> Duration {
    let run_dir = dir.join(id);
    std::fs::create_dir_all(&run_dir).unwrap();
    let mut args = CreateArgs::new(id, id, bundle, &run_dir);
    args.log = LogTarget::K8sFile(run_dir.join("ctr.log"));
    let start = Instant::now();
    conmon.create(&args).unwrap();
    conmon.start(id).unwrap();
    conmon
        .wait_exit(id, Some(Duration::from_secs(10)))
        .unwrap()
        .expect("the floor container exits");
    let elapsed = start.elapsed();
    conmon.delete(id, true).unwrap();
    elapsed
}
