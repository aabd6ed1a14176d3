//! The busybox rootfs has what the tests and the reference outputs rely on.

use libpod_testutil::{GROUP, PASSWD, TempRoot, busybox_rootfs};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

#[test]
fn rootfs_has_busybox_applets_users_and_directories() {
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();

    assert_eq!(
        std::fs::read_link(rootfs.join("bin/sh")).unwrap().to_str(),
        Some("busybox")
    );
    assert!(rootfs.join("bin/id").exists());
    assert!(!rootfs.join("bin/busybox").is_symlink());
    let echoed = Command::new(rootfs.join("bin/sh"))
        .args(["-c", "echo ok"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&echoed.stdout), "ok\n");

    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/passwd")).unwrap(),
        PASSWD
    );
    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/group")).unwrap(),
        GROUP
    );
    assert!(PASSWD.contains("user:x:1000:1000:user:/home/user:/bin/sh\n"));
    assert!(GROUP.contains("wheel:x:10:root,user\n"));

    for dir in [
        "etc",
        "root",
        "home/user",
        "proc",
        "sys",
        "dev",
        "run",
        "var/tmp",
    ] {
        assert!(rootfs.join(dir).is_dir(), "{dir} missing");
    }
    for sticky in ["tmp", "var/tmp"] {
        let mode = std::fs::metadata(rootfs.join(sticky))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o1777, "{sticky} mode");
    }
    if nix::unistd::geteuid().is_root() {
        assert_eq!(
            std::fs::metadata(rootfs.join("home/user")).unwrap().uid(),
            1000
        );
    }
}

#[test]
fn rootfs_can_be_built_twice_in_the_same_place() {
    let tmp = TempRoot::new().unwrap();
    busybox_rootfs(tmp.path()).unwrap();
    busybox_rootfs(tmp.path()).unwrap();
    assert!(tmp.path().join("bin/sh").exists());
}
