use super::*;
use crate::layer::test_support::{RawEntry, Sandbox, raw_tar, snapshot, xattrs_of};
use libpod_testutil::require_root;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// A tar written by the tar crate's builder, with GNU headers (long names as `L` entries).
fn built(add: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    add(&mut builder);
    builder.into_inner().unwrap()
}

fn header(kind: tar::EntryType, mode: u32, owner: (u64, u64), mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(owner.0);
    header.set_gid(owner.1);
    header.set_mtime(mtime);
    header.set_size(0);
    header
}

#[test]
fn files_directories_symlinks_and_devices_keep_their_metadata() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = built(|b| {
        let mut h = header(tar::EntryType::Directory, 0o750, (0, 0), 1_500_000_000);
        b.append_data(&mut h, "etc/", &[][..]).unwrap();
        let mut h = header(tar::EntryType::Regular, 0o4755, (0, 0), 1_500_000_001);
        h.set_size(5);
        b.append_data(&mut h, "bin/su", &b"su-su"[..]).unwrap();
        let mut h = header(tar::EntryType::Regular, 0o2640, (1000, 1001), 1_500_000_002);
        h.set_size(3);
        b.append_data(&mut h, "etc/owned", &b"abc"[..]).unwrap();
        let mut h = header(tar::EntryType::Directory, 0o1777, (0, 0), 1_500_000_003);
        b.append_data(&mut h, "tmp", &[][..]).unwrap();
        let mut h = header(tar::EntryType::Symlink, 0o777, (1000, 1000), 1_500_000_004);
        b.append_link(&mut h, "bin/sh", "busybox").unwrap();
        let mut h = header(tar::EntryType::Char, 0o666, (0, 0), 1_500_000_005);
        h.set_device_major(1).unwrap();
        h.set_device_minor(3).unwrap();
        b.append_data(&mut h, "dev/null", &[][..]).unwrap();
        let mut h = header(tar::EntryType::Block, 0o660, (0, 6), 1_500_000_006);
        h.set_device_major(7).unwrap();
        h.set_device_minor(0).unwrap();
        b.append_data(&mut h, "dev/loop0", &[][..]).unwrap();
        let mut h = header(tar::EntryType::Fifo, 0o620, (5, 5), 1_500_000_007);
        b.append_data(&mut h, "run/fifo", &[][..]).unwrap();
    });
    let applied = apply_layer(&tar[..], &sandbox.root()).unwrap();
    assert_eq!(applied.size, 8);
    let tree = snapshot(&sandbox.root());
    let node = |path: &str| {
        tree.get(std::path::Path::new(path))
            .unwrap_or_else(|| panic!("{path} missing"))
    };
    assert_eq!(
        (node("etc").kind, node("etc").mode, node("etc").mtime),
        ("dir", 0o750, 1_500_000_000)
    );
    assert_eq!(
        (node("bin/su").mode, node("bin/su").content.as_slice()),
        (0o4755, &b"su-su"[..])
    );
    assert_eq!(node("bin/su").mtime, 1_500_000_001);
    let owned = node("etc/owned");
    assert_eq!((owned.uid, owned.gid, owned.mode), (1000, 1001, 0o2640));
    assert_eq!(
        (node("tmp").mode, node("tmp").mtime),
        (0o1777, 1_500_000_003)
    );
    let sh = node("bin/sh");
    assert_eq!(
        (sh.kind, sh.link.as_deref(), sh.uid),
        ("symlink", Some(std::path::Path::new("busybox")), 1000)
    );
    assert_eq!(sh.mtime, 1_500_000_004);
    let null = node("dev/null");
    assert_eq!(
        (null.kind, null.rdev, null.mode),
        ("char", nix::sys::stat::makedev(1, 3), 0o666)
    );
    let loop0 = node("dev/loop0");
    assert_eq!(
        (loop0.kind, loop0.rdev, loop0.gid),
        ("block", nix::sys::stat::makedev(7, 0), 6)
    );
    let fifo = node("run/fifo");
    assert_eq!(
        (fifo.kind, fifo.mode, fifo.uid, fifo.mtime),
        ("fifo", 0o620, 5, 1_500_000_007)
    );
    // Parents that had no entry are created 0755, root-owned.
    assert_eq!(
        (node("bin").mode, node("dev").uid, node("run").kind),
        (0o755, 0, "dir")
    );
}

