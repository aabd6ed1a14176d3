//! `podctl auto-update` with the real conmon and runc: the local policy after a re-tag, a dry
//! run's table (Podman's columns, "pending"), the update's JSON ("true"), the container
//! recreated under its name on the new image; nothing to do prints nothing.

mod common;

use common::{Cgroup, ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::Path;

fn import_version(tmp: &Path, root: &Path, version: &str) {
    let rootfs = tmp.join(format!("rootfs-{version}"));
    busybox_rootfs(&rootfs).unwrap();
    std::fs::create_dir_all(rootfs.join("etc/app")).unwrap();
    std::fs::write(rootfs.join("etc/app/version"), format!("{version}\n")).unwrap();
    let tar = tmp.join(format!("rootfs-{version}.tar"));
    tar_directory(&rootfs, &tar).unwrap();
    ok(
        root,
        &[
            "import",
            tar.to_str().unwrap(),
            &format!("localhost/app:{version}"),
        ],
    );
}

#[test]
fn auto_update_follows_a_local_retag_with_podmans_output() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!(
        "/libpod-rs-podctl-autoupdate-{}",
        std::process::id()
    ));
    let root = tmp.path().join("store");
    import_version(tmp.path(), &root, "1");
    import_version(tmp.path(), &root, "2");
    // Nothing to update: no output, success.
    assert_eq!(ok(&root, &["auto-update"]), "");

    ok(&root, &["tag", "localhost/app:1", "localhost/app:prod"]);
    let id = ok(
        &root,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "--label",
            "io.containers.autoupdate=local",
            "--cgroup-parent",
            &cg.0,
            "--stop-timeout",
            "1",
            "localhost/app:prod",
            "sh",
            "-c",
            "cat /etc/app/version; exec sleep 1000",
        ],
    );
    let id = id.trim();
    ok(&root, &["tag", "localhost/app:2", "localhost/app:prod"]);

    let table = ok(&root, &["auto-update", "--dry-run"]);
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["UNIT", "CONTAINER", "IMAGE", "POLICY", "UPDATED"],
        "{table}"
    );
    assert_eq!(
        lines[1],
        [&id[..12], "(web)", "localhost/app:prod", "local", "pending"],
        "{table}"
    );

    let json = ok(&root, &["auto-update", "--no-systemd", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows[0]["ContainerID"], id, "{json}");
    assert_eq!(rows[0]["ContainerName"], "web");
    assert_eq!(rows[0]["Updated"], "true");
    assert_eq!(rows[0]["Unit"], "");

    let inspected: serde_json::Value =
        serde_json::from_str(&ok(&root, &["inspect", "web"])).unwrap();
    assert_ne!(inspected[0]["Id"], id);
    assert_eq!(inspected[0]["State"]["Status"], "running");
    let logs = ok(&root, &["logs", "web"]);
    assert_eq!(logs.trim(), "2");

    // Up to date now; a template sees Podman's fields.
    let line = ok(
        &root,
        &[
            "auto-update",
            "--no-systemd",
            "--format",
            "{{.ContainerName}} {{.Updated}}",
        ],
    );
    assert_eq!(line.trim(), "web false");
    let out = podctl(&root, &["rm", "-f", "web"]);
    assert!(out.status.success());
}
