//! `cp` beside the real Podman 4.3, with real conmon and runc: files and directories out of
//! and into stopped and running containers give the same trees (contents, modes, owners,
//! symlinks) and the same errors; a named volume's path of a stopped container is the
//! volume's; and a symlink a container made cannot lead a copy out of it.

mod common;

use common::pair::{Pair, error_lines};
use libpod_testutil::{require_root, serial};
use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;

/// `find`-like listing of `dir`: path, kind, mode, owner, size, link target; sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let link = fs::read_link(&path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            let size = if meta.is_file() { meta.len() } else { 0 };
            out.push(format!(
                "{rel} {:o} {}:{} {size} {link}",
                meta.mode(),
                meta.uid(),
                meta.gid()
            ));
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A host tree: a file, an executable in a subdirectory, a symlink; owned by 1234:1234.
fn host_tree(dir: &Path) {
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("a.txt"), "alpha\n").unwrap();
    fs::write(dir.join("sub/run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    fs::set_permissions(
        dir.join("sub/run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o750),
    )
    .unwrap();
    symlink("a.txt", dir.join("link")).unwrap();
    for path in [
        dir.to_path_buf(),
        dir.join("a.txt"),
        dir.join("sub"),
        dir.join("sub/run.sh"),
    ] {
        std::os::unix::fs::chown(&path, Some(1234), Some(1234)).unwrap();
    }
    std::os::unix::fs::lchown(dir.join("link"), Some(1234), Some(1234)).unwrap();
}

/// The same container on both sides: `--user 100:101`, a named volume at /data.
fn both(pair: &Pair, name: &str, running: bool) {
    let flags = pair.run_flags();
    let mut args = vec![if running { "run" } else { "create" }];
    if running {
        args.push("-d");
    }
    args.extend(["--name", name, "--network", "none", "--user", "100:101"]);
    args.extend([
        "-v",
        &*Box::leak(format!("{name}-vol:/data").into_boxed_str()),
    ]);
    args.extend(flags.iter().map(String::as_str));
    args.extend(["localhost/busybox", "sleep", "100"]);
    pair.ok(&args);
    pair.podman_ok(&args);
}

#[test]
fn copies_match_podmans_in_and_out_of_stopped_and_running_containers() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("cp");
    let dir = pair.dir().to_path_buf();
    let src = dir.join("src");
    host_tree(&src);
    // The copies' times in `ls -l`, to the minute: the two engines' may fall either side of
    // one.
    let times = regex::Regex::new(r"[A-Z][a-z]{2} +\d+ \d\d:\d\d").unwrap();
    for (name, running) in [("stopped", false), ("running", true)] {
        both(&pair, name, running);
        // Into the container: a directory (chowned to 100:101), a file, a path in the volume.
        for (from, to) in [
            (src.display().to_string(), format!("{name}:/")),
            (
                src.join("a.txt").display().to_string(),
                format!("{name}:/renamed.txt"),
            ),
            (src.join(".").display().to_string(), format!("{name}:/data")),
        ] {
            pair.ok(&["cp", &from, &to]);
            pair.podman_ok(&["cp", &from, &to]);
        }
        // ...with the owners kept when asked.
        let to = format!("{name}:/kept");
        pair.ok(&["cp", "--archive=false", src.to_str().unwrap(), &to]);
        pair.podman_ok(&["cp", "--archive=false", src.to_str().unwrap(), &to]);
        // Back out, each engine into its own directory.
        for (engine, out) in [
            ("podctl", dir.join(format!("{name}-ours"))),
            ("podman", dir.join(format!("{name}-theirs"))),
        ] {
            fs::create_dir(&out).unwrap();
            // Not "/data" itself: Podman 4.3 copies a mount point's content without its name.
            for path in [
                "/src",
                "/renamed.txt",
                "/data/sub",
                "/data/link",
                "/kept",
                "/bin/busybox",
            ] {
                let from = format!("{name}:{path}");
                let args = ["cp", &from, out.to_str().unwrap()];
                if engine == "podctl" {
                    pair.ok(&args);
                } else {
                    pair.podman_ok(&args);
                }
            }
        }
        let ours = listing(&dir.join(format!("{name}-ours")));
        let theirs = listing(&dir.join(format!("{name}-theirs")));
        assert_eq!(ours, theirs, "{name}");
        assert!(
            ours.iter()
                .any(|l| l.starts_with("src/sub/run.sh 100750 0:0 18 ")),
            "{ours:#?}"
        );
        assert_eq!(
            fs::read_to_string(dir.join(format!("{name}-ours/sub/run.sh"))).unwrap(),
            "#!/bin/sh\necho hi\n"
        );
        // Inside, as the container sees it: the owners Podman gives.
        if running {
            let ls = ["exec", name, "ls", "-lnR", "/src", "/kept", "/data"];
            let untimed = |text: String| times.replace_all(&text, "<time>").into_owned();
            assert_eq!(untimed(pair.ok(&ls)), untimed(pair.podman_ok(&ls)));
            assert!(
                pair.ok(&ls).contains(" 100 "),
                "chowned to the container's user"
            );
        }
    }
    // The errors Podman gives, in its words.
    for args in [
        &["cp", "stopped:/nope", "/tmp"][..],
        &["cp", "/nope-on-host", "stopped:/"],
        &[
            "cp",
            dir.join("src/a.txt").to_str().unwrap(),
            "stopped:/nodir/x",
        ],
        &["cp", "nosuch:/a", "/tmp"],
        &["cp", "a", "b"],
    ] {
        let ours = pair.podctl(args);
        let theirs = pair.podman(args);
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(
            error_lines(&ours.stderr),
            error_lines(&theirs.stderr),
            "{args:?}"
        );
    }
    pair.ok(&["rm", "-f", "-t", "0", "-a"]);
}

