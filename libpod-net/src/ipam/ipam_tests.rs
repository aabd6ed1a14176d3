use super::*;
use crate::types::{LeaseRange, Subnet};
use std::sync::Arc;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn network(subnets: &[(&str, Option<&str>)]) -> Network {
    Network {
        name: "net".into(),
        subnets: subnets
            .iter()
            .map(|(cidr, gateway)| {
                let mut subnet = Subnet::new(cidr.parse().unwrap());
                subnet.gateway = gateway.map(ip);
                subnet
            })
            .collect(),
        ..Network::default()
    }
}

#[test]
fn addresses_are_the_lowest_free_skipping_network_gateway_and_broadcast() {
    let net = network(&[
        ("10.0.0.0/29", Some("10.0.0.1")),
        ("fd00::/64", Some("fd00::1")),
    ]);
    let store = MemoryAddressStore::default();
    let got: Vec<Vec<IpAddr>> = (0..5)
        .map(|n| allocate(&store, &net, &format!("c{n}"), &[]).unwrap())
        .collect();
    let v4: Vec<String> = got.iter().map(|a| a[0].to_string()).collect();
    assert_eq!(
        v4,
        ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]
    );
    assert_eq!(got[0][1], ip("fd00::2"));
    // .7 is the broadcast address: the range is full.
    let full = allocate(&store, &net, "c5", &[]);
    assert!(
        matches!(full, Err(NetError::SubnetExhausted { ref subnet, .. }) if subnet == "10.0.0.0-10.0.0.7")
    );
    // The failed allocation left nothing reserved (not its IPv6 address either).
    assert!(store.assigned("net", "c5").unwrap().is_empty());
    assert_eq!(store.allocated("net").unwrap().len(), 10);
}

#[test]
fn allocating_again_returns_what_the_container_holds_and_release_frees_it() {
    let net = network(&[("10.0.0.0/24", Some("10.0.0.1"))]);
    let store = MemoryAddressStore::default();
    let first = allocate(&store, &net, "c", &[]).unwrap();
    assert_eq!(allocate(&store, &net, "c", &[]).unwrap(), first);
    release(&store, &net, "c").unwrap();
    release(&store, &net, "c").unwrap();
    assert!(store.allocated("net").unwrap().is_empty());
}

#[test]
fn the_lease_range_bounds_what_is_handed_out() {
    let mut net = network(&[("10.0.0.0/24", Some("10.0.0.1"))]);
    net.subnets[0].lease_range = Some(LeaseRange {
        start_ip: Some(ip("10.0.0.200")),
        end_ip: Some(ip("10.0.0.201")),
    });
    let store = MemoryAddressStore::default();
    assert_eq!(
        allocate(&store, &net, "a", &[]).unwrap(),
        [ip("10.0.0.200")]
    );
    assert_eq!(
        allocate(&store, &net, "b", &[]).unwrap(),
        [ip("10.0.0.201")]
    );
    assert!(matches!(
        allocate(&store, &net, "c", &[]),
        Err(NetError::SubnetExhausted { .. })
    ));
    // A static address may lie outside the lease range (Podman's --ip), not outside the subnet.
    assert_eq!(
        allocate(&store, &net, "d", &[ip("10.0.0.9")]).unwrap(),
        [ip("10.0.0.9")]
    );
}

#[test]
fn static_requests_are_checked() {
    let net = network(&[
        ("10.0.0.0/24", Some("10.0.0.1")),
        ("fd00::/64", Some("fd00::1")),
    ]);
    let store = MemoryAddressStore::default();
    let both = allocate(&store, &net, "a", &[ip("10.0.0.50"), ip("fd00::50")]).unwrap();
    assert_eq!(both, [ip("10.0.0.50"), ip("fd00::50")]);
    // A static v4 only: the v6 address is picked.
    let mixed = allocate(&store, &net, "b", &[ip("10.0.0.51")]).unwrap();
    assert_eq!(mixed, [ip("10.0.0.51"), ip("fd00::2")]);
    assert!(matches!(
        allocate(&store, &net, "c", &[ip("10.0.0.50")]),
        Err(NetError::AddressInUse { .. })
    ));
    for (bad, why) in [
        ("10.0.1.5", "not in any subnet of the network"),
        ("10.0.0.0", "it is the subnet's network address"),
        ("10.0.0.255", "it is the subnet's broadcast address"),
        ("10.0.0.1", "it is the network's gateway"),
    ] {
        let result = allocate(&store, &net, "c", &[ip(bad)]);
        assert!(
            matches!(result, Err(NetError::InvalidStaticIp { reason, .. }) if reason == why),
            "{bad}"
        );
    }
    assert!(store.assigned("net", "c").unwrap().is_empty());
    // The v4-mapped form of an address is the address.
    assert!(matches!(
        allocate(&store, &net, "c", &[ip("::ffff:10.0.0.51")]),
        Err(NetError::AddressInUse { .. })
    ));
}

#[test]
fn networks_without_host_local_ipam_get_no_addresses() {
    let mut net = network(&[]);
    net.ipam_options.insert("driver".into(), "dhcp".into());
    let store = MemoryAddressStore::default();
    assert!(allocate(&store, &net, "a", &[]).unwrap().is_empty());
}

#[test]
fn static_macs_must_be_unicast() {
    assert!(check_static_mac(&"00:00:00:00:00:00".parse().unwrap()).is_err());
    assert!(check_static_mac(&"ff:ff:ff:ff:ff:ff".parse().unwrap()).is_err());
    assert!(check_static_mac(&"02:42:ac:11:00:02".parse().unwrap()).is_ok());
}

#[test]
fn concurrent_allocations_never_hand_out_one_address_twice() {
    let net = Arc::new(network(&[("10.0.0.0/26", Some("10.0.0.1"))]));
    let store = Arc::new(MemoryAddressStore::default());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (net, store) = (Arc::clone(&net), Arc::clone(&store));
            std::thread::spawn(move || {
                (0..15)
                    .map(|n| allocate(&*store, &net, &format!("t{t}-{n}"), &[]).unwrap()[0])
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<IpAddr> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    // 64 addresses minus network, gateway, broadcast: 61 usable, 60 handed out, all distinct.
    assert_eq!(all.len(), 60);
    assert_eq!(
        allocate(&*store, &net, "last", &[]).unwrap(),
        [ip("10.0.0.62")]
    );
    assert!(allocate(&*store, &net, "over", &[]).is_err());
}
