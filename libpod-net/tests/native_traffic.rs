//! Real traffic through namespaces set up by the in-process bridge backend (`NativeBridge`),
//! only to 127.0.0.1 and to the bridges and namespaces each test creates: a namespace reaches
//! its gateway, a published port answers on 127.0.0.1, an internal network has no route out,
//! and teardown leaves no interface, bridge or firewall rule behind, after a normal teardown
//! and after the namespace vanished.

mod common;

use common::{Container, Env, network, snapshot};
use libpod_net::backend::NativeBridge;
use libpod_net::netns;

#[test]
fn a_namespace_reaches_its_gateway_and_its_published_port_answers_on_localhost() {
    let env = Env::native();
    let net = network("lpnative", "lpnat0", "10.213.88.0/24", false, false);
    let (options, networks) = common::options("probe", &net, "10.213.88.9", &[], vec![]);
    let probe = env.netns_dir().join("never-made");
    let native = NativeBridge::new(env.backend());
    assert!(native.handles(&common::args(&probe, &options, &networks)));
    common::reaches_gateway_and_serves_published_port(&env, &net, "10.213.88.10");
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
        vec![common::port("127.0.0.1", 18_290, 80, 1, "tcp")],
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

#[test]
fn a_namespace_on_two_networks_gets_a_default_route_through_each() {
    let env = Env::native();
    let one = network("lpnat2a", "lpnat2a0", "10.213.92.0/24", false, false);
    let two = network("lpnat2b", "lpnat2b0", "10.213.93.0/24", false, false);
    let before = snapshot();
    let (mut options, _) = common::options("both", &one, "10.213.92.10", &[], vec![]);
    let (second, _) = common::options("both", &two, "10.213.93.10", &[], vec![]);
    let mut on_two = second.networks["lpnat2b"].clone();
    on_two.interface_name = "eth1".into();
    options.networks.insert("lpnat2b".into(), on_two);
    let networks = vec![one, two];
    let path = netns::create(&env.netns_dir(), "both").unwrap();
    let args = common::args(&path, &options, &networks);
    let backend = env.chosen();
    let status = backend.setup(&args);
    let routes = netns::run_in(&path, || {
        std::fs::read_to_string("/proc/thread-self/net/route").unwrap()
    })
    .unwrap();
    let torn = backend.teardown(&args);
    netns::remove(&path).unwrap();
    let status = status.unwrap();
    torn.unwrap();
    assert_eq!(status.len(), 2);
    for interface in ["eth0", "eth1"] {
        assert!(
            routes
                .lines()
                .any(|r| r.starts_with(&format!("{interface}\t00000000"))),
            "a default route through {interface}: {routes}"
        );
    }
    assert_eq!(snapshot(), before);
}

/// Runs `ip ARGS`, which must succeed.
fn ip(args: &[&str]) {
    let status = std::process::Command::new("ip")
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "ip {args:?}");
}

#[test]
fn a_failed_setup_takes_back_only_what_it_made() {
    let env = Env::native();
    let net = network("lpnatfail", "lpnatfail0", "10.213.94.0/24", false, false);
    let backend = env.chosen();
    let (options, networks) = common::options("fail", &net, "10.213.94.10", &[], vec![]);

    // The namespace already has an eth0 (somebody else's veth pair).
    let path = netns::create(&env.netns_dir(), "fail").unwrap();
    let ns = format!("--net={}", path.display());
    let status = std::process::Command::new("nsenter")
        .args([
            ns.as_str(),
            "ip",
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            "lpforeign0",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let before = snapshot();
    let failed = backend.setup(&common::args(&path, &options, &networks));
    let after = snapshot();
    netns::remove(&path).unwrap();
    let message = failed.unwrap_err().to_string();
    assert!(
        message.contains("interface eth0 already exists"),
        "{message}"
    );
    assert_eq!(
        after, before,
        "the foreign pair stays, nothing of ours is left"
    );

    // The bridge's name is taken by a link that is no bridge (one end of a veth pair).
    ip(&[
        "link",
        "add",
        "lpnatfail0",
        "type",
        "veth",
        "peer",
        "name",
        "lpnatfailp",
    ]);
    let path = netns::create(&env.netns_dir(), "fail2").unwrap();
    let before = snapshot();
    let failed = backend.setup(&common::args(&path, &options, &networks));
    let after = snapshot();
    netns::remove(&path).unwrap();
    ip(&["link", "del", "lpnatfail0"]);
    let message = failed.unwrap_err().to_string();
    assert!(
        message.contains("lpnatfail0 already exists but is a veth"),
        "{message}"
    );
    assert_eq!(after, before, "the veth stays, nothing of ours is left");
}

#[test]
fn a_pair_left_by_a_teardown_that_never_ran_is_replaced() {
    let env = Env::native();
    let net = network("lpnatstale", "lpnatst0", "10.213.95.0/24", false, false);
    let backend = env.chosen();
    let (options, networks) = common::options("stale", &net, "10.213.95.10", &[], vec![]);
    let before = snapshot();
    let first = netns::create(&env.netns_dir(), "stale1").unwrap();
    backend
        .setup(&common::args(&first, &options, &networks))
        .unwrap();
    // The namespace goes with no teardown (a crash), its pair still on the bridge a while.
    netns::remove(&first).unwrap();
    let second = netns::create(&env.netns_dir(), "stale2").unwrap();
    let args = common::args(&second, &options, &networks);
    let again = backend.setup(&args);
    let torn = backend.teardown(&args);
    netns::remove(&second).unwrap();
    again.unwrap();
    torn.unwrap();
    assert_eq!(snapshot(), before);
}
