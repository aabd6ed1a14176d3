//! Real traffic through namespaces set up by the in-process bridge backend (`NativeBridge`),
//! only to 127.0.0.1 and to the bridges and namespaces each test creates: a namespace reaches
//! its gateway, a published port answers on 127.0.0.1, an internal network has no route out,
//! and teardown leaves no interface, bridge or firewall rule behind, after a normal teardown
//! and after the namespace vanished.

mod common;

use common::{Container, Env, network, snapshot};
use libpod_net::backend::NativeBridge;
use libpod_net::netns;
use libpod_net::types::PortMapping;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::time::Duration;

fn published(host_port: u16, container_port: u16) -> PortMapping {
    let mut port = PortMapping::default();
    port.host_ip = "127.0.0.1".into();
    port.host_port = host_port;
    port.container_port = container_port;
    port.range = 1;
    port.protocol = "tcp".into();
    port
}

#[test]
fn a_namespace_reaches_its_gateway_and_its_published_port_answers_on_localhost() {
    let env = Env::native();
    let net = network("lpnative", "lpnat0", "10.213.88.0/24", false, false);
    let (options, networks) = common::options("probe", &net, "10.213.88.9", &[], vec![]);
    let probe = env.netns_dir().join("never-made");
    let native = NativeBridge::new(env.backend());
    assert!(native.handles(&common::args(&probe, &options, &networks)));
    let free_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ctr = Container::start(
        &env,
        "web",
        &net,
        "10.213.88.10",
        &[],
        vec![published(free_port, 8080)],
    );
    let interface = &ctr.status.interfaces["eth0"];
    assert_eq!(interface.subnets[0].ipnet.to_string(), "10.213.88.10/24");

    let gateway = TcpListener::bind("10.213.88.1:0").unwrap();
    let gateway_addr = gateway.local_addr().unwrap();
    let connected = netns::run_in(&ctr.netns, || {
        TcpStream::connect_timeout(&gateway_addr, Duration::from_secs(5)).is_ok()
    })
    .unwrap();
    assert!(connected);
    let (_, peer) = gateway.accept().unwrap();
    assert_eq!(peer.ip(), "10.213.88.10".parse::<IpAddr>().unwrap());
    assert!(
        ctr.routes().iter().any(|r| r.starts_with("eth0\t00000000")),
        "a default route"
    );

    let inside = netns::run_in(&ctr.netns, || TcpListener::bind("0.0.0.0:8080").unwrap()).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = inside.accept().unwrap();
        stream.write_all(b"hello from the namespace").unwrap();
    });
    let mut answer = String::new();
    let mut stream = TcpStream::connect(("127.0.0.1", free_port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "hello from the namespace");
    server.join().unwrap();
}

#[test]
fn an_internal_network_has_no_route_out() {
    let env = Env::native();
    let net = network("lpnatint", "lpnatint0", "10.213.89.0/24", false, true);
    let before = snapshot();
    let ctr = Container::start(&env, "island", &net, "10.213.89.10", &[], vec![]);
    let routes = ctr.routes();
    assert!(!routes.is_empty(), "the subnet's route");
    assert!(
        !routes.iter().any(|r| r.starts_with("eth0\t00000000")),
        "{routes:?}"
    );
    let forwarding =
        std::fs::read_to_string("/proc/sys/net/ipv4/conf/lpnatint0/forwarding").unwrap();
    assert_eq!(forwarding.trim(), "0");
    let during = snapshot();
    assert_eq!(
        during.iptables, before.iptables,
        "an internal network has no rules"
    );
    drop(ctr);
    assert_eq!(snapshot(), before);
}

#[test]
fn teardown_leaves_no_interface_bridge_or_rule() {
    let env = Env::native();
    let net = network("lpnatclean", "lpnatcl0", "10.213.90.0/24", false, false);
    env.warm_up(&net);
    let before = snapshot();
    assert!(!before.links.contains("lpnatcl0"));
    let one = Container::start(
        &env,
        "one",
        &net,
        "10.213.90.10",
        &[],
        vec![published(18_290, 80)],
    );
    let two = Container::start(&env, "two", &net, "10.213.90.11", &[], vec![]);
    let during = snapshot();
    assert!(during.links.contains("lpnatcl0") && during.iptables.contains("10.213.90.0/24"));
    assert!(during.iptables.contains("18290"));
    drop(one);
    let one_gone = snapshot();
    assert!(!one_gone.iptables.contains("18290"), "its ports go with it");
    assert!(
        one_gone.iptables.contains("10.213.90.0/24"),
        "the network's rules stay for two"
    );
    netns::remove(&two.netns).unwrap();
    drop(two);
    assert_eq!(snapshot(), before);
}
