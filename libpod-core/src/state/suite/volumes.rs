//! The volumes' cases.

use super::containers::add;
use super::{Subject, config, id};
use crate::error::CoreError;
use crate::record::{VolumeConfig, VolumeState};
use crate::state::StateStore;

/// A volume with every field set.
fn full_volume(name: &str) -> VolumeConfig {
    let mut volume = VolumeConfig::new(name);
    volume.driver = "local".into();
    volume.created = "2024-05-01T10:00:00.5Z".into();
    volume.mount_point = format!("/var/lib/libpod-rs/volumes/{name}/_data").into();
    volume.labels.insert("app".into(), "db".into());
    volume.options.insert("type".into(), "tmpfs".into());
    volume.anonymous = true;
    volume.uid = Some(1000);
    volume.gid = Some(100);
    volume.no_copy = true;
    volume
}

fn add_volume(store: &dyn StateStore, volume: &VolumeConfig) {
    store
        .add_volume(volume, &VolumeState::new())
        .unwrap_or_else(|e| panic!("add volume {}: {e}", volume.name));
}

/// A volume's records round-trip, its state changes, and it goes; names are unique.
pub fn volumes_add_get_save_remove(subject: &dyn Subject) {
    let store = subject.store();
    let data = full_volume("data");
    add_volume(store, &data);
    assert_eq!(store.volume_config("data").unwrap(), data);
    assert_eq!(store.volume_state("data").unwrap(), VolumeState::new());
    let mut state = VolumeState::new();
    state.mount_count = 2;
    state.needs_copy_up = false;
    store.save_volume_state("data", &state).unwrap();
    assert_eq!(store.volume_state("data").unwrap(), state);
    assert_eq!(
        store.volume_config("data").unwrap(),
        data,
        "config unchanged"
    );

    let err = store
        .add_volume(&VolumeConfig::new("data"), &VolumeState::new())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::VolumeExists(name) if name == "data"),
        "{err}"
    );
    assert!(
        store
            .add_volume(&VolumeConfig::new(""), &VolumeState::new())
            .is_err()
    );
    // Volume names are apart from container and pod names.
    add(store, &config(&id("c", '0'), "cache"));
    add_volume(store, &VolumeConfig::new("cache"));
    assert_eq!(store.all_volumes().unwrap(), ["cache", "data"]);
    store.remove_volume("data").unwrap();
    assert!(matches!(
        store.volume_config("data"),
        Err(CoreError::VolumeNotFound(x)) if x == "data"
    ));
    assert_eq!(store.all_volumes().unwrap(), ["cache"]);
}

/// The full name, else a unique prefix of names (any characters a name may hold).
pub fn volumes_are_looked_up_by_name_and_prefix(subject: &dyn Subject) {
    let store = subject.store();
    for name in ["web_data", "web.logs", "db", "d"] {
        add_volume(store, &VolumeConfig::new(name));
    }
    assert_eq!(store.lookup_volume("db").unwrap(), "db");
    assert_eq!(
        store.lookup_volume("d").unwrap(),
        "d",
        "a full name beats prefixes"
    );
    assert_eq!(store.lookup_volume("web_").unwrap(), "web_data");
    assert_eq!(store.lookup_volume("web.").unwrap(), "web.logs");
    let err = store.lookup_volume("web").unwrap_err();
    assert!(
        matches!(&err, CoreError::AmbiguousVolume(x) if x == "web"),
        "{err}"
    );
    for missing in ["", "x", "web%", "web*", "web?", "Web"] {
        let err = store.lookup_volume(missing).unwrap_err();
        assert!(
            matches!(&err, CoreError::VolumeNotFound(x) if x == missing),
            "{missing:?}: {err}"
        );
    }
}

/// A volume a container uses is not removed until the container goes.
pub fn a_volume_in_use_is_not_removed(subject: &dyn Subject) {
    let store = subject.store();
    add_volume(store, &VolumeConfig::new("data"));
    let a = config(&id("a", '0'), "a");
    let b = config(&id("b", '0'), "b");
    add(store, &a);
    add(store, &b);
    store.link_volume(&b.id, "data").unwrap();
    store.link_volume(&a.id, "data").unwrap();
    store.link_volume(&a.id, "data").unwrap();
    assert_eq!(
        store.volume_users("data").unwrap(),
        [a.id.clone(), b.id.clone()]
    );
    match store.remove_volume("data").unwrap_err() {
        CoreError::VolumeInUse { name, containers } => {
            assert_eq!(name, "data");
            assert_eq!(containers, [a.id.clone(), b.id.clone()]);
        }
        other => panic!("expected VolumeInUse, got {other}"),
    }
    assert!(store.volume_config("data").is_ok(), "still there");
    store.remove_container(&a.id).unwrap();
    assert_eq!(store.volume_users("data").unwrap(), [b.id.as_str()]);
    assert!(store.remove_volume("data").is_err());
    store.remove_container(&b.id).unwrap();
    store.remove_volume("data").unwrap();
    assert!(store.volume_users("data").unwrap().is_empty());
}

/// Operations on an unknown volume, or links to one or from an unknown container, say so.
pub fn unknown_volumes_are_not_found(subject: &dyn Subject) {
    let store = subject.store();
    let is_not_found =
        |r: Result<(), CoreError>| matches!(r, Err(CoreError::VolumeNotFound(x)) if x == "ghost");
    assert!(is_not_found(store.volume_config("ghost").map(drop)));
    assert!(is_not_found(store.volume_state("ghost").map(drop)));
    assert!(is_not_found(
        store.save_volume_state("ghost", &VolumeState::new())
    ));
    assert!(is_not_found(store.remove_volume("ghost")));
    let ctr = config(&id("c", '1'), "c");
    add(store, &ctr);
    assert!(is_not_found(store.link_volume(&ctr.id, "ghost")));
    add_volume(store, &VolumeConfig::new("real"));
    let ghost_ctr = id("c", '2');
    assert!(matches!(
        store.link_volume(&ghost_ctr, "real"),
        Err(CoreError::ContainerNotFound(x)) if x == ghost_ctr
    ));
    assert!(store.volume_users("real").unwrap().is_empty());
    assert!(store.volume_users("ghost").unwrap().is_empty());
}
