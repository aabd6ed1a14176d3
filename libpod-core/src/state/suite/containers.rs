//! The containers' cases.

use super::{Subject, config, full_config, full_state, id};
use crate::error::CoreError;
use crate::record::{ContainerConfig, ContainerState, ContainerStatus, VolumeConfig, VolumeState};
use crate::state::StateStore;

pub(super) fn add(store: &dyn StateStore, config: &ContainerConfig) {
    store
        .add_container(config, &ContainerState::default())
        .unwrap_or_else(|e| panic!("add {}: {e}", config.name));
}

/// The basic lifecycle of a record.
pub fn add_get_save_remove(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a1", '0'), "a");
    let state = ContainerState {
        status: ContainerStatus::Configured,
        ..ContainerState::default()
    };
    store.add_container(&a, &state).unwrap();
    assert_eq!(store.container_config(&a.id).unwrap(), a);
    assert_eq!(store.container_state(&a.id).unwrap(), state);
    assert_eq!(store.all_containers().unwrap(), [a.id.as_str()]);

    let running = ContainerState {
        status: ContainerStatus::Running,
        pid: Some(12),
        ..state.clone()
    };
    store.save_container_state(&a.id, &running).unwrap();
    assert_eq!(store.container_state(&a.id).unwrap(), running);
    assert_eq!(
        store.container_config(&a.id).unwrap(),
        a,
        "config unchanged"
    );

    let b = config(&id("0b", '0'), "b");
    add(store, &b);
    let mut all = vec![a.id.clone(), b.id.clone()];
    all.sort();
    assert_eq!(store.all_containers().unwrap(), all, "sorted by ID");

    store.remove_container(&a.id).unwrap();
    assert!(
        matches!(store.container_config(&a.id), Err(CoreError::ContainerNotFound(x)) if x == a.id)
    );
    assert!(matches!(
        store.container_state(&a.id),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert_eq!(store.all_containers().unwrap(), [b.id.as_str()]);
    assert_eq!(
        store.container_state(&b.id).unwrap(),
        ContainerState::default()
    );
}

/// Every field of a config and a state survives storage.
pub fn full_records_round_trip(subject: &dyn Subject) {
    let store = subject.store();
    let dep = config(&id("d", 'd'), "dep");
    add(store, &dep);
    let full = full_config(&id("f", 'f'), "full", &dep.id);
    assert_ne!(full, ContainerConfig::default());
    let refused = store.add_container(&full, &full_state()).unwrap_err();
    assert!(
        matches!(&refused, CoreError::VolumeNotFound(name) if name == "data"),
        "a named volume it mounts must exist: {refused}"
    );
    assert!(
        store.container_config(&full.id).is_err(),
        "a refused add stores nothing"
    );
    store
        .add_volume(&VolumeConfig::new("data"), &VolumeState::new())
        .unwrap();
    store.add_container(&full, &full_state()).unwrap();
    assert_eq!(
        store.volume_users("data").unwrap(),
        std::slice::from_ref(&full.id),
        "linked in the add"
    );
    assert_eq!(store.container_config(&full.id).unwrap(), full);
    assert_eq!(store.container_state(&full.id).unwrap(), full_state());
}

/// Names and IDs are unique; a refused add leaves nothing behind.
pub fn names_and_ids_are_unique(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '1'), "web");
    add(store, &a);
    let same_name = config(&id("b", '1'), "web");
    let err = store
        .add_container(&same_name, &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::NameInUse(n) if n == "web"),
        "{err}"
    );
    let same_id = config(&a.id, "other");
    let err = store
        .add_container(&same_id, &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidOption { option: "id", .. }),
        "{err}"
    );
    assert_eq!(store.all_containers().unwrap(), [a.id.as_str()]);
    assert!(store.lookup_container("other").is_err());
    assert_eq!(store.container_config(&a.id).unwrap().name, "web");

    store.remove_container(&a.id).unwrap();
    add(store, &same_name);
    assert_eq!(store.lookup_container("web").unwrap(), same_name.id);
}

