use super::*;
use crate::layer::apply_layer;
use crate::layer::test_support::{
    Node as Snapshot, RawEntry, Sandbox, raw_tar, set_xattr, snapshot, xattrs_of,
};
use libpod_testutil::{TempRoot, require_root, serial};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};

/// The lower layer: a small root filesystem.
fn base_entries() -> Vec<RawEntry> {
    vec![
        RawEntry::dir(b"etc").mtime(1_000),
        RawEntry::file(b"etc/passwd", b"root:x:0:0::/:/bin/sh\n"),
        RawEntry::file(b"etc/group", b"root:x:0:\n"),
        RawEntry::dir(b"etc/skel"),
        RawEntry::file(b"etc/skel/.profile", b"profile"),
        RawEntry::dir(b"opq"),
        RawEntry::file(b"opq/hidden", b"h"),
        RawEntry::dir(b"opq/hidden-dir"),
        RawEntry::file(b"bin/busybox", b"elf").mode(0o755),
        RawEntry::hardlink(b"bin/ls", b"bin/busybox"),
        RawEntry::symlink(b"bin/sh", b"busybox"),
        RawEntry::file(b"was-file", b"f"),
        RawEntry::dir(b"was-dir"),
        RawEntry::file(b"was-dir/inner", b"i"),
        RawEntry::device(b"dev/null", b'3', 1, 3).mode(0o666),
    ]
}

/// The upper layer: changes of every kind.
fn upper_entries() -> Vec<RawEntry> {
    vec![
        RawEntry::dir(b"etc").mode(0o750).mtime(2_000),
        RawEntry::file(b"etc/.wh.group", b""),
        RawEntry::file(b"etc/.wh.skel", b""),
        RawEntry::file(b"etc/passwd", b"root:x:0:0::/root:/bin/sh\n")
            .mode(0o600)
            .owned(0, 42),
        RawEntry::dir(b"opq"),
        RawEntry::file(b"opq/.wh..wh..opq", b""),
        RawEntry::file(b"opq/new", b"n"),
        RawEntry::dir(b"was-file").mode(0o711),
        RawEntry::file(b"was-dir", b"now a file"),
        RawEntry::file(b"bin/su", b"su")
            .mode(0o4755)
            .with_pax("SCHILY.xattr.user.tag", b"v"),
        RawEntry::hardlink(b"bin/su2", b"bin/su"),
        RawEntry::device(b"run/fifo", b'6', 0, 0),
        RawEntry::symlink(b"bin/sh", b"/bin/busybox"),
    ]
}

fn layer_from(entries: &[RawEntry]) -> TempRoot {
    let layer = TempRoot::new().unwrap();
    apply_layer(&raw_tar(entries)[..], layer.path()).unwrap();
    layer
}

