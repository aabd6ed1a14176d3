use super::*;
use crate::layer::test_support::{RawEntry, raw_tar, set_xattr};
use crate::layer::{apply_layer, merge_layer_into};
use libpod_testutil::{TempRoot, require_root, serial};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use std::fs;
use std::os::unix::fs::{PermissionsExt, lchown, symlink};
use std::process::Command;

fn list(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|change| {
            let letter = match change.kind {
                ChangeKind::Added => 'A',
                ChangeKind::Changed => 'C',
                ChangeKind::Deleted => 'D',
            };
            format!("{letter} {}", change.path.display())
        })
        .collect()
}

fn layer_from(entries: &[RawEntry]) -> TempRoot {
    let layer = TempRoot::new().unwrap();
    apply_layer(&raw_tar(entries)[..], layer.path()).unwrap();
    layer
}

/// What `podman diff` printed (sorted) after `podman run` of this test's commands on a
/// busybox image with this lower layer, less the paths Podman creates and hides itself.
const PODMAN_DIFF: &[&str] = &[
    "C /dir/sub",
    "C /etc",
    "D /etc/group",
    "A /etc/new",
    "C /etc/passwd",
    "A /newdir",
    "A /newdir/deep",
    "A /newdir/deep/f",
    "D /opq",
    "A /opq/c",
    "C /usr",
    "C /usr/share",
    "A /usr/share/x",
];

#[test]
fn an_overlay_upper_gives_what_podman_diff_lists() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let lower = tmp.path().join("lower");
    fs::create_dir(&lower).unwrap();
    apply_layer(
        &raw_tar(&[
            RawEntry::dir(b"bin"),
            RawEntry::file(b"bin/busybox", b"elf").mode(0o755),
            RawEntry::dir(b"etc"),
            RawEntry::file(b"etc/passwd", b"root:x:0:0::/:/bin/sh\n"),
            RawEntry::file(b"etc/group", b"root:x:0:\n"),
            RawEntry::dir(b"dir/sub"),
            RawEntry::file(b"dir/sub/f", b""),
            RawEntry::dir(b"usr/share"),
            RawEntry::dir(b"opq"),
            RawEntry::file(b"opq/a", b""),
            RawEntry::file(b"opq/b", b""),
        ])[..],
        &lower,
    )
    .unwrap();
    let (upper, work, merged) = (
        tmp.path().join("upper"),
        tmp.path().join("work"),
        tmp.path().join("merged"),
    );
    for dir in [&upper, &work, &merged] {
        fs::create_dir(dir).unwrap();
    }
    let options = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.display(),
        upper.display(),
        work.display()
    );
    mount(
        Some("overlay"),
        &merged,
        Some("overlay"),
        MsFlags::empty(),
        Some(options.as_str()),
    )
    .unwrap();
    let script = "touch etc/new; rm etc/group; echo x >> etc/passwd; touch usr/share/x; \
                  rm -rf opq; mkdir opq; touch opq/c; mkdir -p newdir/deep; touch newdir/deep/f; \
                  chmod 700 dir/sub";
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&merged)
        .status()
        .unwrap();
    umount2(&merged, MntFlags::MNT_DETACH).unwrap();
    assert!(status.success());
    let changes = overlay_changes(&upper, &[&lower]).unwrap();
    assert_eq!(list(&changes), PODMAN_DIFF);
}