#[test]
fn a_containers_symlinks_cannot_lead_a_copy_out_of_it() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("cpesc");
    let dir = pair.dir().to_path_buf();
    // A host directory the container's links aim at, by absolute path and by `..`.
    let host = dir.join("host-secret");
    fs::create_dir(&host).unwrap();
    fs::write(host.join("secret"), "host only\n").unwrap();
    let flags = pair.run_flags();
    let mut run = vec!["run", "-d", "--name", "evil", "--network", "none"];
    run.extend(flags.iter().map(String::as_str));
    run.extend(["localhost/busybox", "sleep", "100"]);
    pair.ok(&run);
    let absolute = host.display().to_string();
    let dotted = format!("../../../../../../../..{absolute}");
    pair.ok(&["exec", "evil", "ln", "-s", &absolute, "/abs"]);
    pair.ok(&["exec", "evil", "ln", "-s", &dotted, "/dots"]);
    let file = dir.join("payload");
    fs::write(&file, "from the host\n").unwrap();
    for link in ["/abs", "/dots"] {
        // Out: the link resolves inside the container, where nothing is there.
        let out = dir.join(format!("out{}", link.replace('/', "-")));
        let result = pair.podctl(&["cp", &format!("evil:{link}/secret"), out.to_str().unwrap()]);
        assert_eq!(result.status.code(), Some(125), "{link}");
        assert!(!out.exists(), "{link}: a host file was copied out");
        // In: written inside the container (its own directory made by the copy), never on the host.
        let result = pair.podctl(&[
            "cp",
            file.to_str().unwrap(),
            &format!("evil:{link}/planted"),
        ]);
        assert_eq!(result.status.code(), Some(125), "{link}: {result:?}");
        assert!(
            !host.join("planted").exists(),
            "{link}: written on the host"
        );
    }
    // With the directory made inside, the same path lands in the container.
    pair.ok(&["exec", "evil", "mkdir", "-p", &absolute]);
    pair.ok(&["cp", file.to_str().unwrap(), "evil:/abs/planted"]);
    assert!(!host.join("planted").exists(), "written on the host");
    assert_eq!(
        pair.ok(&["exec", "evil", "cat", &format!("{absolute}/planted")]),
        "from the host\n"
    );
    assert_eq!(fs::read_dir(&host).unwrap().count(), 1);
    pair.ok(&["rm", "-f", "-t", "0", "evil"]);
}
