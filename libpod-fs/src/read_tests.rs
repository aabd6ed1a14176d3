//! The bounded read: a regular file only, at most N bytes.

use crate::{FsError, Policy, Root};
use std::fs;
use std::path::Path;

fn root_with(setup: impl FnOnce(&Path)) -> (tempfile::TempDir, Root) {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let root = Root::open(dir.path()).unwrap();
    (dir, root)
}

/// The refusal's wording, and the message an `io::Error` made of it carries.
fn refused(err: FsError) -> (String, String) {
    let refusal = err
        .refusal()
        .unwrap_or_else(|| panic!("not a refusal: {err:?}"));
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(io.raw_os_error(), None);
    (refusal, io.to_string())
}

#[test]
fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
    let (_dir, root) = root_with(|dir| {
        // Sparse: no disk is used.
        fs::File::create(dir.join("big"))
            .unwrap()
            .set_len((64 << 20) + 1)
            .unwrap();
        fs::write(dir.join("exact"), "1234").unwrap();
    });
    let err = root
        .read_regular("big", Policy::InRoot, 64 << 20)
        .unwrap_err();
    let (refusal, message) = refused(err);
    assert_eq!(refusal, format!("big is larger than {} bytes", 64 << 20));
    assert_eq!(message, format!("larger than {} bytes", 64 << 20));
    assert_eq!(
        root.read_regular("exact", Policy::InRoot, 4).unwrap(),
        b"1234"
    );
    let err = root
        .read_regular("exact", Policy::NoSymlinks, 3)
        .unwrap_err();
    assert!(matches!(err, FsError::TooLarge { limit: 3, .. }), "{err:?}");
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let (_dir, root) = root_with(|dir| {
        nix::unistd::mkfifo(
            &dir.join("fifo"),
            nix::sys::stat::Mode::from_bits_truncate(0o644),
        )
        .unwrap();
    });
    for policy in [Policy::InRoot, Policy::NoSymlinks] {
        let (refusal, message) = refused(root.read_regular("fifo", policy, 64).unwrap_err());
        assert_eq!(refusal, "fifo is not a regular file");
        assert_eq!(message, "not a regular file");
    }
}

#[test]
fn a_directory_and_a_socket_are_not_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("dir")).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    let root = Root::open(dir.path()).unwrap();
    for name in ["dir", "sock"] {
        let (refusal, _) = refused(root.read_regular(name, Policy::NoSymlinks, 64).unwrap_err());
        assert_eq!(refusal, format!("{name} is not a regular file"));
        assert!(root.open_regular(name, Policy::InRoot).is_err());
    }
}

#[test]
fn a_symlink_is_refused_or_followed_to_what_it_names() {
    let (_dir, root) = root_with(|dir| {
        fs::write(dir.join("file"), "content").unwrap();
        std::os::unix::fs::symlink("file", dir.join("to-file")).unwrap();
        fs::create_dir(dir.join("dir")).unwrap();
        std::os::unix::fs::symlink("/dir", dir.join("to-dir")).unwrap();
    });
    let (refusal, _) = refused(
        root.read_regular("to-file", Policy::NoSymlinks, 64)
            .unwrap_err(),
    );
    assert_eq!(refusal, "to-file is a symbolic link, not a regular file");
    assert_eq!(
        root.read_regular("to-file", Policy::InRoot, 64).unwrap(),
        b"content"
    );
    // Followed in the root, it still has to end at a regular file.
    let (refusal, _) = refused(root.read_regular("to-dir", Policy::InRoot, 64).unwrap_err());
    assert_eq!(refusal, "to-dir is not a regular file");
}

#[test]
fn a_device_node_is_refused_without_being_opened() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: mknod needs root");
        return;
    }
    // /dev/tty: opening it without a controlling terminal fails with ENXIO, so an error
    // carrying an errno would show that the device's open ran.
    let (_dir, root) = root_with(|dir| {
        nix::sys::stat::mknod(
            &dir.join("tty"),
            nix::sys::stat::SFlag::S_IFCHR,
            nix::sys::stat::Mode::from_bits_truncate(0o644),
            nix::sys::stat::makedev(5, 0),
        )
        .unwrap();
    });
    let (refusal, _) = refused(root.read_regular("tty", Policy::InRoot, 64).unwrap_err());
    assert_eq!(refusal, "tty is not a regular file");
}

#[test]
fn the_root_is_the_descriptor_not_the_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("a")).unwrap();
    fs::write(dir.path().join("a/file"), "in a").unwrap();
    let root = Root::open(&dir.path().join("a")).unwrap();
    // Swapped for a symlink after opening: the open root still reads the original.
    fs::rename(dir.path().join("a"), dir.path().join("b")).unwrap();
    std::os::unix::fs::symlink("/", dir.path().join("a")).unwrap();
    assert_eq!(
        root.read_regular("file", Policy::NoSymlinks, 64).unwrap(),
        b"in a"
    );
}
