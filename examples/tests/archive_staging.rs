//! `podctl pull oci-archive:` unpacks the archive in a staging directory that another process's
//! open (repairing the store after a dead operation) does not take for a leftover.

mod common;

use common::ok;
use libpod_storage::{Store, StoreOptions};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether an unpack directory (`oci-archive-*`, at most two levels below `dir`) holds `name`.
fn unpacked(dir: &Path, name: &str) -> bool {
    let entries = |d: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(d)
            .map(|e| e.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let holds = |p: &Path| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("oci-archive-")
            && p.join(name).exists()
    };
    entries(dir)
        .iter()
        .any(|e| holds(e) || (e.is_dir() && entries(e).iter().any(|inner| holds(inner))))
}

/// The pulling podctl, killed if the test fails before it ends (it may wait on the FIFO).
struct Puller(Option<std::process::Child>);

impl Drop for Puller {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn an_archive_being_pulled_survives_another_processs_repair() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar).unwrap();
    let first = tmp.path().join("first");
    ok(&first, &["import", tar.to_str().unwrap(), "busybox"]);
    let archive = tmp.path().join("saved.tar");
    ok(
        &first,
        &[
            "save",
            "--format",
            "oci-archive",
            "-o",
            archive.to_str().unwrap(),
            "busybox",
        ],
    );

    let second = tmp.path().join("second");
    ok(&second, &["images"]);
    // podctl reads the archive from a FIFO: it waits there, its unpack directory made.
    let fifo = tmp.path().join("archive.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut child = Puller(Some(
        Command::new(env!("CARGO_BIN_EXE_podctl"))
            .arg("--root")
            .arg(second.join("root"))
            .arg("--runroot")
            .arg(second.join("run"))
            .args([
                "pull",
                &format!("oci-archive:{}:localhost/busybox:latest", fifo.display()),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    // Everything but the archive's end: podctl unpacks every entry, then waits for more.
    let bytes = std::fs::read(&archive).unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writer.write_all(&bytes[..bytes.len() - 1024]).unwrap();
    let store_tmp = second.join("root/storage/tmp");
    let deadline = Instant::now() + Duration::from_secs(30);
    // `oci-layout` is the archive's last entry.
    while !unpacked(&store_tmp, "oci-layout") {
        assert!(
            Instant::now() < deadline,
            "podctl never unpacked the archive"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Meanwhile another process opens the store, which a dead operation marked dirty.
    std::fs::create_dir(store_tmp.join("DEADOPERATION")).unwrap();
    std::fs::write(store_tmp.join("DEADOPERATION.lock"), b"").unwrap();
    let mut options = StoreOptions::new(second.join("root/storage"), second.join("run/storage"));
    options.registries = Some(Default::default());
    Store::open(options).unwrap();
    assert!(
        !store_tmp.join("DEADOPERATION").exists(),
        "the open did not repair"
    );
    assert!(
        unpacked(&store_tmp, "oci-layout"),
        "the open removed the unpacked archive"
    );

    writer.write_all(&bytes[bytes.len() - 1024..]).unwrap();
    drop(writer);
    let out = child.0.take().unwrap().wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the pull failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ok(&second, &["images"]).contains("localhost/busybox"));
}
