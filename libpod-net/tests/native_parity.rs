//! The in-process bridge backend (`NativeBridge`) beside the real netavark 1.4 on the same
//! host: the same container on the same network (isolated, an MTU, a static MAC, published
//! TCP and UDP ports with a host address and a range, IPv4 and IPv6) set up by each leaves the
//! same firewall rules, the same bridge and the same interface, addresses, routes and settings
//! in the namespace; and each tears down what the other set up, leaving the host as before.

mod common;

use common::{Env, snapshot};
use libpod_net::backend::{NativeBridge, NetworkBackend};
use libpod_net::netns;
use libpod_net::types::{Network, NetworkOptions, Subnet};
use std::path::Path;
use std::process::Command;

/// A dual-stack, isolated network with an MTU, and a container on it with a static MAC and
/// published ports.
fn container() -> (NetworkOptions, Vec<Network>) {
    let mut network = common::network("lpparity", "lppar0", "10.213.91.0/24", false, false);
    let mut v6 = Subnet::new("fd10:213:91::/64".parse().unwrap());
    v6.gateway = Some("fd10:213:91::1".parse().unwrap());
    network.subnets.push(v6);
    network.ipv6_enabled = true;
    network.options.insert("isolate".into(), "true".into());
    network.options.insert("mtu".into(), "1400".into());
    let ports = vec![
        common::port("", 18_291, 80, 1, "tcp"),
        common::port("127.0.0.1", 18_300, 53, 3, "udp"),
        common::port("::1", 18_310, 8080, 1, "tcp"),
    ];
    let (mut options, networks) = common::options("par", &network, "10.213.91.10", &[], ports);
    let on_network = options.networks.get_mut("lpparity").unwrap();
    on_network
        .static_ips
        .push("fd10:213:91::10".parse().unwrap());
    on_network.static_mac = Some("5a:0b:a1:00:91:10".parse().unwrap());
    (options, networks)
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `ip -o` lines without interface indexes (`N: `, `@ifN`: they differ run to run) and
/// without link-local IPv6 addresses and the bridge's MAC (random).
fn ip(netns: Option<&Path>, args: &[&str]) -> Vec<String> {
    let text = match netns {
        Some(path) => {
            let net = format!("--net={}", path.display());
            let mut full = vec![net.as_str(), "ip"];
            full.extend_from_slice(args);
            run("nsenter", &full)
        }
        None => run("ip", args),
    };
    text.lines()
        .filter(|l| !l.contains("fe80::"))
        .map(|l| l.split_once(": ").map_or(l, |(_, rest)| rest).to_string())
        .map(|l| l.split("link/ether").next().unwrap().trim().to_string())
        .map(|l| match (l.find("@if"), l.find(": <")) {
            (Some(at), Some(end)) if at < end => format!("{}{}", &l[..at], &l[end..]),
            _ => l,
        })
        .collect()
}

fn sysctl(netns: Option<&Path>, key: &str) -> String {
    let path = format!("/proc/sys/{key}");
    match netns {
        Some(ns) => run(
            "nsenter",
            &[&format!("--net={}", ns.display()), "cat", &path],
        ),
        None => std::fs::read_to_string(path).unwrap(),
    }
    .trim()
    .to_string()
}

/// Everything a setup made that the other backend must make alike.
#[derive(Debug, PartialEq, Eq)]
struct Made {
    iptables: String,
    ip6tables: String,
    bridge: Vec<String>,
    bridge_settings: Vec<String>,
    inside: Vec<String>,
    inside_settings: Vec<String>,
}

fn made(netns: &Path) -> Made {
    let host = snapshot();
    Made {
        iptables: host.iptables,
        ip6tables: host.ip6tables,
        bridge: [
            ip(None, &["-o", "addr", "show", "dev", "lppar0"]),
            ip(None, &["-o", "link", "show", "dev", "lppar0"]),
        ]
        .concat(),
        bridge_settings: [
            "net/ipv4/conf/lppar0/route_localnet",
            "net/ipv6/conf/lppar0/accept_dad",
            "net/ipv6/conf/lppar0/accept_ra",
            "net/ipv4/ip_forward",
            "net/ipv6/conf/all/forwarding",
        ]
        .iter()
        .map(|k| format!("{k}={}", sysctl(None, k)))
        .collect(),
        inside: [
            ip(Some(netns), &["-o", "addr", "show"]),
            ip(Some(netns), &["-o", "link", "show"]),
            ip(Some(netns), &["route", "show"]),
            ip(Some(netns), &["-6", "route", "show"]),
        ]
        .concat(),
        inside_settings: [
            "net/ipv6/conf/eth0/autoconf",
            "net/ipv6/conf/eth0/accept_dad",
        ]
        .iter()
        .map(|k| format!("{k}={}", sysctl(Some(netns), k)))
        .collect(),
    }
}

#[test]
fn native_setup_makes_what_netavark_makes_and_each_tears_down_the_others() {
    let env = Env::new();
    let netavark = env.backend();
    let native = NativeBridge::new(env.backend());
    let (options, networks) = container();
    // netavark's shared chains exist after a first run on a host, and stay: start from there.
    let path = netns::create(&env.netns_dir(), "par").unwrap();
    let args = common::args(&path, &options, &networks);
    assert!(native.handles(&args));
    netavark.setup(&args).unwrap();
    netavark.teardown(&args).unwrap();
    let before = snapshot();

    let by_netavark = netavark.setup(&args).unwrap();
    let netavark_made = made(&path);
    native.teardown(&args).unwrap();
    assert_eq!(snapshot(), before, "native teardown of netavark's setup");
    netns::remove(&path).unwrap();

    let path = netns::create(&env.netns_dir(), "par").unwrap();
    let args = common::args(&path, &options, &networks);
    let by_native = native.setup(&args).unwrap();
    let native_made = made(&path);
    let torn = netavark.teardown(&args);
    let after = snapshot();
    native.teardown(&args).unwrap();
    netns::remove(&path).unwrap();
    torn.unwrap();
    assert_eq!(after, before, "netavark's teardown of the native setup");

    assert_eq!(native_made, netavark_made);
    assert_eq!(by_native, by_netavark, "the same status block");
    assert!(
        native_made.iptables.contains("--dport 18300:18302"),
        "{native_made:?}"
    );
    assert!(
        native_made.ip6tables.contains("-d ::1/128"),
        "{native_made:?}"
    );
    assert!(
        native_made.inside.iter().any(|l| l.contains("mtu 1400")),
        "{native_made:?}"
    );
}