#[test]
fn whiteouts_are_deletions_and_their_parents_changes() {
    require_root();
    let lower = layer_from(&[
        RawEntry::dir(b"a/b"),
        RawEntry::file(b"a/b/f", b""),
        RawEntry::file(b"top", b""),
    ]);
    let upper = TempRoot::new().unwrap();
    apply_layer(
        &raw_tar(&[
            RawEntry::file(b"a/b/.wh.f", b""),
            RawEntry::file(b".wh.top", b""),
        ])[..],
        upper.path(),
    )
    .unwrap();
    // Copy-up keeps a directory's metadata: make the upper ones match the lower ones.
    for dir in ["a/b", "a"] {
        let meta = fs::metadata(lower.path().join(dir)).unwrap();
        let time = nix::sys::time::TimeSpec::new(meta.mtime(), meta.mtime_nsec());
        nix::sys::stat::utimensat(
            nix::fcntl::AT_FDCWD,
            &upper.path().join(dir),
            &time,
            &time,
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    }
    let changes = overlay_changes(upper.path(), &[lower.path()]).unwrap();
    assert_eq!(list(&changes), ["C /a", "C /a/b", "D /a/b/f", "D /top"]);
}

#[test]
fn new_opaque_directories_and_paths_under_lower_whiteouts_are_additions() {
    require_root();
    let bottom = layer_from(&[RawEntry::dir(b"gone"), RawEntry::file(b"gone/f", b"")]);
    let middle = layer_from(&[RawEntry::file(b".wh.gone", b"")]);
    let upper = layer_from(&[
        RawEntry::dir(b"gone"),
        RawEntry::file(b"gone/.wh..wh..opq", b""),
        RawEntry::file(b"gone/f", b""),
        RawEntry::dir(b"fresh"),
        RawEntry::file(b"fresh/.wh..wh..opq", b""),
    ]);
    let changes = overlay_changes(upper.path(), &[middle.path(), bottom.path()]).unwrap();
    assert_eq!(list(&changes), ["A /fresh", "A /gone", "A /gone/f"]);
    // Without lower layers everything is new.
    let changes = overlay_changes(upper.path(), &[]).unwrap();
    assert_eq!(list(&changes), ["A /fresh", "A /gone", "A /gone/f"]);
}

#[test]
fn symlinks_in_lower_layers_are_not_looked_through() {
    require_root();
    let lower = layer_from(&[
        RawEntry::dir(b"usr/lib"),
        RawEntry::file(b"usr/lib/f", b""),
        RawEntry::symlink(b"lib", b"usr/lib"),
    ]);
    let upper = layer_from(&[RawEntry::dir(b"lib"), RawEntry::file(b"lib/f", b"")]);
    let changes = overlay_changes(upper.path(), &[lower.path()]).unwrap();
    assert_eq!(list(&changes), ["C /lib", "A /lib/f"]);
}

/// A copy of `tree` (a fresh inode for every file) to change.
fn copy_of(tree: &Path) -> TempRoot {
    let copy = TempRoot::new().unwrap();
    merge_layer_into(tree, copy.path()).unwrap();
    copy
}

#[test]
fn changes_between_trees_follow_containers_storage() {
    require_root();
    let old = layer_from(&[
        RawEntry::file(b"same", b"s"),
        RawEntry::file(b"content", b"short"),
        RawEntry::file(b"mode", b""),
        RawEntry::file(b"owner", b""),
        RawEntry::file(b"xattr", b""),
        RawEntry::file(b"gone", b""),
        RawEntry::dir(b"gone-dir/sub"),
        RawEntry::file(b"gone-dir/sub/f", b""),
        RawEntry::dir(b"deep/er"),
        RawEntry::file(b"deep/er/f", b"f"),
        RawEntry::dir(b"was-dir"),
        RawEntry::file(b"was-dir/f", b""),
        RawEntry::file(b"was-file", b""),
        RawEntry::symlink(b"link", b"a"),
    ]);
    let new = copy_of(old.path());
    let root = new.path();
    fs::write(root.join("content"), "longer").unwrap();
    fs::set_permissions(root.join("mode"), fs::Permissions::from_mode(0o600)).unwrap();
    lchown(root.join("owner"), Some(5), None).unwrap();
    set_xattr(&root.join("xattr"), "user.x", b"1");
    fs::remove_file(root.join("gone")).unwrap();
    fs::remove_dir_all(root.join("gone-dir")).unwrap();
    fs::write(root.join("deep/er/new"), "").unwrap();
    fs::remove_dir_all(root.join("was-dir")).unwrap();
    fs::write(root.join("was-dir"), "").unwrap();
    fs::remove_file(root.join("was-file")).unwrap();
    fs::create_dir(root.join("was-file")).unwrap();
    fs::write(root.join("was-file/inner"), "").unwrap();
    fs::remove_file(root.join("link")).unwrap();
    symlink("b", root.join("link")).unwrap();
    fs::create_dir_all(root.join("added/dir")).unwrap();
    fs::write(root.join("added/dir/f"), "").unwrap();
    let changes = changes_between(old.path(), root).unwrap();
    assert_eq!(
        list(&changes),
        [
            "A /added",
            "A /added/dir",
            "A /added/dir/f",
            "C /content",
            "C /deep",
            "C /deep/er",
            "A /deep/er/new",
            "D /gone",
            "D /gone-dir",
            "C /link",
            "C /mode",
            "C /owner",
            "C /was-dir",
            "C /was-file",
            "A /was-file/inner",
            "C /xattr",
        ]
    );
}

#[test]
fn same_second_times_without_nanoseconds_are_the_same() {
    require_root();
    let old = TempRoot::new().unwrap();
    fs::write(old.path().join("f"), "x").unwrap();
    let set = |path: &Path, nsec: i64| {
        let time = nix::sys::time::TimeSpec::new(1_700_000_000, nsec);
        nix::sys::stat::utimensat(
            nix::fcntl::AT_FDCWD,
            path,
            &time,
            &time,
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    };
    set(&old.path().join("f"), 0);
    let new = copy_of(old.path());
    set(&new.path().join("f"), 999);
    assert_eq!(
        list(&changes_between(old.path(), new.path()).unwrap()),
        Vec::<String>::new()
    );
    set(&old.path().join("f"), 5);
    assert_eq!(
        list(&changes_between(old.path(), new.path()).unwrap()),
        ["C /f"]
    );
    // The very same inode is never a change.
    assert!(changes_between(old.path(), old.path()).unwrap().is_empty());
}

use std::os::unix::fs::MetadataExt;
