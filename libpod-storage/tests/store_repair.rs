//! When an open repairs: only when a dirty mark says that an operation was interrupted (or on
//! an explicit `Store::repair`), so that an open costs the same for any number of images; and
//! a repair leaves volatile containers of other run roots alone.

mod common;

use common::{MemorySource, store_at, tar_of};
use libpod_storage::{ContainerOptions, ImageReference, Store, StoreOptions, driver::DriverKind};
use libpod_testutil::TempRoot;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tmp_entries(store: &Store) -> usize {
    fs::read_dir(store.root().join("tmp")).unwrap().count()
}

#[test]
fn an_open_without_a_dirty_mark_does_not_scan_the_store() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    for i in 0..200 {
        let layer = tar_of(&[("n", format!("{i}").as_bytes())]);
        let name = ImageReference::parse(&format!("localhost/image-{i}")).unwrap();
        store
            .pull_from(&MemorySource::new(vec![layer]), Some(&name))
            .unwrap();
    }
    drop(store);
    // A layer directory no record owns: an open that listed the layers would remove it.
    let stray = tmp.path().join("root/layers").join("ab".repeat(32));
    fs::create_dir_all(stray.join("diff")).unwrap();
    fs::write(stray.join("diff/file"), "x").unwrap();

    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert_eq!(store.images().unwrap().len(), 200);
    assert!(stray.exists(), "a clean open listed the layers");
    let problems: Vec<String> = store
        .check()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [format!("layers/{} has no record", "ab".repeat(32))]
    );
    // On request.
    let repaired = store.repair().unwrap();
    assert_eq!(repaired.layers, 1);
    assert!(!stray.exists());

    // With a dirty mark: an operation died.
    fs::create_dir_all(stray.join("diff")).unwrap();
    common::plant_abandoned_staging(store.root());
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(!stray.exists(), "the dirty open did not repair");
    assert_eq!(tmp_entries(&store), 0, "the dirty mark is left");
    assert_eq!(store.check().unwrap(), []);
    assert_eq!(store.images().unwrap().len(), 200);
}

/// A layer of many small files: copying it (vfs) takes long enough to kill the copy.
fn many_files_layer() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for i in 0..2_000 {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(1);
        builder
            .append_data(&mut header, format!("f/{:03}/{i}", i % 100), &b"x"[..])
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// The child of `a_create_killed_before_its_commit_leaves_a_dirty_mark`: creates container
/// `ghost` in the store at `STORE_REPAIR_CHILD`.
fn create_as_child() -> bool {
    let Some(dir) = std::env::var_os("STORE_REPAIR_CHILD") else {
        return false;
    };
    let store = store_at(Path::new(&dir), Some(DriverKind::Vfs));
    store
        .create_container("ghost", Some("localhost/many"))
        .unwrap();
    true
}

#[test]
fn a_create_killed_before_its_commit_leaves_a_dirty_mark() {
    if create_as_child() {
        return;
    }
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let name = ImageReference::parse("localhost/many").unwrap();
    store
        .import_tarball(&many_files_layer()[..], Some(&name), &[])
        .unwrap();
    let ghost = store.root().join("containers/ghost");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_create_killed_before_its_commit_leaves_a_dirty_mark",
            "--exact",
            "--test-threads=1",
        ])
        .env("STORE_REPAIR_CHILD", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it copies the image's files into the container's directory.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ghost.join("rootfs/f").exists() {
        assert!(Instant::now() < deadline, "the child never started copying");
        std::thread::sleep(Duration::from_micros(500));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(ghost.exists());
    assert!(
        store.container("ghost").is_err(),
        "the create committed before the kill"
    );
    assert_eq!(
        tmp_entries(&store),
        2,
        "no dirty mark: an abandoned staging entry"
    );
    let reopened = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(
        !ghost.exists(),
        "the killed create's directory is still there"
    );
    assert_eq!(tmp_entries(&reopened), 0);
    assert_eq!(reopened.check().unwrap(), []);
    // The name is free again.
    reopened.create_container("ghost", None).unwrap();
}

#[test]
fn another_run_root_leaves_volatile_containers_of_this_one_alone() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let name = ImageReference::parse("localhost/small").unwrap();
    store
        .import_tarball(&tar_of(&[("etc/hostname", b"x")])[..], Some(&name), &[])
        .unwrap();
    let volatile = ContainerOptions::default().volatile(true);
    let dir = store
        .create_container_with("v", Some("localhost/small"), &volatile)
        .unwrap()
        .dir;

    // The same root with another run root: a new run root, so its first open repairs.
    let mut options = StoreOptions::new(store.root(), tmp.path().join("run-b"));
    options.driver = Some(DriverKind::Vfs);
    options.registries = Some(Default::default());
    let other = Store::open(options).unwrap();
    assert!(
        dir.join("rootfs/etc/hostname").exists(),
        "the other run root's open deleted it"
    );
    assert!(
        other.container("v").is_err(),
        "its record is not the other run root's"
    );
    other.repair().unwrap();
    assert!(dir.exists());
    assert_eq!(
        fs::read_to_string(store.mount_container("v").unwrap().join("etc/hostname")).unwrap(),
        "x"
    );
    store.unmount_container("v", false).unwrap();

    // Once the owning run root forgets it (a reboot emptied that tmpfs), it is gone.
    drop(store);
    fs::remove_dir_all(tmp.path().join("run")).unwrap();
    other.repair().unwrap();
    assert!(
        !dir.exists(),
        "a forgotten volatile container's directory is left"
    );
}

#[test]
fn a_staging_directory_handed_out_survives_every_repair_while_it_lives() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    // As podctl unpacks an oci-archive before pulling from it.
    let staging = store.staging().unwrap();
    fs::write(staging.path().join("index.json"), "{}").unwrap();
    common::plant_abandoned_staging(store.root());
    let other = store_at(tmp.path(), Some(DriverKind::Vfs));
    other.repair().unwrap();
    assert!(staging.path().join("index.json").exists());
    assert_eq!(tmp_entries(&other), 2, "the dead operation's entry is left");
    let path = staging.path().to_path_buf();
    drop(staging);
    assert!(!path.exists());
    assert_eq!(tmp_entries(&other), 0);
}

#[test]
fn a_clean_open_does_not_wait_for_the_writer_lock() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    store.create_container("c", None).unwrap();
    let lock = store.root().join("storage.lock");
    drop(store);
    // Another process holds the writer lock for a long commit.
    let mut holder = Command::new("flock")
        .arg(&lock)
        .args(["sleep", "20"])
        .spawn()
        .unwrap();
    let held = || {
        !Command::new("flock")
            .arg("-n")
            .arg(&lock)
            .arg("true")
            .status()
            .unwrap()
            .success()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !held() {
        assert!(Instant::now() < deadline, "flock never took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Instant::now();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let took = start.elapsed();
    let still_held = held();
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(still_held, "the holder let go before the open ended");
    assert!(took < Duration::from_secs(5), "the open waited {took:?}");
    assert!(store.container("c").is_ok());
}
