//! `podctl stats` and `podctl top` beside the real Podman 4.3: the same containers on both
//! sides, the same columns, plausible values (a container holding 64 MiB shows it), and the
//! library's streaming CPU percentage over an interval.

mod common;

use common::pair::Pair;
use libpod_testutil::{require_root, serial};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 64 MiB written to the container's /dev/shm (charged to its memory cgroup), then a sleep.
const HOLD_64M: &str = "head -c 67108864 /dev/zero > /dev/shm/fill; echo filled; exec sleep 1000";

fn start(pair: &Pair, podman: bool, name: &str, script: &str) {
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--shm-size",
        "100m",
        "--network",
        "none",
    ];
    let flags = pair.run_flags();
    args.extend(flags.iter().map(String::as_str));
    args.extend(["localhost/busybox", "sh", "-c", script]);
    if podman {
        pair.podman_ok(&args);
    } else {
        pair.ok(&args);
    }
}

/// Waits until `name`'s log shows `filled` on both sides.
fn wait_filled(pair: &Pair, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ours = pair.ok(&["logs", name]);
        let theirs = pair.podman_ok(&["logs", name]);
        if ours.contains("filled") && theirs.contains("filled") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "never filled: {ours:?} {theirs:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `67.11MB` (go-units' decimal units) in bytes.
fn parse_size(text: &str) -> f64 {
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..digits].parse().unwrap();
    let factor = match &text[digits..] {
        "B" => 1.0,
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        other => panic!("unit {other:?} in {text:?}"),
    };
    number * factor
}

