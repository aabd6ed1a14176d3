use super::*;
use std::time::{Duration, Instant};

fn files() -> (tempfile::TempDir, ExitFiles) {
    let dir = tempfile::tempdir().unwrap();
    let files = ExitFiles::new(dir.path().join("exits"), dir.path().join("persist"));
    std::fs::create_dir_all(files.exit_dir()).unwrap();
    (dir, files)
}

/// Writes `text` as conmon does: a temporary file in the same directory, renamed into place.
fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp123");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn no_file_is_no_exit() {
    let (_dir, files) = files();
    assert_eq!(files.read("c1").unwrap(), None);
}

#[test]
fn exit_code_and_finish_time_come_from_the_file() {
    let (_dir, files) = files();
    let path = files.exit_file("c1").unwrap();
    std::fs::write(&path, "137\n").unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let info = files.read("c1").unwrap().unwrap();
    assert_eq!(info.code, 137);
    assert_eq!(info.finished_at, mtime);
    assert!(!info.oom_killed);
}

#[test]
fn negative_codes_are_kept() {
    let (_dir, files) = files();
    std::fs::write(files.exit_file("c1").unwrap(), "-1").unwrap();
    assert_eq!(files.read("c1").unwrap().unwrap().code, -1);
}

#[test]
fn oom_marker_sets_oom_killed() {
    let (_dir, files) = files();
    std::fs::write(files.exit_file("c1").unwrap(), "137").unwrap();
    std::fs::create_dir_all(files.persist_dir("c1").unwrap()).unwrap();
    std::fs::write(files.oom_file("c1").unwrap(), "").unwrap();
    assert!(files.read("c1").unwrap().unwrap().oom_killed);
    // Another container's marker does not count.
    std::fs::write(files.exit_file("c2").unwrap(), "137").unwrap();
    assert!(!files.read("c2").unwrap().unwrap().oom_killed);
}

#[test]
fn malformed_exit_file_is_an_error_naming_the_file() {
    let (_dir, files) = files();
    std::fs::write(files.exit_file("c1").unwrap(), "garbage").unwrap();
    let err = files.read("c1").unwrap_err();
    assert!(matches!(err, CoreError::Conmon { ref id, .. } if id == "c1"));
    assert!(err.to_string().contains("exits/c1"), "{err}");
}

#[test]
fn empty_exit_file_is_not_an_exit_yet() {
    let (_dir, files) = files();
    std::fs::write(files.exit_file("c1").unwrap(), "").unwrap();
    assert_eq!(files.read("c1").unwrap(), None);
}

#[test]
fn ids_that_are_not_one_path_component_are_refused() {
    let (_dir, files) = files();
    for id in ["", ".", "..", "a/b", "../x", "a\0b"] {
        assert!(
            matches!(files.read(id), Err(CoreError::InvalidOption { .. })),
            "{id:?}"
        );
        assert!(files.clear(id).is_err(), "{id:?}");
        assert!(files.wait(id, Some(Duration::ZERO)).is_err(), "{id:?}");
    }
}

#[test]
fn wait_times_out_with_none() {
    let (_dir, files) = files();
    let start = Instant::now();
    assert_eq!(
        files.wait("c1", Some(Duration::from_millis(100))).unwrap(),
        None
    );
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
}

#[test]
fn wait_returns_at_once_when_the_file_exists() {
    let (_dir, files) = files();
    std::fs::write(files.exit_file("c1").unwrap(), "0").unwrap();
    let info = files.wait("c1", Some(Duration::ZERO)).unwrap();
    assert_eq!(info.map(|i| i.code), Some(0));
}

/// The watch wakes the waiter when the file is renamed into place (as conmon writes it) or
/// written directly, without a polling delay; files of other containers do not end the wait.
#[test]
fn wait_sees_renamed_and_written_files_promptly() {
    let (_dir, files) = files();
    for (id, atomic) in [("renamed", true), ("written", false)] {
        let writer = {
            let other = files.exit_file("other").unwrap();
            let path = files.exit_file(id).unwrap();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                std::fs::write(&other, "1").unwrap();
                // Long enough for a poller to be at its longest interval by now.
                std::thread::sleep(Duration::from_millis(300));
                let written = Instant::now();
                if atomic {
                    write_atomically(&path, "42");
                } else {
                    std::fs::write(&path, "42").unwrap();
                }
                written
            })
        };
        let info = files.wait(id, Some(Duration::from_secs(10))).unwrap();
        let seen = Instant::now();
        let written = writer.join().unwrap();
        assert_eq!(info.map(|i| i.code), Some(42), "{id}");
        let delay = seen.duration_since(written);
        assert!(
            delay < Duration::from_millis(50),
            "{id}: seen after {delay:?}"
        );
    }
}

#[test]
fn an_existing_directory_is_watched_a_missing_one_is_not() {
    let (dir, files) = files();
    assert!(files.watch().is_some());
    assert!(
        ExitFiles::new(dir.path().join("missing"), dir.path())
            .watch()
            .is_none()
    );
}

#[test]
fn wait_polls_when_the_directory_cannot_be_watched() {
    let dir = tempfile::tempdir().unwrap();
    let files = ExitFiles::new(dir.path().join("later"), dir.path().join("persist"));
    let path = files.exit_file("c1").unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        std::fs::create_dir(path.parent().unwrap()).unwrap();
        write_atomically(&path, "7");
    });
    let info = files.wait("c1", Some(Duration::from_secs(10))).unwrap();
    writer.join().unwrap();
    assert_eq!(info.map(|i| i.code), Some(7));
}

#[test]
fn wait_survives_the_directory_being_replaced() {
    let (dir, files) = files();
    let exits = files.exit_dir().to_path_buf();
    let path = files.exit_file("c1").unwrap();
    let moved = dir.path().join("old-exits");
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        std::fs::rename(&exits, &moved).unwrap();
        std::fs::create_dir(&exits).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        write_atomically(&path, "9");
    });
    let info = files.wait("c1", Some(Duration::from_secs(10))).unwrap();
    writer.join().unwrap();
    assert_eq!(info.map(|i| i.code), Some(9));
}

#[test]
fn clear_removes_the_exit_and_oom_marker_and_the_empty_persist_dir() {
    let (_dir, files) = files();
    let persist = files.persist_dir("c1").unwrap();
    std::fs::create_dir_all(&persist).unwrap();
    std::fs::write(files.exit_file("c1").unwrap(), "1").unwrap();
    std::fs::write(files.oom_file("c1").unwrap(), "").unwrap();
    std::fs::write(persist.join("exit"), "1").unwrap();
    std::fs::write(files.exit_file("c2").unwrap(), "2").unwrap();
    files.clear("c1").unwrap();
    assert_eq!(files.read("c1").unwrap(), None);
    assert!(!persist.exists());
    assert_eq!(files.read("c2").unwrap().map(|i| i.code), Some(2));
    // Clearing again, or an unknown container, is fine.
    files.clear("c1").unwrap();
    files.clear("never").unwrap();
}

#[test]
fn clear_keeps_a_persist_dir_holding_other_files() {
    let (_dir, files) = files();
    let persist = files.persist_dir("c1").unwrap();
    std::fs::create_dir_all(&persist).unwrap();
    std::fs::write(files.oom_file("c1").unwrap(), "").unwrap();
    std::fs::write(persist.join("keep"), "x").unwrap();
    files.clear("c1").unwrap();
    assert!(!files.oom_file("c1").unwrap().exists());
    assert!(persist.join("keep").exists());
}
