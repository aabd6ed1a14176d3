//! What a checkpoint or an import cut short leaves, finished or undone by the next look: the
//! fake OCI runtime, a real store (vfs) and SQLite state on a [`TempRoot`]. The crash harness
//! (`tests/crash_harness.rs`) kills the real thing at random points; these pin each repair.

use super::checkpoint_intent;
use super::*;
use crate::CoreError;
use crate::oci::FakeRuntime;
use crate::runtime::Runtime;
use libpod_testutil::TempRoot;
use std::sync::Arc;

struct Fixture {
    _dir: TempRoot,
    rt: Runtime,
    fake: Arc<FakeRuntime>,
}

fn fixture() -> Fixture {
    let dir = TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let tar = dir.path().join("rootfs.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    let fake = Arc::new(FakeRuntime::new());
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(crate::runtime::config::without_networking())
        .storage_driver("vfs")
        .with_oci(fake.clone())
        .open()
        .unwrap();
    let reference = libpod_storage::ImageReference::parse("localhost/tiny").unwrap();
    rt.storage()
        .import_tarball(std::fs::File::open(&tar).unwrap(), Some(&reference), &[])
        .unwrap();
    Fixture {
        _dir: dir,
        rt,
        fake,
    }
}

impl Fixture {
    /// A container on the image, in the host's IPC namespace (no shm to mount).
    fn ctr(&self) -> Container {
        let mut spec = libpod_spec::CreateConfig::default();
        spec.ipc = libpod_spec::NamespaceMode::Host;
        spec.command = Some(vec!["/bin/true".into()]);
        self.rt
            .new_container([
                with_create_config(spec),
                with_rootfs_from_image("localhost/tiny"),
            ])
            .unwrap()
    }

    /// A running container whose checkpoint was cut short after the runtime's checkpoint
    /// began: its intent recorded, CRIU's images `complete` or not, its processes ended.
    fn interrupted_checkpoint(&self, complete: bool) -> Container {
        let c = self.ctr();
        c.start().unwrap();
        checkpoint_intent::record(&self.rt, c.id(), &CheckpointOptions::default()).unwrap();
        let images = c.checkpoint_path();
        std::fs::create_dir_all(&images).unwrap();
        if complete {
            std::fs::write(images.join("inventory.img"), b"").unwrap();
        }
        self.fake.exit(c.id(), 137);
        c
    }

    fn intent_left(&self, c: &Container) -> bool {
        self.rt
            .run_root()
            .join("checkpoint-intents")
            .join(c.id())
            .exists()
    }
}

#[test]
fn the_end_of_processes_an_interrupted_checkpoint_dumped_finishes_the_checkpoint() {
    let f = fixture();
    let c = f.interrupted_checkpoint(true);
    let state = c.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Exited);
    assert!(state.checkpointed, "{state:?}");
    assert!(state.checkpointed_at.is_some());
    // Not an exit: no exit code of the killed processes, no restart by policy.
    assert_eq!(state.exit_code, None);
    assert!(!state.restart_pending);
    assert!(!f.intent_left(&c));
    assert!(f.fake.ids().is_empty(), "cleaned up in the runtime");
}

#[test]
fn an_exit_after_a_checkpoint_that_wrote_no_complete_checkpoint_is_an_exit() {
    let f = fixture();
    let c = f.interrupted_checkpoint(false);
    let state = c.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Exited);
    assert!(!state.checkpointed);
    assert_eq!(state.exit_code, Some(137));
    assert!(!f.intent_left(&c), "a stale intent is dropped");
}

#[test]
fn an_open_keeps_the_checkpoint_intent_of_a_running_container_and_drops_a_gone_ones() {
    let f = fixture();
    let c = f.ctr();
    c.start().unwrap();
    // Its dump may still be going on: the exit that ends it finishes the checkpoint.
    checkpoint_intent::record(&f.rt, c.id(), &CheckpointOptions::default()).unwrap();
    checkpoint_intent::repair_interrupted(&f.rt);
    assert!(f.intent_left(&c));
    f.rt.remove_container(&c, RemoveOptions::default().force(true))
        .unwrap();
    checkpoint_intent::repair_interrupted(&f.rt);
    assert!(!f.intent_left(&c));
}

