//! Restart policies that act with nothing of ours running, with the real conmon and runc.
//!
//! This binary is also the embedder's own binary that serves as conmon's exit command: run as
//! `restart cleanup FLAGS... ID` it opens the runtime as the flags say and cleans the
//! container up (`libpod_core::monitor::CleanupArgs`), as an embedder's main does. So its
//! own `main` (`harness = false`): the tests below run in turn, filtered by name as under
//! libtest.
//!
//! - the exit command restarts an `always` container killed with SIGKILL while no runtime is
//!   open, and gives an `on-failure:2` one up after two restarts;
//! - a stop by the user is never undone, by the exit command nor by the exit monitor;
//! - after a simulated reboot (processes killed, mounts gone, run root removed), `boot`
//!   starts exactly the `always` containers and the `unless-stopped` ones not stopped by the
//!   user, once;
//! - the exit monitor of an open runtime restarts an `always` container, and stops with the
//!   runtime.

mod common;

use common::{CgroupParent, IMAGE, process_exists, process_gone};
use libpod_core::container::{
    Container, ContainerStatus, with_cgroup_parent, with_command, with_name, with_restart_policy,
    with_rootfs_from_image,
};
use libpod_core::monitor::{CleanupArgs, CleanupOutcome, ExitCommand};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_spec::RestartPolicy;
use libpod_testutil::{TempRoot, require_root, serial};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

fn main() {
    // First: a container's monitor under libcontainer is this binary too.
    common::oci::serve_monitor_if_asked();
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("cleanup") {
        std::process::exit(cleanup_main(&args[2..]));
    }
    let tests: [(&str, fn()); 5] = [
        (
            "a_killed_always_container_is_restarted_by_its_exit_command",
            a_killed_always_container_is_restarted_by_its_exit_command,
        ),
        (
            "on_failure_2_gives_up_after_two_restarts_by_the_exit_command",
            on_failure_2_gives_up_after_two_restarts_by_the_exit_command,
        ),
        (
            "a_stop_by_the_user_is_never_undone",
            a_stop_by_the_user_is_never_undone,
        ),
        (
            "boot_after_a_reboot_starts_exactly_the_right_set",
            boot_after_a_reboot_starts_exactly_the_right_set,
        ),
        (
            "the_exit_monitor_restarts_an_always_container_and_stops_with_the_runtime",
            the_exit_monitor_restarts_an_always_container_and_stops_with_the_runtime,
        ),
    ];
    let rest: Vec<&String> = args.iter().skip(1).collect();
    if rest.iter().any(|a| *a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    // libtest's `--skip NAME` (the runtime matrix passes one for another file's test).
    let skips: Vec<&String> = rest
        .windows(2)
        .filter(|pair| pair[0] == "--skip")
        .map(|pair| pair[1])
        .collect();
    let filters: Vec<&&String> = rest
        .iter()
        .filter(|a| !a.starts_with('-') && !skips.contains(a))
        .collect();
    let mut failed = Vec::new();
    for (name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        if skips.iter().any(|s| name.contains(s.as_str())) {
            continue;
        }
        println!("test {name} ...");
        if std::panic::catch_unwind(test).is_err() {
            failed.push(name);
        }
    }
    if !failed.is_empty() {
        eprintln!("failed: {failed:?}");
        std::process::exit(101);
    }
    println!("test result: ok");
}

/// The cleanup process, as an embedder's binary runs it: the runtime opened as the flags say,
/// with the tests' engine configuration; what came of it appended to `cleanup.log` beside the
/// roots (conmon gives an exit command no terminal).
fn cleanup_main(args: &[String]) -> i32 {
    let result = CleanupArgs::parse(args).and_then(|parsed| {
        let builder = common::oci::offering_test_runtime(parsed.builder(), &parsed.run_root);
        let rt = builder.engine_config(engine()).open()?;
        let outcome = rt.cleanup_container(&parsed.id)?;
        Ok((parsed, outcome))
    });
    let (line, code) = match &result {
        Ok((parsed, outcome)) => (format!("{} {outcome:?}", parsed.id), 0),
        Err(err) => (format!("error: {err}"), 1),
    };
    if let Ok(parsed) = CleanupArgs::parse(args)
        && let Some(dir) = parsed.root.parent()
        && let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("cleanup.log"))
    {
        let _ = writeln!(log, "{line}");
    }
    code
}

