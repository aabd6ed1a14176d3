//! Volumes end to end through podctl, with the real conmon and runc: named volumes shared
//! between containers, image volumes, in-use protection, tmpfs volumes mounted while used,
//! prune, `rm -v`; and `volume ls`/`inspect --format` beside the real Podman 4.3.

mod common;

use common::pair::{Pair, error_lines};
use common::{Cgroup, ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::{Path, PathBuf};

struct Setup {
    _cg: Cgroup,
    root: PathBuf,
    flags: Vec<String>,
    _tmp: TempRoot,
}

/// A store with `localhost/busybox` and `localhost/seeded` (busybox with `VOLUME /srv`,
/// holding `/srv/seed/hello`).
fn setup() -> Setup {
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-volumes-{}", std::process::id()));
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let root = tmp.path().join("store");
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    ok(
        &root,
        &["import", tar.to_str().unwrap(), "localhost/busybox"],
    );
    std::fs::create_dir_all(rootfs.join("srv/seed")).unwrap();
    std::fs::write(rootfs.join("srv/seed/hello"), "from the image\n").unwrap();
    let seeded = tmp.path().join("seeded.tar");
    tar_directory(&rootfs, &seeded).unwrap();
    ok(
        &root,
        &[
            "import",
            "--change",
            "VOLUME /srv",
            seeded.to_str().unwrap(),
            "localhost/seeded",
        ],
    );
    let flags = [
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
        "--cgroup-parent",
        &cg.0,
    ]
    .map(String::from)
    .to_vec();
    Setup {
        _cg: cg,
        root,
        flags,
        _tmp: tmp,
    }
}

impl Setup {
    fn run(&self, extra: &[&str]) -> String {
        let mut args: Vec<&str> = vec!["run"];
        args.extend(self.flags.iter().map(String::as_str));
        args.extend(extra);
        ok(&self.root, &args)
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(&self.root, args)
    }

    fn code(&self, args: &[&str]) -> i32 {
        podctl(&self.root, args).status.code().unwrap()
    }

    fn mountpoint(&self, volume: &str) -> PathBuf {
        self.ok(&["volume", "inspect", "--format", "{{.Mountpoint}}", volume])
            .trim()
            .into()
    }

    fn volume_names(&self) -> Vec<String> {
        self.ok(&["volume", "ls", "-q"])
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn is_mounted(path: &Path) -> bool {
    let wanted = path.to_string_lossy();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .any(|l| l.split(' ').nth(4) == Some(&*wanted))
}

#[test]
fn named_volumes_are_shared_and_outlive_their_users() {
    require_root();
    let _serial = serial();
    let s = setup();
    // Made on first use, as Podman does.
    s.run(&[
        "--name",
        "writer",
        "-v",
        "shared:/data",
        "localhost/busybox",
        "sh",
        "-c",
        "echo kept > /data/file",
    ]);
    assert_eq!(s.volume_names(), ["shared"]);
    let read = s.run(&[
        "--rm",
        "--mount",
        "type=volume,src=shared,dst=/in",
        "localhost/busybox",
        "cat",
        "/in/file",
    ]);
    assert_eq!(read, "kept\n");
    // In use by `writer`: refused (exit 2), then forced, which removes the user too.
    assert_eq!(s.code(&["volume", "rm", "shared"]), 2);
    s.ok(&["rm", "writer"]);
    assert_eq!(
        std::fs::read_to_string(s.mountpoint("shared").join("file")).unwrap(),
        "kept\n",
        "the data survives both containers"
    );
    s.run(&[
        "--name",
        "user",
        "-v",
        "shared:/data",
        "localhost/busybox",
        "true",
    ]);
    assert_eq!(s.ok(&["volume", "rm", "--force", "shared"]), "shared\n");
    assert_eq!(s.code(&["inspect", "user"]), 125, "force removed the user");
    assert_eq!(s.code(&["volume", "exists", "shared"]), 1);
    assert_eq!(s.code(&["volume", "rm", "shared"]), 1, "gone: exit 1");
}

#[test]
fn image_volumes_start_with_the_images_files_and_go_with_rm_v() {
    require_root();
    let _serial = serial();
    let s = setup();
    let out = s.run(&[
        "--name",
        "seeded",
        "-v",
        "named:/named",
        "-v",
        "/anon",
        "localhost/seeded",
        "sh",
        "-c",
        "cat /srv/seed/hello && echo added > /srv/added && touch /anon/x /named/y",
    ]);
    assert_eq!(out, "from the image\n");
    let names = s.volume_names();
    assert_eq!(names.len(), 3, "{names:?}");
    let anonymous: Vec<&String> = names.iter().filter(|n| *n != "named").collect();
    let image_volume = anonymous
        .iter()
        .find(|n| s.mountpoint(n).join("seed/hello").exists())
        .expect("an anonymous volume holds the image's /srv");
    assert!(s.mountpoint(image_volume).join("added").exists());
    let inspect = s.ok(&["volume", "inspect", image_volume]);
    let json: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(json[0]["Anonymous"], true);
    assert!(
        json[0].get("NeedsCopyUp").is_none(),
        "copied up once: {json}"
    );
    // rm -v removes the container's anonymous volumes, never the named one.
    s.ok(&["rm", "-v", "seeded"]);
    assert_eq!(s.volume_names(), ["named"]);
    // So does --rm (Podman's cleanup): `-v /anon`, `--mount type=volume` without a source
    // and the image's VOLUME, in the foreground and detached.
    for detach in [false, true] {
        let mut args = vec![
            "--rm",
            "-v",
            "named:/named",
            "-v",
            "/anon",
            "--mount",
            "type=volume,dst=/anon2",
            "localhost/seeded",
            "true",
        ];
        if detach {
            args.insert(0, "-d");
        }
        s.run(&args);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while s.volume_names() != ["named"] && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(s.volume_names(), ["named"], "detached: {detach}");
    }
}

#[test]
fn a_tmpfs_volume_is_mounted_while_used_and_prune_takes_only_unused_ones() {
    require_root();
    let _serial = serial();
    let s = setup();
    s.ok(&[
        "volume",
        "create",
        "-o",
        "type=tmpfs",
        "-o",
        "device=tmpfs",
        "-o",
        "o=size=2m",
        "--label",
        "kind=scratch",
        "scratch",
    ]);
    s.ok(&["volume", "create", "--label", "kind=keep", "unused"]);
    let data = s.mountpoint("scratch");
    assert!(!is_mounted(&data));
    let mut args: Vec<&str> = vec!["run", "-d", "--name", "holder"];
    args.extend(s.flags.iter().map(String::as_str));
    args.extend([
        "-v",
        "scratch:/s",
        "localhost/busybox",
        "sh",
        "-c",
        "df /s && sleep 60",
    ]);
    s.ok(&args);
    assert!(is_mounted(&data), "mounted while its user runs");
    let count = s.ok(&[
        "volume",
        "inspect",
        "--format",
        "{{.MountCount}}",
        "scratch",
    ]);
    assert_eq!(count.trim(), "1");
    // prune: only the unused one (with a filter, then without).
    assert_eq!(
        s.ok(&["volume", "prune", "-f", "--filter", "label=kind=scratch"]),
        ""
    );
    assert_eq!(s.ok(&["volume", "prune", "-f"]), "unused\n");
    s.ok(&["stop", "-t", "0", "holder"]);
    assert!(!is_mounted(&data), "unmounted at its last user's cleanup");
    s.ok(&["rm", "holder"]);
    assert_eq!(s.ok(&["volume", "prune", "-f"]), "scratch\n");
    assert!(s.volume_names().is_empty());
}

#[test]
fn export_and_import_round_trip() {
    require_root();
    let _serial = serial();
    let s = setup();
    s.ok(&["volume", "create", "from"]);
    std::fs::write(s.mountpoint("from").join("f"), "data").unwrap();
    let tar = s.root.parent().unwrap().join("vol.tar");
    s.ok(&["volume", "export", "-o", tar.to_str().unwrap(), "from"]);
    s.ok(&["volume", "create", "to"]);
    s.ok(&["volume", "import", "to", tar.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(s.mountpoint("to").join("f")).unwrap(),
        "data"
    );
}

#[test]
fn volume_ls_and_inspect_format_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("volumes");
    for args in [
        &["volume", "create", "--label", "a=b", "v1"][..],
        &["volume", "create", "-o", "o=uid=1000,gid=1000", "v2"],
        &[
            "volume",
            "create",
            "-o",
            "type=tmpfs",
            "-o",
            "device=tmpfs",
            "-o",
            "o=nodev",
            "v3",
        ],
    ] {
        assert_eq!(pair.ok(args), pair.podman_ok(args));
    }
    for args in [
        &["volume", "ls"][..],
        &["volume", "ls", "--noheading"],
        &["volume", "ls", "-q"],
        &["volume", "ls", "--filter", "label=a"],
        &[
            "volume",
            "ls",
            "--format",
            "{{.Name}} {{.Driver}} {{.Scope}} {{index .Labels \"a\"}}",
        ],
        &[
            "volume",
            "inspect",
            "--format",
            "{{.Name}} {{.UID}} {{.GID}} {{.MountCount}} {{.NeedsChown}}",
            "v1",
            "v2",
            "v3",
        ],
    ] {
        assert_eq!(pair.ok(args), pair.podman_ok(args), "{args:?}");
    }
    // inspect's JSON: the same fields, paths and times apart.
    let ours: serde_json::Value =
        serde_json::from_str(&pair.ok(&["volume", "inspect", "v1", "v2", "v3"])).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&pair.podman_ok(&["volume", "inspect", "v1", "v2", "v3"])).unwrap();
    for (a, b) in ours
        .as_array()
        .unwrap()
        .iter()
        .zip(theirs.as_array().unwrap())
    {
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(keys(a), keys(b));
        for key in ["Name", "Driver", "Labels", "Scope", "Options", "MountCount"] {
            assert_eq!(a[key], b[key], "{key}");
        }
    }
    // Exit codes: a missing volume.
    for args in [
        &["volume", "rm", "nope"][..],
        &["volume", "exists", "nope"],
        &["volume", "inspect", "nope"],
        &["volume", "create", "v1"],
    ] {
        assert_eq!(
            pair.podctl(args).status.code(),
            pair.podman(args).status.code(),
            "{args:?}"
        );
    }
}

#[test]
fn volume_errors_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("volerrs");
    let dir = pair.dir().to_path_buf();
    std::fs::write(dir.join("f.txt"), "x").unwrap();
    let tar = dir.join("t.tar");
    tar_directory(&dir.join("rootfs/etc"), &tar).unwrap();
    let tar = tar.display().to_string();
    let missing = dir.join("nonexistent").display().to_string();
    let no_dir = dir.join("nodir/x").display().to_string();
    let create = ["volume", "create", "v1"];
    assert_eq!(pair.ok(&create), pair.podman_ok(&create));
    let cases: &[&[&str]] = &[
        &["volume", "inspect", "nosuch"],
        &["volume", "rm", "nosuch"],
        &["volume", "exists", "nosuch"],
        &["volume", "export", "nosuch", "-o", &no_dir],
        &["volume", "import", "nosuch", &tar],
        &["volume", "create", "v1"],
        &["volume", "import", "v1", &missing],
        &["volume", "export", "v1", "-o", &no_dir],
        &["volume", "ls", "--filter", "bogus=1"],
        &["volume", "prune", "-f", "--filter", "bogus=1"],
    ];
    let mut failures = Vec::new();
    for args in cases {
        let (ours, theirs) = (pair.podctl(args), pair.podman(args));
        let (oe, te) = (error_lines(&ours.stderr), error_lines(&theirs.stderr));
        if ours.status.success() || ours.status.code() != theirs.status.code() || oe != te {
            failures.push(format!(
                "{args:?}: podctl {:?} {oe:?} vs podman {:?} {te:?}",
                ours.status.code(),
                theirs.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The volume round trip still works after all that.
    let out = dir.join("v1.tar").display().to_string();
    pair.ok(&["volume", "import", "v1", &tar]);
    pair.ok(&["volume", "export", "v1", "-o", &out]);
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    let _ = pair.podman(&["volume", "rm", "-af"]);
}

#[test]
fn mount_flag_errors_as_podman() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("mounterrs");
    let dir = pair.dir().display().to_string();
    let missing = format!("{dir}/nonexistent");
    let flags: &[&[&str]] = &[
        &["--mount", "type=bogus,dst=/x"],
        &["--mount", &format!("type=bind,src={missing},dst=/x")],
        &["-v", &format!("{missing}:/x")],
        &["--mount", "type=volume,src=v,dst=/x,bogus=1"],
        &["--mount", "type=tmpfs"],
        &["--mount", "dst=/x"],
        &["--mount", "type=volume,src=v"],
        &[
            "--mount",
            &format!("type=bind,src={dir},dst=/x,bind-propagation=bogus"),
        ],
        &[
            "--mount",
            &format!("type=bind,src={dir},dst=/x,relabel=bogus"),
        ],
        &["-v", "a:b:c:d"],
        &["-v", "v:/x:bogus"],
        &["-v", "/x:relative"],
        &["--tmpfs", "relative"],
        &["-v", ":/x"],
        &["-v", "v:/x", "--mount", "type=volume,src=w,dst=/x"],
        &["-v", "v:/x", "-v", "w:/x/"],
        &["-v", "/tmp:/x", "-v", "v:/x"],
        &["-v", "/x", "-v", "v:/x"],
        &["--tmpfs", "/x", "-v", "v:/x"],
        &["-v", "v:/x", "--tmpfs", "/x"],
        &[
            "--mount",
            "type=bind,src=/tmp,dst=/x",
            "--mount",
            "type=tmpfs,dst=/x",
        ],
        &[
            "--mount",
            "type=volume,dst=/x",
            "--mount",
            "type=volume,src=w,dst=/x",
        ],
    ];
    // (Podman 4.3 takes some duplicates, the last one winning: `-v /a:/x -v /b:/x`, `-v /x
    // -v /x`, `--tmpfs /x --tmpfs /x`, `-v /a:/x --mount type=bind,src=/a,dst=/x`; podctl
    // refuses every one with `/x: duplicate mount destination`.)
    let mut failures = Vec::new();
    for extra in flags {
        let mut args = vec!["create", "--network", "none"];
        args.extend(*extra);
        args.extend(["localhost/busybox", "true"]);
        let (ours, theirs) = (pair.podctl(&args), pair.podman(&args));
        let (oe, te) = (error_lines(&ours.stderr), error_lines(&theirs.stderr));
        if ours.status.success() || ours.status.code() != theirs.status.code() || oe != te {
            failures.push(format!(
                "{extra:?}: podctl {:?} {oe:?} vs podman {:?} {te:?}",
                ours.status.code(),
                theirs.status.code()
            ));
        }
    }
    let _ = pair.podman(&["rm", "-a", "-f"]);
    let _ = pair.podctl(&["rm", "-a", "-f"]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