/// Exact ID, then exact name, then a unique ID prefix.
pub fn lookup_by_id_name_and_prefix(subject: &dyn Subject) {
    let store = subject.store();
    let abc1 = config(&id("abc1", '0'), "first");
    let abc2 = config(&id("abc2", '0'), "second");
    let named_like_prefix = config(&id("ff", '0'), "abc");
    let short = config("ab", "short");
    for c in [&abc1, &abc2, &named_like_prefix, &short] {
        add(store, c);
    }
    assert_eq!(store.lookup_container(&abc1.id).unwrap(), abc1.id);
    assert_eq!(store.lookup_container("second").unwrap(), abc2.id);
    assert_eq!(store.lookup_container("abc1").unwrap(), abc1.id);
    assert_eq!(store.lookup_container("abc2000").unwrap(), abc2.id);
    assert_eq!(store.lookup_container("f").unwrap(), named_like_prefix.id);
    // A name beats the prefix of other IDs...
    assert_eq!(store.lookup_container("abc").unwrap(), named_like_prefix.id);
    // ... and a full ID beats the prefix it is of others ("ab" is a prefix of three IDs).
    assert_eq!(store.lookup_container("ab").unwrap(), short.id);
    let err = store.lookup_container("a").unwrap_err();
    assert!(
        matches!(&err, CoreError::AmbiguousContainer(x) if x == "a"),
        "{err}"
    );
    for missing in ["abc3", "0", "nope", "", "ABC1", "ab%", "ab*", "ab_", "ab?"] {
        let err = store.lookup_container(missing).unwrap_err();
        assert!(
            matches!(&err, CoreError::ContainerNotFound(x) if x == missing),
            "{missing:?}: {err}"
        );
    }
    store.remove_container(&abc2.id).unwrap();
    assert_eq!(store.lookup_container("abc").unwrap(), named_like_prefix.id);
    assert_eq!(store.lookup_container("abc2").ok(), None);
}

/// Dependencies (from both fields) make dependents, which block removal.
pub fn dependents_block_removal(subject: &dyn Subject) {
    let store = subject.store();
    let base = config(&id("ba5e", '0'), "base");
    add(store, &base);
    let mut needs = config(&id("c1", '0'), "needs");
    needs.dependencies = vec![base.id.clone()];
    let mut joins = config(&id("b1", '0'), "joins");
    joins.namespaces_from.insert("ipc".into(), base.id.clone());
    joins.namespaces_from.insert("net".into(), base.id.clone());
    add(store, &needs);
    add(store, &joins);
    assert_eq!(
        store.dependents(&base.id).unwrap(),
        [joins.id.clone(), needs.id.clone()]
    );
    assert!(store.dependents(&needs.id).unwrap().is_empty());

    let err = store.remove_container(&base.id).unwrap_err();
    match &err {
        CoreError::HasDependents { id, dependents } => {
            assert_eq!(id, &base.id);
            assert_eq!(dependents, &[joins.id.clone(), needs.id.clone()]);
        }
        other => panic!("expected HasDependents, got {other}"),
    }
    assert!(store.container_config(&base.id).is_ok(), "still there");

    store.remove_container(&needs.id).unwrap();
    assert_eq!(store.dependents(&base.id).unwrap(), [joins.id.as_str()]);
    assert!(store.remove_container(&base.id).is_err());
    store.remove_container(&joins.id).unwrap();
    assert!(store.dependents(&base.id).unwrap().is_empty());
    store.remove_container(&base.id).unwrap();
}

/// A dependency or pod that does not exist refuses the add, which leaves nothing behind.
pub fn missing_dependencies_and_pods_are_refused(subject: &dyn Subject) {
    let store = subject.store();
    let ghost = id("9", '9');
    let mut orphan = config(&id("0", '1'), "orphan");
    orphan.dependencies = vec![ghost.clone()];
    let err = store
        .add_container(&orphan, &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::ContainerNotFound(x) if *x == ghost),
        "{err}"
    );

    let mut in_pod = config(&id("0", '2'), "in-pod");
    in_pod.pod = Some(id("7", '7'));
    let err = store
        .add_container(&in_pod, &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidOption { option: "pod", .. }),
        "{err}"
    );

    let mut selfish = config(&id("0", '3'), "selfish");
    selfish.dependencies = vec![selfish.id.clone()];
    assert!(
        store
            .add_container(&selfish, &ContainerState::default())
            .is_err()
    );

    assert!(store.all_containers().unwrap().is_empty());
    assert!(store.lookup_container("orphan").is_err());
    // The names were not taken by the failed adds.
    add(store, &config(&id("0", '4'), "orphan"));
}

