//! The two OCI runtimes side by side in one run: conmon + runc, and youki's libcontainer in
//! process with our own monitor (libpod-libcontainer), against Podman and the floors.
//!
//! - `run --rm --network none busybox /bin/true`: podctl on each runtime, `podman run`, `runc
//!   run` of a prepared bundle, and the in-process libcontainer floor (`libcontainer-floor`:
//!   create, start, wait and delete of the same bundle in one process, no monitor, no store);
//! - a detached create + start, `run -d --network none busybox sleep 1000` until the command
//!   returns, on each runtime and with Podman (each container removed after, untimed);
//! - 16 concurrent `run --rm` on each runtime and with Podman: the wall time until all 16
//!   have returned;
//! - memory per running container: the RSS and PSS of each container's monitor (conmon for
//!   runc, podctl's monitor mode for libcontainer, libpod-libcontainer's own smaller
//!   `libpod-libcontainer-monitor` through `PODCTL_LIBCONTAINER_MONITOR`, Podman's conmon),
//!   eight `sleep` containers each.
//!
//! Whole commands take turns after a pause, and each ratio is the median of the per-round
//! ratios. Run with `cargo bench -p libpod-benches --bench runtimes`, as root, podctl and the
//! monitor built first (`cargo build --release -p libpod-examples --bin podctl -p
//! libpod-libcontainer --bin libpod-libcontainer-monitor`).

use libpod_benches::{median, median_ratio};
use libpod_testutil::{Podman, TempRoot};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ULIMITS: [&str; 2] = ["nofile=1024:1024", "nproc=1024:1024"];
/// Rounds of the single-run variants.
const ROUNDS: usize = 25;
/// Rounds of the concurrent runs.
const CONCURRENT_ROUNDS: usize = 5;
/// Runs at once in the concurrent variants.
const CONCURRENT: usize = 16;
/// Running containers whose monitors are measured, per runtime.
const RESIDENT: usize = 8;
/// The pause before each whole-command run.
const SETTLE: Duration = Duration::from_millis(100);
const RUN_RM: [&str; 6] = ["run", "--rm", "--network", "none", "busybox", "/bin/true"];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `command` to success, its output discarded; how long it took.
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

/// Starts `count` copies of the command `make` gives at once; the wall time until all ended.
fn timed_together(count: usize, make: &dyn Fn(usize) -> Command) -> Duration {
    let start = Instant::now();
    let children: Vec<Child> = (0..count)
        .map(|k| {
            make(k)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a concurrent run failed");
    }
    start.elapsed()
}

/// Resident and proportional set sizes of process `pid`, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let field = |path: String, name: &str| {
        std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{path}: {err}"))
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {path}"))
    };
    (
        field(format!("/proc/{pid}/status"), "VmRSS:"),
        field(format!("/proc/{pid}/smaps_rollup"), "Pss:"),
    )
}

/// The median RSS and PSS (KiB) of the monitors of the containers `names`, whose PIDs `pid_of`
/// reads.
fn monitors_memory(names: &[String], pid_of: &dyn Fn(&str) -> u32) -> (u64, u64) {
    let mut rss = Vec::new();
    let mut pss = Vec::new();
    for name in names {
        let (r, p) = memory_kib(pid_of(name));
        rss.push(r);
        pss.push(p);
    }
    rss.sort_unstable();
    pss.sort_unstable();
    (rss[rss.len() / 2], pss[pss.len() / 2])
}

/// The container's monitor's PID, from `inspect --format {{.State.ConmonPid}}`.
fn conmon_pid(mut inspect: Command) -> u32 {
    let output = inspect.output().unwrap();
    assert!(output.status.success(), "{inspect:?} failed");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|err| panic!("{inspect:?}: {err}"))
}

