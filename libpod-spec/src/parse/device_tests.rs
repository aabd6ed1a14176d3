use super::{
    DeviceRequest, devices_for_privileged, host_device, parse_device, privileged_host_devices,
};
use crate::SpecError;
use nix::sys::stat::{Mode, SFlag, makedev, mknod};
use nix::unistd::mkfifo;
use oci_spec::runtime::LinuxDeviceType;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

fn request(host: &str, container: &str, permissions: &str) -> DeviceRequest {
    DeviceRequest {
        host_path: PathBuf::from(host),
        container_path: PathBuf::from(container),
        permissions: permissions.to_string(),
    }
}

/// Creates a character device node (the tests run as root, as Podman's own do).
fn char_device(path: &Path, major: u64, minor: u64) {
    mknod(
        path,
        SFlag::S_IFCHR,
        Mode::from_bits_truncate(0o640),
        makedev(major, minor),
    )
    .expect("mknod needs CAP_MKNOD");
    // Whatever the umask.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640)).unwrap();
}

fn block_device(path: &Path, major: u64, minor: u64) {
    mknod(
        path,
        SFlag::S_IFBLK,
        Mode::from_bits_truncate(0o600),
        makedev(major, minor),
    )
    .expect("mknod needs CAP_MKNOD");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn parse_forms() {
    assert_eq!(
        parse_device("/dev/fuse").unwrap(),
        request("/dev/fuse", "/dev/fuse", "rwm")
    );
    assert_eq!(
        parse_device("/dev/fuse:rw").unwrap(),
        request("/dev/fuse", "/dev/fuse", "rw")
    );
    assert_eq!(
        parse_device("/dev/null:/dev/mynull").unwrap(),
        request("/dev/null", "/dev/mynull", "rwm")
    );
    assert_eq!(
        parse_device("/dev/null:/dev/mynull:r").unwrap(),
        request("/dev/null", "/dev/mynull", "r")
    );
    assert_eq!(
        parse_device("/dev/null:mwr").unwrap(),
        request("/dev/null", "/dev/null", "mwr")
    );
    // Podman's quirk: with three parts, a mode in the middle wins over the last one.
    assert_eq!(
        parse_device("/dev/null:rw:r").unwrap(),
        request("/dev/null", "/dev/null", "rw")
    );
    // The container path is kept as written.
    assert_eq!(
        parse_device("/dev/null:/a/../b").unwrap(),
        request("/dev/null", "/a/../b", "rwm")
    );
}

#[test]
fn parse_refuses_bad_specifications() {
    for text in [
        "",
        "dev/null",
        ":/x",
        "/dev/null:/x:rwz",
        "/dev/null:/x:",
        "/dev/null:x",
        "/dev/null:rr",
        "/dev/null:",
        "/dev/null::r",
        "/dev/null:/x:r:w",
        "/dev/null:/x:/y",
        "/dev/null:RW",
    ] {
        match parse_device(text) {
            Err(SpecError::InvalidValue {
                field: "device",
                value,
                ..
            }) => assert_eq!(value, text),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn a_character_device() {
    let entries = host_device(&request("/dev/null", "/dev/mynull", "r")).unwrap();
    assert_eq!(entries.len(), 1);
    let (device, rule) = &entries[0];
    assert_eq!(device.path(), Path::new("/dev/mynull"));
    assert_eq!(device.typ(), LinuxDeviceType::C);
    assert_eq!((device.major(), device.minor()), (1, 3));
    // Podman writes the whole st_mode: 0o20666 for crw-rw-rw-.
    assert_eq!(device.file_mode(), Some(0o20666));
    assert_eq!((device.uid(), device.gid()), (Some(0), Some(0)));
    assert!(rule.allow());
    assert_eq!(rule.typ(), Some(LinuxDeviceType::C));
    assert_eq!((rule.major(), rule.minor()), (Some(1), Some(3)));
    assert_eq!(rule.access().as_deref(), Some("r"));
}

#[test]
fn a_block_device_in_a_directory_tree() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    block_device(&dir.path().join("sub/disk"), 7, 3);
    char_device(&dir.path().join("acm"), 166, 0);
    mkfifo(&dir.path().join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
    symlink("/dev/null", dir.path().join("link")).unwrap();
    std::fs::write(dir.path().join("file"), "").unwrap();

    let host = dir.path().to_str().unwrap();
    let entries = host_device(&request(host, "/ctr", "rw")).unwrap();
    let summary: Vec<_> = entries
        .iter()
        .map(|(d, r)| {
            (
                d.path().to_str().unwrap().to_string(),
                d.typ(),
                d.major(),
                d.minor(),
                r.access().clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "/ctr/acm".to_string(),
                LinuxDeviceType::C,
                166,
                0,
                Some("rw".to_string())
            ),
            (
                "/ctr/sub/disk".to_string(),
                LinuxDeviceType::B,
                7,
                3,
                Some("rw".to_string())
            ),
        ]
    );
    assert_eq!(entries[1].0.file_mode(), Some(0o60600));

    // Without a container path, the devices keep their host paths.
    let entries = host_device(&request(host, host, "rwm")).unwrap();
    assert_eq!(entries[0].0.path(), &dir.path().join("acm"));
}

#[test]
fn a_directory_without_devices_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
    let host = dir.path().to_str().unwrap();
    assert!(matches!(
        host_device(&request(host, host, "rwm")),
        Err(SpecError::Device { .. })
    ));
}

#[test]
fn symlinks_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("null-link");
    symlink("/dev/null", &link).unwrap();
    let host = link.to_str().unwrap();
    // No container path: the device appears at the resolved path, as in Podman.
    let entries = host_device(&request(host, host, "rwm")).unwrap();
    assert_eq!(entries[0].0.path(), Path::new("/dev/null"));
    let entries = host_device(&request(host, "/dev/nl", "rwm")).unwrap();
    assert_eq!(entries[0].0.path(), Path::new("/dev/nl"));
    assert_eq!((entries[0].0.major(), entries[0].0.minor()), (1, 3));
}

#[test]
fn a_fifo_is_a_device_of_type_p() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo, Mode::from_bits_truncate(0o644)).unwrap();
    let host = fifo.to_str().unwrap();
    let entries = host_device(&request(host, host, "rwm")).unwrap();
    let (device, rule) = &entries[0];
    assert_eq!(
        (device.typ(), device.major(), device.minor()),
        (LinuxDeviceType::P, 0, 0)
    );
    assert_eq!(
        device.file_mode().map(|mode| mode & 0o170000),
        Some(0o010000)
    );
    assert_eq!(rule.typ(), Some(LinuxDeviceType::P));
}

