//! TempRoot unmounts before it removes, and never reaches through a bind mount.

use libpod_testutil::{TempRoot, mount_points_beneath, require_root, serial};
use nix::mount::{MsFlags, mount};

#[test]
fn drop_removes_the_directory() {
    let tmp = TempRoot::new().unwrap();
    let path = tmp.path().to_path_buf();
    std::fs::create_dir_all(path.join("a/b")).unwrap();
    std::fs::write(path.join("a/b/file"), "x").unwrap();
    drop(tmp);
    assert!(!path.exists());
}

#[test]
fn drop_unmounts_nested_and_bind_mounts_and_spares_their_sources() {
    require_root();
    let _guard = serial();
    let outside = TempRoot::new().unwrap();
    std::fs::write(outside.path().join("precious"), "keep me").unwrap();

    let tmp = TempRoot::new().unwrap();
    let path = tmp.path().to_path_buf();
    let fs = path.join("tmpfs");
    let nested = fs.join("nested");
    let bind = nested.join("bind");
    std::fs::create_dir(&fs).unwrap();
    mount(
        Some("tmpfs"),
        &fs,
        Some("tmpfs"),
        MsFlags::empty(),
        None::<&str>,
    )
    .unwrap();
    std::fs::create_dir(&nested).unwrap();
    mount(
        Some("tmpfs"),
        &nested,
        Some("tmpfs"),
        MsFlags::empty(),
        None::<&str>,
    )
    .unwrap();
    std::fs::create_dir(&bind).unwrap();
    mount(
        Some(outside.path()),
        &bind,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .unwrap();
    assert_eq!(
        mount_points_beneath(&path).unwrap(),
        vec![bind.clone(), nested, fs]
    );

    drop(tmp);
    assert!(!path.exists());
    assert!(mount_points_beneath(&path).unwrap().is_empty());
    assert_eq!(
        std::fs::read_to_string(outside.path().join("precious")).unwrap(),
        "keep me"
    );
}
