//! The conformance suite every [`OciRuntime`] passes: the state transitions, errors and exit
//! records of runc under conmon, which [`FakeRuntime`](super::FakeRuntime) mirrors.
//!
//! A [`Fixture`] prepares containers whose process waits until the fixture tells it to exit
//! with a code, and (like a PID 1 without handlers) ignores `SIGTERM`. [`run_all`] runs every
//! case; each case uses IDs of its own.

use super::{CreateArgs, OciRuntime};
use crate::CoreError;
use oci_spec::runtime::{LinuxPidsBuilder, LinuxResourcesBuilder};
use std::path::PathBuf;
use std::time::Duration;

/// Enough for any exit to be recorded on a loaded machine.
const EXIT: Option<Duration> = Some(Duration::from_secs(20));
/// How long to watch for an exit that must not happen.
const NO_EXIT: Option<Duration> = Some(Duration::from_millis(300));

/// What the suite needs from a runtime under test.
pub(crate) trait Fixture {
    /// The runtime.
    fn runtime(&self) -> &dyn OciRuntime;
    /// Prepares container `id` (its bundle and run directory) to be created: its process will
    /// wait for [`finish`](Fixture::finish) and ignore `SIGTERM`.
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf);
    /// Makes container `id`'s process exit by itself with `code`.
    fn finish(&self, id: &str, code: i32);
}

/// One case of the suite.
type Case = fn(&dyn Fixture);

/// Runs every case against `fixture`.
pub(crate) fn run_all(fixture: &dyn Fixture) {
    let cases: [(&str, Case); 12] = [
        ("lifecycle", lifecycle),
        ("start_twice", start_twice),
        ("sigkill", sigkill),
        ("ignored_sigterm", ignored_sigterm),
        ("pause_resume", pause_resume),
        ("pause_created", pause_created),
        ("kill_while_paused", kill_while_paused),
        ("delete_rules", delete_rules),
        ("unknown_ids", unknown_ids),
        ("duplicate_create", duplicate_create),
        ("recreate", recreate),
        ("update", update),
    ];
    for (name, case) in cases {
        eprintln!("suite case {name} on {}", fixture.runtime().name());
        case(fixture);
    }
}

/// Creates container `id` from a fresh bundle.
fn create(fixture: &dyn Fixture, id: &str) -> super::Created {
    let (bundle, run_dir) = fixture.prepare(id);
    let args = CreateArgs::new(id, id, &bundle, &run_dir);
    fixture
        .runtime()
        .create(&args)
        .unwrap_or_else(|err| panic!("create {id}: {err}"))
}

/// The runtime's status of `id` (`None`: unknown).
fn status(fixture: &dyn Fixture, id: &str) -> Option<String> {
    let state = fixture.runtime().state(id).unwrap();
    state.map(|state| state.status)
}

fn assert_oci_error(result: crate::Result<()>, op: &str, what: &str) {
    match result {
        Err(CoreError::OciRuntime { op: got, .. }) => assert_eq!(got, op, "{what}"),
        other => panic!("{what}: expected an OCI runtime error of {op}, got {other:?}"),
    }
}

fn exit_code(fixture: &dyn Fixture, id: &str, timeout: Option<Duration>) -> Option<i32> {
    let info = fixture.runtime().wait_exit(id, timeout).unwrap();
    info.map(|info| info.code)
}

fn lifecycle(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-lifecycle";
    let created = create(f, id);
    assert!(created.pid > 0 && created.conmon_pid > 0);
    let state = rt.state(id).unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.pid),
        ("created", Some(created.pid))
    );
    assert_eq!(rt.exit_info(id).unwrap(), None);
    rt.start(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("running"));
    f.finish(id, 3);
    let info = rt.wait_exit(id, EXIT).unwrap().expect("an exit");
    assert_eq!(info.code, 3);
    assert!(!info.oom_killed);
    let state = rt.state(id).unwrap().unwrap();
    assert_eq!((state.status.as_str(), state.pid), ("stopped", None));
    assert_oci_error(rt.kill(id, 9, false), "kill", "kill of a stopped container");
    assert_oci_error(rt.pause(id), "pause", "pause of a stopped container");
    rt.delete(id, false).unwrap();
    assert_eq!(status(f, id), None);
    // The record outlives the runtime's container, until cleared.
    assert_eq!(rt.exit_info(id).unwrap().map(|i| i.code), Some(3));
    rt.clear_exit(id).unwrap();
    assert_eq!(rt.exit_info(id).unwrap(), None);
    assert_eq!(rt.wait_exit(id, Some(Duration::ZERO)).unwrap(), None);
}

fn start_twice(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-start-twice";
    create(f, id);
    rt.start(id).unwrap();
    assert_oci_error(rt.start(id), "start", "start of a running container");
    assert_eq!(status(f, id).as_deref(), Some("running"));
    rt.delete(id, true).unwrap();
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    assert_oci_error(rt.start(id), "start", "start of a deleted container");
}

fn sigkill(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-sigkill";
    create(f, id);
    rt.start(id).unwrap();
    rt.kill(id, 9, false).unwrap();
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    assert_eq!(status(f, id).as_deref(), Some("stopped"));
    rt.delete(id, false).unwrap();
}