#[test]
fn files_that_are_no_devices_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    for host in [file.to_str().unwrap(), "/dev/does-not-exist"] {
        match host_device(&request(host, host, "rwm")) {
            Err(SpecError::Device { path, .. }) => assert_eq!(path, Path::new(host)),
            other => panic!("{host}: {other:?}"),
        }
    }
}

#[test]
fn privileged_rules_on_a_scratch_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [
        "pts",
        "shm",
        "fd",
        "mqueue",
        ".lxc",
        ".lxd-mounts",
        ".udev",
        "net",
        "b",
    ] {
        std::fs::create_dir(root.join(sub)).unwrap();
        char_device(&root.join(sub).join("node"), 10, 200);
    }
    char_device(&root.join("console"), 5, 1);
    char_device(&root.join("zero"), 1, 5);
    char_device(&root.join("a"), 1, 3);
    block_device(&root.join("c"), 7, 0);
    mkfifo(&root.join("initctl"), Mode::from_bits_truncate(0o600)).unwrap();
    symlink("zero", root.join("link")).unwrap();
    std::fs::write(root.join("regular"), "").unwrap();

    let devices = devices_for_privileged(root).unwrap();
    let summary: Vec<_> = devices
        .iter()
        .map(|d| {
            (
                d.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string(),
                d.typ(),
            )
        })
        .collect();
    let expected = [
        (".udev/node", LinuxDeviceType::C),
        ("a", LinuxDeviceType::C),
        ("b/node", LinuxDeviceType::C),
        ("c", LinuxDeviceType::B),
        ("initctl", LinuxDeviceType::P),
        ("net/node", LinuxDeviceType::C),
        ("zero", LinuxDeviceType::C),
    ];
    let expected: Vec<_> = expected.iter().map(|(p, t)| (p.to_string(), *t)).collect();
    assert_eq!(summary, expected);
    assert_eq!(devices[1].file_mode(), Some(0o20640));
}

#[test]
fn privileged_rules_on_the_host() {
    let devices = privileged_host_devices().unwrap();
    let null = devices
        .iter()
        .find(|d| d.path() == Path::new("/dev/null"))
        .expect("/dev/null");
    assert_eq!(
        (null.typ(), null.major(), null.minor()),
        (LinuxDeviceType::C, 1, 3)
    );
    assert_eq!(null.file_mode(), Some(0o20666));
    for device in &devices {
        let path = device.path().to_str().unwrap();
        assert!(
            !path.starts_with("/dev/pts/") && !path.starts_with("/dev/shm/"),
            "{path}"
        );
        assert!(
            !path.starts_with("/dev/mqueue/") && path != "/dev/console",
            "{path}"
        );
        let metadata = std::fs::symlink_metadata(path).unwrap();
        assert!(!metadata.file_type().is_symlink(), "{path}");
    }
    assert!(devices.iter().all(|d| d.path() != Path::new("/dev/stdout")));
}

#[test]
fn an_unreadable_root_is_an_error() {
    assert!(matches!(
        devices_for_privileged(Path::new("/does/not/exist")),
        Err(SpecError::Read { .. })
    ));
}
