use super::*;
use crate::oci::suite::Fixture;
use std::path::{Path, PathBuf};

struct FakeFixture(FakeRuntime);

impl Fixture for FakeFixture {
    fn runtime(&self) -> &dyn OciRuntime {
        &self.0
    }
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
        // Like a shell as PID 1 without a handler.
        self.0.ignore_signals(id, &[15]);
        (
            PathBuf::from("/nonexistent/bundle"),
            PathBuf::from("/nonexistent/run"),
        )
    }
    fn finish(&self, id: &str, code: i32) {
        self.0.exit(id, code);
    }
}

/// The conformance suite, one test per case.
mod conformance {
    crate::oci_runtime_suite!(|| super::FakeFixture(super::FakeRuntime::new()));
}

fn created(rt: &FakeRuntime, id: &str) -> Created {
    rt.create(&CreateArgs::new(id, id, Path::new("/b"), Path::new("/r")))
        .unwrap()
}

fn running(rt: &FakeRuntime, id: &str) {
    created(rt, id);
    rt.start(id).unwrap();
}

fn status(rt: &FakeRuntime, id: &str) -> Option<String> {
    rt.state(id).unwrap().map(|state| state.status)
}

#[test]
fn pids_are_distinct_and_positive() {
    let rt = FakeRuntime::new();
    let a = created(&rt, "a");
    let b = created(&rt, "b");
    assert!(a.pid > 0 && a.conmon_pid > 0);
    assert_ne!(a.pid, b.pid);
    assert_ne!(a.pid, a.conmon_pid);
    assert_eq!(rt.state("a").unwrap().unwrap().pid, Some(a.pid));
    assert_eq!(rt.ids(), ["a", "b"]);
}

#[test]
fn an_unignored_signal_ends_the_process_with_128_plus_it() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    rt.kill("c", 15, false).unwrap();
    assert_eq!(rt.exit_info("c").unwrap().map(|i| i.code), Some(143));
    assert_eq!(status(&rt, "c").as_deref(), Some("stopped"));
}

#[test]
fn signals_whose_default_is_ignore_or_stop_do_not_end_it() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    for signal in [17, 18, 19, 20, 21, 22, 23, 28] {
        rt.kill("c", signal, false).unwrap();
        assert_eq!(
            status(&rt, "c").as_deref(),
            Some("running"),
            "signal {signal}"
        );
    }
    assert_eq!(rt.exit_info("c").unwrap(), None);
}

#[test]
fn sigkill_cannot_be_ignored() {
    let rt = FakeRuntime::new();
    rt.ignore_signals("c", &[9, 2]);
    running(&rt, "c");
    rt.kill("c", 2, false).unwrap();
    assert_eq!(status(&rt, "c").as_deref(), Some("running"));
    rt.kill("c", 9, false).unwrap();
    assert_eq!(rt.exit_info("c").unwrap().map(|i| i.code), Some(137));
}

#[test]
fn ignored_signals_are_forgotten_with_the_container() {
    let rt = FakeRuntime::new();
    rt.ignore_signals("c", &[15]);
    running(&rt, "c");
    rt.delete("c", true).unwrap();
    running(&rt, "c");
    rt.kill("c", 15, false).unwrap();
    assert_eq!(rt.exit_info("c").unwrap().map(|i| i.code), Some(143));
}

#[test]
fn invalid_signals_are_refused() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    for signal in [0, -1, 65] {
        assert!(rt.kill("c", signal, false).is_err(), "{signal}");
    }
    assert_eq!(status(&rt, "c").as_deref(), Some("running"));
}

#[test]
fn only_a_running_process_exits_by_itself() {
    let rt = FakeRuntime::new();
    created(&rt, "c");
    rt.exit("c", 1);
    assert_eq!(status(&rt, "c").as_deref(), Some("created"));
    rt.start("c").unwrap();
    rt.pause("c").unwrap();
    rt.exit("c", 1);
    assert_eq!(status(&rt, "c").as_deref(), Some("paused"));
    rt.exit("unknown", 1);
    assert_eq!(rt.exit_info("c").unwrap(), None);
}

#[test]
fn oom_kill_is_recorded() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    rt.oom_kill("c");
    let info = rt.exit_info("c").unwrap().unwrap();
    assert_eq!((info.code, info.oom_killed), (137, true));
}

#[test]
fn queued_failures_fail_once_and_change_nothing() {
    let rt = FakeRuntime::new();
    rt.fail_next("create", "no space left");
    let err = rt
        .create(&CreateArgs::new("c", "c", Path::new("/b"), Path::new("/r")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "container c: fake create failed: no space left"
    );
    assert_eq!(status(&rt, "c"), None);
    running(&rt, "c");
    rt.fail_next("kill", "first");
    rt.fail_next("kill", "second");
    assert!(
        rt.kill("c", 9, false)
            .unwrap_err()
            .to_string()
            .contains("first")
    );
    assert!(
        rt.kill("c", 9, false)
            .unwrap_err()
            .to_string()
            .contains("second")
    );
    assert_eq!(status(&rt, "c").as_deref(), Some("running"));
    rt.kill("c", 9, false).unwrap();
    assert_eq!(status(&rt, "c").as_deref(), Some("stopped"));
}

#[test]
fn update_keeps_the_resources() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    let resources = oci_spec::runtime::LinuxResourcesBuilder::default()
        .pids(
            oci_spec::runtime::LinuxPidsBuilder::default()
                .limit(5)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert_eq!(rt.resources("c"), None);
    rt.update("c", &resources).unwrap();
    assert_eq!(rt.resources("c"), Some(resources));
}

#[test]
fn wait_forever_is_woken_by_an_exit_in_another_thread() {
    let rt = std::sync::Arc::new(FakeRuntime::new());
    running(&rt, "c");
    let waiter = {
        let rt = rt.clone();
        std::thread::spawn(move || rt.wait_exit("c", None).unwrap())
    };
    std::thread::sleep(Duration::from_millis(50));
    running(&rt, "other");
    rt.exit("other", 1);
    std::thread::sleep(Duration::from_millis(20));
    assert!(
        !waiter.is_finished(),
        "another container's exit woke the waiter for good"
    );
    rt.exit("c", 2);
    assert_eq!(waiter.join().unwrap().map(|i| i.code), Some(2));
}

#[test]
fn wait_with_a_timeout_returns_none() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    let start = Instant::now();
    assert_eq!(
        rt.wait_exit("c", Some(Duration::from_millis(50))).unwrap(),
        None
    );
    assert!(start.elapsed() >= Duration::from_millis(50));
}

#[test]
fn a_paused_process_gets_other_signals_when_thawed() {
    let rt = FakeRuntime::new();
    running(&rt, "c");
    rt.pause("c").unwrap();
    rt.kill("c", 15, false).unwrap();
    assert_eq!(status(&rt, "c").as_deref(), Some("paused"));
    assert_eq!(rt.exit_info("c").unwrap(), None);
    rt.resume("c").unwrap();
    assert_eq!(rt.exit_info("c").unwrap().map(|i| i.code), Some(143));
    assert_eq!(status(&rt, "c").as_deref(), Some("stopped"));
}
