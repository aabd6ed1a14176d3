//! The pods' cases.

use super::containers::add;
use super::{Subject, config, id};
use crate::error::CoreError;
use crate::record::{ContainerState, PodConfig, PodExitPolicy, PodState};
use crate::state::StateStore;

/// A pod with every field set.
fn full_pod(id: &str, name: &str) -> PodConfig {
    let mut pod = PodConfig::new(id, name);
    pod.created = "2024-05-01T10:00:00.5Z".into();
    pod.hostname = Some("pod-host".into());
    pod.labels.insert("app".into(), "web".into());
    pod.cgroup_parent = Some("machine.slice".into());
    pod.uses_pod_cgroup = true;
    pod.shared_namespaces = ["ipc", "net", "uts"].map(String::from).into();
    pod.has_infra = true;
    pod.resources.memory = Some(64 << 20);
    pod.exit_policy = PodExitPolicy::Stop;
    pod.restart_policy = Some(libpod_spec::RestartPolicy::Always);
    pod.create_command = vec!["podctl".into(), "pod".into(), "create".into()];
    pod
}

fn add_pod(store: &dyn StateStore, pod: &PodConfig) {
    store
        .add_pod(pod, &PodState::new())
        .unwrap_or_else(|e| panic!("add pod {}: {e}", pod.name));
}

/// A pod's records round-trip, its state changes, and it goes.
pub fn pods_add_get_save_remove(subject: &dyn Subject) {
    let store = subject.store();
    let pod = full_pod(&id("b0d", '1'), "web");
    add_pod(store, &pod);
    assert_eq!(store.pod_config(&pod.id).unwrap(), pod);
    assert_eq!(store.pod_state(&pod.id).unwrap(), PodState::new());
    let mut state = PodState::new();
    state.cgroup_path = Some("/sys/fs/cgroup/machine.slice/pod".into());
    state.infra_container_id = Some("f".repeat(64));
    store.save_pod_state(&pod.id, &state).unwrap();
    assert_eq!(store.pod_state(&pod.id).unwrap(), state);
    assert_eq!(store.pod_config(&pod.id).unwrap(), pod, "config unchanged");

    let other = PodConfig::new(id("0a", '2'), "db");
    add_pod(store, &other);
    assert_eq!(
        store.all_pods().unwrap(),
        [other.id.clone(), pod.id.clone()]
    );
    assert!(
        store.all_containers().unwrap().is_empty(),
        "pods are not containers"
    );
    store.remove_pod(&pod.id).unwrap();
    assert!(matches!(
        store.pod_config(&pod.id),
        Err(CoreError::PodNotFound(x)) if x == pod.id
    ));
    assert_eq!(store.all_pods().unwrap(), [other.id.as_str()]);
    // Its name is free again.
    add_pod(store, &PodConfig::new(id("0c", '3'), "web"));
}

/// Containers and pods share one namespace of names and IDs; a refused add stores nothing.
pub fn pod_names_and_ids_are_shared_with_containers(subject: &dyn Subject) {
    let store = subject.store();
    let ctr = config(&id("c", '1'), "web");
    add(store, &ctr);
    let err = store
        .add_pod(&PodConfig::new(id("d", '1'), "web"), &PodState::new())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::NameInUse(n) if n == "web"),
        "{err}"
    );
    let err = store
        .add_pod(&PodConfig::new(ctr.id.clone(), "pod"), &PodState::new())
        .unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidOption { option: "id", .. }),
        "{err}"
    );
    assert!(store.all_pods().unwrap().is_empty());

    let pod = PodConfig::new(id("d", '2'), "pod");
    add_pod(store, &pod);
    let err = store
        .add_container(&config(&id("c", '2'), "pod"), &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::NameInUse(n) if n == "pod"),
        "{err}"
    );
    let err = store
        .add_container(&config(&pod.id, "other"), &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(err, CoreError::InvalidOption { option: "id", .. }),
        "{err}"
    );
    let err = store.add_pod(&PodConfig::new(pod.id.clone(), "again"), &PodState::new());
    assert!(err.is_err());
    for bad in [PodConfig::new("", "x"), PodConfig::new(id("d", '3'), "")] {
        assert!(store.add_pod(&bad, &PodState::new()).is_err());
    }
    assert_eq!(store.all_containers().unwrap(), [ctr.id.as_str()]);
    assert_eq!(store.all_pods().unwrap(), [pod.id.as_str()]);
}

