//! `--mount`, checked against what Podman 4.3.1 writes for the same strings.

use super::{assert_invalid, mount_of, parse_mount, parts, strings};
use crate::parse::VolumeMount;

fn options(value: &str) -> Vec<String> {
    mount_of(parse_mount(value).unwrap())
        .options()
        .clone()
        .unwrap()
}

#[test]
fn bind_samples() {
    let mount = mount_of(parse_mount("type=bind,src=/,dst=/m1,ro").unwrap());
    assert_eq!(
        parts(&mount),
        (
            "/m1".into(),
            "bind".into(),
            "/".into(),
            Some(strings(&["ro", "rprivate", "rbind"]))
        )
    );
    let mount =
        mount_of(parse_mount("type=bind,source=/usr/..,target=/m1/../m2/,readonly=false").unwrap());
    assert_eq!(
        parts(&mount),
        (
            "/m2".into(),
            "bind".into(),
            "/".into(),
            Some(strings(&["rw", "rprivate", "rbind"]))
        )
    );
}

#[test]
fn bind_read_only_forms() {
    assert_eq!(
        options("type=bind,src=/,dst=/m,rw=false"),
        ["ro", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,ro=TRUE"),
        ["ro", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,readonly"),
        ["ro", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,rw=true"),
        ["rw", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,\"ro\""),
        ["ro", "rprivate", "rbind"]
    );
}

#[test]
fn bind_options() {
    assert_eq!(
        options("type=bind,src=/,dst=/m,bind-propagation=rshared,bind-nonrecursive"),
        ["rshared", "bind", "rw"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,relabel=private"),
        ["Z", "rw", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,relabel=shared,slave"),
        ["z", "slave", "rw", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,chown=true,idmap=uids=0-1-1"),
        ["U", "idmap=uids=0-1-1", "rw", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,idmap,nosuid,exec"),
        ["idmap", "nosuid", "exec", "rw", "rprivate", "rbind"]
    );
    assert_eq!(
        options("type=bind,src=/,dst=/m,U=false,consistency=cached"),
        ["rw", "rprivate", "rbind"]
    );
    // A later destination wins, as in Podman.
    assert_eq!(
        mount_of(parse_mount("type=bind,src=/,dst=/a,dst=/b").unwrap())
            .destination()
            .to_str(),
        Some("/b")
    );
}

#[test]
fn bind_source_defaults_to_the_destination() {
    let mount = mount_of(parse_mount("type=bind,dst=/").unwrap());
    assert_eq!(
        parts(&mount),
        (
            "/".into(),
            "bind".into(),
            "/".into(),
            Some(strings(&["rw", "rprivate", "rbind"]))
        )
    );
}

#[test]
fn bad_binds_are_refused() {
    for (value, reason) in [
        (
            "type=bind,src=/,dst=/m,ro=maybe",
            "must be set to true or false",
        ),
        ("type=bind,src=/,dst=/m,ro,ro", "more than once"),
        ("type=bind,src=/,dst=/m,ro,rw", "more than once"),
        ("type=bind,src=/,dst=/m,nosuid,suid", "more than once"),
        ("type=bind,src=/,dst=/m,U,chown", "more than once"),
        (
            "type=bind,src=/,dst=/m,relabel=private,relabel=shared",
            "more than once",
        ),
        (
            "type=bind,src=/,dst=/m,relabel=x",
            "relabel mount option must be",
        ),
        (
            "type=bind,src=/,dst=/m,relabel",
            "relabel mount option must be",
        ),
        (
            "type=bind,src=/,dst=/m,U=maybe",
            "must be set to true or false",
        ),
        ("type=bind,src=/,dst=/m,foo", "foo: invalid mount option"),
        (
            "type=bind,src=/,dst=/m,tmpcopyup",
            "tmpcopyup: invalid mount option",
        ),
        (
            "type=bind,src=/,dst=/m,type=tmpfs",
            "type: invalid mount option",
        ),
        (
            "type=bind,src=/,dst=/m,bind-propagation",
            "must provide an argument",
        ),
        (
            "type=bind,src=/,dst=/m,bind-propagation=foo",
            "invalid option type",
        ),
        (
            "type=bind,src=/,dst=/m,z,Z",
            "can only specify 1 'z', 'Z', or 'O' option",
        ),
        ("type=bind,src=,dst=/m", "host directory cannot be empty"),
        ("type=bind,src,dst=/m", "must provide an argument"),
        ("type=bind,src=relative,dst=/m", "must be an absolute path"),
        ("type=bind,src=/does/not/exist,dst=/m", "statfs"),
        ("type=bind,src=/", "must set volume destination"),
        ("type=bind,src=/,dst=relative", "must be an absolute path"),
        (
            "type=bind,src=/,dst=",
            "container directory cannot be empty",
        ),
        ("type=bind,src=/,dst", "must provide an argument"),
        ("src=/,dst=/m", "incorrect mount format"),
        ("type=a=b,dst=/m", "incorrect mount format"),
        ("", "incorrect mount format"),
        (
            "type=bind,src=/,dst=/m\ntype=bind",
            "incorrect mount format",
        ),
        ("type=bind,src=/,dst=/m,r\"o", "incorrect mount format"),
        ("type=foo,dst=/m", "invalid filesystem type"),
        ("type=,dst=/m", "invalid filesystem type"),
        ("type=image,src=foo,dst=/i", "not supported"),
    ] {
        assert_invalid(parse_mount(value), "mount", reason);
    }
}

#[test]
fn tmpfs_mounts() {
    assert_eq!(
        options("type=tmpfs,dst=/m2,tmpfs-size=1m"),
        ["size=1m", "rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
    );
    assert_eq!(
        options("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=0700,notmpcopyup,ro,noexec"),
        [
            "size=1m",
            "mode=0700",
            "ro",
            "noexec",
            "rprivate",
            "nosuid",
            "nodev"
        ]
    );
    assert_eq!(
        options("type=tmpfs,dst=/t,U,tmpcopyup,consistency"),
        ["U", "tmpcopyup", "rw", "rprivate", "nosuid", "nodev"]
    );
    let mount = mount_of(parse_mount("type=tmpfs,target=/t/../u").unwrap());
    assert_eq!(
        (
            mount.destination().to_str(),
            mount.source().as_deref().and_then(|s| s.to_str())
        ),
        (Some("/u"), Some("tmpfs"))
    );
}

#[test]
fn bad_tmpfs_are_refused() {
    for (value, reason) in [
        ("type=tmpfs,dst=/t,src=/x", "source is not supported"),
        ("type=tmpfs,dst=/t,tmpfs-size", "must provide an argument"),
        ("type=tmpfs,dst=/t,tmpfs-mode", "must provide an argument"),
        ("type=tmpfs,dst=/t,tmpcopyup,notmpcopyup", "more than once"),
        ("type=tmpfs,dst=/t,ro,rw", "more than once"),
        (
            "type=tmpfs,dst=/t,readonly",
            "readonly: invalid mount option",
        ),
        (
            "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-size=2m",
            "only one tmpfs size",
        ),
        ("type=tmpfs", "must set volume destination"),
    ] {
        assert_invalid(parse_mount(value), "mount", reason);
    }
}

#[test]
fn devpts_mounts() {
    let mount = mount_of(parse_mount("type=devpts,dst=/mypts").unwrap());
    assert_eq!(
        parts(&mount),
        ("/mypts".into(), "devpts".into(), "devpts".into(), None)
    );
    assert_eq!(
        options("type=devpts,dst=/mypts,uid=5,gid=5,mode=0620,ptxmode=0666,newinstance,max=10"),
        [
            "uid=5",
            "gid=5",
            "mode=0620",
            "ptxmode=0666",
            "newinstance",
            "max=10"
        ]
    );
    for (value, reason) in [
        ("type=devpts,dst=/p,ro", "ro: invalid mount option"),
        (
            "type=devpts,dst=/p,consistency",
            "consistency: invalid mount option",
        ),
        ("type=devpts", "must set volume destination"),
    ] {
        assert_invalid(parse_mount(value), "mount", reason);
    }
}

#[test]
fn volume_mounts() {
    assert_eq!(
        parse_mount("type=volume,src=myvol,dst=/data,ro").unwrap(),
        VolumeMount::Named {
            name: "myvol".into(),
            destination: "/data".into(),
            options: strings(&["ro", "rprivate", "nosuid", "nodev", "rbind"]),
        }
    );
    assert_eq!(
        parse_mount("type=volume,dst=/data/,volume-opt=o=foo,U,noexec").unwrap(),
        VolumeMount::Anonymous {
            destination: "/data".into(),
            options: strings(&[
                "volume-opt=o=foo",
                "U",
                "noexec",
                "rw",
                "rprivate",
                "nosuid",
                "nodev",
                "rbind"
            ]),
        }
    );
    for (value, reason) in [
        ("type=volume,source=m@v,dst=/data", "must match"),
        (
            "type=volume,src=v,dst=/data,relabel=shared",
            "relabel: invalid mount option",
        ),
        (
            "type=volume,src=v,dst=/data,readonly",
            "readonly: invalid mount option",
        ),
        (
            "type=volume,src=v,dst=/data,volume-label=x",
            "not presently implemented",
        ),
        ("type=volume,src=v,dst=/data,ro,rw", "more than once"),
        ("type=volume,src,dst=/data", "must provide an argument"),
        ("type=volume,src=v", "must set volume destination"),
    ] {
        assert_invalid(parse_mount(value), "mount", reason);
    }
}
