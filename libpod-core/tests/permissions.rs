//! Nobody else gets in: with the real conmon and runc, another user (uid 65534) can neither
//! hold our locks nor read the state database or a bundle, while a container's own non-root
//! user still reads its generated files and uses its /dev/shm.

mod common;

use common::{CgroupParent, runtime, shell};
use libpod_core::container::{RemoveOptions, with_network_mode, with_user};
use libpod_core::logs::LogOptions;
use libpod_spec::NetworkMode;
use libpod_testutil::{TempRoot, require_root, serial};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs `args` as uid/gid 65534 with no supplementary groups.
fn as_nobody(args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(args)
        .output()
        .unwrap()
}

fn refused(what: &str, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("Permission denied"),
        "uid 65534 could {what}: {:?} {stderr}",
        output.status
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// The container's output so far, once it printed `marker` (or after 20 s).
fn output_until(ctr: &libpod_core::container::Container, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut text = String::new();
        ctr.logs(&LogOptions::default(), &mut |line| {
            text.push_str(&line.message);
            text.push('\n');
            true
        })
        .unwrap();
        if text.contains(marker) || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn other_users_cannot_reach_our_files_and_the_containers_user_can() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    // Traversable, as /var/lib and /run are: only our own modes may keep others out.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; \
         echo shm-works > /dev/shm/probe && cat /dev/shm/probe; echo done; exec sleep 1000",
        vec![with_user("1000:1000"), with_network_mode(NetworkMode::Host)],
    );
    ctr.start().unwrap();
    let out = output_until(&ctr, "done");
    let state = ctr.state().unwrap();
    let run_dir = state.run_dir.clone().unwrap();
    let hosts = std::fs::read_to_string(run_dir.join("hosts")).unwrap();
    let resolv = std::fs::read_to_string(run_dir.join("resolv.conf")).unwrap();
    assert_eq!(
        out,
        format!("{hosts}---\n{resolv}---\nshm-works\ndone\n"),
        "user 1000 in the container did not read its files"
    );

    let (root, run) = (tmp.path().join("root"), tmp.path().join("run"));
    let lock = run.join("locks").join(ctr.id());
    for lock in [&lock, &run.join("alive.lock")] {
        let path = lock.to_str().unwrap();
        refused(
            &format!("hold {path}"),
            &as_nobody(&["flock", "-n", "-s", path, "true"]),
        );
    }
    for file in [root.join("db.sql"), run_dir.join("config.json")] {
        let path = file.to_str().unwrap();
        refused(&format!("read {path}"), &as_nobody(&["cat", path]));
    }
    let static_dir = root.join("containers").join(ctr.id());
    let private_dirs = [
        root.clone(),
        run.clone(),
        root.join("containers"),
        static_dir.clone(),
        run.join("containers"),
        run_dir.clone(),
        run.join("locks"),
        run.join("exits"),
        run.join("persist"),
        run.join("runtime"),
    ];
    for dir in &private_dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    let private_files = [
        root.join("db.sql"),
        root.join("db.sql-wal"),
        root.join("db.sql-shm"),
        lock.clone(),
        run.join("alive.lock"),
        run.join("alive"),
        run_dir.join("config.json"),
        run_dir.join("pidfile"),
        run_dir.join("conmon.pid"),
        static_dir.join("ctr.log"),
    ];
    for file in &private_files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    for name in ["hosts", "hostname", "resolv.conf", ".containerenv"] {
        assert_eq!(mode(&run_dir.join(name)), 0o644, "{name}");
    }

    rt.remove_container(&ctr, RemoveOptions::default().force(true).timeout(0))
        .unwrap();
}
