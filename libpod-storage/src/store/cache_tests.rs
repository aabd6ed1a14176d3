use super::*;
use std::fs;

fn open(dir: &Path) -> Store {
    let mut options = StoreOptions::new(dir.join("root"), dir.join("run"));
    options.driver = Some(DriverKind::Vfs);
    options.registries = Some(RegistriesConfig::default());
    Store::open(options).unwrap()
}

#[test]
fn under_the_lock_a_cache_with_the_same_file_identity_but_an_older_generation_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let other = open(dir.path());
    store.containers().unwrap();
    let path = store.metadata_path();
    let cached = store.inner.cache.lock().unwrap().identity.unwrap()[0].unwrap();
    let old_mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let kept = dir.path().join("kept-inode");
    fs::hard_link(&path, &kept).unwrap();

    // Another process commits a container.
    other.create_container("theirs", None).unwrap();
    // Inode reuse and a coarse clock: its records land in the old inode, with the old mtime.
    let theirs = fs::read(&path).unwrap();
    fs::write(&kept, &theirs).unwrap();
    fs::File::options()
        .write(true)
        .open(&kept)
        .unwrap()
        .set_modified(old_mtime)
        .unwrap();
    fs::rename(&kept, &path).unwrap();
    assert_eq!(file_identity(&path).unwrap(), Some(cached), "not planted");

    // An update starts from what is on disk, not from the cache, and loses nothing.
    store.create_container("ours", None).unwrap();
    let ids: Vec<String> = open(dir.path())
        .containers()
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["ours", "theirs"]);
}

#[test]
fn a_write_moves_the_generation_on_and_leaves_it_even() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let before = store.inner.lock.peek_generation().unwrap();
    store.create_container("c", None).unwrap();
    let after = store.inner.lock.peek_generation().unwrap();
    assert!(
        after > before && after.is_multiple_of(2),
        "{before} -> {after}"
    );
    // A writer that died mid-write leaves an odd generation; the next one moves past it.
    let guard = store.inner.lock.lock().unwrap();
    let writing = guard.begin_write().unwrap();
    assert!(!writing.is_multiple_of(2));
    drop(guard);
    store.remove_container("c").unwrap();
    let last = store.inner.lock.peek_generation().unwrap();
    assert!(
        last > writing && last.is_multiple_of(2),
        "{writing} -> {last}"
    );
}
