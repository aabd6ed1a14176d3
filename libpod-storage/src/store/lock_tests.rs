use super::*;

#[test]
fn only_staging_entries_whose_owner_is_gone_are_abandoned() {
    let tmp = tempfile::tempdir().unwrap();
    let live = StagingDir::new(tmp.path()).unwrap();
    std::fs::write(live.path().join("work"), b"x").unwrap();
    assert!(abandoned_staging(tmp.path()).unwrap().is_empty());

    // A dead owner's entry (its lock file, nobody holding it), and a directory of an earlier
    // version that had no lock.
    std::fs::create_dir(tmp.path().join("DEAD")).unwrap();
    std::fs::write(tmp.path().join("DEAD.lock"), b"").unwrap();
    std::fs::create_dir(tmp.path().join("overlay-probe-OLD")).unwrap();
    let abandoned = abandoned_staging(tmp.path()).unwrap();
    assert_eq!(abandoned.len(), 2, "{abandoned:?}");
    // Held: another look meanwhile takes the locked one for live.
    assert_eq!(abandoned_staging(tmp.path()).unwrap().len(), 1);
    for entry in abandoned {
        entry.remove().unwrap();
    }
    let mut left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let name = live
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(left, [name.clone(), format!("{name}.lock")]);
    drop(live);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
