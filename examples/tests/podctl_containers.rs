//! podctl's container commands end to end, through the binary, with the real conmon and runc.

mod common;

use common::{Cgroup, ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::Path;

/// A podctl store under `tmp` with the busybox image imported as `busybox`.
fn busybox_store(tmp: &TempRoot) -> std::path::PathBuf {
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    root
}

#[test]
fn podctl_container_commands() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-{}", std::process::id()));
    let root = busybox_store(&tmp);
    let ulimit = [
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
        "--cgroup-parent",
        &cg.0,
    ];

    // run: output and exit code come back; --rm leaves nothing.
    let mut args = vec!["run", "--rm"];
    args.extend(ulimit);
    args.extend([
        "-e",
        "GREETING=hello",
        "-u",
        "1000:1000",
        "-w",
        "/tmp",
        "busybox",
        "sh",
        "-c",
        "echo $GREETING $(id -u) $(pwd); exit 3",
    ]);
    let out = podctl(&root, &args);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "hello 1000 /tmp"
    );
    assert_eq!(ok(&root, &["ps", "-a", "-q"]).trim(), "");

    // create, start, ps, inspect, logs, pause, unpause, stop, restart, kill, wait, rm.
    let mut args = vec![
        "create",
        "--name",
        "web",
        "--stop-timeout",
        "1",
        "--label",
        "app=web",
        "--label",
        "tier=front",
    ];
    args.extend(ulimit);
    args.extend(["busybox", "sh", "-c", "echo started; exec sleep 1000"]);
    let id = ok(&root, &args).trim().to_string();
    assert_eq!(id.len(), 64);
    ok(&root, &["start", "web"]);
    let ps: serde_json::Value =
        serde_json::from_str(&ok(&root, &["ps", "--format", "json"])).unwrap();
    assert_eq!(ps[0]["State"], "running");
    assert_eq!(ps[0]["Names"][0], "web");
    let inspect: serde_json::Value = serde_json::from_str(&ok(&root, &["inspect", "web"])).unwrap();
    assert_eq!(inspect[0]["Id"], id.as_str());
    assert_eq!(inspect[0]["State"]["Status"], "running");
    assert_eq!(
        inspect[0]["Config"]["Labels"],
        serde_json::json!({"app": "web", "tier": "front"})
    );
    assert!(inspect[0]["State"]["Pid"].as_i64().unwrap() > 0);
    assert_eq!(inspect[0]["HostConfig"]["NetworkMode"], "none");
    assert!(Path::new(inspect[0]["OCIConfigPath"].as_str().unwrap()).is_file());
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(ok(&root, &["logs", "web"]).trim(), "started");
    ok(&root, &["pause", "web"]);
    assert!(ok(&root, &["ps", "-a"]).contains("Paused"));
    ok(&root, &["unpause", "web"]);
    let out = podctl(&root, &["rm", "web"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("running"));
    ok(&root, &["stop", "-t", "1", "web"]);
    assert_eq!(ok(&root, &["wait", "web"]).trim(), "137");
    ok(&root, &["restart", "web"]);
    ok(&root, &["kill", "-s", "KILL", "web"]);
    assert_eq!(ok(&root, &["wait", "web"]).trim(), "137");
    let mount = ok(&root, &["mount", "web"]);
    assert!(Path::new(mount.trim()).join("bin/busybox").is_file());
    let exported = tmp.path().join("web.tar");
    ok(&root, &["export", "-o", exported.to_str().unwrap(), "web"]);
    assert!(std::fs::metadata(&exported).unwrap().len() > 1_000_000);
    ok(&root, &["rm", "-f", "web"]);
    assert_eq!(ok(&root, &["ps", "-a", "-q"]).trim(), "");

    // inspect --size: SizeRw is what the container wrote, SizeRootFs its image and that.
    let mut args = vec!["run", "--name", "sizer"];
    args.extend(ulimit);
    args.extend([
        "busybox",
        "dd",
        "if=/dev/zero",
        "of=/big",
        "bs=1M",
        "count=2",
    ]);
    ok(&root, &args);
    common::assert_test_runtime(&root, "sizer");
    let sized: serde_json::Value =
        serde_json::from_str(&ok(&root, &["inspect", "--size", "sizer"])).unwrap();
    let (rw, root_fs) = (
        sized[0]["SizeRw"].as_u64().unwrap(),
        sized[0]["SizeRootFs"].as_u64().unwrap(),
    );
    assert!((2 << 20..3 << 20).contains(&rw), "SizeRw {rw}");
    assert!(root_fs > rw + 500_000, "SizeRootFs {root_fs}, SizeRw {rw}");
    let plain: serde_json::Value = serde_json::from_str(&ok(&root, &["inspect", "sizer"])).unwrap();
    assert!(plain[0].get("SizeRw").is_none(), "sizes only with --size");
    ok(&root, &["rm", "sizer"]);

    // Errors name what was wrong.
    let out = podctl(&root, &["start", "nosuch"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch"));
    let out = podctl(
        &root,
        &["create", "--restart", "sometimes", "busybox", "true"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("sometimes"));
}

#[test]
fn relative_roots_are_taken_from_the_working_directory() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-rel-{}", std::process::id()));
    busybox_rootfs(&tmp.path().join("rootfs")).unwrap();
    tar_directory(&tmp.path().join("rootfs"), &tmp.path().join("rootfs.tar")).unwrap();
    let relative = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_podctl"))
            .current_dir(tmp.path())
            .args(["--root", "store/root", "--runroot", "store/run"])
            .args(args)
            .output()
            .unwrap()
    };
    let imported = relative(&["import", "rootfs.tar", "busybox"]);
    assert!(imported.status.success(), "{imported:?}");
    let out = relative(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--ulimit",
        "nofile=1024:1024",
        "--ulimit",
        "nproc=1024:1024",
        "--cgroup-parent",
        &cg.0,
        "busybox",
        "echo",
        "relative",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "relative");
    // The same store, named absolutely.
    assert!(
        ok(&tmp.path().join("store"), &["images"]).contains("busybox"),
        "the relative store is not where the working directory says"
    );
}

#[test]
fn run_rm_never_loses_the_output_of_a_container_removed_by_its_exit_command() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-rm-{}", std::process::id()));
    let root = busybox_store(&tmp);
    // The exit command (another process) removes the container, log and all, as soon as it
    // exits; a follow that opened the log after that showed nothing (1 run in 15 here).
    let mut lost = 0;
    for _ in 0..30 {
        let out = podctl(
            &root,
            &[
                "run",
                "--rm",
                "--network",
                "none",
                "--cgroup-parent",
                &cg.0,
                "busybox",
                "echo",
                "hello",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if String::from_utf8_lossy(&out.stdout) != "hello\n" {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "runs whose output was lost");
    assert_eq!(ok(&root, &["ps", "-a", "-q"]).trim(), "");
}
