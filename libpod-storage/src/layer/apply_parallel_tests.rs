//! Regular files created by workers: every hazard of a file still in flight gives what
//! applying the entries one by one gives. Each layer is applied three ways: serially, with
//! held workers (they run only when the reading thread waits for them, so every check meets
//! the earlier files still pending) and with free workers; results and trees must agree.

use super::pool::{PoolOptions, Shared};
use super::*;
use crate::layer::test_support::{Node, RawEntry, Sandbox, raw_tar, snapshot, xattrs_of};
use libpod_testutil::require_root;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

pub(super) const SERIAL: PoolOptions = PoolOptions {
    workers: 0,
    hold: false,
};
pub(super) const HELD: PoolOptions = PoolOptions {
    workers: 2,
    hold: true,
};
pub(super) const FREE: PoolOptions = PoolOptions {
    workers: 3,
    hold: false,
};

pub(super) fn apply_in(
    sandbox: &Sandbox,
    entries: &[RawEntry],
    options: PoolOptions,
) -> Result<AppliedLayer> {
    apply_with(
        &raw_tar(entries)[..],
        &sandbox.root(),
        &Shared::new(options),
    )
}

/// A result with the sandbox's path taken out of errors, to compare across sandboxes.
pub(super) fn outcome(
    sandbox: &Sandbox,
    result: &Result<AppliedLayer>,
) -> std::result::Result<AppliedLayer, String> {
    let root = sandbox.root().display().to_string();
    match result {
        Ok(applied) => Ok(applied.clone()),
        Err(err) => Err(err.to_string().replace(&root, "<root>")),
    }
}

/// Times after this are "now": directories no entry set the times of, whiteouts.
const NOW_ISH: i64 = 1_700_000_000;

/// The layer root's own mode and mtime, then every node under it; times that are the
/// wall clock's are left out.
pub(super) fn tree(sandbox: &Sandbox) -> (u32, i64, BTreeMap<std::path::PathBuf, Node>) {
    let meta = fs::metadata(sandbox.root()).unwrap();
    let mut nodes = snapshot(&sandbox.root());
    for node in nodes.values_mut() {
        if node.mtime > NOW_ISH {
            node.mtime = 0;
        }
    }
    (meta.mode(), meta.mtime().min(NOW_ISH), nodes)
}

/// Applies `entries` serially, with held and with free workers; asserts the same outcome and,
/// when they applied, the same tree. Returns the held run's sandbox and outcome.
#[track_caller]
pub(super) fn same_as_serial(
    entries: &[RawEntry],
) -> (Sandbox, std::result::Result<AppliedLayer, String>) {
    let serial = Sandbox::new();
    let expected = outcome(&serial, &apply_in(&serial, entries, SERIAL));
    let mut held = None;
    for options in [HELD, FREE] {
        let sandbox = Sandbox::new();
        let got = outcome(&sandbox, &apply_in(&sandbox, entries, options));
        assert_eq!(got, expected, "{options:?}");
        if expected.is_ok() {
            assert_eq!(tree(&sandbox), tree(&serial), "{options:?}");
        }
        sandbox.assert_outside_untouched();
        held.get_or_insert((sandbox, got));
    }
    held.unwrap()
}

/// `count` small files in `dir`, so that workers have files in flight.
pub(super) fn files_in(dir: &str, count: usize) -> Vec<RawEntry> {
    named_files_in(dir, "filler", count)
}

/// `count` small files `{prefix}{i}` in `dir`.
pub(super) fn named_files_in(dir: &str, prefix: &str, count: usize) -> Vec<RawEntry> {
    (0..count)
        .map(|i| {
            RawEntry::file(
                format!("{dir}/{prefix}{i}").as_bytes(),
                format!("{i}").as_bytes(),
            )
        })
        .collect()
}

pub(super) fn layer(parts: Vec<Vec<RawEntry>>) -> Vec<RawEntry> {
    parts.into_iter().flatten().collect()
}

