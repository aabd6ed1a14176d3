//! Real traffic through namespaces set up by the real netavark 1.4 and aardvark-dns, only to
//! 127.0.0.1 and to the bridges and namespaces each test creates: a namespace reaches its
//! gateway, a published port answers on 127.0.0.1, two namespaces resolve each other by name
//! and alias, an internal network has no route out, the firewall driver is passed through, and
//! teardown leaves no interface, bridge, firewall rule or DNS entry behind.

mod common;

use common::{Container, Env, dns_query, dns_resolve, network, snapshot};
use libpod_net::NetError;
use libpod_net::backend::NetworkBackend;
use libpod_net::netns;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

#[test]
fn a_namespace_reaches_its_gateway_and_its_published_port_answers_on_localhost() {
    let env = Env::new();
    let net = network("lptraffic", "lptraf0", "10.213.78.0/24", false, false);
    common::reaches_gateway_and_serves_published_port(&env, &net, "10.213.78.10");
}

#[test]
fn two_namespaces_resolve_and_reach_each_other_by_name_and_alias() {
    let env = Env::new();
    let net = network("lpdns", "lpdns0", "10.213.80.0/24", true, false);
    let alpha = Container::start(&env, "alpha", &net, "10.213.80.10", &[], vec![]);
    let beta = Container::start(&env, "beta", &net, "10.213.80.11", &["bee"], vec![]);
    assert_eq!(
        alpha.status.dns_server_ips,
        ["10.213.80.1".parse::<IpAddr>().unwrap()]
    );
    let listener =
        netns::run_in(&beta.netns, || TcpListener::bind("0.0.0.0:9000").unwrap()).unwrap();
    let (by_name, by_alias, reached) = netns::run_in(&alpha.netns, || {
        let by_name = dns_resolve("10.213.80.1", "beta");
        let by_alias = dns_resolve("10.213.80.1", "bee");
        let target = SocketAddr::new(by_name.unwrap_or([0, 0, 0, 0].into()), 9000);
        let reached = TcpStream::connect_timeout(&target, Duration::from_secs(5)).is_ok();
        (by_name, by_alias, reached)
    })
    .unwrap();
    assert_eq!(by_name, Some("10.213.80.11".parse().unwrap()));
    assert_eq!(by_alias, Some("10.213.80.11".parse().unwrap()));
    assert!(reached);
    let (_, peer) = listener.accept().unwrap();
    assert_eq!(peer.ip(), "10.213.80.10".parse::<IpAddr>().unwrap());
    // After beta is gone, its name no longer resolves.
    drop(beta);
    // (aardvark-dns drops it when netavark signals it, a moment after the teardown.)
    let after = netns::run_in(&alpha.netns, || {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let found = dns_query("10.213.80.1", "beta");
            if found.is_none() || std::time::Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .unwrap();
    assert_eq!(after, None);
}

#[test]
fn an_internal_network_has_no_route_out() {
    let env = Env::new();
    let net = network("lpinternal", "lpint0", "10.213.79.0/24", false, true);
    let ctr = Container::start(&env, "island", &net, "10.213.79.10", &[], vec![]);
    let routes = ctr.routes();
    assert!(!routes.is_empty(), "the subnet's route");
    assert!(
        !routes.iter().any(|r| r.starts_with("eth0\t00000000")),
        "{routes:?}"
    );
    // Unreachable is decided by the routing table: no packet leaves.
    let refused = netns::run_in(&ctr.netns, || {
        TcpStream::connect_timeout(&"192.0.2.1:80".parse().unwrap(), Duration::from_secs(5))
            .unwrap_err()
            .kind()
    })
    .unwrap();
    assert_eq!(refused, std::io::ErrorKind::NetworkUnreachable);
}

#[test]
fn the_firewall_driver_is_passed_through_and_a_failed_setup_leaves_nothing() {
    let env = Env::new();
    let net = network("lpfw", "lpfw0", "10.213.81.0/24", true, false);
    env.warm_up(&net);
    let before = snapshot();
    let backend = env.backend().with_firewall_driver(Some("nosuch".into()));
    let path = netns::create(&env.netns_dir(), "fw").unwrap();
    let (options, networks) = common::options("fw", &net, "10.213.81.10", &[], vec![]);
    let args = common::args(&path, &options, &networks);
    let failed = backend.setup(&args);
    netns::remove(&path).unwrap();
    assert!(
        matches!(&failed, Err(NetError::Netavark { verb: "setup", message, .. }) if message.contains("nosuch")),
        "{failed:?}"
    );
    assert_eq!(snapshot(), before);
    // The driver netavark 1.4 uses on this host, named explicitly, works.
    let iptables = env.backend().with_firewall_driver(Some("iptables".into()));
    let path = netns::create(&env.netns_dir(), "fw2").unwrap();
    let args = common::args(&path, &options, &networks);
    let status = iptables.setup(&args);
    iptables.teardown(&args).unwrap();
    netns::remove(&path).unwrap();
    status.unwrap();
}

#[test]
fn teardown_leaves_no_interface_bridge_rule_or_dns_entry() {
    let env = Env::new();
    let net = network("lpclean", "lpclean0", "10.213.82.0/24", true, false);
    // netavark's own chains (NETAVARK_FORWARD, the HOSTPORT chains) are made once and kept,
    // as with Podman: the comparison starts after they exist.
    env.warm_up(&net);
    let before = snapshot();
    assert!(!before.links.contains("lpclean0"));
    let port = common::port("127.0.0.1", 18_213, 80, 1, "");
    let one = Container::start(&env, "one", &net, "10.213.82.10", &["uno"], vec![port]);
    let two = Container::start(&env, "two", &net, "10.213.82.11", &[], vec![]);
    let during = snapshot();
    assert!(during.links.contains("lpclean0") && during.iptables.contains("10.213.82.0/24"));
    assert!(during.iptables.contains("18213"));
    // One torn down normally, the other after its namespace vanished (a crash).
    drop(one);
    netns::remove(&two.netns).unwrap();
    drop(two);
    assert_eq!(snapshot(), before);
    let aardvark = env.aardvark_entries();
    assert!(aardvark.is_empty(), "{aardvark:?}");
}
