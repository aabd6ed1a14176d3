//! Atomic replacement: the old content survives a failed write, the result has the mode
//! asked for, and no temporary file is left.

use super::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn every_durability_replaces_the_content_with_the_mode_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let durabilities = [Durability::Volatile, Durability::Contents, Durability::Full];
    for (n, durability) in durabilities.into_iter().enumerate() {
        let path = dir.path().join(format!("file-{n}"));
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        replace(&path, b"new", 0o600, durability).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        // A new inode, created with the mode asked for: the old file's mode is not kept.
        assert_eq!(mode(&path), 0o600, "{durability:?}");
    }
    assert_eq!(names(dir.path()), ["file-0", "file-1", "file-2"]);
}

#[test]
fn an_abandoned_write_leaves_the_old_content_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state");
    fs::write(&path, "old").unwrap();
    {
        let temp = TempFile::beside(&path, 0o600).unwrap();
        temp.file().write_all(b"half").unwrap();
        let names = names(dir.path());
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].starts_with(".state.tmp-"), "{names:?}");
        // Dropped without commit: the writer failed.
    }
    assert_eq!(fs::read(&path).unwrap(), b"old");
    assert_eq!(names(dir.path()), ["state"]);
}

#[test]
fn a_failed_rename_removes_the_temporary_file_and_names_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("inside"), "x").unwrap();
    let err = replace(&blocked, b"1", 0o600, Durability::Full).unwrap_err();
    assert!(
        matches!(&err, FsError::Io { op: "rename", path, .. } if *path == blocked),
        "{err:?}"
    );
    assert!(blocked.join("inside").exists());
    assert_eq!(names(dir.path()), ["blocked"]);
}

#[test]
fn a_missing_directory_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = replace(
        &dir.path().join("no-such-dir/count"),
        b"1",
        0o600,
        Durability::Volatile,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");
}

#[test]
fn temporary_names_are_unpredictable() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t");
    let first = TempFile::beside(&target, 0o600).unwrap();
    let second = TempFile::beside(&target, 0o600).unwrap();
    assert_ne!(first.temp, second.temp);
    drop((first, second));
    assert!(names(dir.path()).is_empty());
}

#[test]
fn replacing_in_a_root_writes_through_its_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("layout")).unwrap();
    let root = Root::open(&dir.path().join("layout")).unwrap();
    // Moved after opening: the write follows the directory, not the path.
    fs::rename(dir.path().join("layout"), dir.path().join("moved")).unwrap();
    replace_at(&root, "index.json".as_ref(), b"{}", 0o644, Durability::Full).unwrap();
    assert_eq!(
        fs::read(dir.path().join("moved/index.json")).unwrap(),
        b"{}"
    );
    assert_eq!(mode(&dir.path().join("moved/index.json")), 0o644 & !umask());
    assert_eq!(names(&dir.path().join("moved")), ["index.json"]);
}

#[test]
fn a_name_in_a_root_is_one_component() {
    let dir = tempfile::tempdir().unwrap();
    let root = Root::open(dir.path()).unwrap();
    for name in ["", "a/b", "../x"] {
        assert!(
            TempFile::in_root(&root, name.as_ref(), 0o644).is_err(),
            "{name:?}"
        );
    }
    assert!(names(dir.path()).is_empty());
}

#[test]
fn a_symlink_at_the_target_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let sentinel = dir.path().join("sentinel");
    fs::write(&sentinel, "untouched").unwrap();
    let target = dir.path().join("pidfile");
    std::os::unix::fs::symlink(&sentinel, &target).unwrap();
    replace(&target, b"42", 0o600, Durability::Contents).unwrap();
    assert_eq!(fs::read(&sentinel).unwrap(), b"untouched");
    assert!(fs::symlink_metadata(&target).unwrap().is_file());
}

/// The process's umask (read by setting it and putting it back).
fn umask() -> u32 {
    use nix::sys::stat::{Mode, umask};
    let old = umask(Mode::from_bits_truncate(0o022));
    umask(old);
    old.bits()
}