#[test]
fn an_open_removes_what_an_interrupted_import_left_but_not_a_live_import() {
    let f = fixture();
    let imports = f.rt.root().join("checkpoint-imports");
    let half = f.ctr();
    let half_dir = imports.join("a");
    std::fs::create_dir_all(&half_dir).unwrap();
    std::fs::write(half_dir.join(".imported-id"), half.id()).unwrap();
    let unpacked_only = imports.join("b");
    std::fs::create_dir_all(unpacked_only.join("checkpoint")).unwrap();
    // An import at work in another process: its directory is locked.
    let live = f.ctr();
    let live_dir = imports.join("c");
    std::fs::create_dir_all(&live_dir).unwrap();
    std::fs::write(live_dir.join(".imported-id"), live.id()).unwrap();
    let held = std::fs::File::open(&live_dir).unwrap();
    held.lock().unwrap();

    repair_interrupted_imports(&f.rt);

    assert!(matches!(
        f.rt.container(half.id()),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert!(f.rt.storage().container(half.id()).is_err());
    assert!(!half_dir.exists() && !unpacked_only.exists());
    assert_eq!(
        f.rt.container(live.id()).unwrap().status().unwrap(),
        ContainerStatus::Configured
    );
    assert!(live_dir.exists());
    drop(held);
    // A process another test thread spawns holds a copy of the lock's fd until its exec.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while live_dir.exists() && std::time::Instant::now() < deadline {
        repair_interrupted_imports(&f.rt);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!live_dir.exists(), "its import is gone now");
}

#[test]
fn an_open_leaves_an_import_directory_not_yet_in_place_while_its_maker_lives() {
    let f = fixture();
    let imports = f.rt.root().join("checkpoint-imports");
    // Made and not yet locked (the moment between mkdir and flock): its maker lives.
    let making = imports.join(format!(".{}.{}", "d".repeat(64), std::process::id()));
    std::fs::create_dir_all(&making).unwrap();
    let left = imports.join(format!(
        ".{}.{}",
        "e".repeat(64),
        libpod_testutil::dead_pid()
    ));
    std::fs::create_dir_all(left.join("checkpoint")).unwrap();

    repair_interrupted_imports(&f.rt);

    assert!(making.exists(), "a live maker's directory stays");
    assert!(!left.exists(), "a dead maker's goes");
}

#[test]
fn a_failed_import_leaves_no_directory_behind() {
    let f = fixture();
    let imports = f.rt.root().join("checkpoint-imports");
    let missing = f.rt.run_root().join("no-such-archive.tar");
    let err =
        f.rt.import_checkpoint(&missing, &RestoreOptions::default())
            .unwrap_err();
    assert!(err.to_string().contains("no-such-archive"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&imports).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_open_removes_the_volumes_an_interrupted_import_made() {
    use crate::volume::with_volume_name;
    let f = fixture();
    let imports = f.rt.root().join("checkpoint-imports");
    // Cut short after it made its volume and container.
    f.rt.new_volume([with_volume_name("made")]).unwrap();
    let half = f.ctr();
    let dir = imports.join("a");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".imported-id"), half.id()).unwrap();
    std::fs::write(dir.join(".imported-volumes"), "made").unwrap();
    // Cut short after it made its volume, before its container.
    f.rt.new_volume([with_volume_name("early")]).unwrap();
    let early = imports.join("b");
    std::fs::create_dir_all(&early).unwrap();
    std::fs::write(early.join(".imported-id"), "f".repeat(64)).unwrap();
    std::fs::write(early.join(".imported-volumes"), "early").unwrap();
    // A volume no import made stays.
    f.rt.new_volume([with_volume_name("other")]).unwrap();

    repair_interrupted_imports(&f.rt);

    assert!(!f.rt.volume_exists("made").unwrap());
    assert!(!f.rt.volume_exists("early").unwrap());
    assert!(f.rt.volume_exists("other").unwrap());
    assert!(!dir.exists() && !early.exists());
}