/// Exit codes are kept after the container is removed, and replaced by newer ones.
pub fn exit_codes_outlive_containers(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("e", '0'), "exits");
    add(store, &a);
    assert_eq!(store.exit_code(&a.id).unwrap(), None);
    store.record_exit_code(&a.id, 3, None).unwrap();
    assert_eq!(store.exit_code(&a.id).unwrap(), Some(3));
    store.remove_container(&a.id).unwrap();
    assert_eq!(store.exit_code(&a.id).unwrap(), Some(3));
    store.record_exit_code(&a.id, -1, None).unwrap();
    assert_eq!(store.exit_code(&a.id).unwrap(), Some(-1));
    // A code of a container the store never knew is kept too (cleanup may run late).
    store.record_exit_code("elsewhere", 255, None).unwrap();
    assert_eq!(store.exit_code("elsewhere").unwrap(), Some(255));
    for bad in [-2, 256] {
        let err = store.record_exit_code(&a.id, bad, None).unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::InvalidOption {
                    option: "exit code",
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(store.exit_code(&a.id).unwrap(), Some(-1));
}

/// An exit code recorded with the state saves both, or (for an unknown container) neither.
pub fn an_exit_and_its_state_are_one_write(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("e", '1'), "exited");
    add(store, &a);
    let exited = ContainerState {
        status: ContainerStatus::Stopped,
        exit_code: Some(7),
        ..ContainerState::default()
    };
    store.record_exit_code(&a.id, 7, Some(&exited)).unwrap();
    assert_eq!(store.exit_code(&a.id).unwrap(), Some(7));
    assert_eq!(store.container_state(&a.id).unwrap(), exited);
    let unknown = id("e", '2');
    match store.record_exit_code(&unknown, 1, Some(&exited)) {
        Err(CoreError::ContainerNotFound(missing)) => assert_eq!(missing, unknown),
        other => panic!("state of an unknown container: {other:?}"),
    }
    assert_eq!(store.exit_code(&unknown).unwrap(), None, "half a write");
    // A refused code saves no state either.
    let later = ContainerState {
        status: ContainerStatus::Exited,
        ..exited.clone()
    };
    assert!(store.record_exit_code(&a.id, 300, Some(&later)).is_err());
    assert_eq!(store.container_state(&a.id).unwrap(), exited);
}

/// Recording a code prunes the codes of removed containers older than the retention, and only
/// those.
pub fn old_exit_codes_of_removed_containers_are_pruned(subject: &dyn Subject) {
    let store = subject.store();
    let retention =
        i64::try_from(crate::state::EXIT_CODE_RETENTION.as_secs()).expect("days, in seconds");
    let live = config(&id("1", 'a'), "live");
    add(store, &live);
    store.record_exit_code(&live.id, 1, None).unwrap();
    store.record_exit_code("gone-old", 2, None).unwrap();
    store.record_exit_code("gone-recent", 3, None).unwrap();
    subject.age_exit_code(&live.id, retention + 60);
    subject.age_exit_code("gone-old", retention + 60);
    subject.age_exit_code("gone-recent", retention - 60);
    assert_eq!(
        store.exit_code("gone-old").unwrap(),
        Some(2),
        "reading prunes nothing"
    );

    store.record_exit_code("trigger", 0, None).unwrap();
    assert_eq!(store.exit_code("gone-old").unwrap(), None);
    assert_eq!(store.exit_code("gone-recent").unwrap(), Some(3));
    assert_eq!(
        store.exit_code(&live.id).unwrap(),
        Some(1),
        "its container exists"
    );
    assert_eq!(store.exit_code("trigger").unwrap(), Some(0));
}

