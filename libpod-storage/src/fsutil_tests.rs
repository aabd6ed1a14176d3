use super::*;

#[test]
fn both_writers_replace_the_file_and_leave_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    for (n, write) in [atomic_write, volatile_write].into_iter().enumerate() {
        let path = dir.path().join(format!("file-{n}"));
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
    }
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_failed_write_names_the_file_and_leaves_the_old_content() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir/count");
    let err = volatile_write(&missing, b"1").unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    // A directory in the way: the rename fails, the temporary file is removed.
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("inside"), b"x").unwrap();
    assert!(volatile_write(&blocked, b"1").is_err());
    assert!(blocked.join("inside").exists());
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left");
}

#[test]
fn a_private_dir_is_made_0700_and_an_older_one_is_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let nested = dir.path().join("a/b");
    create_private_dir(&nested).unwrap();
    assert_eq!((mode(&dir.path().join("a")), mode(&nested)), (0o700, 0o700));
    fs::set_permissions(&nested, fs::Permissions::from_mode(0o755)).unwrap();
    create_private_dir(&nested).unwrap();
    assert_eq!(mode(&nested), 0o700);
    let file = dir.path().join("f");
    fs::write(&file, b"x").unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(restrict_file(&file).unwrap());
    assert_eq!(mode(&file), 0o600);
    assert!(!restrict_file(&dir.path().join("missing")).unwrap());
    atomic_write(&dir.path().join("new"), b"x").unwrap();
    assert_eq!(mode(&dir.path().join("new")), 0o600);
    assert!(
        create_private_dir(&file).is_err(),
        "a file is not a directory"
    );
}
