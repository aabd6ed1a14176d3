use super::*;
use crate::events::EventLog;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn numbered(n: usize) -> Event {
    Event::image(EventStatus::Tag, &format!("{n:04}"), "localhost/x:1")
}

fn read_all(path: &Path, options: &ReadOptions) -> Vec<String> {
    let mut ids = Vec::new();
    read_events(path, options, &|| false, &mut |e| {
        ids.push(e.id);
        true
    })
    .unwrap();
    ids
}

#[test]
fn a_read_that_does_not_stream_gives_the_file_in_order_and_ends() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 0);
    for n in 0..5 {
        log.write(&numbered(n)).unwrap();
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(log.path())
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"not json\n"))
        .unwrap();
    log.write(&numbered(5)).unwrap();
    let ids = read_all(log.path(), &ReadOptions::default());
    assert_eq!(ids, ["0000", "0001", "0002", "0003", "0004", "0005"]);
}

#[test]
fn a_missing_file_has_no_events() {
    let dir = tempfile::tempdir().unwrap();
    assert!(read_all(&dir.path().join("none.log"), &ReadOptions::default()).is_empty());
}

#[test]
fn filters_and_since_apply() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 0);
    let mut old = numbered(0);
    old.time = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").unwrap();
    log.write(&old).unwrap();
    log.write(&numbered(1)).unwrap();
    log.write(&Event::image(EventStatus::Untag, "0002", "x"))
        .unwrap();
    let options = ReadOptions {
        filter: EventFilter::parse(&["event=tag"])
            .unwrap()
            .since(chrono::DateTime::parse_from_rfc3339("2021-01-01T00:00:00Z").ok()),
        ..ReadOptions::default()
    };
    assert_eq!(read_all(log.path(), &options), ["0001"]);
}

/// Follows `path` in a thread until stopped; the IDs seen so far.
fn follow(
    path: &Path,
    from_start: bool,
) -> (
    Arc<AtomicBool>,
    Arc<Mutex<Vec<String>>>,
    std::thread::JoinHandle<()>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (path, stop2, seen2) = (path.to_path_buf(), stop.clone(), seen.clone());
    let handle = std::thread::spawn(move || {
        let options = ReadOptions {
            stream: true,
            from_start,
            ..ReadOptions::default()
        };
        read_events(
            &path,
            &options,
            &|| stop2.load(Ordering::SeqCst),
            &mut |e| {
                seen2.lock().unwrap().push(e.id);
                true
            },
        )
        .unwrap();
    });
    (stop, seen, handle)
}

fn wait_for(seen: &Mutex<Vec<String>>, count: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = seen.lock().unwrap().clone();
        if now.len() >= count || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_stream_without_since_shows_only_new_events_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 0);
    log.write(&numbered(0)).unwrap();
    let (stop, seen, handle) = follow(log.path(), false);
    std::thread::sleep(Duration::from_millis(300));
    log.write(&numbered(1)).unwrap();
    assert_eq!(wait_for(&seen, 1), ["0001"]);
    std::thread::sleep(Duration::from_millis(300));
    log.write(&numbered(2)).unwrap();
    assert_eq!(wait_for(&seen, 2), ["0001", "0002"]);
    stop.store(true, Ordering::SeqCst);
    handle.join().unwrap();
}

#[test]
fn a_stream_waits_for_the_file_to_appear() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 0);
    let (stop, seen, handle) = follow(log.path(), false);
    std::thread::sleep(Duration::from_millis(300));
    log.write(&numbered(7)).unwrap();
    assert_eq!(wait_for(&seen, 1), ["0007"]);
    stop.store(true, Ordering::SeqCst);
    handle.join().unwrap();
}

#[test]
fn a_stream_reads_on_through_rotations_without_repeating() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 3_000);
    let (stop, seen, handle) = follow(log.path(), true);
    let mut written = Vec::new();
    for n in 0..60 {
        log.write(&numbered(n)).unwrap();
        written.push(format!("{n:04}"));
        // Each rotation seen on its own: the reader looks at least every 200 ms.
        std::thread::sleep(Duration::from_millis(25));
    }
    let rotations = std::fs::read_to_string(log.path()).unwrap();
    assert!(rotations.contains("log-rotation"), "the file never rotated");
    let got = wait_for(&seen, 60);
    stop.store(true, Ordering::SeqCst);
    handle.join().unwrap();
    // Rotation events have no ID; the tags come once each, in order.
    let tags: Vec<String> = got.into_iter().filter(|id| !id.is_empty()).collect();
    assert_eq!(tags, written);
}

#[test]
fn a_stream_ends_at_until() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 0);
    log.write(&numbered(0)).unwrap();
    let options = ReadOptions {
        stream: true,
        from_start: true,
        filter: EventFilter::default().until(Some(
            (chrono::Local::now() + chrono::Duration::milliseconds(400)).fixed_offset(),
        )),
    };
    let started = std::time::Instant::now();
    let ids = read_all(log.path(), &options);
    assert_eq!(ids, ["0000"]);
    assert!(started.elapsed() >= Duration::from_millis(350));
    assert!(started.elapsed() < Duration::from_secs(3));
}
