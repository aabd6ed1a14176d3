use super::free::{free_device_name, free_ipv4_subnet, next_subnet};
use super::*;
use crate::types::{LeaseRange, Network, Subnet};
use nix::fcntl::{FcntlArg, fcntl};
use nix::libc;
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::sync::mpsc;
use std::time::Duration;

/// A store in a temp dir, with its own foreign dir (empty) and a test-only pool for the
/// default network, so the host's real networks change nothing but the host's interfaces.
fn store() -> (tempfile::TempDir, NetworkStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = StoreConfig::new(dir.path().join("networks"));
    config.foreign_dirs = vec![dir.path().join("podman-networks")];
    config.default_network.pools = vec![SubnetPool::new("10.250.0.0/16", 24)];
    config.subnet_pools = vec![SubnetPool::new("10.251.0.0/16", 24)];
    let store = NetworkStore::open(config).unwrap();
    (dir, store)
}

fn named(name: &str) -> Network {
    Network {
        name: name.into(),
        ..Network::default()
    }
}

fn with_subnet(name: &str, subnet: &str) -> Network {
    let mut network = named(name);
    network.subnets = vec![Subnet::new(subnet.parse().unwrap())];
    network
}

#[test]
fn opening_creates_the_default_network_privately() {
    let (dir, store) = store();
    let default = store.inspect("libpod").unwrap();
    assert_eq!(default.network_interface, "libpod0");
    assert_eq!(default.driver, "bridge");
    assert_eq!(default.subnets[0].subnet.to_string(), "10.250.0.0/24");
    assert_eq!(
        default.subnets[0].gateway,
        Some("10.250.0.1".parse().unwrap())
    );
    assert_eq!(default.ipam_options["driver"], "host-local");
    assert_eq!(default.id.len(), 64);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("networks")), 0o700);
    assert_eq!(mode(&dir.path().join("networks/libpod.json")), 0o600);
    // Reopening keeps it (its ID, its subnet).
    let mut config = StoreConfig::new(store.dir());
    config.foreign_dirs.clear();
    let again = NetworkStore::open(config).unwrap();
    assert_eq!(again.inspect("libpod").unwrap(), default);
    assert!(matches!(
        store.remove("libpod"),
        Err(NetError::DefaultNetworkRemoval { .. })
    ));
}

#[test]
fn the_default_networks_defaults_stay_clear_of_podmans() {
    let default = DefaultNetwork::default();
    let podman: crate::types::IpNet = "10.88.0.0/16".parse().unwrap();
    assert_ne!(default.name, "podman");
    assert!(!default.bridge.starts_with("podman"));
    for pool in default.pools.iter() {
        assert!(!pool.base.overlaps(&podman));
        for theirs in SubnetPool::podman_defaults() {
            assert!(!pool.base.overlaps(&theirs.base), "{:?}", pool.base);
        }
    }
}

#[test]
fn new_networks_get_free_subnets_and_podman_n_bridges() {
    let (_dir, store) = store();
    let first = store.create(named("one")).unwrap();
    let second = store.create(Network::default()).unwrap();
    assert_eq!(first.subnets[0].subnet.to_string(), "10.251.0.0/24");
    assert_eq!(
        first.subnets[0].gateway,
        Some("10.251.0.1".parse().unwrap())
    );
    assert_eq!(second.subnets[0].subnet.to_string(), "10.251.1.0/24");
    let host = host::interface_names();
    assert!(!host.contains(&first.network_interface));
    assert!(first.network_interface.starts_with("podman"));
    // A network without a name is named after its bridge, as Podman names it.
    assert_eq!(second.name, second.network_interface);
    assert_ne!(first.network_interface, second.network_interface);
    assert!(first.dns_enabled == Network::default().dns_enabled);
    let names: Vec<String> = store.list().unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(names, ["libpod", "one", &second.name]);
}

#[test]
fn the_pools_are_walked_in_order_past_used_subnets() {
    let used = |s: &str| UsedSubnet {
        subnet: s.parse().unwrap(),
        by: "x".into(),
    };
    let pools = SubnetPool::podman_defaults();
    assert_eq!(
        free_ipv4_subnet(&[], &pools).unwrap().to_string(),
        "10.89.0.0/24"
    );
    let taken = [used("10.89.0.0/23"), used("10.89.2.7/32")];
    assert_eq!(
        free_ipv4_subnet(&taken, &pools).unwrap().to_string(),
        "10.89.3.0/24"
    );
    assert_eq!(
        free_ipv4_subnet(&[used("10.89.0.0/16")], &pools)
            .unwrap()
            .to_string(),
        "10.90.0.0/24"
    );
    assert!(matches!(
        free_ipv4_subnet(&[used("10.0.0.0/8")], &pools),
        Err(NetError::NoFreeSubnet)
    ));
    assert_eq!(
        next_subnet("10.89.255.0/24".parse().unwrap())
            .unwrap()
            .to_string(),
        "10.90.0.0/24"
    );
    assert!(next_subnet("255.255.255.0/24".parse().unwrap()).is_none());
    let taken: BTreeSet<String> = ["podman1".into(), "podman2".into()].into();
    assert_eq!(free_device_name("podman", &taken).unwrap(), "podman3");
}

