//! Init's dealings with other containers (namespace owners, dependencies) and with the image's
//! volumes, on the fake OCI runtime.

use crate::CoreError;
use crate::container::tests::fixture;
use crate::container::*;
use libpod_spec::NamespaceMode;
use libpod_storage::ImageReference;
use std::path::Path;

/// Whether `path` is a mount point now.
fn is_mount_point(path: &Path) -> bool {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let path = path.to_string_lossy();
    mounts.lines().any(|l| l.split(' ').nth(4) == Some(&*path))
}

/// Detaches a mount when a test ends, passed or failed.
struct DetachOnDrop(std::path::PathBuf);

impl Drop for DetachOnDrop {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.0, nix::mount::MntFlags::MNT_DETACH);
    }
}

#[test]
fn a_container_that_joined_an_ipc_namespace_leaves_the_owners_shm_mounted() {
    libpod_testutil::require_root();
    let f = fixture();
    let mut spec = libpod_spec::CreateConfig::default();
    spec.ipc = NamespaceMode::Private;
    spec.command = Some(vec!["/bin/true".into()]);
    let owner =
        f.rt.new_container([with_create_config(spec), with_rootfs_path(f.rootfs.clone())])
            .unwrap();
    owner.start().unwrap();
    let shm = owner.state().unwrap().bind_mounts["/dev/shm"].clone();
    let _unmount = DetachOnDrop(shm.clone());
    assert!(is_mount_point(&shm), "the owner mounted its shm");
    let joiner = f.ctr(vec![with_ipc_ns_from(&owner)]);
    joiner.init().unwrap();
    assert_eq!(
        joiner.state().unwrap().bind_mounts["/dev/shm"],
        shm,
        "the joiner shares the owner's shm"
    );
    joiner.cleanup().unwrap();
    assert!(
        is_mount_point(&shm),
        "the joiner's cleanup unmounted the owner's shm"
    );
    owner.stop(Some(1)).unwrap();
    assert!(!is_mount_point(&shm), "the owner's cleanup unmounts it");
    f.rt.remove_container(&joiner, RemoveOptions::default())
        .unwrap();
    f.rt.remove_container(&owner, RemoveOptions::default())
        .unwrap();
}

#[test]
fn an_exit_not_yet_synced_fails_the_join_as_dependency_not_running() {
    let f = fixture();
    let owner = f.ctr(vec![]);
    owner.start().unwrap();
    let base = f.ctr(vec![]);
    base.start().unwrap();
    // Both exit; their states still say running (nobody looked since).
    f.fake.exit(owner.id(), 0);
    f.fake.exit(base.id(), 0);
    let store = &f.rt.state();
    assert_eq!(
        store.container_state(owner.id()).unwrap().status,
        ContainerStatus::Running
    );
    let joiner = f.ctr(vec![with_pid_ns_from(&owner)]);
    match joiner.init() {
        Err(CoreError::DependencyNotRunning { dependency, .. }) => {
            assert_eq!(dependency, owner.id())
        }
        other => panic!("expected dependency not running, got {other:?}"),
    }
    assert_eq!(
        store.container_state(owner.id()).unwrap().status,
        ContainerStatus::Exited,
        "the owner's exit was synced under its lock"
    );
    assert_eq!(joiner.status().unwrap(), ContainerStatus::Configured);
    let dependent = f.ctr(vec![with_dependencies(&[&base])]);
    assert!(matches!(
        dependent.start(),
        Err(CoreError::DependencyNotRunning { .. })
    ));
    // Running again: the join takes the fresh PID.
    owner.start().unwrap();
    joiner.init().unwrap();
}

#[test]
fn image_volumes_with_unclean_paths_are_bound() {
    let f = fixture();
    let tar = f._dir.path().join("rootfs-volumes.tar");
    libpod_testutil::tar_directory(&f.rootfs, &tar).unwrap();
    f.rt.storage()
        .import_tarball(
            std::fs::File::open(&tar).unwrap(),
            Some(&ImageReference::parse("localhost/volumes").unwrap()),
            &["VOLUME /data/ /cache/./ /data".into()],
        )
        .unwrap();
    let mut spec = libpod_spec::CreateConfig::default();
    spec.ipc = NamespaceMode::Host;
    spec.command = Some(vec!["/bin/true".into()]);
    let c =
        f.rt.new_container([
            with_create_config(spec),
            with_rootfs_from_image("localhost/volumes"),
        ])
        .unwrap();
    c.init().unwrap();
    let config_path = c.state().unwrap().config_path.unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(config_path).unwrap()).unwrap();
    let mounts = config["mounts"].as_array().unwrap();
    for destination in ["/data", "/cache"] {
        let found: Vec<_> = mounts
            .iter()
            .filter(|m| m["destination"] == destination)
            .collect();
        assert_eq!(found.len(), 1, "one mount at {destination}: {mounts:?}");
        let source = found[0]["source"].as_str().unwrap();
        assert!(
            source.starts_with(&*f.rt.root().join("volumes").to_string_lossy()),
            "{destination} is bound from a volume: {source}"
        );
    }
}

#[test]
fn a_failure_while_the_bundle_is_written_abandons_the_launched_create() {
    let f = fixture();
    // The user is resolved in the root filesystem when the spec is generated: after launch.
    let c = f.ctr(vec![with_user("nosuchuser")]);
    let err = c.init().unwrap_err();
    assert!(matches!(err, CoreError::Spec { .. }), "{err}");
    assert_eq!(
        f.fake.pending_creates(),
        0,
        "the launched create was left pending"
    );
    assert!(f.fake.ids().is_empty(), "something was created");
    assert_eq!(c.status().unwrap(), ContainerStatus::Configured);
    // Nothing stands in the way of the next init.
    let ok = f.ctr(vec![]);
    ok.init().unwrap();
    assert_eq!(f.fake.ids(), [ok.id().to_string()]);
}

#[test]
fn volumes_parsed_at_create_are_prepared_and_bound_at_init() {
    let f = fixture();
    let c = f.ctr(vec![with_user_volumes(["named:/named:ro", "/anon"])]);
    assert!(c.config().spec.volumes.is_empty(), "kept as strings");
    assert_eq!(c.config().mounts.len(), 2);
    c.init().unwrap();
    let spec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.state().unwrap().config_path.unwrap()).unwrap())
            .unwrap();
    let mounts = spec["mounts"].as_array().unwrap();
    let source = |dest: &str| {
        mounts
            .iter()
            .find(|m| m["destination"] == dest)
            .map(|m| m["source"].as_str().unwrap().to_string())
    };
    assert_eq!(
        source("/named").unwrap(),
        f.rt.volume("named")
            .unwrap()
            .config()
            .mount_point
            .display()
            .to_string()
    );
    let anon = source("/anon").unwrap();
    assert!(
        anon.ends_with("/_data") && std::path::Path::new(&anon).is_dir(),
        "{anon}"
    );
}
