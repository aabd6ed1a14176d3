//! Stops that wait with the lock released, other looks and verbs meanwhile, and restarts by
//! policy made outside the lock of the look that saw the exit; on the fake OCI runtime.

use crate::CoreError;
use crate::container::tests::{Fixture, fixture};
use crate::container::*;
use libpod_spec::RestartPolicy;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `ctr.stop(timeout)` on a thread of its own, once its process ignores SIGTERM; returns once
/// the stop is waiting for the exit.
fn stop_in_background(f: &Fixture, ctr: &Container, timeout: u32) -> JoinHandle<crate::Result<()>> {
    let ctr_ = ctr.clone();
    in_background(f, ctr, move || ctr_.stop(Some(timeout)))
}

/// `verb` on a thread of its own, once `ctr`'s process ignores SIGTERM; returns once `verb` has
/// begun to stop it.
fn in_background(
    f: &Fixture,
    ctr: &Container,
    verb: impl FnOnce() -> crate::Result<()> + Send + 'static,
) -> JoinHandle<crate::Result<()>> {
    f.fake.ignore_signals(ctr.id(), &[15]);
    let stopper = std::thread::spawn(verb);
    let deadline = Instant::now() + Duration::from_secs(5);
    while f.rt.state().container_state(ctr.id()).unwrap().status != ContainerStatus::Stopping {
        assert!(Instant::now() < deadline, "the stop did not begin");
        std::thread::sleep(Duration::from_millis(5));
    }
    stopper
}

#[test]
fn a_stop_waits_for_the_exit_with_the_lock_released() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    let stopper = stop_in_background(&f, &c, 2);
    let start = Instant::now();
    assert_eq!(c.status().unwrap(), ContainerStatus::Stopping);
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "the look waited {:?} for the stop",
        start.elapsed()
    );
    stopper.join().unwrap().unwrap();
    let state = c.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(137))
    );
}

#[test]
fn an_exit_handled_by_another_look_during_a_stop_is_finished_by_the_stopper() {
    let f = fixture();
    let c = f.ctr(vec![with_auto_remove()]);
    c.start().unwrap();
    let stopper = stop_in_background(&f, &c, 30);
    {
        // Another look takes the lock, and the exit comes while it holds it.
        let mut look = c.lock().unwrap();
        f.fake.exit(c.id(), 7);
        look.sync().unwrap();
        assert_eq!(look.state.status, ContainerStatus::Exited);
        assert!(!look.removed, "the look leaves the removal to the stopper");
    }
    stopper.join().unwrap().unwrap();
    assert!(matches!(c.state(), Err(CoreError::ContainerNotFound(_))));
    assert_eq!(c.wait().unwrap(), 7);
}

#[test]
fn a_container_started_again_during_a_stop_is_left_running() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    // The stopper waits for the exit of the new run: out to its timeout.
    let stopper = stop_in_background(&f, &c, 3);
    {
        let mut other = c.lock().unwrap();
        f.fake.exit(c.id(), 0);
        other.sync().unwrap();
        other.start_locked(true).unwrap();
    }
    stopper.join().unwrap().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
}

#[test]
fn a_container_removed_during_a_stop_ends_the_stop() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    let stopper = stop_in_background(&f, &c, 30);
    {
        let mut other = c.lock().unwrap();
        f.fake.exit(c.id(), 0);
        other.sync().unwrap();
        other.remove_locked().unwrap();
    }
    stopper.join().unwrap().unwrap();
    assert!(f.rt.containers().unwrap().is_empty());
}

#[test]
fn taking_the_lock_never_restarts_a_container() {
    let f = fixture();
    let c = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    c.start().unwrap();
    f.fake.exit(c.id(), 1);
    {
        let locked = c.lock().unwrap();
        assert_eq!(
            (locked.state.status, locked.state.restart_pending),
            (ContainerStatus::Exited, true),
            "the look records the exit and leaves the restart pending"
        );
        assert_eq!(locked.state.restart_count, 0);
    }
    let state = c.state().unwrap();
    assert_eq!(
        (state.status, state.restart_count, state.restart_pending),
        (ContainerStatus::Exited, 0, true),
        "a look after the lock let go does not restart it either"
    );
    assert_eq!(c.wait().unwrap(), 1, "wait answers with the exit");
    f.rt.cleanup_container(c.id()).unwrap();
    let state = c.state().unwrap();
    assert_eq!(
        (state.status, state.restart_count, state.restart_pending),
        (ContainerStatus::Running, 1, false),
        "restarted by the cleanup entry point"
    );
}

#[test]
fn a_stop_or_a_removal_cancels_a_pending_restart() {
    let f = fixture();
    let stopped = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    stopped.start().unwrap();
    f.fake.exit(stopped.id(), 1);
    drop(stopped.lock().unwrap());
    stopped.stop(None).unwrap();
    f.rt.cleanup_container(stopped.id()).unwrap();
    let state = stopped.state().unwrap();
    assert_eq!(
        (state.status, state.restart_pending, state.stopped_by_user),
        (ContainerStatus::Exited, false, true),
        "the cleanup after the stop does not restart it"
    );

    let removed = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    removed.start().unwrap();
    f.fake.exit(removed.id(), 1);
    f.rt.remove_container(&removed, RemoveOptions::default())
        .unwrap();
    assert!(
        !f.fake.ids().iter().any(|id| id == removed.id()),
        "removed without a restart first"
    );
}

#[test]
fn a_forced_removal_whose_stop_is_overtaken_by_another_removal_succeeds() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    let (rt, ctr) = (f.rt.clone(), c.clone());
    let remover = in_background(&f, &c, move || {
        rt.remove_container(&ctr, RemoveOptions::default().force(true).timeout(30))
    });
    {
        let mut other = c.lock().unwrap();
        f.fake.exit(c.id(), 0);
        other.sync().unwrap();
        other.remove_locked().unwrap();
    }
    remover.join().unwrap().unwrap();
    assert!(f.rt.containers().unwrap().is_empty());
}
