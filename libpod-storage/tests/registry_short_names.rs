//! `short-name-mode` against real registries: with `enforcing`, a short name that two
//! unqualified-search registries could supply is an ambiguity error (as Podman without a
//! TTY), while an alias or a single search registry still pulls; `permissive` tries the
//! search registries in turn.

mod common;

use common::registry::{assert_nothing_committed, busybox_registry, plain_pull};
use libpod_storage::{RegistriesConfig, StorageError};
use libpod_testutil::TempRoot;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

fn conf(text: &str) -> Option<Arc<RegistriesConfig>> {
    Some(Arc::new(
        RegistriesConfig::from_toml_str(Path::new("registries.conf"), text).unwrap(),
    ))
}

#[test]
fn enforcing_mode_refuses_an_ambiguous_short_name_and_pulls_an_unambiguous_one() {
    let tmp = TempRoot::new().unwrap();
    let (first, _, _) = busybox_registry(&tmp.path().join("first"), "busybox:1", &[]);
    let (second, _, _) = busybox_registry(&tmp.path().join("second"), "busybox:1", &[]);
    let (a, b) = (first.host(), second.host());
    let store = common::store(&tmp, None);
    let mut options = plain_pull(&tmp);

    options.registries_conf = conf(&format!(
        "short-name-mode = \"enforcing\"\nunqualified-search-registries = [\"{a}\", \"{b}\"]"
    ));
    match store.pull_image("busybox:1", &options) {
        Err(StorageError::ShortNameAmbiguous { name, candidates }) => {
            assert_eq!(name, "busybox:1");
            assert_eq!(
                candidates,
                [format!("{a}/busybox:1"), format!("{b}/busybox:1")]
            );
        }
        other => panic!("expected an ambiguity error, got {other:?}"),
    }
    assert_nothing_committed(&store);

    // An alias names one image: no ambiguity.
    options.registries_conf = conf(&format!(
        "short-name-mode = \"enforcing\"\nunqualified-search-registries = [\"{a}\", \"{b}\"]\n\
         [aliases]\n\"busybox\" = \"{b}/busybox\""
    ));
    let image = store.pull_image("busybox:1", &options).unwrap();
    assert_eq!(image.names, [format!("{b}/busybox:1")]);

    // One search registry: no ambiguity either.
    options.registries_conf = conf(&format!(
        "short-name-mode = \"enforcing\"\nunqualified-search-registries = [\"{a}\"]"
    ));
    let image = store.pull_image("busybox:1", &options).unwrap();
    assert!(image.names.contains(&format!("{a}/busybox:1")), "{image:?}");
}

#[test]
fn permissive_mode_tries_the_search_registries_in_turn() {
    let tmp = TempRoot::new().unwrap();
    let (registry, _, _) = busybox_registry(tmp.path(), "busybox:1", &[]);
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_host = dead.local_addr().unwrap().to_string();
    drop(dead);
    let store = common::store(&tmp, None);
    let mut options = plain_pull(&tmp);
    options.registries_conf = conf(&format!(
        "short-name-mode = \"permissive\"\nunqualified-search-registries = [\"{dead_host}\", \"{}\"]",
        registry.host()
    ));
    let image = store.pull_image("busybox:1", &options).unwrap();
    assert_eq!(image.names, [format!("{}/busybox:1", registry.host())]);
}
