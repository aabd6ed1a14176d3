//! Container storage on overlay and vfs: create, mount counts, changes, sizes, export, commit,
//! image mounts, volatile mounts.

mod common;

use common::store;
use libpod_storage::layer::ChangeKind;
use libpod_storage::{ContainerOptions, ImageReference, Store, StoreOptions, driver::DriverKind};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::fs::{self, File};
use std::path::Path;

fn with_busybox(tmp: &TempRoot, driver: DriverKind) -> Store {
    let store = store(tmp, Some(driver));
    let rootfs = tmp.path().join("busybox");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("busybox.tar");
    tar_directory(&rootfs, &tar).unwrap();
    store
        .import_tarball(
            File::open(&tar).unwrap(),
            Some(&ImageReference::parse("localhost/busybox").unwrap()),
            &[],
        )
        .unwrap();
    store
}

fn is_mount_point(path: &Path) -> bool {
    let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let path = path.to_string_lossy();
    mounts.lines().any(|l| l.split(' ').nth(4) == Some(&path))
}

fn lifecycle(driver: DriverKind) {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, driver);
    let ctr = store.create_container("c1", Some("busybox")).unwrap();
    assert_eq!(ctr.record.layers, store.image("busybox").unwrap().layers);

    // Mount counts: the second mount does not mount again; the filesystem stays until the last unmount.
    let root = store.mount_container("c1").unwrap();
    assert_eq!(store.mount_container("c1").unwrap(), root);
    assert_eq!(store.container_mount_count("c1"), 2);
    assert!(root.join("bin/busybox").is_file());
    if driver == DriverKind::Overlay {
        assert!(is_mount_point(&root));
    }

    // Changes: add, change, delete.
    fs::write(root.join("etc/new-file"), "new").unwrap();
    fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
    fs::remove_file(root.join("etc/group")).unwrap();
    let changes = store.container_changes("c1").unwrap();
    let kind_of = |p: &str| {
        changes
            .iter()
            .find(|c| c.path == Path::new(p))
            .map(|c| c.kind)
    };
    assert_eq!(
        kind_of("/etc/new-file"),
        Some(ChangeKind::Added),
        "{changes:?}"
    );
    assert_eq!(
        kind_of("/etc/passwd"),
        Some(ChangeKind::Changed),
        "{changes:?}"
    );
    assert_eq!(
        kind_of("/etc/group"),
        Some(ChangeKind::Deleted),
        "{changes:?}"
    );

    // Sizes, as the seed's rootFsSize and rwSize.
    assert_eq!(
        store.container_rootfs_size("c1").unwrap(),
        store.image("busybox").unwrap().size
    );
    assert!(store.container_rw_size("c1").unwrap() >= 3);

    // Export: the whole merged tree.
    let mut exported = Vec::new();
    store.export_container("c1", &mut exported).unwrap();
    let names: Vec<String> = tar::Archive::new(&exported[..])
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("etc/new-file")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.ends_with("bin/busybox")));
    assert!(
        !names.iter().any(|n| n.ends_with("etc/group")),
        "deleted files are not exported"
    );

    // Commit: a new image whose root filesystem has the changes.
    let committed = store
        .commit_container(
            "c1",
            Some(&ImageReference::parse("localhost/committed").unwrap()),
            &["CMD [\"/bin/true\"]".into()],
        )
        .unwrap();
    let image_root = store.mount_image("localhost/committed").unwrap();
    assert_eq!(
        fs::read_to_string(image_root.join("etc/new-file")).unwrap(),
        "new"
    );
    assert!(!image_root.join("etc/group").exists());
    assert!(image_root.join("bin/busybox").is_file());
    store.unmount_image("localhost/committed", false).unwrap();
    if driver == DriverKind::Overlay {
        assert_eq!(committed.layers.len(), 2);
        assert!(!is_mount_point(&image_root));
    }

    store.unmount_container("c1", false).unwrap();
    assert_eq!(store.container_mount_count("c1"), 1);
    assert_eq!(store.unmount_container("c1", false).unwrap(), 0);
    if driver == DriverKind::Overlay {
        assert!(!is_mount_point(&root));
    }
    store.remove_container("c1").unwrap();
    assert!(!store.root().join("containers/c1").exists());
    assert!(store.container("c1").is_err());
}

#[test]
fn container_storage_on_overlay() {
    lifecycle(DriverKind::Overlay);
}

#[test]
fn container_storage_on_vfs() {
    lifecycle(DriverKind::Vfs);
}

#[test]
fn removing_a_mounted_container_unmounts_it() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Overlay);
    store.create_container("c2", Some("busybox")).unwrap();
    let root = store.mount_container("c2").unwrap();
    store.remove_container("c2").unwrap();
    assert!(!is_mount_point(&root));
    assert!(store.create_container("bad/id", Some("busybox")).is_err());
}

