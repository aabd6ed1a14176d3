//! What is left when a step fails half-way: a save refused after the runtime created the
//! container, a storage removal that fails. The fake OCI runtime, a real store (vfs) on a
//! [`TempRoot`] (the tests mount there), and a state store that fails on demand.

use super::*;
use crate::CoreError;
use crate::oci::FakeRuntime;
use crate::runtime::Runtime;
use crate::state::faulty::{Fault, faulty_state};
use libpod_testutil::TempRoot;
use std::sync::Arc;

struct Fixture {
    _dir: TempRoot,
    rt: Runtime,
    fake: Arc<FakeRuntime>,
    fault: Arc<Fault>,
}

fn fixture() -> Fixture {
    let dir = TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let tar = dir.path().join("rootfs.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    let (state, fault) = faulty_state();
    let fake = Arc::new(FakeRuntime::new());
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(crate::runtime::config::without_networking())
        .storage_driver("vfs")
        .state_store(Box::new(state))
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
        fault,
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
}

#[test]
fn a_save_refused_after_the_runtime_created_the_container_deletes_it_there() {
    let f = fixture();
    let c = f.ctr();
    f.fault.fail_next_save_of(ContainerStatus::Created);
    let err = c.start().unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Io {
                op: "save container state",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(f.fake.ids(), Vec::<String>::new(), "the runtime kept it");
    let state = c.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Configured);
    assert_eq!(state.mountpoint, None);
    assert_eq!(f.rt.storage().container_mount_count(c.id()), 0);
    c.start().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
}

#[test]
fn a_storage_removal_that_fails_keeps_the_row_and_can_be_retried() {
    let f = fixture();
    let c = f.ctr();
    let dir = f.rt.storage().container(c.id()).unwrap().dir;
    // The store made read-only (a bind mount of itself): its records cannot be committed, so
    // storage removal fails before it changed anything.
    let store_root = f.rt.storage().root().to_path_buf();
    let ms = nix::mount::MsFlags::MS_BIND;
    nix::mount::mount(
        Some(&store_root),
        &store_root,
        None::<&str>,
        ms,
        None::<&str>,
    )
    .unwrap();
    let read_only = ms | nix::mount::MsFlags::MS_REMOUNT | nix::mount::MsFlags::MS_RDONLY;
    nix::mount::mount(
        None::<&str>,
        &store_root,
        None::<&str>,
        read_only,
        None::<&str>,
    )
    .unwrap();
    let err =
        f.rt.remove_container(&c, RemoveOptions::default())
            .unwrap_err();
    assert!(err.to_string().contains(c.id()), "{err}");
    let again = f.rt.container(c.id()).expect("the row is gone");
    assert_eq!(again.status().unwrap(), ContainerStatus::Removing);
    nix::mount::umount2(&store_root, nix::mount::MntFlags::MNT_DETACH).unwrap();
    f.rt.remove_container(&again, RemoveOptions::default())
        .unwrap();
    assert!(matches!(
        f.rt.container(c.id()),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert!(f.rt.storage().container(c.id()).is_err());
    assert!(!dir.exists());
}

#[test]
fn what_a_killed_init_left_in_the_runtime_is_deleted_by_the_next_start() {
    let f = fixture();
    let c = f.ctr();
    // A process killed after the runtime's create, before its save: the database still says
    // Configured.
    let bundle = f._dir.path().join("bundle");
    let args = crate::oci::CreateArgs::new(c.id(), c.name(), &bundle, &bundle);
    crate::oci::OciRuntime::create(&*f.fake, &args).unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Configured);
    c.start().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
    assert_eq!(f.fake.ids(), [c.id().to_string()]);
}

#[test]
fn a_start_cut_short_before_its_save_is_saved_running_by_the_next_open() {
    let f = fixture();
    let c = f.ctr();
    // The runtime starts the process; the save of `Running` fails as a kill there would.
    f.fault.fail_next_save_of(ContainerStatus::Running);
    c.start().unwrap_err();
    assert_eq!(c.status().unwrap(), ContainerStatus::Created);
    crate::runtime::intents::resolve_interrupted(&f.rt);
    let state = c.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Running);
    assert!(state.started_at.is_some());
    // Resolved once: the intent is gone.
    assert!(!f.rt.run_root().join("start-intents").join(c.id()).exists());
}

#[test]
fn a_start_intent_of_a_container_the_runtime_never_started_leaves_it_created() {
    let f = fixture();
    let c = f.ctr();
    c.init().unwrap();
    let intent = crate::runtime::intents::Intent::start(&f.rt, c.id()).unwrap();
    drop(intent);
    crate::runtime::intents::resolve_interrupted(&f.rt);
    assert_eq!(c.status().unwrap(), ContainerStatus::Created);
    c.start().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
}
