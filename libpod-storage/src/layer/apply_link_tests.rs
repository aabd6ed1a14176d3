//! Hostile layers, part three: hardlinks whose targets try to leave the root, or are not
//! in the layer.

use crate::layer::test_support::{RawEntry, Sandbox, assert_hostile};
use libpod_testutil::require_root;
use std::fs;
use std::os::unix::ffi::OsStrExt;

#[test]
fn hardlinks_to_absolute_host_paths_stay_inside_the_root() {
    require_root();
    let sandbox = Sandbox::new();
    let entries = [RawEntry::hardlink(b"passwd", b"/etc/passwd")];
    assert_hostile(sandbox.apply(&entries), "not in this layer");
    let sentinel = [sandbox.outside_bytes(), b"/sentinel".to_vec()].concat();
    assert_hostile(
        sandbox.apply(&[RawEntry::hardlink(b"s", &sentinel)]),
        "not in this layer",
    );
    sandbox.assert_outside_untouched();

    // With an /etc/passwd of its own, the layer links to that one.
    let sandbox = Sandbox::new();
    let entries = [
        RawEntry::file(b"etc/passwd", b"mine"),
        RawEntry::hardlink(b"passwd", b"/etc/passwd"),
    ];
    sandbox.apply(&entries).unwrap();
    assert_eq!(fs::read(sandbox.root().join("passwd")).unwrap(), b"mine");
    sandbox.assert_outside_untouched();
}

#[test]
fn hardlinks_with_dot_dot_are_refused() {
    require_root();
    let sandbox = Sandbox::new();
    for target in [
        &b"../outside/sentinel"[..],
        b"a/../../outside/sentinel",
        b"/../etc/passwd",
    ] {
        let entries = [RawEntry::hardlink(b"h", target)];
        assert_hostile(sandbox.apply(&entries), "hardlink target climbs");
    }
    sandbox.assert_outside_untouched();
}

#[test]
fn hardlinks_through_escaping_symlinks_stay_inside_the_root() {
    require_root();
    let sandbox = Sandbox::new();
    for link in [sandbox.outside_bytes(), b"../../..".to_vec(), b"/".to_vec()] {
        let entries = [
            RawEntry::symlink(b"esc", &link),
            RawEntry::hardlink(b"h", b"esc/sentinel"),
        ];
        assert_hostile(sandbox.apply(&entries), "not in this layer");
    }
    let entries = [
        RawEntry::symlink(b"esc", b"../../.."),
        RawEntry::hardlink(b"h", b"esc/outside/etc/passwd"),
    ];
    assert_hostile(sandbox.apply(&entries), "not in this layer");
    sandbox.assert_outside_untouched();
}

#[test]
fn hardlinks_to_missing_files_and_directories_are_refused() {
    require_root();
    let sandbox = Sandbox::new();
    assert_hostile(
        sandbox.apply(&[RawEntry::hardlink(b"h", b"missing")]),
        "not in this layer",
    );
    let entries = [RawEntry::dir(b"d"), RawEntry::hardlink(b"h", b"d")];
    assert_hostile(sandbox.apply(&entries), "directory");
    assert_hostile(
        sandbox.apply(&[RawEntry::hardlink(b"h", b"/")]),
        "layer root",
    );
    let entries = [
        RawEntry::file(b"self", b"x"),
        RawEntry::hardlink(b"self", b"self"),
    ];
    assert_hostile(sandbox.apply(&entries), "not in this layer");
    sandbox.assert_outside_untouched();
}

#[test]
fn a_hardlink_to_a_symlink_out_links_the_symlink_not_its_target() {
    require_root();
    let sandbox = Sandbox::new();
    let sentinel = [sandbox.outside_bytes(), b"/sentinel".to_vec()].concat();
    let entries = [
        RawEntry::symlink(b"s", &sentinel),
        RawEntry::hardlink(b"h", b"s").mode(0o4777),
    ];
    sandbox.apply(&entries).unwrap();
    let linked = fs::symlink_metadata(sandbox.root().join("h")).unwrap();
    assert!(linked.file_type().is_symlink());
    assert_eq!(
        fs::read_link(sandbox.root().join("h"))
            .unwrap()
            .as_os_str()
            .as_bytes(),
        &sentinel[..]
    );
    sandbox.assert_outside_untouched();
}
