//! The conformance suite every [`OciRuntime`] passes: the state transitions, errors and exit
//! records of runc under conmon, which [`FakeRuntime`](super::FakeRuntime) mirrors. Public
//! behind the `testsuite` feature, so that a runtime in another crate can run it too.
//!
//! A [`Fixture`] prepares containers whose process waits until the fixture tells it to exit
//! with a code, and (like a PID 1 without handlers) ignores `SIGTERM`.
//! [`oci_runtime_suite!`](crate::oci_runtime_suite) makes one `#[test]` per case, each on a
//! fresh fixture; each case is also a public function here, and uses IDs of its own.
//!
//! ```
//! // In a runtime's tests (here the in-memory FakeRuntime):
//! use libpod_core::oci::{FakeRuntime, OciRuntime, suite::Fixture};
//! use std::path::PathBuf;
//!
//! struct Fake(FakeRuntime);
//!
//! impl Fixture for Fake {
//!     fn runtime(&self) -> &dyn OciRuntime {
//!         &self.0
//!     }
//!     fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
//!         self.0.ignore_signals(id, &[15]); // SIGTERM, as to a shell as PID 1
//!         ("/nonexistent/bundle".into(), "/nonexistent/run".into())
//!     }
//!     fn finish(&self, id: &str, code: i32) {
//!         self.0.exit(id, code);
//!     }
//! }
//!
//! // One #[test] per case: fake_conformance::lifecycle, fake_conformance::update, ...
//! mod fake_conformance {
//!     libpod_core::oci_runtime_suite!(|| super::Fake(libpod_core::oci::FakeRuntime::new()));
//! }
//! # fn main() {}
//! ```

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
pub trait Fixture {
    /// The runtime.
    fn runtime(&self) -> &dyn OciRuntime;
    /// Prepares container `id` (its bundle and run directory) to be created: its process will
    /// wait for [`finish`](Fixture::finish) and ignore `SIGTERM`.
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf);
    /// Makes container `id`'s process exit by itself with `code`.
    fn finish(&self, id: &str, code: i32);
}

/// The conformance suite of [`OciRuntime`](crate::oci::OciRuntime)s: one `#[test]` per case
/// of [`oci::suite`](crate::oci::suite), each on a fresh fixture made by `$make()`, which
/// returns a [`Fixture`](crate::oci::suite::Fixture) (a function path or a closure). The
/// constructor is where a test takes what it needs first (root, a lock against other tests
/// sharing cgroups).
///
/// Invoke it inside a module of its own: the tests are named after the cases.
/// Needs the `testsuite` feature.
#[macro_export]
macro_rules! oci_runtime_suite {
    ($make:expr) => {
        $crate::oci_runtime_suite!(@each $make;
            lifecycle, start_twice, sigkill, ignored_sigterm, pause_resume, pause_created,
            kill_while_paused, delete_rules, unknown_ids, duplicate_create, recreate, update,
            launch_then_create, abandoned_launch);
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let fixture = $make();
                $crate::oci::suite::$name(&fixture);
            }
        )*
    };
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

/// Create, start, an exit by itself with its code, delete; the exit record outlives the
/// container until cleared; a stopped container can be neither killed nor paused.
pub fn lifecycle(f: &dyn Fixture) {
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

/// A running container cannot be started again, nor a deleted one.
pub fn start_twice(f: &dyn Fixture) {
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

/// `SIGKILL` ends the container with 137, leaving it stopped.
pub fn sigkill(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-sigkill";
    create(f, id);
    rt.start(id).unwrap();
    rt.kill(id, 9, false).unwrap();
    assert_eq!(exit_code(f, id, EXIT), Some(137));
    assert_eq!(status(f, id).as_deref(), Some("stopped"));
    rt.delete(id, false).unwrap();
}

/// `SIGTERM` to a PID 1 without a handler is dropped; `SIGKILL` to all still works.
pub fn ignored_sigterm(f: &dyn Fixture) {
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

/// Pause and resume a running container; the transitions that are not allowed fail.
pub fn pause_resume(f: &dyn Fixture) {
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

/// A created container can be paused, and resumes to created.
pub fn pause_created(f: &dyn Fixture) {
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

/// `SIGKILL` reaches a paused container, which cannot be resumed afterwards.
pub fn kill_while_paused(f: &dyn Fixture) {
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

/// Delete: a running or paused container only with force, a created one without (its
/// waiting process killed).
pub fn delete_rules(f: &dyn Fixture) {
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

/// An ID the runtime never knew: no state, deletes are no-ops, other verbs fail.
pub fn unknown_ids(f: &dyn Fixture) {
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

/// A create with an ID in use fails and leaves the running container alone.
pub fn duplicate_create(f: &dyn Fixture) {
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

/// A new create of a deleted ID forgets the last exit; a waiter in another thread sees the
/// new one.
pub fn recreate(f: &dyn Fixture) {
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

/// Resources can be updated on a running container only.
pub fn update(f: &dyn Fixture) {
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

/// The runtime reads the bundle only at `create`, not at `launch`: a bundle completed in
/// between is the one created; until `create`, nothing exists.
pub fn launch_then_create(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-launch";
    let (bundle, run_dir) = f.prepare(id);
    let config = bundle.join("config.json");
    let later = bundle.join("config.json.later");
    let has_bundle = config.exists();
    if has_bundle {
        std::fs::rename(&config, &later).unwrap();
    }
    let args = CreateArgs::new(id, id, &bundle, &run_dir);
    let pending = rt
        .launch(&args)
        .unwrap_or_else(|err| panic!("launch {id}: {err}"));
    assert_eq!(status(f, id), None, "created before create");
    if has_bundle {
        std::fs::rename(&later, &config).unwrap();
    }
    let created = pending.create().unwrap();
    let state = rt.state(id).unwrap().unwrap();
    assert_eq!(
        (state.status.as_str(), state.pid),
        ("created", Some(created.pid))
    );
    rt.start(id).unwrap();
    f.finish(id, 8);
    assert_eq!(exit_code(f, id, EXIT), Some(8));
    rt.delete(id, false).unwrap();
}

/// A launched create dropped without `create` makes nothing: the runtime does not know the
/// ID, no exit is recorded, and the ID can be created afterwards.
pub fn abandoned_launch(f: &dyn Fixture) {
    let rt = f.runtime();
    let id = "suite-abandoned";
    let (bundle, run_dir) = f.prepare(id);
    let args = CreateArgs::new(id, id, &bundle, &run_dir);
    let pending = rt
        .launch(&args)
        .unwrap_or_else(|err| panic!("launch {id}: {err}"));
    drop(pending);
    assert_eq!(status(f, id), None);
    assert_eq!(rt.exit_info(id).unwrap(), None);
    assert_eq!(
        rt.wait_exit(id, NO_EXIT).unwrap(),
        None,
        "an exit was recorded"
    );
    create(f, id);
    rt.start(id).unwrap();
    f.finish(id, 9);
    assert_eq!(exit_code(f, id, EXIT), Some(9));
    rt.delete(id, false).unwrap();
}
