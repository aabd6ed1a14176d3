use super::*;
use std::time::Instant;

fn log_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ctr.log");
    std::fs::write(&path, b"").unwrap();
    (dir, path)
}

#[test]
fn the_first_waits_are_short_pauses_without_any_watch() {
    let (_dir, path) = log_file();
    let mut waiter = Waiter::new(&path);
    let start = Instant::now();
    for _ in EAGER_PAUSES_MS {
        waiter.wait(POLL_INTERVAL);
        assert!(waiter.inotify.is_none());
    }
    let paused = start.elapsed();
    assert!(paused >= Duration::from_millis(63), "{paused:?}");
    // Far below six full poll intervals.
    assert!(paused < Duration::from_millis(600), "{paused:?}");

    // The next call sets up the watches and returns at once.
    let start = Instant::now();
    waiter.wait(POLL_INTERVAL);
    assert!(waiter.inotify.is_some());
    assert!(start.elapsed() < POLL_INTERVAL);
}

#[test]
fn once_watching_a_write_ends_the_wait() {
    let (_dir, path) = log_file();
    let mut waiter = Waiter::new(&path);
    for _ in 0..=EAGER_PAUSES_MS.len() {
        waiter.wait(POLL_INTERVAL);
    }
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::write(path, b"more").unwrap();
        })
    };
    let start = Instant::now();
    waiter.wait(Duration::from_secs(30));
    assert!(start.elapsed() < Duration::from_secs(10));
    writer.join().unwrap();
}

#[test]
fn a_timeout_shorter_than_a_pause_is_kept() {
    let (_dir, path) = log_file();
    let mut waiter = Waiter::new(&path);
    for _ in 0..EAGER_PAUSES_MS.len() - 1 {
        waiter.wait(Duration::ZERO);
    }
    let start = Instant::now();
    waiter.wait(Duration::from_millis(1));
    assert!(start.elapsed() < Duration::from_millis(32));
}

#[test]
fn the_writers_exit_ends_a_wait_once() {
    let (_dir, path) = log_file();
    let mut writer = std::process::Command::new("/bin/sleep")
        .arg("0.05")
        .spawn()
        .unwrap();
    let exit = crate::oci::spawn::pidfd_open(writer.id().cast_signed()).unwrap();
    let mut waiter = Waiter::new(&path).ending_with(Some(exit));
    for _ in 0..=EAGER_PAUSES_MS.len() {
        waiter.wait(Duration::ZERO);
    }
    // Nothing is written: only the writer's exit can end this wait early.
    let start = Instant::now();
    waiter.wait(Duration::from_secs(30));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    writer.wait().unwrap();
    // Fired once: the next wait lasts its timeout.
    let start = Instant::now();
    waiter.wait(Duration::from_millis(100));
    assert!(
        start.elapsed() >= Duration::from_millis(90),
        "{:?}",
        start.elapsed()
    );
}