fn stats_json(text: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn stats_and_top_match_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("stats");
    start(&pair, false, "mem", HOLD_64M);
    start(&pair, true, "mem", HOLD_64M);
    wait_filled(&pair, "mem");

    // stats: the same header, the same JSON keys, 64 MiB on both sides.
    let args = ["stats", "--no-stream", "mem"];
    let ours = pair.ok(&args);
    let theirs = pair.podman_ok(&args);
    let header = |text: &str| {
        text.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        header(&ours),
        header(&theirs),
        "ours:\n{ours}theirs:\n{theirs}"
    );
    let args = ["stats", "--no-stream", "--format", "json", "mem"];
    let (ours, theirs) = (
        stats_json(&pair.ok(&args)),
        stats_json(&pair.podman_ok(&args)),
    );
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&ours[0]), keys(&theirs[0]));
    for side in [&ours[0], &theirs[0]] {
        assert_eq!(side["name"], "mem");
        assert_eq!(side["id"].as_str().unwrap().len(), 12);
        let usage = side["mem_usage"].as_str().unwrap();
        let (used, limit) = usage.split_once(" / ").unwrap();
        let used = parse_size(used);
        assert!(used >= 64.0 * 1024.0 * 1024.0, "64 MiB held: {usage}");
        assert!(used < 200e6, "not much more: {usage}");
        assert!(parse_size(limit) > used, "{usage}");
        assert!(side["mem_percent"].as_str().unwrap().ends_with('%'));
        assert!(side["cpu_percent"].as_str().unwrap().ends_with('%'));
        assert_eq!(side["pids"], "1", "sh exec'd sleep");
        assert_eq!(side["net_io"], "0B / 0B", "no network");
    }
    // A template over Podman's fields.
    let args = [
        "stats",
        "--no-stream",
        "--format",
        "{{.Name}} {{.PIDS}}",
        "mem",
    ];
    assert_eq!(pair.ok(&args), pair.podman_ok(&args));

    // top: the same columns, and the same processes as the container sees them.
    let top = |podman: bool, extra: &[&str]| -> Vec<Vec<String>> {
        let mut args = vec!["top", "mem"];
        args.extend(extra);
        let text = if podman {
            pair.podman_ok(&args)
        } else {
            pair.ok(&args)
        };
        text.lines()
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect()
    };
    let (ours, theirs) = (top(false, &[]), top(true, &[]));
    assert_eq!(ours[0], theirs[0], "default columns");
    assert_eq!(
        ours.len(),
        theirs.len(),
        "ours: {ours:?}\ntheirs: {theirs:?}"
    );
    // USER PID PPID ... COMMAND: the same; %CPU a number, ELAPSED and TIME Go durations.
    for (a, b) in ours[1..].iter().zip(&theirs[1..]) {
        assert_eq!(a[..3], b[..3], "user, pid, ppid");
        assert_eq!(a[7..], b[7..], "command");
        assert!(a[3].parse::<f64>().is_ok(), "{a:?}");
        assert!(a[4].ends_with('s') && a[6].ends_with('s'), "{a:?}");
        assert_eq!(a[5], b[5], "tty");
    }
    let (ours, theirs) = (
        top(false, &["pid", "comm", "user", "group", "hpid"]),
        top(true, &["pid", "comm", "user", "group", "hpid"]),
    );
    assert_eq!(ours[0], theirs[0]);
    assert_eq!(ours[1][..4], theirs[1][..4]);
    assert_eq!(ours[1][..4], ["1", "sleep", "root", "root"]);
    let bad = pair.podctl(&["top", "mem", "bogus"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'bogus': unknown descriptor"));
    pair.ok(&["rm", "-f", "-t", "0", "mem"]);
}

#[test]
fn a_stream_gives_the_cpu_of_each_interval() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("stats-stream");
    start(&pair, false, "busy", "while :; do :; done");
    start(&pair, false, "idle", "exec sleep 1000");
    common::assert_test_runtime(&pair.root, "busy");
    // The library: two samples a second apart (libcontainer offered, as podctl offers it:
    // the containers may be its, under the runtime matrix).
    let monitor = libpod_libcontainer::MonitorCommand::new(env!("CARGO_BIN_EXE_podctl"))
        .args(["libcontainer-monitor"]);
    let config = libpod_libcontainer::LibcontainerConfig::new(pair.root.join("run"), monitor);
    let libcontainer = libpod_libcontainer::LibcontainerRuntime::new(config).unwrap();
    let rt = libpod_core::runtime::Runtime::builder()
        .root(pair.root.join("root"))
        .run_root(pair.root.join("run"))
        .add_oci_runtime(std::sync::Arc::new(libcontainer))
        .open()
        .unwrap();
    let busy = rt.container("busy").unwrap();
    let idle = rt.container("idle").unwrap();
    let first = (busy.stats(None).unwrap(), idle.stats(None).unwrap());
    std::thread::sleep(Duration::from_secs(1));
    let second = (
        busy.stats(Some(&first.0)).unwrap(),
        idle.stats(Some(&first.1)).unwrap(),
    );
    assert!(
        second.0.cpu > 20.0 && second.0.cpu < 120.0,
        "busy: {}",
        second.0.cpu
    );
    assert!(second.1.cpu < 5.0, "idle: {}", second.1.cpu);
    assert!(second.0.cpu_nano > first.0.cpu_nano);
    assert!(second.0.system_nano > first.0.system_nano);
    // podctl's stream: a table per interval.
    let mut child = Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(pair.root.join("root"))
        .arg("--runroot")
        .arg(pair.root.join("run"))
        .args([
            "stats",
            "--no-reset",
            "-i",
            "1",
            "--format",
            "{{.Name}} {{.CPUPerc}}",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut busy_lines = Vec::new();
    while busy_lines.len() < 3 {
        let line = lines.next().unwrap().unwrap();
        if let Some(percent) = line.strip_prefix("busy ") {
            busy_lines.push(percent.trim_end_matches('%').parse::<f64>().unwrap());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    // After the first, each over one interval of a busy loop.
    assert!(busy_lines[1..].iter().all(|p| *p > 20.0), "{busy_lines:?}");
    for name in ["busy", "idle"] {
        pair.ok(&["rm", "-f", "-t", "0", name]);
    }
}
