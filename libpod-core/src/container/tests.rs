//! Unit tests of the lifecycle's state machine with the in-memory state store and the fake OCI
//! runtime. Storage is a real store in a temp dir (vfs), with a root filesystem directory.

use super::*;
use crate::CoreError;
use crate::oci::FakeRuntime;
use crate::runtime::Runtime;
use crate::state::MemoryState;
use libpod_spec::{NamespaceMode, RestartPolicy};
use libpod_testutil::TempRoot;
use std::sync::Arc;

pub(super) struct Fixture {
    pub(super) _dir: TempRoot,
    pub(super) rt: Runtime,
    pub(super) fake: Arc<FakeRuntime>,
    pub(super) rootfs: std::path::PathBuf,
}

pub(super) fn fixture() -> Fixture {
    let dir = TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    let fake = Arc::new(FakeRuntime::new());
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(crate::runtime::config::without_networking())
        .storage_driver("vfs")
        .state_store(Box::new(MemoryState::new()))
        .with_oci(fake.clone())
        .open()
        .unwrap();
    Fixture {
        _dir: dir,
        rt,
        fake,
        rootfs,
    }
}

impl Fixture {
    /// Imports the rootfs directory as the image `localhost/tiny` (for containers with
    /// storage).
    pub(super) fn import_tiny_image(&self) {
        let tar = self._dir.path().join("rootfs.tar");
        libpod_testutil::tar_directory(&self.rootfs, &tar).unwrap();
        let reference = libpod_storage::ImageReference::parse("localhost/tiny").unwrap();
        self.rt
            .storage()
            .import_tarball(std::fs::File::open(&tar).unwrap(), Some(&reference), &[])
            .unwrap();
    }

    /// A container on the rootfs directory, sharing the host's IPC namespace so that no shm is
    /// mounted.
    pub(super) fn ctr(&self, extra: Vec<CtrCreateOption>) -> Container {
        let mut spec = libpod_spec::CreateConfig::default();
        spec.ipc = NamespaceMode::Host;
        spec.command = Some(vec!["/bin/true".into()]);
        let mut options = vec![
            with_create_config(spec),
            with_rootfs_path(self.rootfs.clone()),
        ];
        options.extend(extra);
        self.rt.new_container(options).unwrap()
    }
}

fn invalid_state(result: Result<()>, expected: ContainerStatus) {
    match result {
        Err(CoreError::InvalidState { status, .. }) => assert_eq!(status, expected),
        other => panic!("expected an invalid-state error in {expected}, got {other:?}"),
    }
}

#[test]
fn the_happy_path_through_every_state() {
    let f = fixture();
    let c = f.ctr(vec![with_name("web")]);
    assert_eq!(c.status().unwrap(), ContainerStatus::Configured);
    c.init().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Created);
    assert!(
        c.state().unwrap().config_path.unwrap().is_file(),
        "config.json is saved in the bundle"
    );
    c.start().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
    c.pause().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Paused);
    c.unpause().unwrap();
    c.stop(Some(1)).unwrap();
    let state = c.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(143))
    );
    assert!(state.stopped_by_user);
    // Re-init of an exited container, and start.
    c.start().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
    assert!(!c.state().unwrap().stopped_by_user);
}

#[test]
fn illegal_transitions_are_typed_errors() {
    let f = fixture();
    let c = f.ctr(vec![]);
    invalid_state(c.pause(), ContainerStatus::Configured);
    invalid_state(c.unpause(), ContainerStatus::Configured);
    invalid_state(c.kill(15), ContainerStatus::Configured);
    c.start().unwrap();
    invalid_state(c.start(), ContainerStatus::Running);
    invalid_state(c.init(), ContainerStatus::Running);
    invalid_state(c.unpause(), ContainerStatus::Running);
    invalid_state(c.cleanup(), ContainerStatus::Running);
    invalid_state(
        f.rt.remove_container(&c, RemoveOptions::default()),
        ContainerStatus::Running,
    );
    c.pause().unwrap();
    invalid_state(c.pause(), ContainerStatus::Paused);
    invalid_state(c.start(), ContainerStatus::Paused);
    let err = c.start().unwrap_err().to_string();
    assert!(err.contains(c.id()) && err.contains("paused"), "{err}");
}

