use super::*;
use crate::layer::apply_layer;
use crate::layer::test_support::{Sandbox, set_xattr, snapshot};
use libpod_testutil::require_root;
use nix::sys::stat::{SFlag, UtimensatFlags, makedev, mknod, utimensat};
use nix::sys::time::TimeSpec;
use std::fs;
use std::os::unix::fs::{PermissionsExt, lchown, symlink};
use std::path::PathBuf;

/// Builds a tree with every kind of node and metadata a layer carries. `reverse` creates
/// the same tree in the opposite order (other inode numbers, same content).
fn build_tree(root: &Path, reverse: bool) {
    let long_dir = "long/".to_string() + &"d".repeat(120);
    type Step = Box<dyn Fn(&Path)>;
    let mut steps: Vec<Step> = vec![
        Box::new(|r| fs::create_dir_all(r.join("etc")).unwrap()),
        Box::new(|r| fs::create_dir_all(r.join("bin")).unwrap()),
        Box::new(move |r| fs::create_dir_all(r.join(&long_dir)).unwrap()),
        Box::new(|r| fs::create_dir_all(r.join("opq/sub")).unwrap()),
        Box::new(|r| fs::create_dir_all(r.join("dev")).unwrap()),
    ];
    if reverse {
        steps.reverse();
    }
    for step in &steps {
        step(root);
    }
    fs::write(root.join("etc/passwd"), "root:x:0:0::/:/bin/sh\n").unwrap();
    fs::write(root.join("bin/busybox"), vec![0x7f; 3000]).unwrap();
    fs::hard_link(root.join("bin/busybox"), root.join("bin/ls")).unwrap();
    fs::hard_link(root.join("bin/busybox"), root.join("bin/cat")).unwrap();
    fs::write(root.join("bin/su"), "su").unwrap();
    fs::set_permissions(root.join("bin/su"), fs::Permissions::from_mode(0o4755)).unwrap();
    set_xattr(
        &root.join("bin/su"),
        "security.capability",
        &[
            1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    set_xattr(&root.join("etc/passwd"), "user.origin", b"test");
    fs::write(root.join("etc/owned"), "o").unwrap();
    lchown(root.join("etc/owned"), Some(1000), Some(3_000_000)).unwrap();
    symlink("busybox", root.join("bin/sh")).unwrap();
    symlink("/etc", root.join("etc-link")).unwrap();
    lchown(root.join("etc-link"), Some(7), Some(7)).unwrap();
    mknod(
        &root.join("dev/null"),
        SFlag::S_IFCHR,
        Mode::from_bits_truncate(0o666),
        makedev(1, 3),
    )
    .unwrap();
    mknod(
        &root.join("dev/sda"),
        SFlag::S_IFBLK,
        Mode::from_bits_truncate(0o660),
        makedev(8, 0),
    )
    .unwrap();
    mknod(
        &root.join("dev/fifo"),
        SFlag::S_IFIFO,
        Mode::from_bits_truncate(0o600),
        0,
    )
    .unwrap();
    mknod(&root.join("etc/group"), SFlag::S_IFCHR, Mode::empty(), 0).unwrap();
    set_xattr(&root.join("opq"), OVERLAY_OPAQUE, b"y");
    fs::write(root.join("opq/sub/f"), "f").unwrap();
    let long_file = root
        .join("long")
        .join("d".repeat(120))
        .join("f".repeat(200));
    fs::write(long_file, "long").unwrap();
    fs::set_permissions(root.join("opq"), fs::Permissions::from_mode(0o1750)).unwrap();
    set_times(root);
}

/// Gives every node a distinct mtime, deepest first so that directories keep theirs.
fn set_times(root: &Path) {
    let mut paths: Vec<PathBuf> = snapshot(root).into_keys().collect();
    paths.sort_by_key(|path| std::cmp::Reverse(path.components().count()));
    for (i, path) in paths.iter().enumerate() {
        let time = TimeSpec::new(1_600_000_000 + i64::try_from(i).unwrap() * 1000, 123);
        utimensat(
            nix::fcntl::AT_FDCWD,
            &root.join(path),
            &time,
            &time,
            UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    }
}

fn tar_of(root: &Path, options: &TarOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_tar(root, &mut out, options).unwrap();
    out
}

/// The entries of an archive as the tar crate reads them: path, type, link target.
fn listing(tar: &[u8]) -> Vec<(String, tar::EntryType, Option<String>)> {
    let mut archive = tar::Archive::new(tar);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let link = entry
                .link_name()
                .unwrap()
                .map(|link| link.display().to_string());
            let path = entry.path().unwrap().display().to_string();
            (
                path.trim_end_matches('/').to_string(),
                entry.header().entry_type(),
                link,
            )
        })
        .collect()
}

#[test]
fn applying_the_tar_reproduces_the_tree() {
    require_root();
    let source = Sandbox::new();
    build_tree(&source.root(), false);
    let tar = tar_of(&source.root(), &TarOptions::overlay());
    let copy = Sandbox::new();
    apply_layer(&tar[..], &copy.root()).unwrap();
    let (mut expected, mut actual) = (snapshot(&source.root()), snapshot(&copy.root()));
    // Times are whole seconds in the archive; whiteouts get no time of their own.
    for tree in [&mut expected, &mut actual] {
        tree.get_mut(Path::new("etc/group")).unwrap().mtime = 0;
    }
    assert_eq!(actual, expected);
    assert!(actual[Path::new("bin/ls")].inode_of.as_deref() == Some(Path::new("bin/busybox")));
}

#[test]
fn the_output_is_sorted_and_deterministic() {
    require_root();
    let (one, two) = (Sandbox::new(), Sandbox::new());
    build_tree(&one.root(), false);
    build_tree(&two.root(), true);
    let tar = tar_of(&one.root(), &TarOptions::overlay());
    assert_eq!(
        tar,
        tar_of(&two.root(), &TarOptions::overlay()),
        "same tree, same bytes"
    );
    let names: Vec<String> = listing(&tar).into_iter().map(|(path, _, _)| path).collect();
    let position = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert!(position("bin") < position("bin/busybox"));
    assert!(position("bin/busybox") < position("bin/cat"));
    assert!(position("bin/sh") < position("bin/su"));
    assert!(position("bin/su") < position("dev"));
    assert_eq!(&names[..2], ["bin", "bin/busybox"]);
}

#[test]
fn hardlinks_symlinks_devices_and_long_names_are_encoded_for_any_reader() {
    require_root();
    let source = Sandbox::new();
    build_tree(&source.root(), false);
    let entries = listing(&tar_of(&source.root(), &TarOptions::default()));
    let find = |name: &str| {
        entries
            .iter()
            .find(|(path, _, _)| path == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    assert_eq!(find("bin/busybox").1, tar::EntryType::Regular);
    assert_eq!(
        find("bin/cat"),
        (
            "bin/cat".into(),
            tar::EntryType::Link,
            Some("bin/busybox".into())
        )
    );
    assert_eq!(find("bin/ls").2.as_deref(), Some("bin/busybox"));
    assert_eq!(
        find("etc-link"),
        (
            "etc-link".into(),
            tar::EntryType::Symlink,
            Some("/etc".into())
        )
    );
    assert_eq!(find("dev/sda").1, tar::EntryType::Block);
    assert_eq!(find("dev/fifo").1, tar::EntryType::Fifo);
    let long = format!("long/{}/{}", "d".repeat(120), "f".repeat(200));
    assert_eq!(find(&long).1, tar::EntryType::Regular);
    // Without overlay_whiteouts, a whiteout is just a device and opaque markers stay out.
    assert_eq!(find("etc/group").1, tar::EntryType::Char);
    assert!(entries.iter().all(|(path, _, _)| !path.contains(".wh.")));
}

#[test]
fn overlay_whiteouts_become_wh_entries() {
    require_root();
    let source = Sandbox::new();
    build_tree(&source.root(), false);
    let tar = tar_of(&source.root(), &TarOptions::overlay());
    let entries = listing(&tar);
    let names: Vec<&str> = entries.iter().map(|(path, _, _)| path.as_str()).collect();
    assert!(!names.contains(&"etc/group"));
    let whiteout = entries
        .iter()
        .find(|(path, _, _)| path == "etc/.wh.group")
        .unwrap();
    assert_eq!(whiteout.1, tar::EntryType::Regular);
    let opq = names.iter().position(|name| *name == "opq").unwrap();
    assert_eq!(
        names[opq + 1],
        "opq/.wh..wh..opq",
        "the marker follows its directory"
    );
    let mut archive = tar::Archive::new(&tar[..]);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if let Some(extensions) = entry.pax_extensions().unwrap() {
            for extension in extensions {
                let key = extension.unwrap().key().unwrap().to_string();
                assert!(!key.contains("overlay"), "{key} was archived");
            }
        }
    }
}

#[test]
fn xattrs_are_limited_to_user_and_security_capability() {
    require_root();
    let source = Sandbox::new();
    let root = source.root();
    fs::write(root.join("f"), "").unwrap();
    set_xattr(&root.join("f"), "user.keep", b"1");
    set_xattr(&root.join("f"), "user.overlay.origin", b"x");
    set_xattr(&root.join("f"), "trusted.secret", b"x");
    set_xattr(
        &root.join("f"),
        "security.capability",
        &[1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    let tar = tar_of(&root, &TarOptions::overlay());
    let mut archive = tar::Archive::new(&tar[..]);
    let mut entries = archive.entries().unwrap();
    let mut entry = entries.next().unwrap().unwrap();
    let keys: Vec<String> = entry
        .pax_extensions()
        .unwrap()
        .unwrap()
        .map(|extension| extension.unwrap().key().unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        ["SCHILY.xattr.security.capability", "SCHILY.xattr.user.keep"]
    );
}

#[test]
fn owners_are_numeric_and_large_ones_go_to_pax() {
    require_root();
    let source = Sandbox::new();
    build_tree(&source.root(), false);
    let tar = tar_of(&source.root(), &TarOptions::default());
    let mut archive = tar::Archive::new(&tar[..]);
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.header().username_bytes(), Some(&b""[..]));
        if entry.path().unwrap() == Path::new("etc/owned") {
            // The ustar field cannot hold 3000000: a PAX record carries it.
            assert_eq!(entry.header().gid().unwrap(), 3_000_000);
        }
    }
}

#[test]
fn symlinks_to_directories_are_not_descended() {
    require_root();
    let source = Sandbox::new();
    symlink("/etc", source.root().join("host-etc")).unwrap();
    symlink("..", source.root().join("up")).unwrap();
    let entries = listing(&tar_of(&source.root(), &TarOptions::default()));
    let names: Vec<&str> = entries.iter().map(|(path, _, _)| path.as_str()).collect();
    assert_eq!(names, ["host-etc", "up"]);
}

#[test]
fn sockets_are_left_out_and_an_empty_tree_is_an_empty_archive() {
    let source = Sandbox::new();
    let tar = tar_of(&source.root(), &TarOptions::default());
    assert_eq!(tar, vec![0u8; 1024]);
    let _socket = std::os::unix::net::UnixListener::bind(source.root().join("sock")).unwrap();
    assert_eq!(
        tar_of(&source.root(), &TarOptions::default()),
        vec![0u8; 1024]
    );
}

#[test]
fn ustar_paths_split_at_a_slash_or_go_to_pax() {
    let mut out = Vec::new();
    let fields = |path: &[u8]| HeaderFields {
        path: path.to_vec(),
        typeflag: b'0',
        ..HeaderFields::default()
    };
    let split = [b"p".repeat(120), b"/".to_vec(), b"n".repeat(90)].concat();
    write_header(&mut out, &fields(&split)).unwrap();
    assert_eq!(out.len(), 512, "split into prefix and name, no PAX header");
    assert_eq!(&out[345..465], &b"p".repeat(120)[..]);
    out.clear();
    write_header(&mut out, &fields(&b"n".repeat(101))).unwrap();
    assert_eq!(out[156], b'x', "a PAX header comes first");
    assert!(out.windows(9).any(|w| w == b"111 path="));
}
