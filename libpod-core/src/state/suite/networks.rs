//! The network attachments' cases.

use super::containers::add;
use super::{Subject, config, id};
use crate::error::CoreError;
use crate::record::NetworkAttachment;

/// An attachment with every field set.
fn full_attachment(network: &str, interface: &str) -> NetworkAttachment {
    let mut attachment = NetworkAttachment::new(network);
    attachment.static_ips = vec!["10.88.0.5".parse().unwrap(), "fd00::5".parse().unwrap()];
    attachment.static_mac = Some("aa:bb:cc:dd:ee:ff".into());
    attachment.aliases = vec!["web".into(), "www".into()];
    attachment.interface_name = interface.into();
    attachment
}

/// Connect, list, disconnect; attachments round-trip whole.
pub fn networks_connect_and_disconnect(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '0'), "a");
    let b = config(&id("b", '0'), "b");
    add(store, &a);
    add(store, &b);
    let podman = full_attachment("podman", "eth0");
    let backend = NetworkAttachment::new("backend");
    store.connect_network(&a.id, &podman).unwrap();
    store.connect_network(&a.id, &backend).unwrap();
    store
        .connect_network(&b.id, &NetworkAttachment::new("podman"))
        .unwrap();
    assert_eq!(
        store.container_networks(&a.id).unwrap(),
        [backend.clone(), podman.clone()],
        "sorted by network"
    );
    assert_eq!(
        store.network_users("podman").unwrap(),
        [a.id.clone(), b.id.clone()]
    );
    assert_eq!(store.network_users("backend").unwrap(), [a.id.as_str()]);
    store.disconnect_network(&a.id, "podman").unwrap();
    assert_eq!(store.container_networks(&a.id).unwrap(), [backend]);
    assert_eq!(store.network_users("podman").unwrap(), [b.id.as_str()]);
    // Connected again, with other options.
    store
        .connect_network(&a.id, &full_attachment("podman", "eth1"))
        .unwrap();
    assert_eq!(
        store.container_networks(&a.id).unwrap()[1].interface_name,
        "eth1"
    );
    assert!(store.network_users("none").unwrap().is_empty());
}

/// Removing a container removes its attachments: a network it was on is free of it.
pub fn network_attachments_go_with_their_container(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '0'), "a");
    add(store, &a);
    store
        .connect_network(&a.id, &full_attachment("podman", "eth0"))
        .unwrap();
    assert_eq!(store.network_users("podman").unwrap(), [a.id.as_str()]);
    store.remove_container(&a.id).unwrap();
    assert!(store.network_users("podman").unwrap().is_empty());
    assert!(store.container_networks(&a.id).unwrap().is_empty());
    // A new container of the same name starts with none.
    let again = config(&id("a", '1'), "a");
    add(store, &again);
    assert!(store.container_networks(&again.id).unwrap().is_empty());
}

/// Twice on one network, an interface name used twice, no network name, an unknown
/// container, a network it is not on: refused, storing nothing.
pub fn network_refusals(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '0'), "a");
    add(store, &a);
    store
        .connect_network(&a.id, &full_attachment("podman", "eth0"))
        .unwrap();
    let err = store
        .connect_network(&a.id, &NetworkAttachment::new("podman"))
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::NetworkConnected { container, network }
            if *container == a.id && network == "podman"),
        "{err}"
    );
    let err = store
        .connect_network(&a.id, &full_attachment("backend", "eth0"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidOption {
                option: "interface name",
                ..
            }
        ),
        "{err}"
    );
    let err = store
        .connect_network(&a.id, &NetworkAttachment::new(""))
        .unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::InvalidOption {
                option: "network",
                ..
            }
        ),
        "{err}"
    );
    let ghost = id("c", 'c');
    assert!(matches!(
        store.connect_network(&ghost, &NetworkAttachment::new("podman")),
        Err(CoreError::ContainerNotFound(x)) if x == ghost
    ));
    assert!(matches!(
        store.disconnect_network(&ghost, "podman"),
        Err(CoreError::ContainerNotFound(_))
    ));
    let err = store.disconnect_network(&a.id, "backend").unwrap_err();
    assert!(
        matches!(&err, CoreError::NetworkNotConnected { network, .. } if network == "backend"),
        "{err}"
    );
    assert_eq!(store.container_networks(&a.id).unwrap().len(), 1);
    assert!(store.network_users("backend").unwrap().is_empty());
    // Empty interface names (not given yet) do not clash.
    store
        .connect_network(&a.id, &NetworkAttachment::new("x"))
        .unwrap();
    store
        .connect_network(&a.id, &NetworkAttachment::new("y"))
        .unwrap();
}