/// Whether overlay options say volatile (`volatile`, or since Linux 6.x `fsync=volatile`).
fn says_volatile(options: &str) -> bool {
    options
        .split(',')
        .any(|o| o == "volatile" || o == "fsync=volatile")
}

/// The superblock options of the mount at `path` (after the ` - TYPE SOURCE` of mountinfo).
fn mount_options(path: &Path) -> Option<String> {
    let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let path = path.to_string_lossy();
    let line = mounts
        .lines()
        .rfind(|l| l.split(' ').nth(4) == Some(&path))?;
    let (_, after) = line.split_once(" - ")?;
    after.split(' ').nth(2).map(str::to_string)
}

#[test]
fn a_volatile_container_is_mounted_without_syncs_and_mounts_again() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Overlay);
    let volatile = ContainerOptions::default().volatile(true);
    let ctr = store
        .create_container_with("v1", Some("busybox"), &volatile)
        .unwrap();
    assert!(ctr.record.volatile);
    store.create_container("plain", Some("busybox")).unwrap();
    let plain = store.mount_container("plain").unwrap();
    let options = mount_options(&plain).unwrap();
    assert!(!says_volatile(&options), "{options}");
    store.unmount_container("plain", false).unwrap();

    let root = store.mount_container("v1").unwrap();
    let options = mount_options(&root).unwrap();
    assert!(says_volatile(&options), "{options}");
    fs::write(root.join("etc/kept"), "kept").unwrap();
    store.unmount_container("v1", false).unwrap();
    // The kernel marks the work directory after a volatile mount; mounting again works.
    let root = store.mount_container("v1").unwrap();
    assert_eq!(fs::read_to_string(root.join("etc/kept")).unwrap(), "kept");
    store.unmount_container("v1", false).unwrap();

    // The choice is part of the record: another handle on the store sees it.
    let reopened = Store::open(StoreOptions::new(store.root(), store.run_root())).unwrap();
    assert!(reopened.container("v1").unwrap().record.volatile);
    assert!(!reopened.container("plain").unwrap().record.volatile);
    store.remove_container("v1").unwrap();
    store.remove_container("plain").unwrap();
}

#[test]
fn a_container_directory_without_a_record_is_removed_at_open() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Overlay);
    // What a create that crashed before its commit leaves: the directories, no record.
    let ghost = store.root().join("containers/ghost");
    for dir in ["upper", "work", "merged"] {
        fs::create_dir_all(ghost.join(dir)).unwrap();
    }
    fs::write(ghost.join("upper/file"), "x").unwrap();
    // And the dirty mark that crash leaves (`store_open.rs` kills a real create to show it).
    common::plant_abandoned_staging(store.root());
    let reopened = Store::open(StoreOptions::new(store.root(), store.run_root())).unwrap();
    assert!(
        !ghost.exists(),
        "the crashed create's directory is still there"
    );
    assert!(reopened.container("ghost").is_err());
    // A failed create (no such image) leaves nothing either; the name is then free.
    assert!(
        reopened
            .create_container("ghost", Some("nosuchimage"))
            .is_err()
    );
    assert!(!ghost.exists());
    let ctr = reopened.create_container("ghost", Some("busybox")).unwrap();
    assert!(ctr.dir.join("upper").is_dir() && ctr.dir.join("work").is_dir());
    reopened.remove_container("ghost").unwrap();
}

/// The (inode, size, mtime) of a file: what a rewrite would change.
fn written(path: &Path) -> (u64, u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).unwrap();
    (meta.ino(), meta.len(), meta.modified().unwrap())
}

#[test]
fn a_volatile_containers_record_lives_in_the_run_root_and_a_reboot_forgets_it() {
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Vfs);
    store.create_container("plain", Some("busybox")).unwrap();
    let store_json = store.root().join("store.json");
    let volatile_json = store.run_root().join("volatile-containers.json");
    let before = written(&store_json);

    // Made and removed without touching store.json: its record is in the run root.
    let volatile = ContainerOptions::default().volatile(true);
    store
        .create_container_with("v1", Some("busybox"), &volatile)
        .unwrap();
    assert_eq!(written(&store_json), before, "store.json was rewritten");
    assert!(!fs::read_to_string(&store_json).unwrap().contains("\"v1\""));
    assert!(
        fs::read_to_string(&volatile_json)
            .unwrap()
            .contains("\"v1\"")
    );
    let other = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(other.container("v1").unwrap().record.volatile);
    assert_eq!(other.containers().unwrap().len(), 2);
    store.remove_container("v1").unwrap();
    assert_eq!(written(&store_json), before, "store.json was rewritten");
    assert!(!volatile_json.exists(), "no volatile container is left");
    assert!(
        other.container("v1").is_err(),
        "the other handle still sees it"
    );

    // A reboot empties the run root: the record goes, and the next open removes the directory.
    store
        .create_container_with("v2", Some("busybox"), &volatile)
        .unwrap();
    let dir = store.container("v2").unwrap().dir;
    assert!(dir.is_dir());
    drop((store, other));
    fs::remove_dir_all(tmp.path().join("run")).unwrap();
    let rebooted = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(matches!(
        rebooted.container("v2"),
        Err(libpod_storage::StorageError::ContainerNotKnown(_))
    ));
    assert!(
        !dir.exists(),
        "the forgotten container's directory is still there"
    );
    assert!(rebooted.container("plain").is_ok());
}