#[test]
fn a_later_entry_of_the_same_name_wins() {
    require_root();
    let entries = layer(vec![
        vec![RawEntry::dir(b"d"), RawEntry::file(b"d/f", b"first")],
        files_in("d", 5),
        vec![RawEntry::file(b"d/f", b"second").mode(0o4750).owned(7, 8)],
        // A symlinked parent reaches the same file: still the later wins.
        vec![
            RawEntry::symlink(b"l", b"d"),
            RawEntry::file(b"d/g", b"first"),
        ],
        vec![RawEntry::file(b"l/g", b"third")],
        // A file then something else of its name.
        vec![
            RawEntry::file(b"x", b"file"),
            RawEntry::dir(b"x").mode(0o700),
        ],
        vec![RawEntry::file(b"y", b"file"), RawEntry::symlink(b"y", b"d")],
        vec![
            RawEntry::file(b"z", b"file"),
            RawEntry::device(b"z", b'6', 0, 0),
        ],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    let root = sandbox.root();
    assert_eq!(fs::read(root.join("d/f")).unwrap(), b"second");
    let meta = fs::metadata(root.join("d/f")).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.uid(), meta.gid()),
        (0o4750, 7, 8)
    );
    assert_eq!(fs::read(root.join("d/g")).unwrap(), b"third");
    assert!(fs::symlink_metadata(root.join("x")).unwrap().is_dir());
    assert!(fs::symlink_metadata(root.join("y")).unwrap().is_symlink());
    assert!(
        fs::symlink_metadata(root.join("z"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_hardlink_to_a_file_in_flight_links_the_written_file() {
    require_root();
    let entries = layer(vec![
        vec![
            RawEntry::dir(b"d"),
            RawEntry::file(b"d/f", b"content").mode(0o644),
        ],
        files_in("d", 3),
        // Its own metadata lands on the shared inode, after the file's.
        vec![
            RawEntry::hardlink(b"link", b"d/f")
                .mode(0o600)
                .owned(3, 4)
                .mtime(1_000),
        ],
        vec![RawEntry::symlink(b"l", b"d"), RawEntry::file(b"d/g", b"g")],
        vec![RawEntry::hardlink(b"link2", b"l/g")],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    let root = sandbox.root();
    let (file, link) = (
        fs::metadata(root.join("d/f")).unwrap(),
        fs::metadata(root.join("link")).unwrap(),
    );
    assert_eq!(file.ino(), link.ino());
    assert_eq!(fs::read(root.join("link")).unwrap(), b"content");
    assert_eq!(
        (link.mode() & 0o7777, link.uid(), link.mtime()),
        (0o600, 3, 1_000)
    );
    assert_eq!(fs::read(root.join("link2")).unwrap(), b"g");
}

#[test]
fn a_whiteout_of_a_file_in_flight_leaves_the_file() {
    require_root();
    let entries = layer(vec![
        vec![RawEntry::dir(b"d"), RawEntry::file(b"d/f", b"kept")],
        files_in("d", 3),
        vec![RawEntry::file(b"d/.wh.f", b"")],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    assert_eq!(fs::read(sandbox.root().join("d/f")).unwrap(), b"kept");
}

#[test]
fn whiteouts_and_opaque_markers_above_files_in_flight_keep_the_files() {
    require_root();
    let entries = layer(vec![
        vec![RawEntry::dir(b"d"), RawEntry::dir(b"d/e")],
        files_in("d/e", 4),
        // The directory made in this layer becomes opaque; what it holds stays.
        vec![RawEntry::file(b".wh.d", b"")],
        vec![RawEntry::dir(b"o")],
        files_in("o", 4),
        vec![RawEntry::file(b"o/.wh..wh..opq", b"")],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    let root = sandbox.root();
    for dir in ["d", "o"] {
        assert_eq!(
            xattrs_of(&root.join(dir)).get(OVERLAY_OPAQUE).unwrap(),
            b"y"
        );
    }
    assert_eq!(fs::read(root.join("d/e/filler3")).unwrap(), b"3");
    assert_eq!(fs::read(root.join("o/filler3")).unwrap(), b"3");
}

#[test]
fn a_directory_replaced_while_its_files_are_in_flight_is_gone() {
    require_root();
    let entries = layer(vec![
        vec![RawEntry::dir(b"d"), RawEntry::dir(b"d/e")],
        files_in("d/e", 6),
        files_in("d", 6),
        vec![RawEntry::file(b"d", b"a file now")],
        vec![RawEntry::dir(b"s"), RawEntry::symlink(b"s/up", b"/s")],
        files_in("s", 3),
        // Through a symlink, the directory whose files are in flight is removed too.
        vec![RawEntry::symlink(b"t", b"s"), RawEntry::file(b"s", b"file")],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    assert_eq!(fs::read(sandbox.root().join("d")).unwrap(), b"a file now");
    assert_eq!(fs::read(sandbox.root().join("s")).unwrap(), b"file");
}

#[test]
fn a_file_in_flight_is_refused_as_a_parent() {
    require_root();
    for later in [
        RawEntry::file(b"f/g", b"g"),
        RawEntry::dir(b"f/g"),
        RawEntry::hardlink(b"h", b"f/x"),
        RawEntry::file(b"f/.wh.x", b""),
    ] {
        let entries = layer(vec![
            vec![RawEntry::file(b"f", b"f")],
            files_in("d", 3),
            vec![later],
        ]);
        let (_, got) = same_as_serial(&entries);
        assert!(got.is_err(), "{got:?}");
    }
}

/// A default ACL (`system.posix_acl_default` in the kernel's binary form) granting user
/// 1000 read access: files created in its directory afterwards inherit it.
fn default_acl() -> Vec<u8> {
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in [
        (1u16, 7u16, u32::MAX),
        (2, 4, 1000),
        (4, 5, u32::MAX),
        (0x10, 5, u32::MAX),
        (0x20, 5, u32::MAX),
    ] {
        acl.extend(tag.to_le_bytes());
        acl.extend(perm.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    acl
}

#[test]
fn a_parent_removed_after_its_files_is_not_reused() {
    require_root();
    for replacement in [
        RawEntry::file(b"d", b"file"),
        RawEntry::symlink(b"d", b"e"),
        RawEntry::file(b".wh.d", b"").with_typeflag(b'0'),
    ] {
        let entries = layer(vec![
            vec![RawEntry::dir(b"d"), RawEntry::dir(b"e")],
            files_in("d", 3),
            vec![replacement],
            vec![RawEntry::file(b"d/after", b"after")],
        ]);
        let (sandbox, _) = same_as_serial(&entries);
        sandbox.assert_outside_untouched();
    }
    // The parent `s` (the root, through a symlink) holds the entry replacing the symlink.
    let entries = vec![
        RawEntry::symlink(b"s", b"/"),
        RawEntry::file(b"s/a", b"a"),
        RawEntry::file(b"s/s", b"now a file"),
        RawEntry::file(b"s/b", b"b"),
    ];
    let (_, got) = same_as_serial(&entries);
    assert!(got.unwrap_err().contains("not a directory"));
}

#[test]
fn directory_metadata_and_times_come_after_the_files_in_them() {
    require_root();
    let acl = default_acl();
    let entries = layer(vec![
        vec![RawEntry::dir(b"d").mtime(1_000)],
        files_in("d", 8),
        vec![RawEntry::dir(b"d/sub").mtime(2_000)],
        files_in("d/sub", 8),
        named_files_in("d", "more", 3),
        // A second entry for a directory whose files are in flight: they were made before.
        vec![
            RawEntry::dir(b"d/sub")
                .mode(0o500)
                .owned(5, 5)
                .mtime(3_000)
                .with_pax("SCHILY.xattr.system.posix_acl_default", &acl),
        ],
        vec![RawEntry::file(b"d/sub/inherits", b"")],
        files_in("d/sub/deeper", 3),
        files_in("", 3),
        vec![
            RawEntry::dir(b".")
                .mode(0o711)
                .mtime(4_000)
                .with_pax("SCHILY.xattr.system.posix_acl_default", &acl),
        ],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    let root = sandbox.root();
    assert_eq!(fs::metadata(root.join("d")).unwrap().mtime(), 1_000);
    let sub = fs::metadata(root.join("d/sub")).unwrap();
    assert_eq!(
        (sub.mtime(), sub.mode() & 0o7777, sub.uid()),
        (3_000, 0o500, 5)
    );
    let meta = fs::metadata(&root).unwrap();
    assert_eq!((meta.mtime(), meta.mode() & 0o7777), (4_000, 0o711));
    let acl_of = |path: &str| xattrs_of(&root.join(path)).contains_key("system.posix_acl_access");
    assert!(acl_of("d/sub/inherits"));
    assert!(!acl_of("d/sub/filler7"));
    assert!(!acl_of("filler2"));
}

#[test]
fn files_above_the_buffered_size_are_streamed_in_order() {
    require_root();
    let big = vec![b'b'; usize::try_from(pool::MAX_BUFFERED_FILE).unwrap() + 1];
    let entries = layer(vec![
        vec![RawEntry::dir(b"d"), RawEntry::file(b"d/f", b"small")],
        files_in("d", 3),
        vec![RawEntry::file(b"d/f", &big)],
        vec![RawEntry::file(b"d/g", &big)],
        vec![RawEntry::file(b"d/g", b"small again")],
    ]);
    let (sandbox, _) = same_as_serial(&entries);
    assert_eq!(fs::read(sandbox.root().join("d/f")).unwrap(), big);
    assert_eq!(
        fs::read(sandbox.root().join("d/g")).unwrap(),
        b"small again"
    );
}