fn main() {
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let tmp = TempRoot::new_in(fs.path()).unwrap();
    let (rootfs, tar) = libpod_benches::busybox_tarball(tmp.path());
    let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
    assert!(
        podctl.exists(),
        "build podctl first: cargo build --release -p libpod-examples --bin podctl"
    );
    let small_monitor = podctl.with_file_name("libpod-libcontainer-monitor");
    assert!(
        small_monitor.exists(),
        "build the monitor first: cargo build --release -p libpod-libcontainer --bin libpod-libcontainer-monitor"
    );
    let podctl_dir = tmp.path().join("podctl");
    let podctl_with = |runtime: &[&str], args: &[&str]| {
        let mut c = Command::new(&podctl);
        c.arg("--root")
            .arg(podctl_dir.join("root"))
            .arg("--runroot")
            .arg(podctl_dir.join("run"))
            .args(runtime)
            .args(args);
        c
    };
    timed(podctl_with(
        &[],
        &["import", &tar.display().to_string(), "busybox"],
    ));
    // Podman's own directories go in tmp/podman (its run root must stay under 50 characters).
    let podman = Podman::new(
        tmp.path(),
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n",
    );
    podman.import_rootfs(&rootfs, "busybox", &[]).unwrap();
    let podman_with = |args: &[&str]| {
        let mut c = podman.command();
        c.args(args);
        c
    };
    let runc_root = tmp.path().join("runc-root");
    let runc_bundle = libpod_benches::true_bundle(tmp.path(), "runc", &ULIMITS);
    let floor_root = tmp.path().join("libcontainer-root");
    let floor_bundle = libpod_benches::true_bundle(tmp.path(), "floor", &ULIMITS);
    let runs = std::cell::Cell::new(0);
    let next_id = |prefix: &str| {
        runs.set(runs.get() + 1);
        format!("{prefix}-{}", runs.get())
    };
    const LC: [&str; 2] = ["--runtime", "libcontainer"];

    // run --rm, one at a time.
    let run_rm: [&dyn Fn() -> Duration; 5] = [
        &|| timed(podctl_with(&[], &RUN_RM)),
        &|| timed(podctl_with(&LC, &RUN_RM)),
        &|| timed(podman_with(&RUN_RM)),
        &|| {
            let mut r = Command::new("runc");
            r.arg("--root").arg(&runc_root).args(["run", "--bundle"]);
            r.arg(&runc_bundle).arg(next_id("runc"));
            timed(r)
        },
        &|| {
            let mut f = Command::new(env!("CARGO_BIN_EXE_libcontainer-floor"));
            f.arg(&floor_root).arg(&floor_bundle).arg(next_id("floor"));
            timed(f)
        },
    ];
    let rm_times = take_turns(&run_rm, ROUNDS);

    // A detached create + start until the command returns; removed after, untimed.
    let detached = |command: &dyn Fn(&[&str]) -> Command| {
        let name = next_id("detached");
        let run = ["run", "-d", "--network", "none", "--name", &name];
        let mut args = run.to_vec();
        args.extend(["busybox", "sleep", "1000"]);
        let took = timed(command(&args));
        timed(command(&["rm", "-f", "-t", "0", &name]));
        took
    };
    let run_d: [&dyn Fn() -> Duration; 3] = [
        &|| detached(&|args| podctl_with(&[], args)),
        &|| detached(&|args| podctl_with(&LC, args)),
        &|| detached(&podman_with),
    ];
    let d_times = take_turns(&run_d, ROUNDS);

    // 16 concurrent run --rm.
    let together: [&dyn Fn() -> Duration; 3] = [
        &|| timed_together(CONCURRENT, &|_| podctl_with(&[], &RUN_RM)),
        &|| timed_together(CONCURRENT, &|_| podctl_with(&LC, &RUN_RM)),
        &|| timed_together(CONCURRENT, &|_| podman_with(&RUN_RM)),
    ];
    let together_times = take_turns(&together, CONCURRENT_ROUNDS);

    // Memory per running container: each container's monitor.
    let start_resident = |prefix: &str, command: &dyn Fn(&[&str]) -> Command| {
        (0..RESIDENT)
            .map(|k| {
                let name = format!("{prefix}-{k}");
                let run = ["run", "-d", "--network", "none", "--name", &name];
                let mut args = run.to_vec();
                args.extend(["busybox", "sleep", "1000"]);
                timed(command(&args));
                name
            })
            .collect::<Vec<_>>()
    };
    let inspect_pid = |command: &dyn Fn(&[&str]) -> Command, name: &str| {
        conmon_pid(command(&[
            "inspect",
            "--format",
            "{{.State.ConmonPid}}",
            name,
        ]))
    };
    let runc_names = start_resident("mem-runc", &|args| podctl_with(&[], args));
    let lc_names = start_resident("mem-lc", &|args| podctl_with(&LC, args));
    let small_names = start_resident("mem-small", &|args| {
        let mut c = podctl_with(&LC, args);
        c.env("PODCTL_LIBCONTAINER_MONITOR", &small_monitor);
        c
    });
    let podman_names = start_resident("mem-podman", &podman_with);
    let conmon_mem = monitors_memory(&runc_names, &|name| {
        inspect_pid(&|args| podctl_with(&[], args), name)
    });
    let monitor_mem = monitors_memory(&lc_names, &|name| {
        inspect_pid(&|args| podctl_with(&[], args), name)
    });
    let small_mem = monitors_memory(&small_names, &|name| {
        inspect_pid(&|args| podctl_with(&[], args), name)
    });
    let podman_mem = monitors_memory(&podman_names, &|name| inspect_pid(&podman_with, name));
    timed(podctl_with(&[], &["rm", "-a", "-f", "-t", "0"]));
    timed(podman_with(&["rm", "-a", "-f", "-t", "0"]));

    let ratio = |times: &[Vec<Duration>], a: usize, b: usize| median_ratio(&times[a], &times[b]);
    let [runc_rm, lc_rm, podman_rm, raw_runc, floor] = rm_times.clone().map(median);
    println!(
        "runtimes: run --rm --network none busybox /bin/true on {}, medians of {ROUNDS} interleaved runs: podctl on runc {:.1} ms, podctl on libcontainer {:.1} ms, podman {:.1} ms, runc run {:.1} ms, in-process libcontainer {:.1} ms",
        fs.describe(),
        ms(runc_rm),
        ms(lc_rm),
        ms(podman_rm),
        ms(raw_runc),
        ms(floor)
    );
    println!(
        "runtimes: run --rm: libcontainer at {:.3} of podman's time ({:.2}x faster), {:.2}x the in-process libcontainer floor, {:.2}x faster than podctl on runc; podctl on runc {:.2}x faster than podman",
        1.0 / ratio(&rm_times, 2, 1),
        ratio(&rm_times, 2, 1),
        ratio(&rm_times, 1, 4),
        ratio(&rm_times, 0, 1),
        ratio(&rm_times, 2, 0)
    );
    let [runc_d, lc_d, podman_d] = d_times.clone().map(median);
    println!(
        "runtimes: run -d until it returns: podctl on runc {:.1} ms, on libcontainer {:.1} ms ({:.2} of runc's time), podman {:.1} ms ({:.2}x, {:.2}x faster than podman)",
        ms(runc_d),
        ms(lc_d),
        1.0 / ratio(&d_times, 0, 1),
        ms(podman_d),
        ratio(&d_times, 2, 0),
        ratio(&d_times, 2, 1)
    );
    let [runc_16, lc_16, podman_16] = together_times.clone().map(median);
    println!(
        "runtimes: {CONCURRENT} concurrent run --rm, medians of {CONCURRENT_ROUNDS} rounds: podctl on runc {:.0} ms, on libcontainer {:.0} ms, podman {:.0} ms ({:.2}x, {:.2}x faster than podman)",
        ms(runc_16),
        ms(lc_16),
        ms(podman_16),
        ratio(&together_times, 2, 0),
        ratio(&together_times, 2, 1)
    );
    println!(
        "runtimes: memory per running container (median of {RESIDENT}, RSS / PSS): podctl as the libcontainer monitor {} / {} KiB, libpod-libcontainer-monitor {} / {} KiB, conmon under podctl {} / {} KiB, conmon under podman {} / {} KiB",
        monitor_mem.0,
        monitor_mem.1,
        small_mem.0,
        small_mem.1,
        conmon_mem.0,
        conmon_mem.1,
        podman_mem.0,
        podman_mem.1
    );
}

/// Runs the variants in turns for `rounds` rounds, each after a pause, the order rotated
/// every round; each variant's times.
fn take_turns<const N: usize>(
    variants: &[&dyn Fn() -> Duration; N],
    rounds: usize,
) -> [Vec<Duration>; N] {
    let mut times: [Vec<Duration>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..rounds {
        for k in 0..N {
            let which = (round + k) % N;
            std::thread::sleep(SETTLE);
            times[which].push(variants[which]());
        }
    }
    times
}