#[test]
fn a_volatile_record_written_into_store_json_moves_out_and_stays_removed() {
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Vfs);
    store.create_container("old", Some("busybox")).unwrap();
    drop(store);
    // As an earlier version wrote it: the volatile container in store.json.
    let store_json = tmp.path().join("root/store.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&fs::read(&store_json).unwrap()).unwrap();
    doc["containers"]["old"]["volatile"] = true.into();
    fs::write(&store_json, serde_json::to_vec(&doc).unwrap()).unwrap();

    let store = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(store.container("old").unwrap().record.volatile);
    store.remove_container("old").unwrap();
    let reopened = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(
        reopened.container("old").is_err(),
        "the removed container came back"
    );
    assert!(!fs::read_to_string(&store_json).unwrap().contains("\"old\""));
}

#[test]
fn a_run_root_that_outlived_a_reboot_forgets_its_mounts_and_volatile_containers() {
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Vfs);
    store.create_container("plain", Some("busybox")).unwrap();
    store.mount_container("plain").unwrap();
    let volatile = ContainerOptions::default().volatile(true);
    store
        .create_container_with("v", Some("busybox"), &volatile)
        .unwrap();
    let stamp = store.run_root().join("boot-id");
    let this_boot = fs::read_to_string(&stamp).unwrap();
    assert_eq!(
        this_boot,
        fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap()
    );
    // Reopened in the same boot: nothing is forgotten.
    let same = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert_eq!(same.container_mount_count("plain"), 1);
    assert!(same.container("v").is_ok());
    drop((store, same));

    // The run root says another boot (it was not a tmpfs, and the machine restarted).
    fs::write(&stamp, "00000000-0000-0000-0000-000000000000\n").unwrap();
    let rebooted = common::store_at(tmp.path(), Some(DriverKind::Vfs));
    assert_eq!(rebooted.container_mount_count("plain"), 0);
    assert!(
        rebooted.container("v").is_err(),
        "the volatile container survived"
    );
    assert!(rebooted.container("plain").is_ok());
    assert_eq!(fs::read_to_string(&stamp).unwrap(), this_boot);
}

#[test]
fn a_mount_undone_behind_the_stores_back_is_mounted_again() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = with_busybox(&tmp, DriverKind::Overlay);
    store
        .create_container("unmounted", Some("busybox"))
        .unwrap();
    let root = store.mount_container("unmounted").unwrap();
    assert!(is_mount_point(&root));
    // Someone else unmounts it; the store still counts one mount.
    nix::mount::umount2(&root, nix::mount::MntFlags::MNT_DETACH).unwrap();
    assert!(!is_mount_point(&root));
    assert_eq!(store.container_mount_count("unmounted"), 1);
    let again = store.mount_container("unmounted").unwrap();
    assert_eq!(again, root);
    assert!(
        is_mount_point(&root),
        "the count was trusted: nothing is mounted"
    );
    assert!(root.join("bin/busybox").is_file());
    // The count started over: one unmount takes it away.
    assert_eq!(store.container_mount_count("unmounted"), 1);
    assert_eq!(store.unmount_container("unmounted", false).unwrap(), 0);
    assert!(!is_mount_point(&root));
    store.remove_container("unmounted").unwrap();

    // The same for an image mount.
    let image_root = store.mount_image("busybox").unwrap();
    nix::mount::umount2(&image_root, nix::mount::MntFlags::MNT_DETACH).unwrap();
    assert_eq!(store.mount_image("busybox").unwrap(), image_root);
    assert!(
        is_mount_point(&image_root),
        "the image mount count was trusted"
    );
    assert!(image_root.join("bin/busybox").is_file());
    assert_eq!(store.unmount_image("busybox", false).unwrap(), 0);
    assert!(!is_mount_point(&image_root));
}
