//! Reading /etc/passwd and /etc/group from a rootfs, hostile ones included.

use super::rootfs::read_etc_file;
use super::*;
use crate::error::SpecError;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use tempfile::TempDir;

const EVIL_PASSWD: &str = "evil:x:666:666::/evil:/bin/sh\n";
const EVIL_GROUP: &str = "evilgroup:x:666:root,evil\n";

/// A tempdir holding `rootfs/` and, beside it (outside the rootfs), host files with an
/// `evil` user and group that must never be read.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("rootfs/etc")).unwrap();
        fs::create_dir_all(dir.path().join("host/etc")).unwrap();
        fs::write(dir.path().join("host/etc/passwd"), EVIL_PASSWD).unwrap();
        fs::write(dir.path().join("host/etc/group"), EVIL_GROUP).unwrap();
        Fixture { dir }
    }

    fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }

    fn host(&self, name: &str) -> PathBuf {
        self.dir.path().join("host").join(name)
    }

    fn write(&self, relative: &str, content: &str) {
        let path = self.rootfs().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }

    /// `../` repeated enough to climb from `rootfs/etc` to `/`.
    fn climb_to_root(&self) -> String {
        "../".repeat(self.rootfs().join("etc").components().count() + 2)
    }
}

fn assert_evil_unknown(rootfs: &Path) {
    let err = resolve_user(rootfs, "evil").unwrap_err();
    assert!(
        matches!(err, SpecError::UnknownUser { .. }),
        "host passwd was read: {err:?}"
    );
    let err = resolve_group(rootfs, "evilgroup").unwrap_err();
    assert!(
        matches!(err, SpecError::UnknownGroup { .. }),
        "host group was read: {err:?}"
    );
}

#[test]
fn reads_the_rootfs_files() {
    let fx = Fixture::new();
    fx.write(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n",
    );
    fx.write("etc/group", "wheel:x:10:root,user\naudio:x:29:user\n");
    let user = resolve_user(&fx.rootfs(), "user").unwrap();
    assert_eq!(
        (user.uid, user.gid, user.supplementary_gids),
        (1000, 1000, vec![10, 29])
    );
    assert_eq!(
        resolve_user(&fx.rootfs(), "").unwrap().supplementary_gids,
        vec![10]
    );
    assert_eq!(resolve_group(&fx.rootfs(), "audio").unwrap(), 29);
}

#[test]
fn missing_files_read_as_empty() {
    let fx = Fixture::new();
    assert_eq!(
        resolve_user(&fx.rootfs(), "").unwrap(),
        ExecUser {
            uid: 0,
            gid: 0,
            home: None,
            supplementary_gids: vec![]
        }
    );
    assert_eq!(resolve_user(&fx.rootfs(), "5000:6000").unwrap().gid, 6000);
    assert!(matches!(
        resolve_user(&fx.rootfs(), "user"),
        Err(SpecError::UnknownUser { .. })
    ));
    assert_eq!(resolve_group(&fx.rootfs(), "1234").unwrap(), 1234);
}

#[test]
fn missing_etc_directory_reads_as_empty() {
    let fx = Fixture::new();
    fs::remove_dir(fx.rootfs().join("etc")).unwrap();
    assert_eq!(resolve_user(&fx.rootfs(), "42").unwrap().uid, 42);
}

#[test]
fn etc_as_a_regular_file_reads_as_empty() {
    let fx = Fixture::new();
    fs::remove_dir(fx.rootfs().join("etc")).unwrap();
    fs::write(fx.rootfs().join("etc"), "not a directory").unwrap();
    assert_eq!(read_etc_file(&fx.rootfs(), "etc/passwd").unwrap(), "");
}

#[test]
fn absolute_symlink_to_a_host_file_stays_in_the_rootfs() {
    let fx = Fixture::new();
    symlink(fx.host("etc/passwd"), fx.rootfs().join("etc/passwd")).unwrap();
    symlink(fx.host("etc/group"), fx.rootfs().join("etc/group")).unwrap();
    assert_evil_unknown(&fx.rootfs());
}

#[test]
fn absolute_symlink_resolves_to_the_same_path_inside_the_rootfs() {
    let fx = Fixture::new();
    symlink(fx.host("etc/passwd"), fx.rootfs().join("etc/passwd")).unwrap();
    // The target path, taken relative to the rootfs, holds the image's own file.
    let inside = fx
        .host("etc/passwd")
        .strip_prefix("/")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    fx.write(&inside, "safe:x:7:7::/safe:\n");
    assert_eq!(resolve_user(&fx.rootfs(), "safe").unwrap().uid, 7);
    assert!(matches!(
        resolve_user(&fx.rootfs(), "evil"),
        Err(SpecError::UnknownUser { .. })
    ));
}

