use super::*;
use libpod_testutil::dead_pid;
use std::os::unix::fs::PermissionsExt;

/// Whether `path`'s lock is free, or soon is: a process another test thread is spawning holds
/// a copy of every open fd until its exec closes them.
fn free_soon(path: &Path) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        if File::open(path).unwrap().try_lock().is_ok() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn a_created_file_is_in_place_whole_private_and_locked_with_no_temporary_left() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("intents");
    let held = create_file("record", &dir, "abc", b"contents", true).unwrap();
    assert_eq!(names(&dir), ["abc"]);
    assert_eq!(std::fs::read(dir.join("abc")).unwrap(), b"contents");
    let mode = std::fs::metadata(dir.join("abc"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let other = File::open(dir.join("abc")).unwrap();
    assert!(other.try_lock().is_err(), "locked while its maker holds it");
    drop(held);
    assert!(free_soon(&dir.join("abc")), "free once its maker lets go");
}

#[test]
fn a_second_entry_of_the_same_name_is_refused_and_the_first_stays_whole_and_held() {
    let tmp = tempfile::tempdir().unwrap();
    let first = create_file("record", tmp.path(), "abc", b"first", false).unwrap();
    let err = create_file("record", tmp.path(), "abc", b"second", false).unwrap_err();
    match err {
        CoreError::Io { op, source, .. } => {
            assert_eq!(op, "record");
            assert_eq!(source.kind(), std::io::ErrorKind::AlreadyExists);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(names(tmp.path()), ["abc"], "no temporary left");
    assert_eq!(std::fs::read(tmp.path().join("abc")).unwrap(), b"first");
    assert!(
        File::open(tmp.path().join("abc"))
            .unwrap()
            .try_lock()
            .is_err()
    );
    drop(first);
    create_dir("unpack", tmp.path(), "d").unwrap();
    assert!(create_dir("unpack", tmp.path(), "d").is_err());
    assert_eq!(names(tmp.path()), ["abc", "d"]);
}

#[test]
fn a_created_directory_is_in_place_private_and_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let (held, path) = create_dir("unpack", tmp.path(), "unpacked").unwrap();
    assert_eq!(path, tmp.path().join("unpacked"));
    assert_eq!(names(tmp.path()), ["unpacked"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(File::open(&path).unwrap().try_lock().is_err());
    drop(held);
    assert!(free_soon(&path), "free once its maker lets go");
}

#[test]
fn each_temporary_name_is_new_and_names_its_maker() {
    let (a, b) = (temporary_name("abc"), temporary_name("abc"));
    assert_ne!(
        a, b,
        "two makers in one process never share a temporary entry"
    );
    let prefix = format!(".abc.{}-", std::process::id());
    assert!(a.starts_with(&prefix) && b.starts_with(&prefix), "{a} {b}");
    assert!(is_temporary(&a));
    assert!(!abandoned(&a), "its maker (this process) lives");
}

#[test]
fn a_temporary_entry_is_abandoned_once_its_process_is_gone() {
    assert!(abandoned(&format!(".abc.{}-0", dead_pid())));
    assert!(
        abandoned(&format!(".abc.{}", dead_pid())),
        "the earlier form"
    );
    assert!(!abandoned(".abc.1-0"), "PID 1 lives");
    assert!(abandoned(".abc"), "a temporary name without a maker");
    assert!(!is_temporary("abc"));
}
