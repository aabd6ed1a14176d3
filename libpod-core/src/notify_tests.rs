use super::*;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

const CREATED: AddWatchFlags = AddWatchFlags::IN_CREATE;

/// A pool of its own per test: the process-wide one is shared with every other test.
fn pool(max_idle: usize) -> &'static Pool {
    Box::leak(Box::new(Pool::new(max_idle)))
}

#[test]
fn a_dropped_watcher_returns_its_instance_to_the_pool() {
    let pool = pool(2);
    let dir = tempfile::tempdir().unwrap();
    let mut first = pool.watcher().unwrap();
    first.add(dir.path(), CREATED).unwrap();
    let fd = first.as_fd().as_raw_fd();
    drop(first);
    assert_eq!(pool.idle_count(), 1);
    // The same instance (its descriptor stayed open in the pool, so the number is its own).
    let second = pool.watcher().unwrap();
    assert_eq!(second.as_fd().as_raw_fd(), fd);
    assert_eq!(pool.idle_count(), 0);
}

#[test]
fn the_pool_keeps_at_most_max_idle_instances() {
    let pool = pool(2);
    let watchers: Vec<_> = (0..5).map(|_| pool.watcher().unwrap()).collect();
    drop(watchers);
    assert_eq!(pool.idle_count(), 2);
}

/// Nothing pending on the instance at all (unfiltered: an earlier user's watch still there
/// would show).
fn assert_nothing_pending(watcher: &Watcher) {
    match watcher.inotify().read_events() {
        Err(Errno::EAGAIN) => {}
        Ok(events) if events.is_empty() => {}
        other => panic!("expected no events, got {other:?}"),
    }
}

#[test]
fn a_reused_instance_reports_nothing_of_its_earlier_watches() {
    let pool = pool(1);
    let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut first = pool.watcher().unwrap();
    first.add(old.path(), CREATED).unwrap();
    // An event left unread, then the watcher goes.
    std::fs::write(old.path().join("unread"), b"").unwrap();
    drop(first);

    let mut second = pool.watcher().unwrap();
    second.add(new.path(), CREATED).unwrap();
    assert_nothing_pending(&second);
    // The old watch is gone: a file created there is not reported.
    std::fs::write(old.path().join("after"), b"").unwrap();
    assert_nothing_pending(&second);
    std::fs::write(new.path().join("mine"), b"").unwrap();
    let events = second.read_events().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name.as_deref(), Some("mine".as_ref()));
}

#[test]
fn dropping_a_watcher_does_not_wait_for_the_kernel() {
    // Closing an instance that had a watch waits for an SRCU grace period (milliseconds to
    // tens of milliseconds); returning it to the pool takes microseconds.
    let pool = pool(1);
    let dir = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let mut watcher = pool.watcher().unwrap();
            watcher.add(dir.path(), CREATED).unwrap();
            let start = Instant::now();
            drop(watcher);
            start.elapsed()
        })
        .collect();
    times.sort();
    assert!(times[3] < Duration::from_millis(3), "{times:?}");
}
