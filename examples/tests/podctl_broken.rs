//! One bad row does not lock everyone out: a container whose state or config in the database
//! does not decode is listed by `ps -a` as Podman lists an unknown state, does not stop the
//! open (a reboot's refresh included), and `rm -f` removes it with everything it owns. Through
//! the binary, with the real conmon and runc.

mod common;

use common::{ok, podctl};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::path::Path;

/// Removes this test's cgroup parent from every hierarchy when dropped.
struct Cgroup(String);

impl Drop for Cgroup {
    fn drop(&mut self) {
        for e in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = std::fs::remove_dir(e.path().join(self.0.trim_start_matches('/')));
        }
    }
}

/// Replaces container `name`'s `column` (`state` or `config`) with text that is not JSON.
fn damage(root: &Path, name: &str, column: &str) {
    let db = rusqlite::Connection::open(root.join("root/db.sql")).unwrap();
    let sql = format!("UPDATE containers SET {column} = '{{broken' WHERE name = ?1");
    assert_eq!(db.execute(&sql, [name]).unwrap(), 1);
}

/// `ps -a`'s table rows: (name, status).
fn ps_rows(root: &Path) -> Vec<(String, String)> {
    ok(root, &["ps", "-a"])
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.last().unwrap().to_string();
            // The status is the column before the name; an image-less row has no image.
            (name, fields[fields.len() - 2].to_string())
        })
        .collect()
}

fn process_alive(pid: i64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, s)| !s.starts_with('Z'))
    })
}

#[test]
fn a_container_whose_records_do_not_decode_is_listed_and_removed() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = Cgroup(format!("/libpod-rs-podctl-broken-{}", std::process::id()));
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let root = tmp.path().join("store");
    ok(&root, &["import", tar.to_str().unwrap(), "busybox"]);
    let create = |name: &str| {
        let args = [
            "create",
            "--name",
            name,
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1024:1024",
            "--cgroup-parent",
            &cg.0,
            "busybox",
            "sh",
            "-c",
            "exec sleep 1000",
        ];
        ok(&root, &args).trim().to_string()
    };
    create("good");

    // A running container whose state no longer decodes.
    let bad = create("bad-state");
    ok(&root, &["start", "bad-state"]);
    let inspect: serde_json::Value =
        serde_json::from_str(&ok(&root, &["inspect", "bad-state"])).unwrap();
    let pid = inspect[0]["State"]["Pid"].as_i64().unwrap();
    assert!(process_alive(pid));
    damage(&root, "bad-state", "state");
    let mut rows = ps_rows(&root);
    rows.sort();
    assert_eq!(
        rows,
        [
            ("bad-state".to_string(), "Unknown".to_string()),
            ("good".to_string(), "Created".to_string())
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&root, &["ps", "-a", "--format", "json"])).unwrap();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Id"] == bad.as_str())
        .unwrap();
    assert_eq!(row["State"], "unknown");
    assert!(
        row["Error"].as_str().unwrap().contains("malformed state"),
        "{row}"
    );
    // Without force it stays; with force it goes, with its process, runc state and storage.
    assert!(!podctl(&root, &["rm", "bad-state"]).status.success());
    ok(&root, &["rm", "-f", "bad-state"]);
    for _ in 0..40 {
        if !process_alive(pid) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!process_alive(pid), "its process is left");
    for left in [
        root.join("run/runtime/runc").join(&bad),
        root.join("run/containers").join(&bad),
        root.join("root/storage/containers").join(&bad),
    ] {
        assert!(!left.exists(), "{} is left", left.display());
    }
    assert_eq!(
        ps_rows(&root),
        [("good".to_string(), "Created".to_string())]
    );

    // A config that does not decode, and a reboot: the open and the refresh go on.
    let bad = create("bad-config");
    damage(&root, "bad-config", "config");
    damage(&root, "bad-config", "state");
    let other_boot = "00000000-0000-0000-0000-000000000000\n";
    std::fs::write(root.join("run/alive"), other_boot).unwrap();
    std::fs::write(root.join("run/storage/boot-id"), other_boot).unwrap();
    let mut rows = ps_rows(&root);
    rows.sort();
    assert_eq!(
        rows,
        [
            ("bad-config".to_string(), "Unknown".to_string()),
            ("good".to_string(), "Created".to_string())
        ]
    );
    ok(&root, &["rm", "-f", "bad-config"]);
    assert!(!root.join("root/storage/containers").join(&bad).exists());
    assert_eq!(ok(&root, &["ps", "-a", "-q"]).lines().count(), 1);
    ok(&root, &["rm", "good"]);
}