#[test]
fn directory_times_are_set_after_their_contents() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = raw_tar(&[
        RawEntry::dir(b"d").mtime(1_000_000_000),
        RawEntry::file(b"d/a", b"a"),
        RawEntry::dir(b"d/sub").mtime(1_000_000_100),
        RawEntry::file(b"d/sub/b", b"b"),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let meta = fs::metadata(sandbox.root().join("d")).unwrap();
    assert_eq!((meta.mtime(), meta.atime()), (1_000_000_000, 1_000_000_000));
    assert_eq!(
        fs::metadata(sandbox.root().join("d/sub")).unwrap().mtime(),
        1_000_000_100
    );
}

#[test]
fn pax_times_owners_and_long_names_apply() {
    require_root();
    let sandbox = Sandbox::new();
    let long = format!("{}/{}", "d".repeat(150), "f".repeat(120));
    let tar = raw_tar(&[RawEntry::file(b"short", b"x")
        .with_pax("path", long.as_bytes())
        .with_pax("mtime", b"1234567890.5")
        .with_pax("atime", b"1234567999.25")
        .with_pax("uid", b"3000000")
        .with_pax("gid", b"3000001")]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let meta = fs::metadata(sandbox.root().join(&long)).unwrap();
    assert_eq!(
        (meta.mtime(), meta.mtime_nsec()),
        (1_234_567_890, 500_000_000)
    );
    assert_eq!(
        (meta.atime(), meta.atime_nsec()),
        (1_234_567_999, 250_000_000)
    );
    assert_eq!((meta.uid(), meta.gid()), (3_000_000, 3_000_001));
    assert!(!sandbox.root().join("short").exists());

    let gnu_long = format!("{}/file", "g".repeat(200));
    let tar = built(|b| {
        let mut h = header(tar::EntryType::Regular, 0o600, (0, 0), 1);
        h.set_size(2);
        b.append_data(&mut h, &gnu_long, &b"hi"[..]).unwrap();
    });
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    assert_eq!(fs::read(sandbox.root().join(&gnu_long)).unwrap(), b"hi");
}

#[test]
fn hardlinks_share_an_inode_and_a_link_to_a_symlink_links_the_symlink() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = raw_tar(&[
        RawEntry::file(b"bin/busybox", b"elf").mode(0o755),
        RawEntry::hardlink(b"bin/ls", b"bin/busybox").mode(0o755),
        RawEntry::hardlink(b"sbin/init", b"/bin/busybox").mode(0o755),
        RawEntry::symlink(b"bin/sh", b"/nonexistent"),
        RawEntry::hardlink(b"bin/sh2", b"./bin/sh"),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let ino = |path: &str| {
        fs::symlink_metadata(sandbox.root().join(path))
            .unwrap()
            .ino()
    };
    assert_eq!(ino("bin/ls"), ino("bin/busybox"));
    assert_eq!(ino("sbin/init"), ino("bin/busybox"));
    assert_eq!(
        fs::symlink_metadata(sandbox.root().join("bin/busybox"))
            .unwrap()
            .nlink(),
        3
    );
    assert_eq!(ino("bin/sh2"), ino("bin/sh"));
    assert_eq!(
        fs::read_link(sandbox.root().join("bin/sh2")).unwrap(),
        std::path::Path::new("/nonexistent")
    );
}

#[test]
fn whiteouts_and_opaque_markers_take_the_overlay_form() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = raw_tar(&[
        RawEntry::dir(b"etc"),
        RawEntry::file(b"etc/.wh.group", b"").owned(7, 8),
        RawEntry::dir(b"opq"),
        RawEntry::file(b"opq/.wh..wh..opq", b""),
        RawEntry::file(b"opq/kept", b"k"),
        RawEntry::file(b".wh..wh.plnk", b""),
        RawEntry::file(b"new/.wh..wh..opq", b""),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let group = fs::symlink_metadata(sandbox.root().join("etc/group")).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_char_device(
        &group.file_type()
    ));
    assert_eq!(
        (
            group.rdev(),
            group.mode() & 0o7777,
            group.uid(),
            group.gid()
        ),
        (0, 0, 7, 8)
    );
    assert!(!sandbox.root().join("etc/.wh.group").exists());
    let opaque = xattrs_of(&sandbox.root().join("opq"));
    assert_eq!(
        opaque.get(OVERLAY_OPAQUE).map(Vec::as_slice),
        Some(&b"y"[..])
    );
    assert!(!sandbox.root().join("opq/.wh..wh..opq").exists());
    assert!(sandbox.root().join("opq/kept").exists());
    assert!(!sandbox.root().join(".wh..wh.plnk").exists());
    assert!(!sandbox.root().join("plnk").exists());
    assert!(xattrs_of(&sandbox.root().join("new")).contains_key(OVERLAY_OPAQUE));
    assert!(!xattrs_of(&sandbox.root().join("etc")).contains_key(OVERLAY_OPAQUE));
}

#[test]
fn a_whiteout_and_a_directory_of_one_name_in_one_layer_make_it_opaque() {
    require_root();
    for entries in [
        vec![
            RawEntry::file(b".wh.d", b""),
            RawEntry::dir(b"d"),
            RawEntry::file(b"d/f", b""),
        ],
        vec![
            RawEntry::dir(b"d"),
            RawEntry::file(b"d/f", b""),
            RawEntry::file(b".wh.d", b""),
        ],
    ] {
        let sandbox = Sandbox::new();
        apply_layer(&raw_tar(&entries)[..], &sandbox.root()).unwrap();
        assert!(sandbox.root().join("d/f").exists());
        assert!(xattrs_of(&sandbox.root().join("d")).contains_key(OVERLAY_OPAQUE));
    }
    // A whiteout after a file of its name leaves the file: it already hides the lower one.
    let sandbox = Sandbox::new();
    apply_layer(
        &raw_tar(&[RawEntry::file(b"f", b"x"), RawEntry::file(b".wh.f", b"")])[..],
        &sandbox.root(),
    )
    .unwrap();
    assert_eq!(fs::read(sandbox.root().join("f")).unwrap(), b"x");
}

#[test]
fn xattrs_are_set_but_selinux_labels_are_left_to_the_host() {
    require_root();
    let sandbox = Sandbox::new();
    let capability = [
        1u8, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let tar = raw_tar(&[
        RawEntry::file(b"bin/ping", b"elf")
            .mode(0o755)
            .owned(0, 0)
            .with_pax("SCHILY.xattr.security.capability", &capability)
            .with_pax("SCHILY.xattr.user.note", b"\x00binary\xff")
            .with_pax(
                "SCHILY.xattr.security.selinux",
                b"system_u:object_r:bin_t:s0",
            ),
        RawEntry::dir(b"d").with_pax("SCHILY.xattr.user.dir", b"1"),
        RawEntry::symlink(b"l", b"x").with_pax("SCHILY.xattr.trusted.note", b"2"),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let xattrs = xattrs_of(&sandbox.root().join("bin/ping"));
    assert_eq!(
        xattrs.get("security.capability").map(Vec::as_slice),
        Some(&capability[..])
    );
    assert_eq!(
        xattrs.get("user.note").map(Vec::as_slice),
        Some(&b"\x00binary\xff"[..])
    );
    let label = xattrs.get("security.selinux");
    assert!(label.is_none_or(|label| !label.starts_with(b"system_u:object_r:bin_t")));
    assert!(xattrs_of(&sandbox.root().join("d")).contains_key("user.dir"));
    assert!(xattrs_of(&sandbox.root().join("l")).contains_key("trusted.note"));
}

#[test]
fn later_entries_replace_earlier_ones_except_directory_over_directory() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = raw_tar(&[
        RawEntry::dir(b"d").mode(0o700),
        RawEntry::file(b"d/keep", b"k"),
        RawEntry::dir(b"d").mode(0o751),
        RawEntry::dir(b"x"),
        RawEntry::file(b"x/lost", b"l"),
        RawEntry::file(b"x", b"now a file"),
        RawEntry::file(b"s", b"file"),
        RawEntry::symlink(b"s", b"elsewhere"),
        RawEntry::file(b"f", b"one"),
        RawEntry::file(b"f", b"two"),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    assert_eq!(
        fs::metadata(sandbox.root().join("d"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o751
    );
    assert!(sandbox.root().join("d/keep").exists());
    assert_eq!(fs::read(sandbox.root().join("x")).unwrap(), b"now a file");
    assert_eq!(
        fs::read_link(sandbox.root().join("s")).unwrap(),
        std::path::Path::new("elsewhere")
    );
    assert_eq!(fs::read(sandbox.root().join("f")).unwrap(), b"two");
}

#[test]
fn the_root_entry_sets_the_roots_metadata() {
    require_root();
    let sandbox = Sandbox::new();
    let tar = raw_tar(&[
        RawEntry::dir(b"./")
            .mode(0o711)
            .owned(5, 6)
            .mtime(1_111_111_111),
        RawEntry::file(b"f", b""),
    ]);
    apply_layer(&tar[..], &sandbox.root()).unwrap();
    let meta = fs::metadata(sandbox.root()).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid(), meta.mtime()),
        (0o711, 5, 6, 1_111_111_111)
    );
}

#[test]
fn clean_path_drops_slashes_and_dots_and_refuses_climbing() {
    let clean = |path: &str| clean_path(path.as_bytes()).map(|c| fsutil::join(&c));
    assert_eq!(clean("/etc//passwd"), Some(PathBuf::from("etc/passwd")));
    assert_eq!(clean("./a/./b/"), Some(PathBuf::from("a/b")));
    assert_eq!(clean("a/b/../c"), Some(PathBuf::from("a/c")));
    assert_eq!(clean("/"), Some(PathBuf::from(".")));
    assert_eq!(clean(""), Some(PathBuf::from(".")));
    assert_eq!(clean("../x"), None);
    assert_eq!(clean("a/../../x"), None);
    assert_eq!(clean("/../x"), None);
    assert_eq!(clean(".."), None);
}