#[test]
fn an_exit_is_seen_at_the_next_look_and_cleaned_up() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    f.fake.exit(c.id(), 3);
    let state = c.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(3))
    );
    assert_eq!(c.wait().unwrap(), 3);
    assert!(state.mountpoint.is_none(), "storage released at cleanup");
    assert!(
        f.fake.ids().is_empty() || f.fake.ids().iter().all(|i| i != c.id()),
        "deleted from the runtime"
    );
    // Saved with the cleanup's state, and kept once the container is gone (for `wait`).
    let store = &f.rt.state();
    assert_eq!(
        store.container_state(c.id()).unwrap().status,
        ContainerStatus::Exited
    );
    assert_eq!(store.exit_code(c.id()).unwrap(), Some(3));
    f.rt.remove_container(&c, RemoveOptions::default()).unwrap();
    assert_eq!(store.exit_code(c.id()).unwrap(), Some(3));
}

#[test]
fn restart_policies_follow_podman() {
    use crate::monitor::CleanupOutcome;
    let f = fixture();
    let on_failure = f.ctr(vec![
        with_restart_policy(RestartPolicy::OnFailure { max_retries: 0 }),
        with_restart_retries(2),
    ]);
    on_failure.start().unwrap();
    for expected in 1..=2 {
        f.fake.exit(on_failure.id(), 1);
        assert_eq!(
            f.rt.cleanup_container(on_failure.id()).unwrap(),
            CleanupOutcome::Restarted
        );
        let s = on_failure.state().unwrap();
        assert_eq!(
            (s.status, s.restart_count),
            (ContainerStatus::Running, expected)
        );
    }
    f.fake.exit(on_failure.id(), 1);
    assert_eq!(
        f.rt.cleanup_container(on_failure.id()).unwrap(),
        CleanupOutcome::CleanedUp,
        "retries used up"
    );
    let s = on_failure.state().unwrap();
    assert_eq!(
        (s.status, s.restart_count, s.restart_pending),
        (ContainerStatus::Exited, 2, false)
    );

    let success = f.ctr(vec![with_restart_policy(RestartPolicy::OnFailure {
        max_retries: 0,
    })]);
    success.start().unwrap();
    f.fake.exit(success.id(), 0);
    f.rt.cleanup_container(success.id()).unwrap();
    assert_eq!(
        success.status().unwrap(),
        ContainerStatus::Exited,
        "on-failure does not restart a success"
    );

    let always = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    always.start().unwrap();
    f.fake.exit(always.id(), 0);
    f.rt.cleanup_container(always.id()).unwrap();
    assert_eq!(always.status().unwrap(), ContainerStatus::Running);
    always.stop(Some(1)).unwrap();
    assert_eq!(
        f.rt.cleanup_container(always.id()).unwrap(),
        CleanupOutcome::CleanedUp
    );
    assert_eq!(
        always.status().unwrap(),
        ContainerStatus::Exited,
        "never after the user stopped it"
    );
    always.start().unwrap();
    assert_eq!(
        always.state().unwrap().restart_count,
        0,
        "a start by the user resets the count"
    );
    f.fake.exit(always.id(), 0);
    f.rt.cleanup_container(always.id()).unwrap();
    assert_eq!(
        always.status().unwrap(),
        ContainerStatus::Running,
        "a start by the user clears the stop by the user"
    );
}

#[test]
fn cleanup_is_idempotent_and_answers_for_every_state() {
    use crate::monitor::CleanupOutcome;
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    assert_eq!(
        f.rt.cleanup_container(c.id()).unwrap(),
        CleanupOutcome::Running
    );
    f.fake.exit(c.id(), 3);
    for _ in 0..2 {
        assert_eq!(
            f.rt.cleanup_container(c.id()).unwrap(),
            CleanupOutcome::CleanedUp
        );
        let s = c.state().unwrap();
        assert_eq!((s.status, s.exit_code), (ContainerStatus::Exited, Some(3)));
    }
    assert!(
        !f.fake.ids().iter().any(|id| id == c.id()),
        "deleted from the runtime"
    );

    let removed = f.ctr(vec![with_auto_remove()]);
    removed.start().unwrap();
    f.fake.exit(removed.id(), 0);
    let id = removed.id().to_string();
    for _ in 0..2 {
        assert_eq!(
            f.rt.cleanup_container(&id).unwrap(),
            CleanupOutcome::Removed
        );
    }
    assert!(matches!(
        f.rt.container(&id),
        Err(CoreError::ContainerNotFound(_))
    ));
}

