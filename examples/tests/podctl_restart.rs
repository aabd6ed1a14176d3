//! Restart policies through podctl with the real conmon and runc: podctl is every container's
//! exit command (`podctl ... container cleanup ID`), so a SIGKILLed `--restart always`
//! container comes back with no podctl running; `container cleanup` by hand; a stop by the
//! user stays; `restart -t`; `system boot` after a simulated reboot.

mod common;

use common::{Cgroup, ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn inspect(root: &Path, name: &str) -> Value {
    let out = ok(root, &["inspect", name]);
    serde_json::from_str::<Value>(&out).unwrap()[0].clone()
}

/// Inspects `name` every 100 ms until `done` holds (at most 10 s); the last inspection.
fn inspect_until(root: &Path, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let inspected = inspect(root, name);
        if done(&inspected) || Instant::now() > deadline {
            return inspected;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn pid(inspected: &Value) -> i64 {
    inspected["State"]["Pid"].as_i64().unwrap()
}

/// SIGKILL, as `kill -9` sends it.
fn kill9(pid: i64) {
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -9 {pid}");
}

#[test]
fn restart_policies_act_with_no_podctl_running() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-restart-{}", std::process::id()));
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    let run = |name: &str, policy: &str| {
        ok(
            &root,
            &[
                "run",
                "-d",
                "--name",
                name,
                "--restart",
                policy,
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--cgroup-parent",
                &cg.0,
                "busybox",
                "sleep",
                "1000",
            ],
        )
    };

    // SIGKILL with no podctl running: conmon's exit command (podctl) restarts it.
    run("always", "always");
    common::assert_test_runtime(&root, "always");
    let first = inspect(&root, "always");
    kill9(pid(&first));
    let restarted = inspect_until(&root, "always", |i| {
        i["RestartCount"] == 1 && i["State"]["Running"] == true
    });
    assert_eq!(restarted["RestartCount"], 1, "{restarted:#}");
    assert_eq!(restarted["State"]["Status"], "running");
    assert_eq!(restarted["State"]["Restarting"], false);
    assert_ne!(pid(&restarted), pid(&first));

    // cleanup by hand: refused while it runs, as Podman.
    let out = podctl(&root, &["container", "cleanup", "always"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is running or paused, refusing to clean up"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A stop by the user stays: neither its exit command nor a cleanup by hand undoes it.
    ok(&root, &["stop", "-t", "0", "always"]);
    std::thread::sleep(Duration::from_millis(500));
    let id = ok(&root, &["container", "cleanup", "always"]);
    assert_eq!(id.trim(), restarted["Id"].as_str().unwrap());
    let stopped = inspect(&root, "always");
    assert_eq!(stopped["State"]["Status"], "exited");
    assert_eq!(stopped["State"]["StoppedByUser"], true);
    assert_eq!(stopped["RestartCount"], 1);

    // restart -t: running again, started by the user (count and stop mark reset).
    assert_eq!(
        ok(&root, &["restart", "-t", "0", "always"]).trim(),
        "always"
    );
    let again = inspect(&root, "always");
    assert_eq!(again["State"]["Running"], true);
    assert_eq!(again["State"]["StoppedByUser"], false);
    assert_eq!(again["RestartCount"], 0);

    // system boot after a reboot: the always container starts, the one with no policy not.
    run("plain", "no");
    for name in ["always", "plain"] {
        let state = &inspect(&root, name)["State"];
        for field in ["ConmonPid", "Pid"] {
            kill9(state[field].as_i64().unwrap());
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    libpod_testutil::unmount_beneath(&tmp.path().canonicalize().unwrap()).unwrap();
    std::fs::remove_dir_all(root.join("run")).unwrap();
    let started = ok(&root, &["system", "boot"]);
    assert_eq!(started.trim(), again["Id"].as_str().unwrap());
    assert_eq!(inspect(&root, "always")["State"]["Status"], "running");
    assert_eq!(inspect(&root, "plain")["State"]["Status"], "exited");
    assert_eq!(ok(&root, &["system", "boot"]).trim(), "", "once per boot");

    ok(&root, &["rm", "-f", "-t", "0", "always", "plain"]);
}
