//! Bind sources are `/`, whose filesystem has none of noexec, nosuid and nodev on any sane
//! host, so the expected options do not depend on where temporary directories live.

use super::options::check_options;
use super::{VolumeMount, parse_mount, parse_tmpfs, parse_volume, process_mount_options};
use crate::SpecError;
use nix::sys::statvfs::FsFlags;
use oci_spec::runtime::Mount;
use std::path::Path;

fn strings(options: &[&str]) -> Vec<String> {
    options.iter().map(|option| option.to_string()).collect()
}

fn process(options: &[&str], is_tmpfs: bool, source: Option<&str>) -> crate::Result<Vec<String>> {
    process_mount_options(&strings(options), is_tmpfs, source)
}

fn mount_of(volume: VolumeMount) -> Mount {
    match volume {
        VolumeMount::Mount(mount) => mount,
        other => panic!("expected a mount, got {other:?}"),
    }
}

/// (destination, type, source, options) of a spec mount.
fn parts(mount: &Mount) -> (String, String, String, Option<Vec<String>>) {
    (
        mount.destination().to_str().unwrap().to_string(),
        mount.typ().clone().unwrap(),
        mount
            .source()
            .as_ref()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string(),
        mount.options().clone(),
    )
}

fn assert_invalid(result: crate::Result<impl std::fmt::Debug>, field: &str, contains: &str) {
    match result {
        Err(SpecError::InvalidValue {
            field: f, reason, ..
        }) => {
            assert_eq!(f, field);
            assert!(reason.contains(contains), "{reason:?} lacks {contains:?}");
        }
        other => panic!("expected an invalid {field}, got {other:?}"),
    }
}

// ---- process_mount_options ----