fn engine() -> EngineConfig {
    let mut engine = EngineConfig::builtin();
    // This host's hard limits are below Podman's implicit 1048576.
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    engine.netns = libpod_spec::NetworkMode::None;
    engine
}

/// A runtime on `dir` whose containers get this binary as their exit command; with or
/// without an exit monitor.
fn open(dir: &Path, monitor: bool) -> Runtime {
    let exe = std::env::current_exe().unwrap();
    common::builder(dir)
        .engine_config(engine())
        .exit_command(ExitCommand::new(exe).args(["cleanup"]))
        .exit_monitor(monitor)
        .open()
        .unwrap()
}

/// What each test starts from (dropped in this order): its cgroup parent, fresh roots with
/// the busybox image, and the other tests kept out.
struct Setup {
    cg: CgroupParent,
    tmp: TempRoot,
    _serial: MutexGuard<'static, ()>,
}

fn setup() -> Setup {
    require_root();
    let serial = serial();
    let tmp = TempRoot::new().unwrap();
    drop(common::runtime(&tmp));
    Setup {
        cg: CgroupParent::new(),
        tmp,
        _serial: serial,
    }
}

fn ctr(
    rt: &Runtime,
    cg: &CgroupParent,
    name: &str,
    script: &str,
    policy: RestartPolicy,
) -> Container {
    let ctr = rt
        .new_container([
            with_name(name),
            with_rootfs_from_image(IMAGE),
            with_command(["/bin/sh", "-c", script]),
            with_cgroup_parent(cg.0.clone()),
            with_restart_policy(policy),
        ])
        .unwrap();
    common::oci::assert_test_runtime(&ctr);
    ctr
}