#[test]
fn dot_dot_symlink_cannot_climb_out_of_the_rootfs() {
    let fx = Fixture::new();
    let climb = fx.climb_to_root();
    let host = |name: &str| {
        fx.host(name)
            .strip_prefix("/")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string()
    };
    symlink(
        format!("{climb}{}", host("etc/passwd")),
        fx.rootfs().join("etc/passwd"),
    )
    .unwrap();
    symlink(
        format!("{climb}{}", host("etc/group")),
        fx.rootfs().join("etc/group"),
    )
    .unwrap();
    // Sanity: outside a chroot this link would reach the host file.
    assert_eq!(
        fs::read_to_string(fx.rootfs().join("etc/passwd")).unwrap(),
        EVIL_PASSWD
    );
    assert_evil_unknown(&fx.rootfs());
}

#[test]
fn symlinked_etc_directory_stays_in_the_rootfs() {
    let fx = Fixture::new();
    fs::remove_dir(fx.rootfs().join("etc")).unwrap();
    symlink(fx.host("etc"), fx.rootfs().join("etc")).unwrap();
    assert_evil_unknown(&fx.rootfs());
}

#[test]
fn relative_symlink_inside_the_rootfs_is_followed() {
    let fx = Fixture::new();
    fx.write("usr/share/passwd", "inside:x:5:5::/in:\n");
    symlink("../usr/share/passwd", fx.rootfs().join("etc/passwd")).unwrap();
    assert_eq!(resolve_user(&fx.rootfs(), "inside").unwrap().uid, 5);
}

#[test]
fn magic_links_are_refused() {
    // /proc/self/fd/N are magic links; RESOLVE_NO_MAGICLINKS must refuse them.
    let fx = Fixture::new();
    let file = fs::File::open(fx.host("etc/passwd")).unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    let err = read_etc_file(Path::new("/proc/self"), &format!("fd/{fd}")).unwrap_err();
    match err {
        SpecError::Read { source, .. } => assert_eq!(source.raw_os_error(), Some(nix::libc::ELOOP)),
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn fifo_is_refused_without_blocking() {
    let fx = Fixture::new();
    nix::unistd::mkfifo(
        &fx.rootfs().join("etc/passwd"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    assert!(matches!(
        resolve_user(&fx.rootfs(), ""),
        Err(SpecError::Read { .. })
    ));
}

#[test]
fn directory_in_place_of_the_file_is_an_error() {
    let fx = Fixture::new();
    fs::create_dir(fx.rootfs().join("etc/group")).unwrap();
    assert!(matches!(
        resolve_group(&fx.rootfs(), "audio"),
        Err(SpecError::Read { .. })
    ));
}

#[test]
fn missing_rootfs_is_an_error() {
    let fx = Fixture::new();
    let err = resolve_user(&fx.rootfs().join("nope"), "").unwrap_err();
    assert!(matches!(err, SpecError::Read { .. }), "{err:?}");
}

#[test]
fn invalid_utf8_does_not_hide_other_lines() {
    let fx = Fixture::new();
    let mut content = b"bad\xff:x:1:1::/b:\n".to_vec();
    content.extend_from_slice(b"good:x:2:2::/g:\n");
    fs::write(fx.rootfs().join("etc/passwd"), content).unwrap();
    assert_eq!(resolve_user(&fx.rootfs(), "good").unwrap().uid, 2);
}

/// The message of a [`SpecError::Read`], and its errno if it has one.
fn read_failure(err: SpecError) -> (String, Option<i32>) {
    match err {
        SpecError::Read { source, .. } => (source.to_string(), source.raw_os_error()),
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn device_node_is_refused_without_being_opened() {
    libpod_testutil::require_root();
    let fx = Fixture::new();
    // /dev/tty: opening it without a controlling terminal fails with ENXIO, so an error
    // carrying an errno would show that the device's open ran.
    nix::sys::stat::mknod(
        &fx.rootfs().join("etc/passwd"),
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o644),
        nix::sys::stat::makedev(5, 0),
    )
    .unwrap();
    let (message, errno) = read_failure(resolve_user(&fx.rootfs(), "").unwrap_err());
    assert_eq!((message.as_str(), errno), ("not a regular file", None));
}

#[test]
fn fifo_as_group_is_refused_without_blocking() {
    let fx = Fixture::new();
    fx.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    nix::unistd::mkfifo(
        &fx.rootfs().join("etc/group"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    let (message, errno) = read_failure(resolve_group(&fx.rootfs(), "audio").unwrap_err());
    assert_eq!((message.as_str(), errno), ("not a regular file", None));
}

#[test]
fn socket_and_directory_are_not_regular_files() {
    let fx = Fixture::new();
    let _listener = std::os::unix::net::UnixListener::bind(fx.rootfs().join("etc/passwd")).unwrap();
    fs::create_dir(fx.rootfs().join("etc/group")).unwrap();
    for relative in ["etc/passwd", "etc/group"] {
        let (message, _) = read_failure(read_etc_file(&fx.rootfs(), relative).unwrap_err());
        assert_eq!(message, "not a regular file", "{relative}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let fx = Fixture::new();
    let file = fs::File::create(fx.rootfs().join("etc/passwd")).unwrap();
    // Sparse: no disk is used.
    file.set_len((64 << 20) + 1).unwrap();
    let (message, _) = read_failure(read_etc_file(&fx.rootfs(), "etc/passwd").unwrap_err());
    assert!(message.starts_with("larger than"), "{message}");
}