/// A record that does not decode is reported as malformed, naming what and whose; the rest
/// of the store still works.
pub fn malformed_records_are_reported(subject: &dyn Subject) {
    let store = subject.store();
    let bad = config(&id("bad", '0'), "bad");
    let good = config(&id("600d", '0'), "good");
    add(store, &bad);
    add(store, &good);
    subject.damage(&bad.id, "config", "{\"id\": 42");
    let err = store.container_config(&bad.id).unwrap_err();
    assert!(
        matches!(&err, CoreError::Corrupt { what: "config", id, .. } if *id == bad.id),
        "{err}"
    );
    assert!(store.container_state(&bad.id).is_ok());
    subject.damage(&bad.id, "state", "{\"status\": \"sideways\"}");
    let err = store.container_state(&bad.id).unwrap_err();
    assert!(
        matches!(&err, CoreError::Corrupt { what: "state", id, .. } if *id == bad.id),
        "{err}"
    );
    assert_eq!(store.container_config(&good.id).unwrap(), good);
    assert_eq!(store.lookup_container("bad").unwrap(), bad.id);
    assert_eq!(store.container_name(&bad.id).unwrap(), "bad");
    assert!(matches!(
        store.container_name(&id("dead", '0')),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert_eq!(store.all_containers().unwrap().len(), 2);
    // Saving a state repairs it; removing works regardless.
    store
        .save_container_state(&bad.id, &ContainerState::default())
        .unwrap();
    assert!(store.container_state(&bad.id).is_ok());
    store.remove_container(&bad.id).unwrap();
}

/// Operations on an unknown container say so.
pub fn unknown_containers_are_not_found(subject: &dyn Subject) {
    let store = subject.store();
    let ghost = id("0", '0');
    let is_not_found =
        |r: Result<(), CoreError>| matches!(r, Err(CoreError::ContainerNotFound(x)) if x == ghost);
    assert!(is_not_found(store.container_config(&ghost).map(drop)));
    assert!(is_not_found(store.container_state(&ghost).map(drop)));
    assert!(is_not_found(
        store.save_container_state(&ghost, &ContainerState::default())
    ));
    assert!(is_not_found(store.remove_container(&ghost)));
    assert!(is_not_found(store.lookup_container(&ghost).map(drop)));
    assert!(store.dependents(&ghost).unwrap().is_empty());
    assert_eq!(store.exit_code(&ghost).unwrap(), None);
    assert!(store.all_containers().unwrap().is_empty());
}

/// A config is rewritten in place (an update's resources); its name and pod are not.
pub fn configs_are_rewritten_but_keep_their_identity(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("c1", '0'), "a");
    add(store, &a);
    let mut updated = a.clone();
    updated.spec.resources.memory = Some(256 << 20);
    store.rewrite_container_config(&updated).unwrap();
    assert_eq!(store.container_config(&a.id).unwrap(), updated);
    assert_eq!(store.lookup_container("a").unwrap(), a.id);

    let mut renamed = updated.clone();
    renamed.name = "b".into();
    renamed.spec.resources.memory = Some(1);
    let err = store.rewrite_container_config(&renamed).unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidOption {
                option: "config",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        store.container_config(&a.id).unwrap(),
        updated,
        "nothing stored"
    );

    let ghost = config(&id("0", '0'), "ghost");
    assert!(matches!(
        store.rewrite_container_config(&ghost),
        Err(CoreError::ContainerNotFound(x)) if x == ghost.id
    ));
}

/// A rename takes a free name in one write: the old name is free at once, a name another
/// container or a pod has is refused with nothing changed, and a missing container is
/// not found.
pub fn containers_are_renamed_under_unique_names(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '7'), "old");
    let b = config(&id("b", '7'), "taken");
    add(store, &a);
    add(store, &b);
    let pod = crate::record::PodConfig::new(id("d", '7'), "a-pod");
    store
        .add_pod(&pod, &crate::record::PodState::new())
        .unwrap();

    let mut renamed = a.clone();
    renamed.name = "new".into();
    store.rename_container(&renamed).unwrap();
    assert_eq!(store.lookup_container("new").unwrap(), a.id);
    assert!(matches!(
        store.lookup_container("old"),
        Err(CoreError::ContainerNotFound(_))
    ));
    assert_eq!(store.container_name(&a.id).unwrap(), "new");
    assert_eq!(store.container_config(&a.id).unwrap(), renamed);

    for name in ["taken", "a-pod"] {
        let mut clash = renamed.clone();
        clash.name = name.into();
        let err = store.rename_container(&clash).unwrap_err();
        assert!(
            matches!(&err, CoreError::NameInUse(n) if n == name),
            "{err}"
        );
        assert_eq!(
            store.container_config(&a.id).unwrap(),
            renamed,
            "nothing stored"
        );
    }
    // The old name is free for another container.
    add(store, &config(&id("c", '7'), "old"));

    let mut ghost = config(&id("0", '7'), "ghost");
    ghost.name = "ghost2".into();
    assert!(matches!(
        store.rename_container(&ghost),
        Err(CoreError::ContainerNotFound(x)) if x == ghost.id
    ));
}
