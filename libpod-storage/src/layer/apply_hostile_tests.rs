//! Hostile layers, part one: paths, symlinks and hardlinks that try to leave the root.
//! Each case asserts either a refusal or where inside the root the entry landed, and that
//! nothing outside the root changed.

use super::*;
use crate::layer::test_support::{RawEntry, Sandbox, append_raw, assert_hostile, header};
use libpod_testutil::require_root;
use std::fs;

#[test]
fn absolute_paths_land_inside_the_root() {
    require_root();
    let sandbox = Sandbox::new();
    let target = [sandbox.outside_bytes(), b"/sentinel".to_vec()].concat();
    sandbox
        .apply(&[
            RawEntry::file(&target, b"pwned"),
            RawEntry::file(b"/etc/passwd", b"p"),
        ])
        .unwrap();
    let inside = sandbox
        .root()
        .join(sandbox.outside().strip_prefix("/").unwrap());
    assert_eq!(fs::read(inside.join("sentinel")).unwrap(), b"pwned");
    assert_eq!(fs::read(sandbox.root().join("etc/passwd")).unwrap(), b"p");
    sandbox.assert_outside_untouched();
}

#[test]
fn dot_dot_paths_are_refused() {
    require_root();
    for name in [
        &b"../outside/sentinel"[..],
        b"a/../../outside/x",
        b"/../x",
        b"..",
        b"./../x",
    ] {
        let sandbox = Sandbox::new();
        assert_hostile(
            sandbox.apply(&[RawEntry::file(name, b"pwned")]),
            "climbs above",
        );
        sandbox.assert_outside_untouched();
    }
}

#[test]
fn long_names_with_dot_dot_are_refused_whatever_their_encoding() {
    require_root();
    // A PAX path, a GNU long name, and a ustar prefix joined to the name.
    let sandbox = Sandbox::new();
    let pax = RawEntry::file(b"harmless", b"x").with_pax("path", b"a/../../outside/pax");
    assert_hostile(sandbox.apply(&[pax]), "climbs above");
    sandbox.assert_outside_untouched();

    let sandbox = Sandbox::new();
    let long_name = [b"a/".repeat(60), b"../".repeat(62), b"outside/gnu".to_vec()].concat();
    let mut tar = Vec::new();
    let fields = RawEntry::file(b"././@LongLink", b"");
    tar.extend_from_slice(&header(
        b"././@LongLink",
        b'L',
        long_name.len() as u64,
        &fields,
    ));
    tar.extend_from_slice(&long_name);
    tar.resize(tar.len().div_ceil(512) * 512, 0);
    append_raw(&mut tar, &RawEntry::file(b"short", b"x"));
    tar.extend_from_slice(&[0u8; 1024]);
    match apply_layer(&tar[..], &sandbox.root()) {
        Err(StorageError::HostileLayer { entry, .. }) => assert!(entry.ends_with("outside/gnu")),
        other => panic!("expected a hostile layer error, got {other:?}"),
    }
    sandbox.assert_outside_untouched();

    let sandbox = Sandbox::new();
    let mut block = header(b"pwned", b'0', 0, &RawEntry::file(b"pwned", b""));
    block[345..347].copy_from_slice(b"..");
    crate::layer::test_support::set_checksum(&mut block);
    let tar = [block.to_vec(), vec![0u8; 1024]].concat();
    assert_hostile(apply_layer(&tar[..], &sandbox.root()), "climbs above");
    sandbox.assert_outside_untouched();
}

#[test]
fn a_symlink_to_slash_resolves_inside_the_root() {
    require_root();
    let sandbox = Sandbox::new();
    sandbox
        .apply(&[
            RawEntry::symlink(b"sym", b"/"),
            RawEntry::file(b"sym/etc/x", b"in"),
        ])
        .unwrap();
    assert_eq!(fs::read(sandbox.root().join("etc/x")).unwrap(), b"in");
    assert_eq!(
        fs::read_link(sandbox.root().join("sym")).unwrap(),
        Path::new("/")
    );
    sandbox.assert_outside_untouched();
}

#[test]
fn a_symlink_to_an_absolute_outside_path_resolves_inside_the_root() {
    require_root();
    // The target does not exist inside the root: refused rather than created through it.
    let sandbox = Sandbox::new();
    let link = RawEntry::symlink(b"sym", &sandbox.outside_bytes());
    assert_hostile(
        sandbox.apply(&[link.clone(), RawEntry::file(b"sym/sentinel", b"pwned")]),
        "symlink to nothing",
    );
    sandbox.assert_outside_untouched();

    // With the target made inside the root first, the entry lands there.
    let sandbox = Sandbox::new();
    let link = RawEntry::symlink(b"sym", &sandbox.outside_bytes());
    let target_dir = RawEntry::dir(&sandbox.outside_bytes());
    sandbox
        .apply(&[target_dir, link, RawEntry::file(b"sym/sentinel", b"pwned")])
        .unwrap();
    let inside = sandbox
        .root()
        .join(sandbox.outside().strip_prefix("/").unwrap());
    assert_eq!(fs::read(inside.join("sentinel")).unwrap(), b"pwned");
    sandbox.assert_outside_untouched();
}

