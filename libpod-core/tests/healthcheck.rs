//! Healthchecks with the real conmon and runc: one check's outcomes and log, the timeout
//! that kills the check, the start period, startup checks, the on-failure actions, and the
//! runtime's scheduler (running checks while it is open, none after it is dropped).

mod common;

use common::{CgroupParent, process_exists, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{
    Container, ContainerStatus, CtrCreateOption, HealthCheck, HealthCheckOutcome, with_healthcheck,
    with_healthcheck_on_failure, with_startup_healthcheck, with_stop_timeout,
};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::record::{ExecConfig, HealthCheckOnFailureAction, StartupHealthCheck};
use libpod_testutil::{TempRoot, require_root, serial};
use std::time::{Duration, Instant};

fn check(shell_command: &str, interval: u64, retries: u32) -> HealthCheck {
    let mut check = HealthCheck::default();
    check.test = vec!["CMD-SHELL".into(), shell_command.into()];
    check.interval_seconds = interval;
    check.timeout_seconds = 30;
    check.retries = retries;
    check
}

fn started(
    rt: &libpod_core::runtime::Runtime,
    cg: &CgroupParent,
    options: Vec<CtrCreateOption>,
) -> Container {
    let mut options = options;
    options.push(with_stop_timeout(1));
    let ctr = shell(rt, cg, "touch /tmp/flag; exec sleep 600", options);
    ctr.start().unwrap();
    ctr
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_check_records_outcome_streak_and_the_last_five_results() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let cg = CgroupParent::new();
    // Passes while /tmp/flag exists.
    let ctr = started(
        &rt,
        &cg,
        vec![with_healthcheck(check(
            "echo out; echo err >&2; test -e /tmp/flag",
            0,
            3,
        ))],
    );
    assert_eq!(ctr.health().unwrap().unwrap().status, "starting");
    assert_eq!(ctr.healthcheck_run().unwrap(), HealthCheckOutcome::Healthy);
    let health = ctr.health().unwrap().unwrap();
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("healthy", 0)
    );
    assert_eq!(health.log[0].output, "out\nerr");
    assert_eq!(health.log[0].exit_code, 0);
    exec_output(&ctr, &["rm", "/tmp/flag"]);
    for streak in 1..=6u32 {
        assert_eq!(
            ctr.healthcheck_run().unwrap(),
            HealthCheckOutcome::Unhealthy
        );
        let health = ctr.health().unwrap().unwrap();
        assert_eq!(health.failing_streak, streak);
        let expected = if streak >= 3 { "unhealthy" } else { "healthy" };
        assert_eq!(health.status, expected, "after {streak} failures");
    }
    let health = ctr.health().unwrap().unwrap();
    assert_eq!(health.log.len(), 5);
    assert!(health.log.iter().all(|e| e.exit_code == 1));
    // Shown in inspect as Podman shows it.
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["State"]["Health"]["Status"], "unhealthy");
    assert_eq!(inspect["State"]["Health"]["FailingStreak"], 6);
    assert_eq!(inspect["Config"]["Healthcheck"]["Retries"], 3);
    // No session row was written for any of them.
    assert!(ctr.exec_sessions().unwrap().is_empty());
    // A restart forgets the last run's health.
    ctr.restart().unwrap();
    assert_eq!(ctr.health().unwrap().unwrap().status, "starting");
    assert!(ctr.health().unwrap().unwrap().log.is_empty());
    ctr.stop(Some(0)).unwrap();
    assert!(matches!(
        ctr.healthcheck_run(),
        Err(CoreError::InvalidState { .. })
    ));
}

#[test]
fn a_check_past_its_timeout_is_killed_and_fails() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let cg = CgroupParent::new();
    let mut slow = check("echo begun; sleep 100", 0, 1);
    slow.timeout_seconds = 1;
    let ctr = started(&rt, &cg, vec![with_healthcheck(slow)]);
    let begun = Instant::now();
    assert_eq!(
        ctr.healthcheck_run().unwrap(),
        HealthCheckOutcome::Unhealthy
    );
    assert!(
        begun.elapsed() < Duration::from_secs(5),
        "{:?}",
        begun.elapsed()
    );
    let health = ctr.health().unwrap().unwrap();
    assert_eq!(health.log[0].exit_code, -1);
    assert_eq!(health.status, "unhealthy");
    // The check's process is gone: no sleep 100 left in the container.
    let ps = exec_output(&ctr, &["ps"]);
    assert!(!ps.contains("sleep 100"), "{ps}");
    ctr.stop(Some(0)).unwrap();
}