fn ignored_sigterm(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-sigterm";
    create(f, id);
    rt.start(id).unwrap();
    rt.kill(id, 15, false).unwrap();
    assert_eq!(
        exit_code(f, id, NO_EXIT),
        None,
        "SIGTERM to PID 1 without a handler"
    );
    assert_eq!(status(f, id).as_deref(), Some("running"));
    rt.kill(id, 9, true).unwrap();
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    rt.delete(id, false).unwrap();
}

fn pause_resume(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-pause";
    create(f, id);
    rt.start(id).unwrap();
    rt.pause(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("paused"));
    assert_oci_error(rt.pause(id), "pause", "pause of a paused container");
    assert_oci_error(rt.start(id), "start", "start of a paused container");
    rt.resume(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("running"));
    assert_oci_error(rt.resume(id), "resume", "resume of a running container");
    f.finish(id, 0);
    assert_eq!(exit_code(f, id, EXIT), Some(0));
    rt.delete(id, false).unwrap();
}

fn pause_created(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-pause-created";
    create(f, id);
    rt.pause(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("paused"));
    rt.resume(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("created"));
    rt.start(id).unwrap();
    assert_eq!(status(f, id).as_deref(), Some("running"));
    f.finish(id, 4);
    assert_eq!(exit_code(f, id, EXIT), Some(4));
    rt.delete(id, false).unwrap();
}

fn kill_while_paused(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-kill-paused";
    create(f, id);
    rt.start(id).unwrap();
    rt.pause(id).unwrap();
    // SIGKILL reaches a frozen process (cgroup v2, and v1 since Linux 6.1).
    rt.kill(id, 9, false).unwrap();
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    assert_eq!(status(f, id).as_deref(), Some("stopped"));
    assert_oci_error(
        rt.resume(id),
        "resume",
        "resume of a killed paused container",
    );
    rt.delete(id, false).unwrap();
}

fn delete_rules(f: &dyn Fixture) {
    let rt = f.runtime();
    // Running: only with force.
    let id = "suite-delete-running";
    create(f, id);
    rt.start(id).unwrap();
    assert_oci_error(
        rt.delete(id, false),
        "delete",
        "delete of a running container",
    );
    assert_eq!(status(f, id).as_deref(), Some("running"));
    rt.delete(id, true).unwrap();
    assert_eq!(status(f, id), None);
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    // Created: deleted (and its waiting process killed) without force.
    let id = "suite-delete-created";
    create(f, id);
    rt.delete(id, false).unwrap();
    assert_eq!(status(f, id), None);
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    // Paused: only with force.
    let id = "suite-delete-paused";
    create(f, id);
    rt.start(id).unwrap();
    rt.pause(id).unwrap();
    assert_oci_error(
        rt.delete(id, false),
        "delete",
        "delete of a paused container",
    );
    rt.delete(id, true).unwrap();
    assert_eq!(status(f, id), None);
    assert_eq!(exit_code(f, id, EXIT), Some(137));
}

fn unknown_ids(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-never-created";
    assert_eq!(status(f, id), None);
    rt.delete(id, false).unwrap();
    rt.delete(id, true).unwrap();
    assert_oci_error(rt.start(id), "start", "start of an unknown container");
    assert_oci_error(
        rt.kill(id, 9, false),
        "kill",
        "kill of an unknown container",
    );
    assert_oci_error(rt.pause(id), "pause", "pause of an unknown container");
    assert_oci_error(rt.resume(id), "resume", "resume of an unknown container");
    assert_eq!(rt.exit_info(id).unwrap(), None);
    rt.clear_exit(id).unwrap();
}

fn duplicate_create(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-duplicate";
    create(f, id);
    rt.start(id).unwrap();
    let (bundle, run_dir) = f.prepare("suite-duplicate-2");
    let args = CreateArgs::new(id, "other", &bundle, &run_dir);
    match rt.create(&args) {
        Err(CoreError::OciRuntime { op: "create", .. }) => {}
        other => panic!("duplicate create: {other:?}"),
    }
    assert_eq!(status(f, id).as_deref(), Some("running"));
    f.finish(id, 5);
    assert_eq!(exit_code(f, id, EXIT), Some(5));
    rt.delete(id, false).unwrap();
}

fn recreate(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-recreate";
    create(f, id);
    rt.start(id).unwrap();
    f.finish(id, 6);
    assert_eq!(exit_code(f, id, EXIT), Some(6));
    rt.delete(id, false).unwrap();
    // A new create of the same ID forgets the last exit.
    create(f, id);
    assert_eq!(rt.exit_info(id).unwrap(), None);
    rt.start(id).unwrap();
    // Waiting from another thread sees the new exit.
    std::thread::scope(|scope| {
        let waiter = scope.spawn(|| rt.wait_exit(id, EXIT).unwrap().map(|info| info.code));
        std::thread::sleep(Duration::from_millis(50));
        f.finish(id, 7);
        assert_eq!(waiter.join().unwrap(), Some(7));
    });
    rt.delete(id, false).unwrap();
}

fn update(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-update";
    let resources = LinuxResourcesBuilder::default()
        .pids(LinuxPidsBuilder::default().limit(64).build().unwrap())
        .build()
        .unwrap();
    create(f, id);
    rt.start(id).unwrap();
    rt.update(id, &resources).unwrap();
    f.finish(id, 0);
    assert_eq!(exit_code(f, id, EXIT), Some(0));
    assert_oci_error(
        rt.update(id, &resources),
        "update",
        "update of a stopped container",
    );
    rt.delete(id, false).unwrap();
    assert_oci_error(
        rt.update(id, &resources),
        "update",
        "update of an unknown container",
    );
}
