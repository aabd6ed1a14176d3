use super::*;
use std::os::unix::fs::PermissionsExt;

fn lines(path: &Path) -> Vec<Event> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn numbered(n: usize) -> Event {
    Event::image(EventStatus::Tag, &format!("{n:04}"), "localhost/x:1")
}

#[test]
fn events_are_appended_one_per_line_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events").join("events.log"), 0);
    for n in 0..3 {
        log.write(&numbered(n)).unwrap();
    }
    let ids: Vec<String> = lines(log.path()).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["0000", "0001", "0002"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(log.path()), 0o600);
    assert_eq!(mode(&lock_path(log.path())), 0o600);
    assert_eq!(mode(log.path().parent().unwrap()), 0o700);
}

#[test]
fn rotation_keeps_the_newer_half_then_marks_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::new(dir.path().join("events.log"), 2_000);
    for n in 0..40 {
        log.write(&numbered(n)).unwrap();
        assert!(std::fs::metadata(log.path()).unwrap().len() < 2_000);
    }
    let events = lines(log.path());
    let last = events.last().unwrap();
    assert_eq!(last.id, "0039");
    let rotations: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].status == EventStatus::Rotate)
        .collect();
    assert!(!rotations.is_empty(), "no rotation in {events:?}");
    let rotation = &events[*rotations.last().unwrap()];
    assert_eq!(rotation.kind, EventType::System);
    assert_eq!(rotation.name, log.path().display().to_string());
    // What was kept is in order and ends just before the newest rotation.
    let tags: Vec<u32> = events
        .iter()
        .filter(|e| e.status == EventStatus::Tag)
        .map(|e| e.id.parse().unwrap())
        .collect();
    assert!(tags.windows(2).all(|w| w[1] == w[0] + 1), "{tags:?}");
    assert!(tags[0] > 0, "the older half was dropped");
}

#[test]
fn concurrent_writers_never_interleave_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.log");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let log = EventLog::new(&path, 50_000);
            std::thread::spawn(move || {
                for n in 0..100 {
                    // Long attributes: lines well past a pipe's atomic size.
                    let event = numbered(t * 1000 + n).with_attribute("pad", &"x".repeat(5_000));
                    log.write(&event).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Every line parses: none was cut or mixed with another, through rotations.
    let events = lines(&path);
    assert!(events.len() > 5);
}