#[test]
fn subnets_of_other_networks_podmans_and_the_hosts_are_refused() {
    let (dir, store) = store();
    store.create(with_subnet("a", "10.252.0.0/16")).unwrap();
    let overlapping = store.create(with_subnet("b", "10.252.3.0/24"));
    assert!(matches!(overlapping, Err(NetError::SubnetInUse { ref by, .. }) if by == "network a"));
    // Podman's implicit default and the networks in Podman's directory.
    assert!(matches!(
        store.create(with_subnet("c", "10.88.1.0/24")),
        Err(NetError::SubnetInUse { .. })
    ));
    let foreign = dir.path().join("podman-networks");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(
        foreign.join("theirs.json"),
        r#"{"name": "theirs", "id": "ff", "driver": "bridge", "network_interface": "podman7",
            "subnets": [{"subnet": "10.253.0.0/24"}]}"#,
    )
    .unwrap();
    assert!(matches!(
        store.create(with_subnet("d", "10.253.0.128/25")),
        Err(NetError::SubnetInUse { ref by, .. }) if by == "network theirs"
    ));
    let mut bridge = with_subnet("e", "10.254.0.0/24");
    bridge.network_interface = "podman7".into();
    assert!(matches!(
        store.create(bridge),
        Err(NetError::InterfaceInUse { .. })
    ));
    // The host's loopback.
    assert!(matches!(
        store.create(with_subnet("f", "127.0.0.0/8")),
        Err(NetError::SubnetInUse { ref by, .. }) if by == "host interface lo"
    ));
    // Our own default network's subnet is taken too.
    assert!(matches!(
        store.create(with_subnet("g", "10.250.0.0/24")),
        Err(NetError::SubnetInUse { .. })
    ));
}

#[test]
fn definitions_are_checked_as_c_common_checks_them() {
    let (_dir, store) = store();
    store.create(named("taken")).unwrap();
    assert!(matches!(
        store.create(named("taken")),
        Err(NetError::NetworkExists { .. })
    ));
    assert!(matches!(
        store.create(named("-bad")),
        Err(NetError::InvalidNetwork { .. })
    ));
    let mut gateway = with_subnet("gw", "10.254.1.0/24");
    gateway.subnets[0].gateway = Some("10.254.2.1".parse().unwrap());
    assert!(matches!(
        store.create(gateway),
        Err(NetError::AddressOutsideSubnet {
            what: "gateway",
            ..
        })
    ));
    let mut range = with_subnet("range", "10.254.1.0/24");
    range.subnets[0].lease_range = Some(LeaseRange {
        start_ip: Some("10.254.9.1".parse().unwrap()),
        end_ip: None,
    });
    assert!(matches!(
        store.create(range),
        Err(NetError::AddressOutsideSubnet {
            what: "lease range start ip",
            ..
        })
    ));
    for bad in ["abcdefghijklmnopq", "br 0", "a/b", ".."] {
        let mut network = named("ifname");
        network.network_interface = bad.into();
        assert!(
            matches!(
                store.create(network),
                Err(NetError::InvalidInterfaceName { .. })
            ),
            "{bad}"
        );
    }
    for (key, value) in [
        ("mtu", "x"),
        ("vlan", "5000"),
        ("isolate", "maybe"),
        ("colour", "1"),
    ] {
        let mut network = named("opts");
        network.options.insert(key.into(), value.into());
        assert!(
            matches!(store.create(network), Err(NetError::InvalidNetwork { .. })),
            "{key}"
        );
    }
    let mut driver = named("drv");
    driver.driver = "overlay".into();
    assert!(matches!(
        store.create(driver),
        Err(NetError::InvalidNetwork { .. })
    ));
    let mut id = named("id");
    id.id = "abc".into();
    assert!(matches!(
        store.create(id),
        Err(NetError::InvalidNetwork { .. })
    ));
    assert_eq!(store.list().unwrap().len(), 2);
}

