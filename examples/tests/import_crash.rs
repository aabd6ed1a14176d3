//! Crash safety of imports: a `podctl import` killed with SIGKILL at several points leaves no
//! visible image and no leftovers once the store is opened again; an image that was already
//! there is untouched; and the next import succeeds.

use libpod_storage::{Store, StoreOptions};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A busybox rootfs plus 24 MiB of incompressible files, as a tarball.
fn big_tarball(dir: &Path) -> PathBuf {
    let rootfs = dir.join("rootfs");
    busybox_rootfs(&rootfs).unwrap();
    let data = rootfs.join("data");
    std::fs::create_dir(&data).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..24 {
        let mut bytes = vec![0u8; 1 << 20];
        for chunk in bytes.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        std::fs::write(data.join(format!("blob{i:02}")), bytes).unwrap();
    }
    let tar = dir.join("big.tar");
    tar_directory(&rootfs, &tar).unwrap();
    tar
}

fn podctl(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podctl"));
    cmd.arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"));
    cmd
}

fn open(root: &Path) -> Store {
    let mut options = StoreOptions::new(root.join("root/storage"), root.join("run/storage"));
    options.registries = Some(Default::default());
    Store::open(options).unwrap()
}

/// When to kill the importing child.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// After feeding this many bytes of the tarball, stdin still open.
    AfterBytes(usize),
    /// After feeding everything and closing stdin, then waiting this long.
    AfterEof(Duration),
}

fn import_and_kill(root: &Path, tarball: &[u8], point: KillPoint) {
    let mut child: Child = podctl(root)
        .args(["import", "-", "localhost/crash"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    match point {
        KillPoint::AfterBytes(n) => {
            stdin.write_all(&tarball[..n]).unwrap();
            stdin.flush().unwrap();
            // Let the child consume what it was given.
            std::thread::sleep(Duration::from_millis(150));
            child.kill().unwrap();
        }
        KillPoint::AfterEof(delay) => {
            stdin.write_all(tarball).unwrap();
            drop(stdin);
            std::thread::sleep(delay);
            let _ = child.kill();
        }
    }
    child.wait().unwrap();
}

#[test]
fn killed_imports_leave_nothing_behind() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let tarball = std::fs::read(big_tarball(tmp.path())).unwrap();
    let small = tmp.path().join("small.tar");
    tar_directory(&tmp.path().join("rootfs/etc"), &small).unwrap();

    let root = tmp.path().join("store");
    let status = podctl(&root)
        .args(["import"])
        .arg(&small)
        .arg("localhost/existing")
        .status()
        .unwrap();
    assert!(status.success());
    let existing = open(&root).image("localhost/existing").unwrap();

    let half = tarball.len() / 2;
    let points = [
        KillPoint::AfterBytes(0),
        KillPoint::AfterBytes(4096),
        KillPoint::AfterBytes(half),
        KillPoint::AfterBytes(tarball.len()),
        KillPoint::AfterEof(Duration::from_millis(0)),
        KillPoint::AfterEof(Duration::from_millis(20)),
        KillPoint::AfterEof(Duration::from_millis(60)),
        KillPoint::AfterEof(Duration::from_millis(120)),
        KillPoint::AfterEof(Duration::from_millis(250)),
    ];
    let mut completed = 0;
    for point in points {
        import_and_kill(&root, &tarball, point);
        let store = open(&root);
        assert_eq!(store.check().unwrap(), [], "after a kill at {point:?}");
        let tmp_entries: Vec<_> = std::fs::read_dir(store.root().join("tmp"))
            .unwrap()
            .collect();
        assert!(
            tmp_entries.is_empty(),
            "staging left after a kill at {point:?}: {tmp_entries:?}"
        );
        assert_eq!(
            store.image("localhost/existing").unwrap(),
            existing,
            "after a kill at {point:?}"
        );
        match store.image("localhost/crash") {
            Ok(image) => {
                // The kill came after the commit: the image is whole.
                completed += 1;
                eprintln!("kill at {point:?}: the import had committed");
                let root_dir = store.mount_image("localhost/crash").unwrap();
                assert_eq!(
                    std::fs::read_dir(root_dir.join("data")).unwrap().count(),
                    24
                );
                store.unmount_image("localhost/crash", true).unwrap();
                store.remove_image(&image.id.hex(), false).unwrap();
            }
            Err(libpod_storage::StorageError::ImageNotKnown(_)) => {
                eprintln!("kill at {point:?}: no image, nothing left");
                assert_eq!(
                    store.images().unwrap().len(),
                    1,
                    "only the existing image after a kill at {point:?}"
                );
            }
            Err(e) => panic!("after a kill at {point:?}: {e}"),
        }
    }
    // The kills before the end of the input can never have completed.
    assert!(completed <= 5);

    let status = podctl(&root)
        .args(["import"])
        .arg(tmp.path().join("big.tar"))
        .arg("localhost/crash")
        .status()
        .unwrap();
    assert!(status.success());
    assert!(open(&root).image("localhost/crash").is_ok());
    assert!(open(&root).check().unwrap().is_empty());
}
