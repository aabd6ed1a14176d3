//! Opening a store: what it creates is private to its owner, the driver is decided once and
//! recorded, and missing records are an error rather than an empty store.

mod common;

use common::{store_at, tar_of};
use libpod_storage::{ImageReference, StorageError, Store, StoreOptions, driver::DriverKind};
use libpod_testutil::{TempRoot, require_root, serial};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn options(dir: &Path, driver: Option<DriverKind>) -> StoreOptions {
    let mut options = StoreOptions::new(dir.join("root"), dir.join("run"));
    options.driver = driver;
    options.registries = Some(Default::default());
    options
}

/// A layer holding a copy of the host's `id`, root-owned and setuid.
fn setuid_layer() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for dir in ["usr/", "usr/bin/"] {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        builder.append_data(&mut header, dir, &[][..]).unwrap();
    }
    let id = fs::read("/usr/bin/id").unwrap();
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o4755);
    header.set_uid(0);
    header.set_gid(0);
    header.set_size(id.len() as u64);
    builder
        .append_data(&mut header, "usr/bin/id", &id[..])
        .unwrap();
    builder.into_inner().unwrap()
}

/// Runs `args` as uid and gid 65534 with no groups and no capabilities. Through a shell:
/// setpriv keeps its capabilities until its own exec, so it would find `args[0]` as root.
fn as_nobody(args: &[&std::ffi::OsStr]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(["/bin/sh", "-c", r#"exec "$@""#, "sh"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn nobody_else_runs_a_layers_setuid_file_or_takes_the_lock() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    // Others may traverse everything above the store: only the store's own modes keep them out.
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Overlay));
    let name = ImageReference::parse("localhost/setuid").unwrap();
    let image = store
        .import_tarball(&setuid_layer()[..], Some(&name), &[])
        .unwrap();
    store
        .create_container("c", Some("localhost/setuid"))
        .unwrap();
    let merged = store.mount_container("c").unwrap();
    let volatile = libpod_storage::ContainerOptions::default().volatile(true);
    store
        .create_container_with("v", Some("localhost/setuid"), &volatile)
        .unwrap();
    let diff = store
        .root()
        .join("layers")
        .join(image.layers[0].hex())
        .join("diff");

    let (root, run) = (store.root().to_path_buf(), store.run_root().to_path_buf());
    let mut private_dirs = vec![root.clone(), run.clone(), run.join("mounts")];
    for dir in [
        "blobs",
        "blobs/sha256",
        "layers",
        "l",
        "containers",
        "tmp",
        "image-mounts",
        "empty",
    ] {
        private_dirs.push(root.join(dir));
    }
    for dir in &private_dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    for file in [
        root.join("storage.lock"),
        root.join("store.json"),
        root.join("driver"),
        run.join("volatile-containers.json"),
        run.join("boot-id"),
        run.join("mounts/c"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    // The layer keeps the image's own modes.
    assert_eq!(mode(&diff.join("usr/bin/id")), 0o4755);
    assert_eq!(mode(&diff.join("usr/bin")), 0o755);

    // setpriv works here: nobody runs the host's id as itself.
    let control = as_nobody(&["/usr/bin/id".as_ref(), "-u".as_ref()]);
    assert_eq!(String::from_utf8_lossy(&control.stdout).trim(), "65534");
    for setuid in [diff.join("usr/bin/id"), merged.join("usr/bin/id")] {
        let out = as_nobody(&[setuid.as_os_str(), "-u".as_ref()]);
        assert!(
            !out.status.success(),
            "nobody ran {} and got uid {}",
            setuid.display(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Permission denied"),
            "{}: {}",
            setuid.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let lock = root.join("storage.lock");
    let out = as_nobody(&[
        "flock".as_ref(),
        "-n".as_ref(),
        lock.as_os_str(),
        "true".as_ref(),
    ]);
    assert!(!out.status.success(), "nobody took the store's lock");

    store.unmount_container("c", true).unwrap();
    store.remove_container("c").unwrap();
    store.remove_container("v").unwrap();
}

#[test]
fn what_an_earlier_version_made_world_readable_is_made_private_at_open() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let volatile = libpod_storage::ContainerOptions::default().volatile(true);
    store.create_container_with("v", None, &volatile).unwrap();
    let (root, run) = (store.root().to_path_buf(), store.run_root().to_path_buf());
    drop(store);
    let dirs: Vec<PathBuf> = [&root, &run]
        .into_iter()
        .cloned()
        .chain(["blobs", "blobs/sha256", "layers", "l", "containers", "tmp"].map(|d| root.join(d)))
        .chain([run.join("mounts")])
        .collect();
    let files = [
        root.join("storage.lock"),
        root.join("store.json"),
        run.join("boot-id"),
        run.join("volatile-containers.json"),
    ];
    for dir in &dirs {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    for file in &files {
        fs::set_permissions(file, fs::Permissions::from_mode(0o644)).unwrap();
    }

    let reopened = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(reopened.container("v").unwrap().record.volatile);
    for dir in &dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

/// The child of `twelve_first_opens_of_one_root_agree_on_overlay`: opens the store in
/// `STORE_OPEN_CHILD` and prints its driver.
fn open_as_child() -> bool {
    let Some(dir) = std::env::var_os("STORE_OPEN_CHILD") else {
        return false;
    };
    match Store::open(options(Path::new(&dir), None)) {
        Ok(store) => println!("driver={}", store.driver().name()),
        Err(e) => println!("error={e}"),
    }
    true
}

#[test]
fn twelve_first_opens_of_one_root_agree_on_overlay() {
    if open_as_child() {
        return;
    }
    require_root();
    let tmp = TempRoot::new().unwrap();
    for round in 0..3 {
        let dir = tmp.path().join(format!("round-{round}"));
        let children: Vec<_> = (0..12)
            .map(|_| {
                Command::new(std::env::current_exe().unwrap())
                    .args([
                        "twelve_first_opens_of_one_root_agree_on_overlay",
                        "--exact",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env("STORE_OPEN_CHILD", &dir)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let said: Vec<&str> = stdout
                .lines()
                .filter_map(|l| {
                    l.find("driver=")
                        .or_else(|| l.find("error="))
                        .map(|at| &l[at..])
                })
                .collect();
            assert_eq!(said, ["driver=overlay"], "round {round}: {stdout}");
        }
        let store = Store::open(options(&dir, None)).unwrap();
        assert_eq!(store.driver(), DriverKind::Overlay);
        let records = fs::read_to_string(dir.join("root/store.json")).unwrap();
        assert!(records.contains(r#""driver":"overlay""#), "{records}");
        assert_eq!(fs::read_dir(dir.join("root/tmp")).unwrap().count(), 0);
    }
}

#[test]
fn the_driver_is_recorded_and_an_open_with_another_is_refused() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    store.create_container("c", None).unwrap();
    let records = store.root().join("store.json");
    assert!(
        fs::read_to_string(&records)
            .unwrap()
            .contains(r#""driver":"vfs""#)
    );
    drop(store);

    match Store::open(options(tmp.path(), Some(DriverKind::Overlay))) {
        Err(StorageError::DriverMismatch {
            root,
            recorded: DriverKind::Vfs,
            requested: DriverKind::Overlay,
        }) => assert_eq!(root, tmp.path().join("root")),
        other => panic!("expected a driver mismatch, got {other:?}"),
    }
    assert_eq!(store_at(tmp.path(), None).driver(), DriverKind::Vfs);

    // A store written by an earlier version records no driver: its containers tell it.
    let mut doc: serde_json::Value = serde_json::from_slice(&fs::read(&records).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("driver");
    fs::write(&records, serde_json::to_vec(&doc).unwrap()).unwrap();
    fs::remove_file(tmp.path().join("root/driver")).unwrap();
    let upgraded = store_at(tmp.path(), None);
    assert_eq!(upgraded.driver(), DriverKind::Vfs);
    assert!(upgraded.container("c").is_ok());
    assert!(
        fs::read_to_string(&records)
            .unwrap()
            .contains(r#""driver":"vfs""#)
    );
}

#[test]
fn a_missing_store_json_is_an_error_and_deletes_nothing() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let records = store.root().join("store.json");
    // A new store writes its records at once, so that losing them later shows.
    assert!(records.is_file());
    let name = ImageReference::parse("localhost/kept").unwrap();
    let image = store
        .import_tarball(&tar_of(&[("kept", b"kept")])[..], Some(&name), &[])
        .unwrap();
    store.create_container("c", Some("localhost/kept")).unwrap();
    let root = store.root().to_path_buf();
    drop(store);
    let aside = tmp.path().join("store.json.aside");
    fs::rename(&records, &aside).unwrap();
    // Even with a dirty mark, which makes an open repair.
    common::plant_abandoned_staging(&root);
    for _ in 0..2 {
        match Store::open(options(tmp.path(), Some(DriverKind::Vfs))) {
            Err(StorageError::RecordsMissing { path }) => assert_eq!(path, records),
            other => panic!("expected missing records, got {other:?}"),
        }
    }
    let count = |dir: &str| fs::read_dir(root.join(dir)).unwrap().count();
    assert_eq!(
        (count("layers"), count("blobs/sha256"), count("containers")),
        (1, 3, 1)
    );

    // Unreadable records are the same: an error naming the file, nothing deleted.
    fs::write(&records, b"{\"version\":1,\"lay").unwrap();
    match Store::open(options(tmp.path(), Some(DriverKind::Vfs))) {
        Err(StorageError::Json { path, .. }) => assert_eq!(path, records),
        other => panic!("expected malformed records, got {other:?}"),
    }
    assert_eq!(
        (count("layers"), count("blobs/sha256"), count("containers")),
        (1, 3, 1)
    );

    fs::rename(&aside, &records).unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert_eq!(store.image("localhost/kept").unwrap(), image);
    assert!(store.container("c").is_ok());
    assert_eq!(store.check().unwrap(), []);
    assert_eq!(count("tmp"), 0, "the dirty mark was not repaired");
}

#[test]
fn a_store_without_records_and_without_content_is_new() {
    let tmp = TempRoot::new().unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    let records = store.root().join("store.json");
    drop(store);
    // As an earlier version left a store never used: its directories, no records.
    fs::remove_file(&records).unwrap();
    fs::remove_file(tmp.path().join("root/driver")).unwrap();
    let store = store_at(tmp.path(), Some(DriverKind::Vfs));
    assert!(store.images().unwrap().is_empty());
    assert!(records.is_file());
}
