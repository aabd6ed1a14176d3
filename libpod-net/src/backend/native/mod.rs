//! [`NativeBridge`]: netavark 1.4's bridge driver done in process, for speed, with netavark
//! itself for everything else.
//!
//! netavark spends most of a container's network setup and teardown running `iptables` once
//! per rule and per check (~35 processes, each its own nftables transaction) and removing the
//! bridge and the veth one after the other (the kernel waits for the network stack to let go
//! of each). Here the links are made and removed with netlink from this process (the bridge
//! and the last veth in one removal), and the rules are read with one `iptables-save` and
//! changed with one `iptables-restore --noflush` per change. What is made is what netavark
//! makes, name for name and rule for rule (`tests/native_parity.rs` compares the two), so
//! either can tear down what the other set up, and Podman's own netavark sees nothing
//! foreign.
//!
//! Networks it does not do go to netavark, whole setups at a time: DNS (aardvark-dns), macvlan
//! and other drivers, routes, options other than `mtu`, `isolate` and `metric`, IPAM drivers
//! other than `host-local`, a firewall driver named in the configuration or in `NETAVARK_FW`,
//! a published port's host address that is no IP address, and hosts with firewalld installed
//! (netavark also adds each subnet to firewalld's trusted zone).

mod iptables;
mod links;
mod rules;
mod sysctl;

use super::{NetnsArgs, NetworkBackend, check_args};
use crate::backend::Netavark;
use crate::error::{NetError, Result};
use crate::types::{IpNet, MacAddress, NetAddress, NetInterface, Network, StatusBlock};
use links::{Attachment, Sockets};
use rules::{Forwarding, Plan};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

/// Where firewalld would be if installed.
const FIREWALLD: &str = "/usr/sbin/firewalld";

/// Bridge networks in process, the rest through netavark (see the module docs).
///
/// ```no_run
/// use libpod_net::backend::{NativeBridge, Netavark, NetworkBackend};
/// let backend = NativeBridge::new(Netavark::new("/run/libpod-rs/networks"));
/// assert_eq!(backend.name(), "netavark");
/// ```
#[derive(Clone, Debug)]
pub struct NativeBridge {
    netavark: Netavark,
}

impl NativeBridge {
    /// Bridge networks in process; `netavark` for the others.
    pub fn new(netavark: Netavark) -> NativeBridge {
        NativeBridge { netavark }
    }

    /// Whether every network of `args` is done in process (rather than by netavark).
    pub fn handles(&self, args: &NetnsArgs<'_>) -> bool {
        self.netavark.firewall_driver().is_none()
            && std::env::var_os("NETAVARK_FW").is_none()
            && !Path::new(FIREWALLD).exists()
            && args
                .options
                .port_mappings
                .iter()
                .all(|p| p.host_ip.is_empty() || p.host_ip.parse::<IpAddr>().is_ok())
            && args
                .options
                .networks
                .keys()
                .all(|name| args.network(name).is_some_and(in_process))
    }
}

/// A network this backend sets up itself.
fn in_process(network: &Network) -> bool {
    network.driver == "bridge"
        && !network.dns_enabled
        && network.routes.is_empty()
        && !network.network_interface.is_empty()
        && network
            .options
            .keys()
            .all(|k| matches!(k.as_str(), "mtu" | "isolate" | "metric"))
        && network
            .ipam_options
            .get("driver")
            .is_none_or(|d| d == "host-local")
}

impl NetworkBackend for NativeBridge {
    /// `netavark`: what it makes is netavark's, and Podman reports its backend so.
    fn name(&self) -> &'static str {
        "netavark"
    }

    fn setup(&self, args: &NetnsArgs<'_>) -> Result<BTreeMap<String, StatusBlock>> {
        check_args(args)?;
        if !self.handles(args) {
            return self.netavark.setup(args);
        }
        let result = setup(args);
        if result.is_err()
            && let Err(err) = teardown(args, true)
        {
            tracing::warn!(error = %err, "teardown after a failed setup");
        }
        result
    }

    fn teardown(&self, args: &NetnsArgs<'_>) -> Result<()> {
        check_args(args)?;
        if !self.handles(args) {
            return self.netavark.teardown(args);
        }
        teardown(args, false)
    }
}

/// One network of a setup, checked.
struct Planned<'a> {
    name: &'a str,
    network: &'a Network,
    attachment: Attachment<'a>,
    isolate: bool,
}

/// The network's option `key`, or `default` when it has none (or, `lenient`, a bad one).
fn option<T: std::str::FromStr>(
    network: &Network,
    key: &str,
    default: T,
    lenient: bool,
) -> Result<T> {
    match network.options.get(key) {
        None => Ok(default),
        Some(value) if lenient => Ok(value.parse().unwrap_or(default)),
        Some(value) => value.parse().map_err(|_| {
            NetError::InvalidSetup(format!(
                "network {}: invalid {key} option {value:?}",
                network.name
            ))
        }),
    }
}

