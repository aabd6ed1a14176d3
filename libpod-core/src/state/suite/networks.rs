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

/// A config's `networks` become its attachments with the row, in one transaction.
pub fn networks_given_at_create_are_attached(subject: &dyn Subject) {
    let store = subject.store();
    let mut a = config(&id("a", '0'), "a");
    a.networks = vec![
        full_attachment("podman", "eth0"),
        NetworkAttachment::new("backend"),
    ];
    add(store, &a);
    assert_eq!(
        store.container_networks(&a.id).unwrap(),
        [a.networks[1].clone(), a.networks[0].clone()]
    );
    assert_eq!(store.network_users("backend").unwrap(), [a.id.as_str()]);
    // A refused attachment refuses the container: no row, no attachment.
    let mut b = config(&id("b", '0'), "b");
    b.networks = vec![
        full_attachment("podman", "eth0"),
        full_attachment("backend", "eth0"),
    ];
    assert!(
        store
            .add_container(&b, &crate::record::ContainerState::default())
            .is_err()
    );
    assert!(store.container_networks(&b.id).unwrap().is_empty());
    assert_eq!(store.network_users("podman").unwrap(), [a.id.as_str()]);
}

/// An address has one holder per network; a holder reserving again gets `true`; release,
/// disconnect and removal free them; only an attached container reserves.
pub fn addresses_are_reserved_once_and_go_with_their_attachment(subject: &dyn Subject) {
    let store = subject.store();
    let a = config(&id("a", '0'), "a");
    let b = config(&id("b", '0'), "b");
    add(store, &a);
    add(store, &b);
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    for c in [&a, &b] {
        store
            .connect_network(&c.id, &NetworkAttachment::new("podman"))
            .unwrap();
    }
    assert!(
        store
            .reserve_address(&a.id, "podman", ip("10.88.0.2"))
            .unwrap()
    );
    assert!(
        store
            .reserve_address(&a.id, "podman", ip("10.88.0.2"))
            .unwrap()
    );
    assert!(
        !store
            .reserve_address(&b.id, "podman", ip("10.88.0.2"))
            .unwrap()
    );
    assert!(
        store
            .reserve_address(&a.id, "podman", ip("fd00::2"))
            .unwrap()
    );
    assert!(
        store
            .reserve_address(&b.id, "podman", ip("10.88.0.3"))
            .unwrap()
    );
    assert_eq!(
        store.container_addresses(&a.id, "podman").unwrap(),
        [ip("10.88.0.2"), ip("fd00::2")]
    );
    let mut all = store.allocated_addresses("podman").unwrap();
    all.sort();
    assert_eq!(all, [ip("10.88.0.2"), ip("10.88.0.3"), ip("fd00::2")]);
    assert!(matches!(
        store.reserve_address(&a.id, "backend", ip("10.89.0.2")),
        Err(CoreError::NetworkNotConnected { .. })
    ));
    store.release_addresses(&a.id, "podman").unwrap();
    assert!(
        store
            .container_addresses(&a.id, "podman")
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .reserve_address(&a.id, "podman", ip("10.88.0.2"))
            .unwrap()
    );
    store.disconnect_network(&a.id, "podman").unwrap();
    assert_eq!(
        store.allocated_addresses("podman").unwrap(),
        [ip("10.88.0.3")]
    );
    store.remove_container(&b.id).unwrap();
    assert!(store.allocated_addresses("podman").unwrap().is_empty());
}

/// 40 containers reserving from 4 threads at once, each taking the lowest free address:
/// no address is given twice.
pub fn concurrent_reservations_never_share_an_address(subject: &dyn Subject) {
    let store = subject.store();
    let ids: Vec<String> = (0..40).map(|n| format!("{n:064x}")).collect();
    for (n, ctr) in ids.iter().enumerate() {
        let mut c = config(ctr, &format!("c{n}"));
        c.dependencies.clear();
        c.namespaces_from.clear();
        c.networks = vec![NetworkAttachment::new("podman")];
        store
            .add_container(&c, &crate::record::ContainerState::default())
            .unwrap();
    }
    std::thread::scope(|scope| {
        for chunk in ids.chunks(10) {
            scope.spawn(move || {
                for ctr in chunk {
                    let got = (2..=255u8).find(|last| {
                        let address = std::net::IpAddr::from([10, 88, 0, *last]);
                        store.reserve_address(ctr, "podman", address).unwrap()
                    });
                    assert!(got.is_some(), "{ctr} got no address");
                }
            });
        }
    });
    let mut all = store.allocated_addresses("podman").unwrap();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(
        (before, all.len()),
        (40, 40),
        "each container one address, none shared"
    );
}