/// Exact ID, then exact name, then a unique ID prefix; containers are not pods.
pub fn pods_are_looked_up_by_id_name_and_prefix(subject: &dyn Subject) {
    let store = subject.store();
    let abc1 = PodConfig::new(id("abc1", '0'), "first");
    let abc2 = PodConfig::new(id("abc2", '0'), "second");
    let named_like_prefix = PodConfig::new(id("ff", '0'), "abc");
    for pod in [&abc1, &abc2, &named_like_prefix] {
        add_pod(store, pod);
    }
    add(store, &config(&id("0c", '0'), "a-container"));
    assert_eq!(store.lookup_pod(&abc1.id).unwrap(), abc1.id);
    assert_eq!(store.lookup_pod("second").unwrap(), abc2.id);
    assert_eq!(store.lookup_pod("abc1").unwrap(), abc1.id);
    assert_eq!(store.lookup_pod("abc").unwrap(), named_like_prefix.id);
    let err = store.lookup_pod("a").unwrap_err();
    assert!(
        matches!(&err, CoreError::AmbiguousPod(x) if x == "a"),
        "{err}"
    );
    for missing in ["abc3", "nope", "", "ABC1", "ab*", "a-container", "0c"] {
        let err = store.lookup_pod(missing).unwrap_err();
        assert!(
            matches!(&err, CoreError::PodNotFound(x) if x == missing),
            "{missing:?}: {err}"
        );
    }
    assert!(
        store.lookup_container("first").is_err(),
        "pods are not containers"
    );
}

/// A pod lists its containers and is not removed while it has any.
pub fn a_pod_with_containers_is_not_removed(subject: &dyn Subject) {
    let store = subject.store();
    let pod = PodConfig::new(id("d0", '0'), "pod");
    add_pod(store, &pod);
    let mut infra = config(&id("1", '1'), "pod-infra");
    infra.pod = Some(pod.id.clone());
    let mut app = config(&id("2", '2'), "app");
    app.pod = Some(pod.id.clone());
    let outside = config(&id("3", '3'), "outside");
    for ctr in [&app, &infra, &outside] {
        add(store, ctr);
    }
    assert_eq!(
        store.pod_containers(&pod.id).unwrap(),
        [infra.id.clone(), app.id.clone()]
    );
    match store.remove_pod(&pod.id).unwrap_err() {
        CoreError::PodHasContainers { id, containers } => {
            assert_eq!(id, pod.id);
            assert_eq!(containers, [infra.id.clone(), app.id.clone()]);
        }
        other => panic!("expected PodHasContainers, got {other}"),
    }
    assert!(store.pod_config(&pod.id).is_ok(), "still there");
    store.remove_container(&app.id).unwrap();
    store.remove_container(&infra.id).unwrap();
    assert!(store.pod_containers(&pod.id).unwrap().is_empty());
    store.remove_pod(&pod.id).unwrap();
    assert_eq!(store.all_containers().unwrap(), [outside.id.as_str()]);
}

/// Operations on an unknown pod say so.
pub fn unknown_pods_are_not_found(subject: &dyn Subject) {
    let store = subject.store();
    let ghost = id("d", 'd');
    let is_not_found =
        |r: Result<(), CoreError>| matches!(r, Err(CoreError::PodNotFound(x)) if x == ghost);
    assert!(is_not_found(store.pod_config(&ghost).map(drop)));
    assert!(is_not_found(store.pod_state(&ghost).map(drop)));
    assert!(is_not_found(store.save_pod_state(&ghost, &PodState::new())));
    assert!(is_not_found(store.remove_pod(&ghost)));
    assert!(is_not_found(store.lookup_pod(&ghost).map(drop)));
    assert!(is_not_found(store.pod_containers(&ghost).map(drop)));
    assert!(store.all_pods().unwrap().is_empty());
}