#[test]
fn options_are_validated_as_they_are_applied() {
    let f = fixture();
    let opts = |extra: Vec<CtrCreateOption>| {
        let mut o = vec![with_rootfs_path(f.rootfs.clone())];
        o.extend(extra);
        o
    };
    let err =
        f.rt.new_container(opts(vec![with_restart_retries(3)]))
            .unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidOption {
                option: "restart retries",
                ..
            }
        ),
        "{err}"
    );
    for bad in ["-x", "a b", "", "a/b"] {
        assert!(matches!(
            f.rt.new_container(opts(vec![with_name(bad)])),
            Err(CoreError::InvalidOption { option: "name", .. })
        ));
    }
    assert!(matches!(
        f.rt.new_container(opts(vec![with_pod_named("p")])),
        Err(CoreError::PodNotFound(_))
    ));
    assert!(
        f.rt.new_container(vec![with_name("nofs")]).is_err(),
        "a container needs a root filesystem"
    );
    assert!(
        f.rt.new_container(opts(vec![with_stop_signal("SIGNOPE")]))
            .is_err()
    );
    assert!(
        matches!(
            f.rt.new_container(opts(vec![with_network_mode(
                libpod_spec::NetworkMode::Bridge(vec!["no-such-network".into()])
            )])),
            Err(CoreError::NetworkConfig(
                libpod_net::NetError::NoSuchNetwork { .. }
            ))
        ),
        "a bridge container's networks must exist"
    );
    assert!(
        f.rt.new_container(opts(vec![
            with_auto_remove(),
            with_restart_policy(RestartPolicy::Always)
        ]))
        .is_err()
    );
    f.ctr(vec![with_name("taken")]);
    assert!(matches!(
        f.rt.new_container(opts(vec![with_name("taken")])),
        Err(CoreError::NameInUse(_))
    ));
    assert_eq!(
        f.rt.containers().unwrap().len(),
        1,
        "failed creates leave nothing"
    );
}

