use super::*;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_directory_and_its_parents_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c");
    create_private_dir(&nested, ExistingDir::Restrict).unwrap();
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(&dir.path().join("a")), 0o700);
}

#[test]
fn an_existing_directory_is_kept_or_restricted_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, Permissions::from_mode(0o755)).unwrap();
    create_private_dir(&open, ExistingDir::Keep).unwrap();
    assert_eq!(mode(&open), 0o755);
    create_private_dir(&open, ExistingDir::Restrict).unwrap();
    assert_eq!(mode(&open), 0o700);
}

#[test]
fn a_file_in_the_way_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    for existing in [ExistingDir::Keep, ExistingDir::Restrict] {
        let err = create_private_dir(&file, existing).unwrap_err();
        assert!(
            matches!(&err, FsError::Io { path, .. } if *path == file),
            "{err:?}"
        );
    }
}

#[test]
fn private_files_are_0600_and_restrict_takes_access_away() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    private_file()
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap()
        .write_all(b"x")
        .unwrap();
    assert_eq!(mode(&path), 0o600);
    fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
    restrict(
        &path,
        &fs::metadata(&path).unwrap().permissions(),
        PRIVATE_FILE_MODE,
    )
    .unwrap();
    assert_eq!(mode(&path), 0o600);
    // Already private: left as it is.
    fs::set_permissions(&path, Permissions::from_mode(0o400)).unwrap();
    restrict(
        &path,
        &fs::metadata(&path).unwrap().permissions(),
        PRIVATE_FILE_MODE,
    )
    .unwrap();
    assert_eq!(mode(&path), 0o400);
}
