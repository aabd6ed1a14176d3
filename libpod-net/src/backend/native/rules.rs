//! The firewall rules netavark 1.4's iptables driver makes for a bridge network and for a
//! container's published ports (its `varktables`), written as `iptables-save` prints them, so
//! that what is there can be told by comparing text, and in netavark's order, so that the
//! chains end up the same whichever of the two set them up (tested side by side in
//! `tests/native_parity.rs`).

use crate::types::{IpNet, PortMapping};
use std::net::IpAddr;

/// When a rule goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lifetime {
    /// Shared scaffolding: never removed (netavark's `Never`).
    Host,
    /// The network's: removed with the network's last container (`OnComplete`).
    Network,
    /// The container's: removed at its teardown (no policy).
    Container,
}

/// A chain made when missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Chain {
    pub table: &'static str,
    pub name: String,
    /// Removed, when empty, with the network's last container.
    pub removed_with_network: bool,
}

/// A rule: where, what (as `iptables-save` prints it after `-A CHAIN `), and when it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Rule {
    pub table: &'static str,
    pub chain: String,
    pub spec: String,
    /// Inserted at this 1-based position rather than appended.
    pub position: Option<u32>,
    pub lifetime: Lifetime,
}

/// Chains and rules in netavark's order: all chains first, then the rules chain by chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    pub chains: Vec<Chain>,
    pub rules: Vec<Rule>,
}

impl Plan {
    fn chain(&mut self, table: &'static str, name: &str, removed_with_network: bool) {
        self.chains.push(Chain {
            table,
            name: name.to_string(),
            removed_with_network,
        });
    }

    fn rule(&mut self, table: &'static str, chain: &str, spec: String, lifetime: Lifetime) {
        self.rules.push(Rule {
            table,
            chain: chain.to_string(),
            spec,
            position: None,
            lifetime,
        });
    }

    fn insert(&mut self, table: &'static str, chain: &str, at: u32, spec: String, life: Lifetime) {
        self.rules.push(Rule {
            table,
            chain: chain.to_string(),
            spec,
            position: Some(at),
            lifetime: life,
        });
    }

    /// This plan, then `other`'s chains and rules.
    pub(super) fn extend(&mut self, other: Plan) {
        self.chains.extend(other.chains);
        self.rules.extend(other.rules);
    }
}

const NAT: &str = "nat";
const FILTER: &str = "filter";
const FORWARD_CHAIN: &str = "NETAVARK_FORWARD";
const ISOLATION_1: &str = "NETAVARK_ISOLATION_1";
const ISOLATION_2: &str = "NETAVARK_ISOLATION_2";
const HOSTPORT_DNAT: &str = "NETAVARK-HOSTPORT-DNAT";
const HOSTPORT_SETMARK: &str = "NETAVARK-HOSTPORT-SETMARK";
const HOSTPORT_MASQ: &str = "NETAVARK-HOSTPORT-MASQ";