#[test]
fn options_subnets_and_flags_are_completed_as_podman_completes_them() {
    let (_dir, store) = store();
    let mut network = with_subnet("full", "10.254.7.9/24");
    network.ipv6_enabled = true;
    network.internal = true;
    network.options.insert("mtu".into(), "1400".into());
    network.options.insert("isolate".into(), "1".into());
    network
        .options
        .insert("com.docker.network.bridge.name".into(), "mybr0".into());
    network.labels.insert("a".into(), "b".into());
    let created = store.create(network).unwrap();
    assert_eq!(created.subnets[0].subnet.to_string(), "10.254.7.0/24");
    // Internal without DNS: no gateway.
    assert_eq!(created.subnets[0].gateway, None);
    assert!(created.subnets[1].subnet.is_ipv6());
    assert_eq!(created.subnets[1].subnet.prefix(), 64);
    assert!(created.ipv6_enabled);
    assert_eq!(created.options["isolate"], "true");
    assert_eq!(created.network_interface, "mybr0");
    assert_eq!(created.labels["a"], "b");
    assert_eq!(store.inspect("full").unwrap(), created);

    let mut dns = named("dns");
    dns.internal = true;
    dns.dns_enabled = true;
    let dns = store.create(dns).unwrap();
    assert!(
        dns.subnets[0].gateway.is_some(),
        "aardvark-dns listens on the gateway"
    );

    let mut macvlan = named("mac");
    macvlan.driver = "macvlan".into();
    macvlan.network_interface = "lo".into();
    macvlan.dns_enabled = true;
    let macvlan = store.create(macvlan).unwrap();
    assert_eq!(macvlan.ipam_options["driver"], "dhcp");
    assert!(!macvlan.dns_enabled);
    let mut missing = named("mac2");
    missing.driver = "macvlan".into();
    missing.network_interface = "nosuchif0".into();
    assert!(matches!(
        store.create(missing),
        Err(NetError::InvalidNetwork { .. })
    ));
}

#[test]
fn lookups_by_id_prefix_removal_and_prune() {
    // Names that no ID can start with (not hex): "a" was taken as the prefix of another
    // network's random ID once in a few runs.
    let (dir, store) = store();
    let a = store.create(named("na")).unwrap();
    let b = store.create(named("nb")).unwrap();
    store.create(named("nc")).unwrap();
    assert_eq!(store.inspect(&a.id[..10]).unwrap().name, "na");
    assert_eq!(store.inspect(&b.id).unwrap().name, "nb");
    assert!(matches!(
        store.inspect("zz"),
        Err(NetError::NoSuchNetwork { .. })
    ));
    assert!(matches!(
        store.inspect(""),
        Err(NetError::NoSuchNetwork { .. })
    ));
    // One hex digit is ambiguous among four random IDs only sometimes: make it certain.
    std::fs::write(
        dir.path().join("networks/x.json"),
        format!(
            r#"{{"name": "x", "id": "{}", "driver": "bridge"}}"#,
            &a.id[..20]
        ),
    )
    .unwrap();
    assert!(matches!(
        store.inspect(&a.id[..8]),
        Err(NetError::AmbiguousNetworkId { .. })
    ));
    std::fs::remove_file(dir.path().join("networks/x.json")).unwrap();
    // A file that does not parse is skipped, as Podman skips it.
    std::fs::write(dir.path().join("networks/broken.json"), b"{").unwrap();
    assert_eq!(store.list().unwrap().len(), 4);
    assert_eq!(store.remove(&a.id[..12]).unwrap().name, "na");
    assert!(!dir.path().join("networks/na.json").exists());
    assert!(matches!(
        store.remove("na"),
        Err(NetError::NoSuchNetwork { .. })
    ));
    let pruned = store.prune(&["nc".to_string()].into()).unwrap();
    assert_eq!(pruned, ["nb"]);
    let names: Vec<String> = store.list().unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(names, ["libpod", "nc"]);
}

#[test]
fn create_waits_for_a_posix_lock_on_netavark_lock_as_podman_takes_it() {
    let (dir, store) = store();
    let lock_path = dir.path().join("networks/netavark.lock");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .unwrap();
    // containers/storage's lockfile: a POSIX record lock over the whole file.
    let whole = libc::flock {
        l_type: libc::c_short::try_from(libc::F_WRLCK).unwrap(),
        l_whence: libc::c_short::try_from(libc::SEEK_SET).unwrap(),
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    };
    fcntl(&file, FcntlArg::F_SETLK(&whole)).unwrap();
    let (done, finished) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            done.send(store.create(named("waits")).map(|n| n.name))
                .unwrap()
        });
        assert!(
            finished.recv_timeout(Duration::from_millis(300)).is_err(),
            "create did not wait"
        );
        drop(file);
        assert_eq!(
            finished
                .recv_timeout(Duration::from_secs(10))
                .unwrap()
                .unwrap(),
            "waits"
        );
    });
}