#[test]
fn podman_samples() {
    assert_eq!(
        process(&["rw", "size=64m"], true, None).unwrap(),
        ["rw", "size=64m", "rprivate", "nosuid", "nodev", "tmpcopyup"]
    );
    assert_eq!(
        process(&["size=1m"], true, None).unwrap(),
        ["size=1m", "rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
    );
    assert_eq!(
        process(&["ro"], false, Some("/")).unwrap(),
        ["ro", "rprivate", "rbind"]
    );
    assert_eq!(
        process(&[], false, Some("/")).unwrap(),
        ["rw", "rprivate", "rbind"]
    );
}

#[test]
fn without_a_source_the_defaults_are_nosuid_and_nodev() {
    assert_eq!(
        process(&[], false, None).unwrap(),
        ["rw", "rprivate", "nosuid", "nodev", "rbind"]
    );
}

#[test]
fn the_source_filesystem_flags_are_added_unless_chosen() {
    let all = FsFlags::ST_NOEXEC | FsFlags::ST_NOSUID | FsFlags::ST_NODEV | FsFlags::ST_RDONLY;
    let complete = |options: &[&str], is_tmpfs| {
        check_options("mount", "", &strings(options), is_tmpfs)
            .unwrap()
            .complete(is_tmpfs, all)
    };
    assert_eq!(
        complete(&[], false),
        ["rw", "rprivate", "noexec", "nosuid", "nodev", "rbind"]
    );
    assert_eq!(
        complete(&["exec", "suid", "dev"], false),
        ["exec", "suid", "dev", "rw", "rprivate", "rbind"]
    );
    assert_eq!(
        complete(&["nodev"], false),
        ["nodev", "rw", "rprivate", "noexec", "nosuid", "rbind"]
    );
    let none = check_options("mount", "", &[], false)
        .unwrap()
        .complete(false, FsFlags::empty());
    assert_eq!(none, ["rw", "rprivate", "rbind"]);
}

#[test]
fn chosen_propagation_and_bind_are_kept() {
    assert_eq!(
        process(&["rshared", "bind"], false, Some("/")).unwrap(),
        ["rshared", "bind", "rw"]
    );
    for propagation in [
        "private",
        "slave",
        "rslave",
        "unbindable",
        "runbindable",
        "rprivate",
        "shared",
    ] {
        let options = process(&[propagation], true, None).unwrap();
        assert_eq!(options[0], propagation);
        assert!(!options.contains(&"rprivate".to_string()) || propagation == "rprivate");
    }
}

#[test]
fn duplicates_of_a_class_are_refused() {
    let pairs: [(&[&str], bool); 13] = [
        (&["rw", "ro"], false),
        (&["exec", "noexec"], false),
        (&["suid", "nosuid"], false),
        (&["dev", "nodev"], false),
        (&["private", "rshared"], false),
        (&["size=1m", "size=2m"], true),
        (&["mode=0700", "mode=0755"], true),
        (&["tmpcopyup", "notmpcopyup"], true),
        (&["bind", "rbind"], false),
        (&["z", "Z"], false),
        (&["U", "U"], false),
        (&["idmap", "idmap=uids=0-1-1"], false),
        (&["copy", "nocopy"], false),
    ];
    for (options, is_tmpfs) in pairs {
        assert_invalid(
            process(options, is_tmpfs, None),
            "mount",
            "duplicate mount option",
        );
    }
}

#[test]
fn tmpfs_only_options_are_refused_elsewhere() {
    for option in ["size=1m", "mode=0700", "tmpcopyup", "notmpcopyup"] {
        assert_invalid(
            process(&[option], false, None),
            "mount",
            "only allowed with tmpfs",
        );
    }
    for option in ["bind", "rbind", "z", "Z"] {
        assert_invalid(
            process(&[option], true, None),
            "mount",
            "not allowed with tmpfs",
        );
    }
}

#[test]
fn unknown_options_are_refused() {
    for option in [
        "foo",
        "",
        "uid=1000",
        "RW",
        "upperdir=/a",
        "cached",
        "volume_opt",
    ] {
        assert_invalid(
            process(&[option], false, None),
            "mount",
            "unknown mount option",
        );
    }
}

#[test]
fn dropped_and_passed_options() {
    // notmpcopyup and consistency never reach the runtime.
    assert_eq!(
        process(&["notmpcopyup", "consistency=cached"], true, None).unwrap(),
        ["rw", "rprivate", "nosuid", "nodev"]
    );
    assert_eq!(
        process(
            &["idmapfoo", "volume-opt=o=x", "nocopy", "U", "Z"],
            false,
            Some("/")
        )
        .unwrap(),
        [
            "idmapfoo",
            "volume-opt=o=x",
            "nocopy",
            "U",
            "Z",
            "rw",
            "rprivate",
            "rbind"
        ]
    );
    // After O, overlay directories pass unchecked.
    assert_eq!(
        process(&["O", "upperdir=/u", "workdir=/w"], false, Some("/")).unwrap(),
        ["O", "upperdir=/u", "workdir=/w", "rw", "rprivate", "rbind"]
    );
}

#[test]
fn a_source_that_cannot_be_statfsed_is_refused() {
    assert_invalid(
        process(&[], false, Some("/does/not/exist")),
        "mount",
        "statfs",
    );
    // Option errors come first, as in Podman.
    assert_invalid(
        process(&["foo"], false, Some("/does/not/exist")),
        "mount",
        "unknown",
    );
}

// ---- -v ----

#[test]
fn volume_binds() {
    let mount = mount_of(parse_volume("/:/data:ro").unwrap());
    assert_eq!(
        parts(&mount),
        (
            "/data".into(),
            "bind".into(),
            "/".into(),
            Some(strings(&["ro", "rprivate", "rbind"]))
        )
    );
    let mount = mount_of(parse_volume("/:/data2").unwrap());
    assert_eq!(
        mount.options().as_deref().unwrap(),
        ["rw", "rprivate", "rbind"]
    );
    // The source is cleaned; the destination is kept as written, as Podman keeps it.
    let mount = mount_of(parse_volume("/usr/..//:/data/../x/:cached,noexec").unwrap());
    assert_eq!(
        parts(&mount),
        (
            "/data/../x/".into(),
            "bind".into(),
            "/".into(),
            Some(strings(&["noexec", "rw", "rprivate", "rbind"]))
        )
    );
    let mount = mount_of(parse_volume("/:/x:bind,private,nosuid,exec,dev").unwrap());
    assert_eq!(
        mount.options().as_deref().unwrap(),
        ["bind", "private", "nosuid", "exec", "dev", "rw"]
    );
}

#[test]
fn volume_names_and_anonymous_volumes() {
    assert_eq!(
        parse_volume("myvol:/data").unwrap(),
        VolumeMount::Named {
            name: "myvol".into(),
            destination: "/data".into(),
            options: strings(&["rw", "rprivate", "nosuid", "nodev", "rbind"]),
        }
    );
    assert_eq!(
        parse_volume("1vol:/data:ro,z").unwrap(),
        VolumeMount::Named {
            name: "1vol".into(),
            destination: "/data".into(),
            options: strings(&["ro", "z", "rprivate", "nosuid", "nodev", "rbind"]),
        }
    );
    assert_eq!(
        parse_volume("/anon").unwrap(),
        VolumeMount::Anonymous {
            destination: "/anon".into(),
            options: strings(&["rw", "rprivate", "nosuid", "nodev", "rbind"]),
        }
    );
}

#[test]
fn bad_volumes_are_refused() {
    for (value, reason) in [
        ("/srv:relative", "must be an absolute path"),
        ("relative", "must be an absolute path"),
        ("", "container directory cannot be empty"),
        ("/srv:", "container directory cannot be empty"),
        (":/x", "host directory cannot be empty"),
        ("/a:/b:ro:z", "incorrect volume format"),
        ("/:/x:ro,rw", "can only specify 1 'rw' or 'ro' option"),
        ("/:/x:z,O", "can only specify 1 'z', 'Z', or 'O' option"),
        ("/:/x:foo", "invalid option type"),
        ("/:/x:", "invalid option type"),
        ("/:/x:consistency", "invalid option type"),
        ("/:/x:size=1m", "invalid option type"),
        ("/:/x:upperdir=/a", "unknown mount option"),
        ("/:/x:O", "overlay volumes"),
        ("vol:/x:O", "overlay volumes"),
        ("./rel:/x", "relative host path"),
        ("../rel:/x", "relative host path"),
        ("my@vol:/x", "must match"),
        ("_vol:/x", "must match"),
        ("a/b:/x", "must match"),
        ("/does/not/exist:/x", "statfs"),
    ] {
        assert_invalid(parse_volume(value), "volume", reason);
    }
}

// ---- --tmpfs ----

#[test]
fn tmpfs_mounts() {
    let mount = parse_tmpfs("/scratch:rw,size=64m").unwrap();
    assert_eq!(
        parts(&mount),
        (
            "/scratch".into(),
            "tmpfs".into(),
            "tmpfs".into(),
            Some(strings(&[
                "rw",
                "size=64m",
                "rprivate",
                "nosuid",
                "nodev",
                "tmpcopyup"
            ]))
        )
    );
    assert_eq!(
        parse_tmpfs("/scratch")
            .unwrap()
            .options()
            .as_deref()
            .unwrap(),
        ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
    );
    // The destination is cleaned; a third part is ignored, as in Podman.
    assert_eq!(
        parse_tmpfs("/a/../b/:rw:x").unwrap().destination(),
        Path::new("/b")
    );
    assert_eq!(
        parse_tmpfs("/t:ro,noexec,mode=1777,notmpcopyup,U")
            .unwrap()
            .options()
            .as_deref()
            .unwrap(),
        [
            "ro",
            "noexec",
            "mode=1777",
            "U",
            "rprivate",
            "nosuid",
            "nodev"
        ]
    );
}

#[test]
fn bad_tmpfs_are_refused() {
    for (value, reason) in [
        ("relative", "must be an absolute path"),
        (":rw", "container directory cannot be empty"),
        ("/t:", "unknown mount option"),
        ("/t:z", "not allowed with tmpfs"),
        ("/t:bind", "not allowed with tmpfs"),
        ("/t:size=1m,size=2m", "only one tmpfs size"),
        ("/t:uid=1000", "unknown mount option"),
    ] {
        assert_invalid(parse_tmpfs(value), "tmpfs", reason);
    }
}

#[cfg(test)]
#[path = "mount_flag_tests.rs"]
mod flag_tests;
