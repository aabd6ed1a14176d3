use super::*;
use std::os::unix::fs::PermissionsExt;

fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
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
    let held = create_file(&dir, "abc", b"contents", true).unwrap();
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
    assert!(other.try_lock().is_ok(), "free once its maker lets go");
}

#[test]
fn a_created_directory_is_in_place_private_and_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let (held, path) = create_dir(tmp.path(), "unpacked").unwrap();
    assert_eq!(path, tmp.path().join("unpacked"));
    assert_eq!(names(tmp.path()), ["unpacked"]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(File::open(&path).unwrap().try_lock().is_err());
    drop(held);
    assert!(File::open(&path).unwrap().try_lock().is_ok());
}

#[test]
fn a_temporary_entry_is_its_makers_while_its_process_lives() {
    let mine = format!(".abc.{}", std::process::id());
    assert!(is_temporary(&mine));
    assert!(!abandoned(&mine));
    assert!(abandoned(&format!(".abc.{}", dead_pid())));
    assert!(abandoned(".abc"), "a temporary name without a maker");
    assert!(!is_temporary("abc"));
}