/// Every network of `args` checked and worked out before anything is changed; `lenient` for a
/// teardown, which goes as far as it can: a bad option is taken as its default, a subnet
/// without an address gets none.
fn plan<'a>(args: &'a NetnsArgs<'a>, lenient: bool) -> Result<Vec<Planned<'a>>> {
    let mut planned = Vec::new();
    for (name, on_network) in &args.options.networks {
        let network = args
            .network(name)
            .ok_or_else(|| NetError::InvalidSetup(format!("no definition for network {name}")))?;
        let mut addresses = Vec::new();
        let mut gateways = Vec::new();
        for (at, subnet) in network.subnets.iter().enumerate() {
            let prefix = subnet.subnet.prefix();
            let ip = on_network.static_ips.get(at).ok_or_else(|| {
                NetError::InvalidSetup(format!(
                    "no address on network {name} for {}",
                    subnet.subnet
                ))
            })?;
            addresses.push(net(*ip, prefix)?);
            if let Some(gateway) = subnet.gateway {
                gateways.push(net(gateway, prefix)?);
            }
        }
        let isolate = option(network, "isolate", false, lenient)?;
        planned.push(Planned {
            name,
            network,
            isolate,
            attachment: Attachment {
                bridge: &network.network_interface,
                interface: &on_network.interface_name,
                host_interface: links::host_interface(
                    &args.options.container_id,
                    &on_network.interface_name,
                ),
                mtu: option(network, "mtu", 0, lenient)?,
                metric: option(network, "metric", 100, lenient)?,
                internal: network.internal,
                mac: on_network.static_mac,
                addresses,
                gateways,
            },
        });
    }
    Ok(planned)
}

fn net(ip: IpAddr, prefix: u8) -> Result<IpNet> {
    IpNet::new(ip, prefix)
        .ok_or_else(|| NetError::InvalidSetup(format!("invalid address {ip}/{prefix}")))
}

/// The firewall plans of the networks that have rules (not internal), per family.
fn firewall_plans<'a>(
    args: &NetnsArgs<'_>,
    planned: &'a [Planned<'a>],
) -> Vec<(Plan, Plan, &'a Planned<'a>)> {
    planned
        .iter()
        .filter(|p| !p.network.internal)
        .map(|p| {
            let mut v4 = Plan::default();
            let mut v6 = Plan::default();
            for subnet in &p.network.subnets {
                let rules =
                    rules::network_plan(p.name, p.attachment.bridge, subnet.subnet, p.isolate);
                if subnet.subnet.is_ipv6() {
                    v6.extend(rules)
                } else {
                    v4.extend(rules)
                }
            }
            for family_v6 in [false, true] {
                let Some(address) = p
                    .attachment
                    .addresses
                    .iter()
                    .find(|a| a.is_ipv6() == family_v6)
                else {
                    continue;
                };
                let rules = rules::ports_plan(&Forwarding {
                    network: p.name,
                    container_id: &args.options.container_id,
                    ports: &args.options.port_mappings,
                    address: *address,
                });
                if family_v6 {
                    v6.extend(rules)
                } else {
                    v4.extend(rules)
                }
            }
            (v4, v6, p)
        })
        .collect()
}

fn setup(args: &NetnsArgs<'_>) -> Result<BTreeMap<String, StatusBlock>> {
    let planned = plan(args, false)?;
    let (v4, v6) = per_family(firewall_plans(args, &planned));
    // The rules name subnets and the bridge, never a link's index: they are made while the
    // links are.
    let (links, rules) = std::thread::scope(|scope| {
        let rules = scope.spawn(|| {
            for (family, plan) in [(iptables::IPV4, &v4), (iptables::IPV6, &v6)] {
                if !plan.rules.is_empty() {
                    iptables::apply(family, |current| iptables::setup_script(plan, current))?;
                }
            }
            Ok::<(), NetError>(())
        });
        let links = setup_links(args, &planned);
        (links, join(rules))
    });
    let status = links?;
    rules?;
    Ok(status)
}

