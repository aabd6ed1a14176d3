//! Healthchecks through podctl: `healthcheck run` against the real Podman 4.3 (exit codes,
//! output, errors, `State.Health`), and the timer process that runs the checks and their
//! on-failure actions with no podctl command and no runtime open (no systemd here).

mod common;

use common::pair::{Pair, error_lines, hide_ids};
use libpod_testutil::{require_root, serial};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn inspect(pair: &Pair, name: &str, podman: bool) -> Value {
    let out = if podman {
        pair.podman_ok(&["inspect", name])
    } else {
        pair.ok(&["inspect", name])
    };
    serde_json::from_str::<Value>(&out).unwrap()[0].clone()
}

/// Runs `args` (create flags, image and command) detached on both engines as `name`.
fn run_both(pair: &Pair, name: &str, args: &[&str]) {
    let mut all = vec!["run", "-d", "--name", name];
    let flags = pair.run_flags();
    all.extend(flags.iter().map(String::as_str));
    all.extend(args);
    pair.ok(&all);
    common::assert_test_runtime(&pair.root, name);
    pair.podman_ok(&all);
}

#[test]
fn healthcheck_run_matches_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("hc");
    // No interval: Podman would want a systemd timer, and neither engine should check by
    // itself while the cases run.
    let no_timer = ["--health-interval", "disable"];
    let hc = |cmd: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = vec!["--health-cmd", cmd];
        args.extend(no_timer);
        args.extend(extra);
        args.extend(["localhost/busybox", "sleep", "1000"]);
        args
    };
    run_both(&pair, "healthy", &hc("echo fine", &[]));
    run_both(
        &pair,
        "sick",
        &hc("echo bad; exit 3", &["--health-retries", "2"]),
    );
    run_both(&pair, "plain", &["localhost/busybox", "sleep", "1000"]);
    let mut create = vec!["create", "--name", "stopped"];
    create.extend(hc("true", &[]));
    pair.ok(&create);
    pair.podman_ok(&create);

    let cases: [(&str, &[&str], i32, &str); 6] = [
        ("healthy", &["healthcheck", "run", "healthy"], 0, ""),
        (
            "first failure",
            &["healthcheck", "run", "sick"],
            1,
            "unhealthy\n",
        ),
        (
            "second failure",
            &["healthcheck", "run", "sick"],
            1,
            "unhealthy\n",
        ),
        ("no healthcheck", &["healthcheck", "run", "plain"], 125, ""),
        ("not running", &["healthcheck", "run", "stopped"], 125, ""),
        (
            "no such container",
            &["healthcheck", "run", "nosuch"],
            125,
            "",
        ),
    ];
    let mut failures = Vec::new();
    for (what, args, code, stdout) in cases {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        let lines = (error_lines(&ours.stderr), error_lines(&theirs.stderr));
        let outs = (
            String::from_utf8_lossy(&ours.stdout).into_owned(),
            String::from_utf8_lossy(&theirs.stdout).into_owned(),
        );
        if ours.status.code() != Some(code)
            || theirs.status.code() != Some(code)
            || lines.0 != lines.1
            || outs.0 != stdout
            || outs.1 != stdout
        {
            failures.push(format!(
                "{what}: podctl {:?} {outs0:?} {:?}\n  podman {:?} {outs1:?} {:?}",
                ours.status.code(),
                lines.0,
                theirs.status.code(),
                lines.1,
                outs0 = outs.0,
                outs1 = outs.1,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The health both record: status, streak, and the log's codes and output.
    for name in ["healthy", "sick"] {
        let (ours, theirs) = (inspect(&pair, name, false), inspect(&pair, name, true));
        let view = |v: &Value| {
            let health = &v["State"]["Health"];
            let log: Vec<(i64, String)> = health["Log"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["ExitCode"].as_i64().unwrap(),
                        e["Output"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (
                health["Status"].clone(),
                health["FailingStreak"].clone(),
                log,
            )
        };
        assert_eq!(view(&ours), view(&theirs), "{name}");
        assert_eq!(
            ours["Config"]["Healthcheck"]["Test"],
            theirs["Config"]["Healthcheck"]["Test"]
        );
    }
    let sick = inspect(&pair, "sick", false);
    assert_eq!(sick["State"]["Health"]["Status"], "unhealthy");
    assert_eq!(sick["State"]["Health"]["FailingStreak"], 2);
    // Podman's "Up 2 seconds ago (unhealthy)".
    let ps = pair.ok(&["ps", "--format", "{{.Names}} {{.Status}}"]);
    let shown = |name: &str, health: &str| {
        ps.lines().any(|l| {
            l.strip_prefix(&format!("{name} Up "))
                .and_then(|rest| rest.strip_suffix(&format!(" ago ({health})")))
                .is_some()
        })
    };
    assert!(shown("sick", "unhealthy"), "{ps}");
    assert!(shown("healthy", "healthy"), "{ps}");
    let _ = hide_ids("");
}

/// The container's run directory in podctl's store.
fn run_dir(pair: &Pair, id: &str) -> PathBuf {
    pair.root.join("run").join("containers").join(id)
}

fn health_file(pair: &Pair, id: &str) -> Option<Value> {
    let bytes = std::fs::read(run_dir(pair, id).join("healthcheck.log")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn alive(pid: i64) -> bool {
    // A zombie is gone for our purpose.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// Every process whose command line is a podctl's, but for the monitors of libcontainer
/// containers and their exec sessions (podctl in its monitor mode: conmon's part, which is
/// not podctl with runc).
fn podctl_processes() -> Vec<(i64, String)> {
    let me = env!("CARGO_BIN_EXE_podctl");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: i64 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let monitor = cmdline
                .strip_prefix(me)
                .is_some_and(|rest| rest.trim_start().starts_with("libcontainer-monitor"));
            (cmdline.starts_with(me) && !monitor && alive(pid)).then_some((pid, cmdline))
        })
        .collect()
}

fn create_run(pair: &Pair, name: &str, args: &[&str]) -> String {
    let mut all = vec!["run", "-d", "--name", name];
    let flags = pair.run_flags();
    all.extend(flags.iter().map(String::as_str));
    all.extend(args);
    let id = pair.ok(&all).trim().to_string();
    common::assert_test_runtime(&pair.root, name);
    id
}

#[test]
fn the_timer_kills_an_unhealthy_container_with_no_podctl_running() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("hckill");
    let id = create_run(
        &pair,
        "k",
        &[
            "--health-cmd",
            "false",
            "--health-interval",
            "1s",
            "--health-retries",
            "2",
            "--health-on-failure",
            "kill",
            "localhost/busybox",
            "sleep",
            "1000",
        ],
    );
    let pid = inspect(&pair, "k", false)["State"]["Pid"].as_i64().unwrap();
    // Only the container's timer is a podctl process now.
    let running = podctl_processes();
    assert_eq!(running.len(), 1, "{running:?}");
    assert!(
        running[0].1.contains(&format!("healthcheck timer {id}")),
        "{running:?}"
    );
    wait_for("the kill", Duration::from_secs(20), || !alive(pid));
    let health = health_file(&pair, &id).expect("the timer recorded the checks");
    assert_eq!(health["Status"], "unhealthy");
    assert_eq!(health["FailingStreak"], 2);
    // The timer goes with the container.
    wait_for("the timer to exit", Duration::from_secs(10), || {
        podctl_processes().is_empty()
    });
    let state = inspect(&pair, "k", false);
    assert_eq!(state["State"]["Status"], "exited");
    assert_eq!(state["State"]["ExitCode"], 137);
    assert_eq!(state["State"]["Health"]["Status"], "unhealthy");
}

#[test]
fn the_timer_restarts_an_unhealthy_container_with_no_podctl_running() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("hcrestart");
    let data = pair.dir().join("data");
    std::fs::create_dir(&data).unwrap();
    let volume = format!("{}:/data", data.display());
    // Unhealthy on its first run, healthy once it was started again.
    let check = "test $(wc -l < /data/starts) -ge 2";
    let id = create_run(
        &pair,
        "r",
        &[
            "-v",
            &volume,
            "--health-cmd",
            check,
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
            "--health-on-failure",
            "restart",
            // sleep as PID 1 ignores SIGTERM: the restart's stop would wait 10 s.
            "--stop-timeout",
            "1",
            "localhost/busybox",
            "sh",
            "-c",
            "echo x >> /data/starts; exec sleep 1000",
        ],
    );
    let starts = |data: &Path| {
        std::fs::read_to_string(data.join("starts"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(starts(&data), 1);
    wait_for("a restart", Duration::from_secs(20), || starts(&data) >= 2);
    // The new run's health starts afresh and turns healthy; no further restart.
    wait_for("healthy", Duration::from_secs(20), || {
        health_file(&pair, &id).is_some_and(|h| h["Status"] == "healthy")
    });
    let health = health_file(&pair, &id).unwrap();
    assert!(
        health["Log"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["ExitCode"] == 0),
        "the last run's failures were forgotten: {health}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(starts(&data), 2);
    let state = inspect(&pair, "r", false);
    assert_eq!(state["State"]["Status"], "running");
    // Exactly one timer runs for it, and stop ends it.
    let timers = podctl_processes();
    assert_eq!(timers.len(), 1, "{timers:?}");
    pair.ok(&["stop", "-t", "0", "r"]);
    wait_for("the timer to go", Duration::from_secs(5), || {
        podctl_processes().is_empty()
    });
}

#[test]
fn rm_ends_the_timer() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("hcrm");
    let id = create_run(
        &pair,
        "t",
        &[
            "--health-cmd",
            "true",
            "--health-interval",
            "1s",
            "localhost/busybox",
            "sleep",
            "1000",
        ],
    );
    wait_for("a check", Duration::from_secs(10), || {
        health_file(&pair, &id).is_some_and(|h| h["Status"] == "healthy")
    });
    assert_eq!(podctl_processes().len(), 1);
    pair.ok(&["rm", "-f", "-t", "0", "t"]);
    wait_for("the timer to go", Duration::from_secs(5), || {
        podctl_processes().is_empty()
    });
}