/// A container's state as its database row says, read without any runtime (no sync).
fn row(dir: &Path, id: &str) -> serde_json::Value {
    let db = rusqlite::Connection::open(dir.join("root/db.sql")).unwrap();
    let state: String = db
        .query_row("SELECT state FROM containers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    serde_json::from_str(&state).unwrap()
}

/// Waits up to `limit` for `done` to hold of the row; the last row either way.
fn poll_row(
    dir: &Path,
    id: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let state = row(dir, id);
        if done(&state) || Instant::now() > deadline {
            return state;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cleanup_log(tmp: &TempRoot) -> String {
    std::fs::read_to_string(tmp.path().join("cleanup.log")).unwrap_or_default()
}

fn pid_of(state: &serde_json::Value) -> Option<i32> {
    state["pid"].as_i64().and_then(|p| i32::try_from(p).ok())
}

fn a_killed_always_container_is_restarted_by_its_exit_command() {
    let Setup { cg, tmp, _serial } = setup();
    let rt = open(tmp.path(), false);
    let c = ctr(&rt, &cg, "always", "sleep 1000", RestartPolicy::Always);
    c.start().unwrap();
    let id = c.id().to_string();
    let pid = c.state().unwrap().pid.unwrap();
    drop((c, rt));

    // No runtime is open from here on: only conmon's exit command can restart it.
    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    let state = poll_row(tmp.path(), &id, Duration::from_secs(10), |s| {
        s["restart_count"] == 1 && s["status"] == "running"
    });
    assert_eq!(
        (&state["status"], &state["restart_count"]),
        (&"running".into(), &1.into()),
        "not restarted; the exit command said: {}",
        cleanup_log(&tmp)
    );
    let new_pid = pid_of(&state).unwrap();
    assert_ne!(new_pid, pid);
    assert!(
        process_exists(new_pid),
        "the restarted process does not run"
    );
    assert_eq!(state["exit_code"], serde_json::Value::Null);
    assert!(
        cleanup_log(&tmp).contains(&format!("{id} Restarted")),
        "{}",
        cleanup_log(&tmp)
    );

    // And again: the restarted container has the exit command too.
    kill(Pid::from_raw(new_pid), Signal::SIGKILL).unwrap();
    let state = poll_row(tmp.path(), &id, Duration::from_secs(10), |s| {
        s["restart_count"] == 2 && s["status"] == "running"
    });
    assert_eq!(state["restart_count"], 2, "{}", cleanup_log(&tmp));

    let rt = open(tmp.path(), false);
    let c = rt.container(&id).unwrap();
    let inspect = c.inspect().unwrap();
    assert_eq!(inspect["RestartCount"], 2);
    assert_eq!(inspect["State"]["Status"], "running");
    rt.remove_container(
        &c,
        libpod_core::container::RemoveOptions::default()
            .force(true)
            .timeout(0),
    )
    .unwrap();
}

fn on_failure_2_gives_up_after_two_restarts_by_the_exit_command() {
    let Setup { cg, tmp, _serial } = setup();
    let rt = open(tmp.path(), false);
    let c = ctr(
        &rt,
        &cg,
        "failing",
        "echo run; exit 3",
        RestartPolicy::OnFailure { max_retries: 2 },
    );
    c.start().unwrap();
    let id = c.id().to_string();
    drop((c, rt));

    let state = poll_row(tmp.path(), &id, Duration::from_secs(15), |s| {
        s["restart_count"] == 2 && s["status"] == "exited" && s["restart_pending"] == false
    });
    assert_eq!(
        (
            &state["status"],
            &state["restart_count"],
            &state["exit_code"]
        ),
        (&"exited".into(), &2.into(), &3.into()),
        "{}",
        cleanup_log(&tmp)
    );
    // Given up: nothing more happens.
    std::thread::sleep(Duration::from_millis(500));
    let state = row(tmp.path(), &id);
    assert_eq!(
        (&state["status"], &state["restart_count"]),
        (&"exited".into(), &2.into())
    );
    let rt = open(tmp.path(), false);
    let c = rt.container(&id).unwrap();
    let runs = std::fs::read_to_string(c.log_path()).unwrap();
    assert_eq!(
        runs.lines().filter(|l| l.ends_with(" run")).count(),
        3,
        "{runs}"
    );
    assert_eq!(c.inspect().unwrap()["RestartCount"], 2);
}

fn a_stop_by_the_user_is_never_undone() {
    let Setup { cg, tmp, _serial } = setup();
    // Both at once: the exit command and this runtime's exit monitor.
    let rt = open(tmp.path(), true);
    let mut stopped = Vec::new();
    for policy in [RestartPolicy::Always, RestartPolicy::UnlessStopped] {
        let name = format!("stopped-{}", stopped.len());
        let c = ctr(&rt, &cg, &name, "sleep 1000", policy);
        c.start().unwrap();
        assert!(rt.exit_monitor_running());
        c.stop(Some(0)).unwrap();
        stopped.push(c);
    }
    // Time for the exit commands (and the monitor) to act, were they to.
    std::thread::sleep(Duration::from_secs(1));
    for c in &stopped {
        assert_eq!(
            rt.cleanup_container(c.id()).unwrap(),
            CleanupOutcome::CleanedUp
        );
        let state = c.state().unwrap();
        assert_eq!(
            (
                state.status,
                state.restart_count,
                state.stopped_by_user,
                state.restart_pending
            ),
            (ContainerStatus::Exited, 0, true, false),
            "{}: {}",
            c.name(),
            cleanup_log(&tmp)
        );
        assert_eq!(c.inspect().unwrap()["State"]["StoppedByUser"], true);
    }
}

/// What a reboot does: every process gone (conmon first, so that it records no exit and
/// runs no exit command), every mount gone, the run root (a tmpfs) empty.
fn reboot(tmp: &TempRoot, ids: &[String]) {
    let mut pids = Vec::new();
    for id in ids {
        let state = row(tmp.path(), id);
        for field in ["conmon_pid", "pid"] {
            if let Some(pid) = state[field].as_i64().and_then(|p| i32::try_from(p).ok()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                pids.push(pid);
            }
        }
    }
    for pid in pids {
        assert!(process_gone(pid), "{pid} survived the reboot");
    }
    let canonical = tmp.path().canonicalize().unwrap();
    libpod_testutil::unmount_beneath(&canonical).unwrap();
    std::fs::remove_dir_all(tmp.path().join("run")).unwrap();
}

fn boot_after_a_reboot_starts_exactly_the_right_set() {
    let Setup { cg, tmp, _serial } = setup();
    // No monitor and no exit command: nothing acts on its own before the reboot.
    let rt = common::open(tmp.path());
    let mut expected = BTreeSet::new();
    let mut all = Vec::new();
    let cases = [
        ("always-running", RestartPolicy::Always, true, false, true),
        ("always-stopped", RestartPolicy::Always, true, true, true),
        (
            "always-never-started",
            RestartPolicy::Always,
            false,
            false,
            true,
        ),
        (
            "unless-stopped-running",
            RestartPolicy::UnlessStopped,
            true,
            false,
            true,
        ),
        (
            "unless-stopped-stopped",
            RestartPolicy::UnlessStopped,
            true,
            true,
            false,
        ),
        (
            "on-failure-running",
            RestartPolicy::OnFailure { max_retries: 0 },
            true,
            false,
            false,
        ),
        ("no-running", RestartPolicy::No, true, false, false),
    ];
    for (name, policy, start, stop, starts_at_boot) in cases {
        let c = ctr(&rt, &cg, name, "sleep 1000", policy);
        if start {
            c.start().unwrap();
        }
        if stop {
            c.stop(Some(0)).unwrap();
        }
        if starts_at_boot {
            expected.insert(name.to_string());
        }
        all.push(c.id().to_string());
    }
    drop(rt);
    reboot(&tmp, &all);

    let rt = common::open(tmp.path());
    for id in &all {
        let status = rt.container(id).unwrap().status().unwrap();
        assert!(
            matches!(
                status,
                ContainerStatus::Exited | ContainerStatus::Configured
            ),
            "{id} is {status} after the reboot"
        );
    }
    let report = rt.boot().unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let started: BTreeSet<String> = report
        .started
        .iter()
        .map(|id| rt.container(id).unwrap().name().to_string())
        .collect();
    assert_eq!(started, expected);
    for id in &all {
        let c = rt.container(id).unwrap();
        let running = c.status().unwrap() == ContainerStatus::Running;
        assert_eq!(running, expected.contains(c.name()), "{}", c.name());
    }
    // Once per boot: a user's stop of an `always` container is not undone by another boot.
    let again = rt.container("always-running").unwrap();
    again.stop(Some(0)).unwrap();
    let report = rt.boot().unwrap();
    assert!(report.already_done && report.started.is_empty());
    assert_eq!(again.status().unwrap(), ContainerStatus::Exited);
    for id in &all {
        let c = rt.container(id).unwrap();
        rt.remove_container(
            &c,
            libpod_core::container::RemoveOptions::default()
                .force(true)
                .timeout(0),
        )
        .unwrap();
    }
}

/// Whether a thread of this process is named as the exit monitor's.
fn monitor_thread_alive() -> bool {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .any(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim() == "libpod-exit-mon")
        })
}

fn the_exit_monitor_restarts_an_always_container_and_stops_with_the_runtime() {
    let Setup { cg, tmp, _serial } = setup();
    // No exit command: only the monitor can restart it.
    let rt = common::open(tmp.path());
    let c = ctr(&rt, &cg, "watched", "sleep 1000", RestartPolicy::Always);
    assert!(
        !rt.exit_monitor_running(),
        "started before anything asked for it"
    );
    c.start().unwrap();
    assert!(rt.exit_monitor_running());
    assert!(monitor_thread_alive());
    let pid = c.state().unwrap().pid.unwrap();
    kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    // Read without a sync: the monitor, not this look, does the work.
    let state = poll_row(tmp.path(), c.id(), Duration::from_secs(10), |s| {
        s["restart_count"] == 1 && s["status"] == "running"
    });
    assert_eq!(
        (&state["status"], &state["restart_count"]),
        (&"running".into(), &1.into())
    );
    assert_ne!(pid_of(&state), Some(pid));
    rt.remove_container(
        &c,
        libpod_core::container::RemoveOptions::default()
            .force(true)
            .timeout(0),
    )
    .unwrap();
    drop((c, rt));
    // At once, unless the monitor held the runtime for an exit just then: it then lets go last
    // and stops right after.
    let deadline = Instant::now() + Duration::from_secs(2);
    while monitor_thread_alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!monitor_thread_alive(), "the monitor outlived the runtime");
}