#[test]
fn failures_in_the_start_period_and_startup_checks_do_not_count() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let cg = CgroupParent::new();
    let mut failing = check("false", 0, 1);
    failing.start_period_seconds = 60;
    let ctr = started(&rt, &cg, vec![with_healthcheck(failing)]);
    assert_eq!(
        ctr.healthcheck_run().unwrap(),
        HealthCheckOutcome::Unhealthy
    );
    let health = ctr.health().unwrap().unwrap();
    assert_eq!(
        (health.status.as_str(), health.failing_streak),
        ("starting", 0)
    );
    ctr.stop(Some(0)).unwrap();

    // The startup check runs until it passed twice; then the regular one.
    // (Long intervals: the runtime's scheduler stays out of the way.)
    let mut startup = StartupHealthCheck::new(check("test -e /tmp/ready", 100, 0));
    startup.successes = 2;
    let ctr = started(
        &rt,
        &cg,
        vec![
            with_healthcheck(check("false", 500, 1)),
            with_startup_healthcheck(startup),
        ],
    );
    assert_eq!(ctr.healthcheck_interval(), Some(Duration::from_secs(100)));
    assert_eq!(ctr.healthcheck_run().unwrap(), HealthCheckOutcome::Starting);
    assert_eq!(ctr.health().unwrap().unwrap().status, "starting");
    exec_output(&ctr, &["touch", "/tmp/ready"]);
    assert_eq!(ctr.healthcheck_run().unwrap(), HealthCheckOutcome::Healthy);
    assert_eq!(ctr.healthcheck_interval(), Some(Duration::from_secs(100)));
    assert_eq!(ctr.healthcheck_run().unwrap(), HealthCheckOutcome::Healthy);
    assert_eq!(ctr.healthcheck_interval(), Some(Duration::from_secs(500)));
    // Now the regular check runs: it fails.
    assert_eq!(
        ctr.healthcheck_run().unwrap(),
        HealthCheckOutcome::Unhealthy
    );
    assert_eq!(ctr.health().unwrap().unwrap().status, "unhealthy");
    ctr.stop(Some(0)).unwrap();

    // A startup check failing its retries restarts the container.
    let startup = StartupHealthCheck::new(check("false", 100, 2));
    let ctr = started(
        &rt,
        &cg,
        vec![
            with_healthcheck(check("true", 500, 1)),
            with_startup_healthcheck(startup),
        ],
    );
    let first = ctr.state().unwrap().pid;
    ctr.healthcheck_run().unwrap();
    assert_eq!(ctr.state().unwrap().pid, first);
    ctr.healthcheck_run().unwrap();
    let after = ctr.state().unwrap();
    assert_eq!(after.status, ContainerStatus::Running);
    assert_ne!(after.pid, first, "restarted");
    ctr.stop(Some(0)).unwrap();
}

#[test]
fn on_failure_stop_and_kill_act_once_unhealthy() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let cg = CgroupParent::new();
    let stop = started(
        &rt,
        &cg,
        vec![
            with_healthcheck(check("false", 0, 1)),
            with_healthcheck_on_failure(HealthCheckOnFailureAction::Stop),
        ],
    );
    stop.healthcheck_run().unwrap();
    assert_eq!(stop.status().unwrap(), ContainerStatus::Exited);
    assert!(stop.state().unwrap().stopped_by_user);
    let kill = started(
        &rt,
        &cg,
        vec![
            with_healthcheck(check("false", 0, 2)),
            with_healthcheck_on_failure(HealthCheckOnFailureAction::Kill),
        ],
    );
    kill.healthcheck_run().unwrap();
    assert_eq!(
        kill.status().unwrap(),
        ContainerStatus::Running,
        "one failure of two"
    );
    let pid = kill.state().unwrap().pid.unwrap();
    kill.healthcheck_run().unwrap();
    wait_for("the kill", Duration::from_secs(5), || !process_exists(pid));
    // Seen once conmon recorded the exit.
    wait_for("the exit", Duration::from_secs(5), || {
        kill.status().unwrap() == ContainerStatus::Exited
    });
    assert_eq!(kill.state().unwrap().exit_code, Some(137));
}

#[test]
fn the_runtime_scheduler_checks_while_open_and_stops_when_dropped() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let cg = CgroupParent::new();
    // No timer command: this runtime's scheduler runs the checks.
    let ctr = started(
        &rt,
        &cg,
        vec![
            with_healthcheck(check("false", 1, 2)),
            with_healthcheck_on_failure(HealthCheckOnFailureAction::Stop),
        ],
    );
    assert!(ctr.config().healthcheck_timer.is_empty());
    wait_for("the scheduler's stop", Duration::from_secs(15), || {
        ctr.status().unwrap() == ContainerStatus::Exited
    });
    assert_eq!(ctr.health().unwrap().unwrap().status, "unhealthy");
    let id = ctr.id().to_string();
    let threads = || scheduler_threads();
    assert!(threads() >= 1);
    drop(ctr);
    drop(rt);
    wait_for("the scheduler to stop", Duration::from_secs(5), || {
        threads() == 0
    });

    // A runtime opened later adopts running containers.
    {
        let rt = common::open(tmp.path());
        rt.container(&id).unwrap().start().unwrap();
    }
    wait_for("the scheduler to stop", Duration::from_secs(5), || {
        threads() == 0
    });
    let rt2 = common::open(tmp.path());
    let ctr = rt2.container(&id).unwrap();
    assert_eq!(ctr.health().unwrap().unwrap().status, "starting");
    assert_eq!(rt2.schedule_healthchecks().unwrap(), 1);
    wait_for("the adopted checks", Duration::from_secs(15), || {
        ctr.status().unwrap() == ContainerStatus::Exited
    });
}

/// Runs `args` in the container (no session); its output.
fn exec_output(ctr: &Container, args: &[&str]) -> String {
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Captured::default();
    let mut config = ExecConfig::new(args.iter().map(|s| s.to_string()).collect());
    config.attach_stdout = true;
    config.attach_stderr = true;
    let end = ctr
        .exec_sessionless(config, ExecStreams::new(out.clone(), std::io::sink()))
        .unwrap();
    assert_eq!(end, ExecEnd::Exited(0), "{args:?}");
    String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned()
}

/// This process's threads named by the scheduler.
fn scheduler_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == "healthchecks")
        })
        .count()
}