/// netavark's name suffix for a network's chains: the first 13 upper-case hex digits of the
/// SHA-512 of its name.
pub(super) fn network_hash(name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha512::digest(name.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    hex[..13].to_string()
}

/// The rules of one subnet of a bridge network (netavark's `get_network_chains`).
pub(super) fn network_plan(name: &str, bridge: &str, subnet: IpNet, isolate: bool) -> Plan {
    let hash_chain = format!("NETAVARK-{}", network_hash(name));
    let net = subnet.network();
    let multicast = if subnet.is_ipv6() {
        "ff00::/8"
    } else {
        "224.0.0.0/4"
    };
    let mut plan = Plan::default();
    plan.chain(NAT, &hash_chain, true);
    if isolate {
        plan.chain(FILTER, ISOLATION_1, false);
        plan.chain(FILTER, ISOLATION_2, false);
    }
    plan.chain(FILTER, FORWARD_CHAIN, false);
    plan.rule(
        NAT,
        &hash_chain,
        format!("-d {net} -j ACCEPT"),
        Lifetime::Network,
    );
    plan.rule(
        NAT,
        &hash_chain,
        format!("! -d {multicast} -j MASQUERADE"),
        Lifetime::Network,
    );
    plan.rule(
        NAT,
        "POSTROUTING",
        format!("-s {net} -j {hash_chain}"),
        Lifetime::Network,
    );
    let mut at = 1;
    let mut forward = Vec::new();
    if isolate {
        let spec = format!("-i {bridge} ! -o {bridge} -j {ISOLATION_2}");
        plan.insert(FILTER, ISOLATION_1, 1, spec, Lifetime::Network);
        let spec = format!("-o {bridge} -j DROP");
        plan.insert(FILTER, ISOLATION_2, 1, spec, Lifetime::Network);
        forward.push((at, format!("-j {ISOLATION_1}"), Lifetime::Network));
        at += 1;
    }
    let jump =
        format!("-m comment --comment \"netavark firewall plugin rules\" -j {FORWARD_CHAIN}");
    forward.push((at, jump, Lifetime::Host));
    for (at, spec, lifetime) in forward {
        plan.insert(FILTER, "FORWARD", at, spec, lifetime);
    }
    plan.rule(
        FILTER,
        FORWARD_CHAIN,
        format!("-d {net} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
        Lifetime::Network,
    );
    plan.rule(
        FILTER,
        FORWARD_CHAIN,
        format!("-s {net} -j ACCEPT"),
        Lifetime::Network,
    );
    plan
}

/// What a container's published ports are forwarded to on one network and address family.
pub(super) struct Forwarding<'a> {
    pub network: &'a str,
    pub container_id: &'a str,
    pub ports: &'a [PortMapping],
    /// The container's address (of this family) and its subnet.
    pub address: IpNet,
}

/// The port-forwarding rules of one container on one network and family (netavark's
/// `get_port_forwarding_chains`, with a port list present, as libpod-net always passes it).
pub(super) fn ports_plan(forwarding: &Forwarding<'_>) -> Plan {
    let v6 = forwarding.address.is_ipv6();
    let dn_chain = format!("NETAVARK-DN-{}", network_hash(forwarding.network));
    let subnet = forwarding.address.network();
    let localhost = if v6 { "::1/128" } else { "127.0.0.1/32" };
    let container_ip = match forwarding.address.address() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let mut plan = Plan::default();
    plan.chain(NAT, HOSTPORT_SETMARK, false);
    plan.chain(NAT, HOSTPORT_MASQ, false);
    plan.chain(NAT, &dn_chain, true);
    plan.chain(NAT, HOSTPORT_DNAT, false);
    plan.rule(
        NAT,
        HOSTPORT_SETMARK,
        "-j MARK --set-xmark 0x2000/0x2000".into(),
        Lifetime::Host,
    );
    plan.rule(
        NAT,
        HOSTPORT_MASQ,
        "-m comment --comment \"netavark portfw masq mark\" -m mark --mark 0x2000/0x2000 -j MASQUERADE"
            .into(),
        Lifetime::Host,
    );
    plan.insert(
        NAT,
        "POSTROUTING",
        1,
        format!("-j {HOSTPORT_MASQ}"),
        Lifetime::Host,
    );
    let mut jumps = Vec::new();
    for port in forwarding.ports {
        let host_ip = match port.host_ip.parse::<IpAddr>() {
            Ok(ip) if ip.is_ipv6() != v6 => continue,
            Ok(ip) => Some(if v6 {
                format!("{ip}/128")
            } else {
                format!("{ip}/32")
            }),
            Err(_) => None,
        };
        let range = port.range.max(1);
        let last = port.host_port.saturating_add(range - 1);
        let host_ports = if range > 1 {
            format!("{}:{last}", port.host_port)
        } else {
            port.host_port.to_string()
        };
        let container_ports = if range > 1 {
            let end = port.container_port.saturating_add(range - 1);
            format!("{}-{end}/{}", port.container_port, port.host_port)
        } else {
            port.container_port.to_string()
        };
        let destination = host_ip
            .as_ref()
            .map(|ip| format!("-d {ip} "))
            .unwrap_or_default();
        for protocol in protocols(&port.protocol) {
            let matched = format!("-p {protocol} -m {protocol} --dport {host_ports}");
            for source in [subnet.to_string(), localhost.to_string()] {
                plan.rule(
                    NAT,
                    &dn_chain,
                    format!("-s {source} {destination}{matched} -j {HOSTPORT_SETMARK}"),
                    Lifetime::Container,
                );
            }
            plan.rule(
                NAT,
                &dn_chain,
                format!("{destination}{matched} -j DNAT --to-destination {container_ip}:{container_ports}"),
                Lifetime::Container,
            );
            jumps.push(format!(
                "{matched} -m comment --comment \"dnat name: {} id: {}\" -j {dn_chain}",
                forwarding.network, forwarding.container_id
            ));
        }
    }
    for jump in jumps {
        plan.rule(NAT, HOSTPORT_DNAT, jump, Lifetime::Container);
    }
    let local = format!("-m addrtype --dst-type LOCAL -j {HOSTPORT_DNAT}");
    plan.rule(NAT, "PREROUTING", local.clone(), Lifetime::Host);
    plan.rule(NAT, "OUTPUT", local, Lifetime::Host);
    plan
}

/// A mapping's protocols: Podman's default `tcp` when empty, each of a comma list.
fn protocols(text: &str) -> Vec<&str> {
    let list: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if list.is_empty() { vec!["tcp"] } else { list }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