/// The links and settings of each network; the status blocks.
fn setup_links(
    args: &NetnsArgs<'_>,
    planned: &[Planned<'_>],
) -> Result<BTreeMap<String, StatusBlock>> {
    let sockets = Sockets::open(args.netns, true)?;
    if let Some((container, _)) = &sockets.container {
        container.set_up(1)?;
    }
    let mut status = BTreeMap::new();
    for p in planned {
        let mac = links::attach(&sockets, args.netns, &p.attachment)?;
        let bridge = p.attachment.bridge;
        if p.network.internal {
            sysctl::set(&format!("net/ipv4/conf/{bridge}/forwarding"), "0")?;
            if p.attachment.addresses.iter().any(IpNet::is_ipv6) {
                sysctl::set(&format!("net/ipv6/conf/{bridge}/forwarding"), "0")?;
            }
        } else {
            sysctl::set(&format!("net/ipv4/conf/{bridge}/route_localnet"), "1")?;
        }
        status.insert(p.name.to_string(), status_block(args, p, mac));
    }
    Ok(status)
}

/// The plans of every network, merged per family.
fn per_family(plans: Vec<(Plan, Plan, &Planned<'_>)>) -> (Plan, Plan) {
    plans.into_iter().fold(
        (Plan::default(), Plan::default()),
        |(mut all4, mut all6), (v4, v6, _)| {
            all4.extend(v4);
            all6.extend(v6);
            (all4, all6)
        },
    )
}

/// A scoped thread's result; its panic goes on.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn status_block(args: &NetnsArgs<'_>, p: &Planned<'_>, mac: MacAddress) -> StatusBlock {
    let subnets = p
        .attachment
        .addresses
        .iter()
        .zip(&p.network.subnets)
        .map(|(address, subnet)| NetAddress {
            ipnet: *address,
            gateway: subnet.gateway,
        })
        .collect();
    let mut block = StatusBlock::default();
    block.interfaces.insert(
        p.attachment.interface.to_string(),
        NetInterface {
            subnets,
            mac_address: mac,
        },
    );
    // Without DNS on the network, netavark hands the container's own servers back.
    block.dns_server_ips = args
        .options
        .dns_servers
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    block
}

/// Takes the container off its networks; `rollback` after a failed setup (see
/// [`links::detach`]).
fn teardown(args: &NetnsArgs<'_>, rollback: bool) -> Result<()> {
    let planned = plan(args, true)?;
    let sockets = Sockets::open(args.netns, false)?;
    let mut first_error = None;
    let mut last = BTreeMap::new();
    let mut removals = Vec::new();
    for p in &planned {
        match links::detach(&sockets, &p.attachment, rollback) {
            Ok((was_last, removal)) => {
                last.insert(p.name, was_last);
                removals.push(removal);
            }
            Err(err) => {
                last.insert(p.name, false);
                first_error.get_or_insert(err);
            }
        }
    }
    let plans = firewall_plans(args, &planned);
    // The kernel's removal of the links takes the longest: the rules go meanwhile.
    let host = sockets.host;
    let (removed, rules) = std::thread::scope(|scope| {
        let removed = scope.spawn(move || {
            removals
                .iter()
                .try_for_each(|removal| links::remove(&host, *removal))
        });
        let rules = teardown_rules(&plans, &last);
        (join(removed), rules)
    });
    for result in [removed, rules] {
        if let Err(err) = result {
            first_error.get_or_insert(err);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Each family's rules taken down: first as set up (one `iptables-restore`), and when that
/// does not apply (something was already gone or changed), from what `iptables-save` shows.
fn teardown_rules(plans: &[(Plan, Plan, &Planned<'_>)], last: &BTreeMap<&str, bool>) -> Result<()> {
    let mut first_error = None;
    for v6 in [false, true] {
        let items: Vec<(&Plan, bool)> = plans
            .iter()
            .map(|(v4_plan, v6_plan, p)| (if v6 { v6_plan } else { v4_plan }, last[p.name]))
            .filter(|(plan, _)| !plan.rules.is_empty())
            .collect();
        if items.is_empty() {
            continue;
        }
        let family = if v6 { iptables::IPV6 } else { iptables::IPV4 };
        let as_set_up = iptables::as_set_up(items.iter().map(|(plan, _)| *plan));
        let quick = iptables::teardown_script(&items, &as_set_up)
            .map_or(Ok(()), |script| iptables::restore(family, &script));
        if quick.is_err() {
            let result =
                iptables::apply(family, |current| iptables::teardown_script(&items, current));
            if let Err(err) = result {
                first_error.get_or_insert(err);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// For the fuzz target: parses `iptables-save` text and plans a setup and a last teardown of a
/// container with published ports against it; whether each had anything to do.
pub(crate) fn plan_against_saved(text: &str) -> (bool, bool) {
    let current = iptables::Ruleset::parse(text);
    let subnet = IpNet::new([10, 9, 0, 0].into(), 24);
    let address = IpNet::new([10, 9, 0, 2].into(), 24);
    let (Some(subnet), Some(address)) = (subnet, address) else {
        return (false, false);
    };
    let mut plan = rules::network_plan("fuzz", "fuzz0", subnet, true);
    let ports = [crate::types::PortMapping {
        host_ip: "127.0.0.1".into(),
        container_port: 80,
        host_port: 8080,
        range: 2,
        protocol: "tcp,udp".into(),
    }];
    plan.extend(rules::ports_plan(&Forwarding {
        network: "fuzz",
        container_id: "c",
        ports: &ports,
        address,
    }));
    let setup = iptables::setup_script(&plan, &current).is_some();
    let teardown = iptables::teardown_script(&[(&plan, true)], &current).is_some();
    (setup, teardown)
}