#[test]
fn a_symlink_climbing_with_dot_dot_resolves_inside_the_root() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::symlink(b"up", b"../../.."),
        RawEntry::file(b"up/outside/sentinel", b"pwned"),
        RawEntry::symlink(b"parent", b".."),
        RawEntry::file(b"parent/p", b"p"),
    ];
    sandbox.apply(&entries).unwrap();
    assert_eq!(
        fs::read(sandbox.root().join("outside/sentinel")).unwrap(),
        b"pwned"
    );
    assert_eq!(fs::read(sandbox.root().join("p")).unwrap(), b"p");
    sandbox.assert_outside_untouched();
}

#[test]
fn a_chain_of_symlinks_climbing_out_stays_inside() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::dir(b"a/b/c"),
        RawEntry::symlink(b"a/b/c/l1", b".."),
        RawEntry::symlink(b"a/b/l2", b"c/l1/../.."),
        RawEntry::symlink(b"a/l3", b"b/l2/../../../../.."),
        RawEntry::symlink(b"l4", b"a/l3/../../../outside"),
        RawEntry::file(b"l4/sentinel", b"pwned"),
    ];
    // l4 resolves to /outside inside the root, which does not exist.
    assert_hostile(sandbox.apply(&entries), "symlink to nothing");
    sandbox.assert_outside_untouched();

    let sandbox = Sandbox::new();
    let mut entries = entries.to_vec();
    entries.insert(0, RawEntry::dir(b"outside"));
    sandbox.apply(&entries).unwrap();
    assert_eq!(
        fs::read(sandbox.root().join("outside/sentinel")).unwrap(),
        b"pwned"
    );
    sandbox.assert_outside_untouched();
}

#[test]
fn a_symlink_loop_is_refused() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::symlink(b"loop1", b"loop2"),
        RawEntry::symlink(b"loop2", b"loop1"),
        RawEntry::file(b"loop1/x", b"x"),
    ];
    assert_hostile(sandbox.apply(&entries), "loop");
    sandbox.assert_outside_untouched();
}

#[test]
fn a_directory_swapped_for_a_symlink_does_not_lead_out() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::dir(b"a"),
        RawEntry::file(b"a/before", b""),
        RawEntry::symlink(b"a", b"/"),
        RawEntry::file(b"a/x", b"x"),
    ];
    sandbox.apply(&entries).unwrap();
    assert_eq!(fs::read(sandbox.root().join("x")).unwrap(), b"x");
    assert!(
        fs::symlink_metadata(sandbox.root().join("a"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    sandbox.assert_outside_untouched();

    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::dir(b"a"),
        RawEntry::symlink(b"a", &sandbox.outside_bytes()),
        RawEntry::file(b"a/sentinel", b"pwned"),
    ];
    assert_hostile(sandbox.apply(&entries), "symlink to nothing");
    sandbox.assert_outside_untouched();
}

#[test]
fn an_entry_replacing_a_symlink_out_replaces_the_symlink_itself() {
    require_root();
    let sandbox = Sandbox::new();
    let relative_out = b"../outside".to_vec();
    let entries = [
        RawEntry::symlink(b"d", &sandbox.outside_bytes()),
        RawEntry::file(b"d", b"a file now"),
        RawEntry::symlink(b"e", &relative_out),
        RawEntry::dir(b"e"),
        RawEntry::symlink(
            b"f",
            &[sandbox.outside_bytes(), b"/sentinel".to_vec()].concat(),
        ),
        RawEntry::device(b"f", b'6', 0, 0),
    ];
    sandbox.apply(&entries).unwrap();
    assert_eq!(fs::read(sandbox.root().join("d")).unwrap(), b"a file now");
    assert!(
        fs::symlink_metadata(sandbox.root().join("e"))
            .unwrap()
            .is_dir()
    );
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(
        &fs::symlink_metadata(sandbox.root().join("f"))
            .unwrap()
            .file_type()
    ));
    sandbox.assert_outside_untouched();
}

#[test]
fn the_root_can_only_be_a_directory() {
    require_root();
    for entry in [
        RawEntry::file(b".", b"x"),
        RawEntry::symlink(b"./", b"/"),
        RawEntry::symlink(b"/", &b"/tmp"[..]),
        RawEntry::hardlink(b".", b"f"),
        RawEntry::device(b"a/..", b'3', 1, 3),
    ] {
        let sandbox = Sandbox::new();
        assert_hostile(
            sandbox.apply(&[RawEntry::file(b"f", b""), entry]),
            "layer root",
        );
        assert!(fs::symlink_metadata(sandbox.root()).unwrap().is_dir());
        sandbox.assert_outside_untouched();
    }
}

#[test]
fn a_device_node_outside_through_dot_dot_is_refused() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [RawEntry::device(b"../outside/null", b'3', 1, 3)];
    assert_hostile(sandbox.apply(&entries), "climbs above");
    let entries = [RawEntry::device(b"dev/../../outside/sda", b'4', 8, 0)];
    assert_hostile(sandbox.apply(&entries), "climbs above");
    sandbox.assert_outside_untouched();
}