#[test]
fn lookups_by_name_id_and_prefix() {
    let f = fixture();
    let c = f.ctr(vec![with_name("findme")]);
    for key in ["findme", c.id(), &c.id()[..12]] {
        assert_eq!(f.rt.container(key).unwrap().id(), c.id(), "lookup by {key}");
    }
    assert!(matches!(
        f.rt.container("nope"),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert_eq!(c.id().len(), 64);
    assert!(c.id().bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn dependencies_must_run_and_cannot_be_removed() {
    let f = fixture();
    let base = f.ctr(vec![with_name("base")]);
    let dependent = f.ctr(vec![with_dependencies(&[&base])]);
    assert!(matches!(
        dependent.start(),
        Err(CoreError::DependencyNotRunning { .. })
    ));
    base.start().unwrap();
    dependent.start().unwrap();
    assert!(matches!(
        f.rt.remove_container(&base, RemoveOptions::default().force(true)),
        Err(CoreError::HasDependents { .. })
    ));
    f.rt.remove_container(&dependent, RemoveOptions::default().force(true))
        .unwrap();
    f.rt.remove_container(&base, RemoveOptions::default().force(true))
        .unwrap();
    assert!(f.rt.containers().unwrap().is_empty());
}

#[test]
fn stop_escalates_to_sigkill_when_the_signal_is_ignored() {
    let f = fixture();
    let c = f.ctr(vec![]);
    c.start().unwrap();
    f.fake.ignore_signals(c.id(), &[15]);
    c.stop(Some(1)).unwrap();
    assert_eq!(c.state().unwrap().exit_code, Some(137));
}

#[test]
fn create_options_from_a_create_config() {
    let f = fixture();
    let mut config = libpod_spec::CreateConfig::default();
    config.name = Some("fromconfig".into());
    config.restart_policy = Some("on-failure:-1".into());
    assert!(
        options_from_create_config(&config).is_err(),
        "negative retries"
    );
    config.restart_policy = Some("on-failure:4".into());
    config.stop_timeout = Some(3);
    config.command = Some(vec!["/bin/true".into()]);
    config.ipc = NamespaceMode::Host;
    let mut options = options_from_create_config(&config).unwrap();
    options.push(with_rootfs_path(f.rootfs.clone()));
    let c = f.rt.new_container(options).unwrap();
    assert_eq!(c.name(), "fromconfig");
    assert_eq!(
        c.config().restart_policy,
        RestartPolicy::OnFailure { max_retries: 4 }
    );
    assert_eq!(c.config().stop_timeout, 3);
}

#[test]
fn rm_makes_a_container_auto_removed_with_volatile_storage() {
    let f = fixture();
    f.import_tiny_image();
    let mut config = libpod_spec::CreateConfig::default();
    config.rm = true;
    config.command = Some(vec!["/bin/true".into()]);
    let mut options = options_from_create_config(&config).unwrap();
    options.push(with_rootfs_from_image("localhost/tiny"));
    let removed = f.rt.new_container(options).unwrap();
    assert!(removed.config().auto_remove && removed.config().volatile);
    let storage = f.rt.storage().container(removed.id()).unwrap();
    assert!(storage.record.volatile, "the storage was not made volatile");
    let kept =
        f.rt.new_container([
            with_rootfs_from_image("localhost/tiny"),
            with_command(["/bin/true"]),
        ])
        .unwrap();
    assert!(!kept.config().volatile);
    assert!(!f.rt.storage().container(kept.id()).unwrap().record.volatile);
}

#[test]
fn a_create_refused_by_the_database_leaves_no_storage() {
    let f = fixture();
    f.import_tiny_image();
    f.ctr(vec![with_name("taken")]);
    let refused = f.rt.new_container([
        with_name("taken"),
        with_rootfs_from_image("localhost/tiny"),
        with_command(["/bin/true"]),
    ]);
    assert!(
        matches!(refused, Err(CoreError::NameInUse(_))),
        "{refused:?}"
    );
    assert!(
        f.rt.storage().containers().unwrap().is_empty(),
        "storage left behind"
    );
    assert_eq!(f.rt.containers().unwrap().len(), 1);
}

#[test]
fn an_auto_remove_container_is_removed_when_its_exit_is_handled() {
    let f = fixture();
    let c = f.ctr(vec![with_auto_remove()]);
    c.start().unwrap();
    f.fake.exit(c.id(), 3);
    // Whoever looks first handles the exit, and with it the removal (Podman's cleanup --rm).
    assert!(matches!(c.state(), Err(CoreError::ContainerNotFound(_))));
    assert_eq!(
        c.wait().unwrap(),
        3,
        "wait answers from the recorded exit code"
    );
    assert!(f.rt.containers().unwrap().is_empty());
    assert!(matches!(
        f.rt.remove_container(&c, RemoveOptions::default()),
        Err(CoreError::ContainerNotFound(_))
    ));
}

#[test]
fn an_auto_remove_container_others_depend_on_is_only_cleaned_up() {
    let f = fixture();
    let base = f.ctr(vec![with_auto_remove()]);
    let dependent = f.ctr(vec![with_dependencies(&[&base])]);
    base.start().unwrap();
    dependent.start().unwrap();
    f.fake.exit(base.id(), 0);
    assert_eq!(base.status().unwrap(), ContainerStatus::Exited);
    assert_eq!(f.rt.containers().unwrap().len(), 2);
}

#[test]
fn stopping_removes_an_auto_remove_container_and_restarting_keeps_it() {
    let f = fixture();
    let c = f.ctr(vec![with_auto_remove()]);
    c.start().unwrap();
    c.restart().unwrap();
    assert_eq!(c.status().unwrap(), ContainerStatus::Running);
    c.stop(Some(1)).unwrap();
    assert!(matches!(c.status(), Err(CoreError::ContainerNotFound(_))));
    assert_eq!(c.wait().unwrap(), 143);
    assert!(f.rt.containers().unwrap().is_empty());
}

#[test]
fn boot_starts_the_containers_their_policies_name_dependencies_first_once() {
    let f = fixture();
    let always = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    let stopped_always = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    let unless_stopped = f.ctr(vec![with_restart_policy(RestartPolicy::UnlessStopped)]);
    let stopped_unless = f.ctr(vec![with_restart_policy(RestartPolicy::UnlessStopped)]);
    let on_failure = f.ctr(vec![with_restart_policy(RestartPolicy::OnFailure {
        max_retries: 0,
    })]);
    let plain = f.ctr(vec![]);
    for c in [&stopped_always, &stopped_unless] {
        c.start().unwrap();
        c.stop(Some(0)).unwrap();
    }
    // Listed by ID, so some dependents come before their dependency.
    let base = f.ctr(vec![with_restart_policy(RestartPolicy::Always)]);
    let dependents: Vec<Container> = (0..4)
        .map(|_| {
            f.ctr(vec![
                with_restart_policy(RestartPolicy::Always),
                with_dependencies(&[&base]),
            ])
        })
        .collect();
    let report = f.rt.boot().unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut expected: Vec<&Container> = vec![&always, &stopped_always, &unless_stopped, &base];
    expected.extend(&dependents);
    let started: std::collections::BTreeSet<&str> =
        report.started.iter().map(String::as_str).collect();
    assert_eq!(
        started,
        expected.iter().map(|c| c.id()).collect(),
        "always, and unless-stopped unless stopped by the user"
    );
    for c in &expected {
        assert_eq!(c.status().unwrap(), ContainerStatus::Running);
    }
    for c in [&stopped_unless, &on_failure, &plain] {
        assert_ne!(c.status().unwrap(), ContainerStatus::Running);
    }
    always.stop(Some(0)).unwrap();
    let again = f.rt.boot().unwrap();
    assert!(again.already_done && again.started.is_empty());
    assert_eq!(
        always.status().unwrap(),
        ContainerStatus::Exited,
        "a second boot undoes no stop"
    );
}