fn merged(layers: &[&Path]) -> TempRoot {
    let dest = TempRoot::new().unwrap();
    for layer in layers {
        merge_layer_into(layer, dest.path()).unwrap();
    }
    dest
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Snapshot> {
    let mut tree = snapshot(root);
    for node in tree.values_mut() {
        // Which of several links came first depends on the walk, not on the content.
        node.inode_of = node.inode_of.take().map(|_| PathBuf::from("linked"));
    }
    tree
}

#[test]
fn stacking_layers_gives_what_overlayfs_shows() {
    require_root();
    let _guard = serial();
    let (base, upper) = (layer_from(&base_entries()), layer_from(&upper_entries()));
    let dest = merged(&[base.path(), upper.path()]);
    let mount = TempRoot::new().unwrap();
    let options = format!(
        "lowerdir={}:{}",
        upper.path().display(),
        base.path().display()
    );
    nix::mount::mount(
        Some("overlay"),
        mount.path(),
        Some("overlay"),
        nix::mount::MsFlags::MS_RDONLY,
        Some(options.as_str()),
    )
    .unwrap();
    let expected = tree(mount.path());
    let expected_root = fs::metadata(mount.path()).unwrap();
    nix::mount::umount2(mount.path(), nix::mount::MntFlags::MNT_DETACH).unwrap();
    assert_eq!(tree(dest.path()), expected);
    let root = fs::metadata(dest.path()).unwrap();
    assert_eq!(
        (root.mode(), root.uid()),
        (expected_root.mode(), expected_root.uid())
    );
    // Spot checks, should the kernel's view ever be wrong too.
    assert!(!dest.path().join("etc/group").exists());
    assert!(!dest.path().join("etc/skel").exists());
    assert!(!dest.path().join("opq/hidden").exists());
    assert_eq!(
        fs::read(dest.path().join("was-dir")).unwrap(),
        b"now a file"
    );
    assert!(fs::metadata(dest.path().join("was-file")).unwrap().is_dir());
    assert!(!xattrs_of(&dest.path().join("opq")).contains_key(OVERLAY_OPAQUE));
}

#[test]
fn metadata_and_hardlinks_are_preserved() {
    require_root();
    let layer = TempRoot::new().unwrap();
    let root = layer.path();
    fs::create_dir(root.join("d")).unwrap();
    fs::write(root.join("d/f"), "content").unwrap();
    fs::hard_link(root.join("d/f"), root.join("g")).unwrap();
    std::os::unix::fs::lchown(root.join("d/f"), Some(1000), Some(1001)).unwrap();
    set_xattr(
        &root.join("d/f"),
        "security.capability",
        &[
            1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    set_xattr(&root.join("d"), "user.dir", b"x");
    symlink("/nowhere", root.join("link")).unwrap();
    let time = nix::sys::time::TimeSpec::new(1_234_567_890, 987_654_321);
    for path in ["d/f", "link", "d"] {
        utimensat(
            nix::fcntl::AT_FDCWD,
            &root.join(path),
            &time,
            &time,
            UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    }
    let dest = merged(&[root]);
    let copied = fs::metadata(dest.path().join("d/f")).unwrap();
    assert_eq!(
        (copied.uid(), copied.gid(), copied.nlink()),
        (1000, 1001, 2)
    );
    assert_eq!(
        copied.ino(),
        fs::metadata(dest.path().join("g")).unwrap().ino()
    );
    assert_eq!(
        (copied.mtime(), copied.mtime_nsec()),
        (1_234_567_890, 987_654_321)
    );
    let dir = fs::metadata(dest.path().join("d")).unwrap();
    assert_eq!(
        (dir.mtime(), dir.mtime_nsec()),
        (1_234_567_890, 987_654_321)
    );
    assert_eq!(tree(dest.path()), tree(root));
}

#[test]
fn symlinks_in_dest_are_replaced_never_followed() {
    require_root();
    let sandbox = Sandbox::new();
    let dest = sandbox.root();
    let outside = sandbox.outside();
    symlink(&outside, dest.join("etc")).unwrap();
    symlink("../../../..", dest.join("lib")).unwrap();
    symlink(outside.join("sentinel"), dest.join("sentinel")).unwrap();
    symlink(&outside, dest.join("opq")).unwrap();
    symlink(&outside, dest.join("gone")).unwrap();
    let layer = layer_from(&[
        RawEntry::dir(b"etc"),
        RawEntry::file(b"etc/sentinel", b"pwned"),
        RawEntry::dir(b"lib"),
        RawEntry::file(b"lib/.wh.sentinel", b""),
        RawEntry::file(b"sentinel", b"pwned"),
        RawEntry::dir(b"opq"),
        RawEntry::file(b"opq/.wh..wh..opq", b""),
        RawEntry::file(b"gone/.wh.etc", b""),
        RawEntry::file(b".wh.gone", b""),
    ]);
    merge_layer_into(layer.path(), &dest).unwrap();
    assert_eq!(fs::read(dest.join("etc/sentinel")).unwrap(), b"pwned");
    assert!(fs::symlink_metadata(dest.join("lib")).unwrap().is_dir());
    assert!(
        !fs::symlink_metadata(dest.join("sentinel"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::symlink_metadata(dest.join("opq")).unwrap().is_dir());
    // `gone` became an opaque directory in the layer (a whiteout and a directory of one
    // name): the symlink is replaced by an empty directory.
    assert!(fs::symlink_metadata(dest.join("gone")).unwrap().is_dir());
    assert_eq!(fs::read_dir(dest.join("gone")).unwrap().count(), 0);
    sandbox.assert_outside_untouched();
}

#[test]
fn whiteouts_remove_whole_trees_and_opaque_directories_start_empty() {
    require_root();
    let base = layer_from(&[
        RawEntry::dir(b"a/b/c"),
        RawEntry::file(b"a/b/c/f", b""),
        RawEntry::dir(b"keep"),
        RawEntry::file(b"keep/old", b""),
        RawEntry::dir(b"keep/old-dir/x"),
    ]);
    let upper = layer_from(&[
        RawEntry::file(b".wh.a", b""),
        RawEntry::file(b".wh.never-there", b""),
        RawEntry::file(b"keep/.wh..wh..opq", b""),
        RawEntry::file(b"keep/new", b""),
    ]);
    let dest = merged(&[base.path(), upper.path()]);
    assert!(!dest.path().join("a").exists());
    assert!(!dest.path().join("never-there").exists());
    let names: Vec<_> = fs::read_dir(dest.path().join("keep"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["new"]);
}

#[test]
fn an_opaque_layer_root_empties_dest() {
    require_root();
    let base = layer_from(&[RawEntry::file(b"old", b"")]);
    let upper = layer_from(&[
        RawEntry::file(b".wh..wh..opq", b""),
        RawEntry::file(b"new", b""),
    ]);
    let dest = merged(&[base.path(), upper.path()]);
    let names: Vec<_> = fs::read_dir(dest.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["new"]);
}
