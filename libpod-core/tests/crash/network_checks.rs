//! Networks after a kill, as the reopened runtime and the host say, on the harness's own
//! networks (`net_setup.rs`):
//!
//! - A container whose namespace must be set up (created, running, paused) has its namespace
//!   (`RUNROOT/netns/ID`), an address on every network it is on, that address in its state's
//!   network status and on an interface of its namespace, and (on `a`, where it publishes a
//!   port) its firewall rules.
//! - One that is not running (configured, exited) has no namespace, holds no address, and no
//!   veth, firewall rule or DNS entry of its is left. A stopped one (its cleanup not done) and
//!   the interrupted one mid-stop or removal may have them or not.
//! - Every address reserved in the state belongs to a container on that network; none twice.
//! - On the host: the bridge has one veth per container set up on it; a network no container
//!   is set up on has no bridge, no firewall rule and no aardvark-dns entry left; no stand-in
//!   namespace of a teardown is left.
//!
//! And the interrupted network operation, done again, finishes.

use super::invariants::{Report, entries};
use super::net_setup::{nets, users};
use super::ops::{ChildArgs, OpKind};
use crate::common::net::{TestNet, iptables_save, links};
use libpod_core::CoreError;
use libpod_core::container::{ContainerState, ContainerStatus};
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::Runtime;
use libpod_core::state::{NetworkAttachmentStore, SqliteState};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;

/// Whether a container's namespace must be set up, may be, or must not be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetUp {
    Must,
    May,
    MustNot,
}

impl SetUp {
    fn of(status: ContainerStatus) -> SetUp {
        match status {
            ContainerStatus::Created | ContainerStatus::Running | ContainerStatus::Paused => {
                SetUp::Must
            }
            ContainerStatus::Stopped | ContainerStatus::Stopping | ContainerStatus::Removing => {
                SetUp::May
            }
            _ => SetUp::MustNot,
        }
    }
}

/// One container as the check sees it.
struct Seen {
    name: String,
    state: ContainerState,
    publishes: bool,
}

pub fn check_networks(rt: &Runtime, report: &mut Report) {
    let mut seen = BTreeMap::new();
    for ctr in rt.containers().unwrap_or_default() {
        if let Ok(state) = ctr.state() {
            let entry = Seen {
                name: ctr.name().to_string(),
                state,
                publishes: !ctr.config().port_mappings.is_empty(),
            };
            seen.insert(ctr.id().to_string(), entry);
        }
    }
    let set_up = |id: &str| {
        seen.get(id)
            .map_or(SetUp::MustNot, |s| SetUp::of(s.state.status))
    };
    let netns_dir = rt.run_root().join("netns");
    for id in entries(&netns_dir) {
        if set_up(&id) == SetUp::MustNot {
            let status = seen.get(&id).map_or("gone", |s| s.state.status.as_str());
            report.fail(
                "no namespace of a stopped container",
                format!("netns/{id} of a container that is {status}"),
            );
        }
    }
    let stand_ins = entries(&rt.run_root().join("networks/teardown-netns"));
    if !stand_ins.is_empty() {
        report.fail(
            "no namespace of a stopped container",
            format!("teardown stand-in namespaces left: {stand_ins:?}"),
        );
    }
    let db = match SqliteState::open(&rt.root().join("db.sql")) {
        Ok(db) => db,
        Err(e) => return report.fail("addresses", format!("opening the state: {e}")),
    };
    let links = links();
    let saved = iptables_save();
    for net in nets() {
        let on = match users(rt, &net.name) {
            Ok(on) => on,
            Err(e) => return report.fail("addresses", e),
        };
        let view = NetView {
            net: &net,
            on: &on,
            seen: &seen,
            netns_dir: &netns_dir,
        };
        view.check_addresses(&db, report);
        view.check_host(rt, &links, &saved, report);
    }
}

/// One network and the containers on it.
struct NetView<'a> {
    net: &'a TestNet,
    on: &'a BTreeSet<String>,
    seen: &'a BTreeMap<String, Seen>,
    netns_dir: &'a Path,
}

impl NetView<'_> {
    fn set_up(&self, id: &str) -> SetUp {
        self.seen
            .get(id)
            .map_or(SetUp::MustNot, |s| SetUp::of(s.state.status))
    }

    fn what(&self, id: &str) -> String {
        match self.seen.get(id) {
            Some(s) => format!("{} ({id}, {})", s.name, s.state.status),
            None => format!("{id} (gone)"),
        }
    }

    /// How many of its containers must be set up, and may be.
    fn counts(&self) -> (usize, usize) {
        let count = |want| self.on.iter().filter(|id| self.set_up(id) == want).count();
        (count(SetUp::Must), count(SetUp::May))
    }

    /// The state's addresses: none twice, each held by a container on the network, held by
    /// every container set up on it (and in its status and namespace), by no stopped one.
    fn check_addresses(&self, db: &SqliteState, report: &mut Report) {
        let name = &self.net.name;
        let allocated = match db.allocated_addresses(name) {
            Ok(a) => a,
            Err(e) => return report.fail("addresses", format!("{name}: {e}")),
        };
        let distinct: BTreeSet<&IpAddr> = allocated.iter().collect();
        if distinct.len() != allocated.len() {
            report.fail(
                "no duplicate address",
                format!("{name}: {allocated:?} has duplicates"),
            );
        }
        let mut held_total = 0;
        for id in self.on {
            let held = db.container_addresses(id, name).unwrap_or_default();
            held_total += held.len();
            match self.set_up(id) {
                SetUp::Must => self.check_set_up(id, &held, report),
                SetUp::MustNot if !held.is_empty() => report.fail(
                    "addresses of live containers only",
                    format!("{} holds {held:?} on {name}", self.what(id)),
                ),
                _ => {}
            }
        }
        if held_total != allocated.len() {
            report.fail(
                "addresses of live containers only",
                format!(
                    "{name}: {} addresses reserved, {held_total} held by its containers",
                    allocated.len()
                ),
            );
        }
    }

    /// A container that must be set up on the network: its address reserved, in its status,
    /// on an interface of its namespace.
    fn check_set_up(&self, id: &str, held: &[IpAddr], report: &mut Report) {
        let name = &self.net.name;
        let what = self.what(id);
        let Some(&address) = held.first() else {
            return report.fail(
                "running containers have their addresses",
                format!("{what} holds no address on {name}"),
            );
        };
        let state = &self.seen[id].state;
        let in_status = state.network_status.get(name).is_some_and(|block| {
            block
                .interfaces
                .values()
                .flat_map(|i| &i.subnets)
                .any(|s| s.ipnet.address() == address)
        });
        if !in_status {
            report.fail(
                "running containers have their addresses",
                format!("{what}: {address} on {name} is not in its network status"),
            );
        }
        let netns = self.netns_dir.join(id);
        match local_addresses(&netns) {
            Ok(local) if local.contains(&address) => {}
            Ok(local) => report.fail(
                "running containers have their addresses",
                format!("{what}: its namespace has {local:?}, not {address} of {name}"),
            ),
            Err(e) => report.fail(
                "running containers have their addresses",
                format!("{what}: namespace {}: {e}", netns.display()),
            ),
        }
    }

    /// The host: one veth per container set up on the bridge, firewall rules and DNS entries
    /// only of containers set up, nothing of a network no container is set up on.
    fn check_host(&self, rt: &Runtime, links: &str, saved: &str, report: &mut Report) {
        let name = &self.net.name;
        let (must, may) = self.counts();
        let ports = self.net.ports(links);
        if ports.len() < must || ports.len() > must + may {
            report.fail(
                "no veth of a stopped container",
                format!(
                    "{name}: veths {ports:?} on {}, for {must} containers set up (and {may} that may be)",
                    self.net.bridge
                ),
            );
        }
        let rules = self.net.container_rules(saved);
        for (id, rule) in &rules {
            if !self.on.contains(id) || self.set_up(id) == SetUp::MustNot {
                report.fail(
                    "no firewall rule of a stopped container",
                    format!("{}: {rule}", self.what(id)),
                );
            }
        }
        for id in self.on {
            let publishes = self.seen.get(id).is_some_and(|s| s.publishes);
            if self.set_up(id) == SetUp::Must
                && publishes
                && name == &nets()[0].name
                && !rules.iter().any(|(rule_id, _)| rule_id == id)
            {
                report.fail(
                    "running containers have their addresses",
                    format!("{}: no port forwarding rule on {name}", self.what(id)),
                );
            }
        }
        let dns = rt.run_root().join("networks/aardvark-dns").join(name);
        let dns_entries: Vec<String> = std::fs::read_to_string(&dns)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect();
        for id in &dns_entries {
            if self.set_up(id) == SetUp::MustNot {
                report.fail(
                    "no DNS entry of a stopped container",
                    format!("{name}: {}", self.what(id)),
                );
            }
        }
        if must + may == 0 {
            let mut left = Vec::new();
            if self.net.has_bridge(links) {
                left.push(format!("bridge {}", self.net.bridge));
            }
            left.extend(self.net.rules(saved).iter().map(|r| format!("rule {r}")));
            if dns.exists() {
                left.push(format!("aardvark-dns file {}", dns.display()));
            }
            if !left.is_empty() {
                report.fail(
                    "nothing left of an unused network",
                    format!("{name}: {}", left.join("; ")),
                );
            }
        }
    }
}

/// The IPv4 addresses of the namespace's interfaces (`/proc/net/fib_trie`'s local ones).
fn local_addresses(netns: &Path) -> Result<Vec<IpAddr>, String> {
    let trie = libpod_net::netns::run_in(netns, || {
        std::fs::read_to_string("/proc/thread-self/net/fib_trie")
    })
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let lines: Vec<&str> = trie.lines().map(str::trim).collect();
    Ok(lines
        .windows(2)
        .filter(|pair| pair[1].starts_with("/32 host LOCAL"))
        .filter_map(|pair| pair[0].strip_prefix("|-- ")?.parse().ok())
        .collect())
}

/// The interrupted network operation, done again, finishes: the container runs (start), is
/// stopped (stop), is on the second network and has its address there (connect), is off it
/// (disconnect).
pub fn retry(rt: &Runtime, args: &ChildArgs, report: &mut Report) {
    let ctr = match rt.container(&args.target) {
        Ok(c) => c,
        Err(CoreError::ContainerNotFound(_)) => return,
        Err(e) => return report.fail("retry", format!("looking up {}: {e}", args.target)),
    };
    let network = args.network.clone().unwrap_or_default();
    let on = |rt: &Runtime| users(rt, &network).map(|u| u.contains(ctr.id()));
    let outcome = (|| -> Result<(), String> {
        let status = ctr.status().map_err(|e| format!("status: {e}"))?;
        match args.op {
            OpKind::NetStart if status != ContainerStatus::Running => {
                ctr.start().map_err(|e| format!("start again: {e}"))
            }
            OpKind::NetStop
                if matches!(status, ContainerStatus::Running | ContainerStatus::Stopping) =>
            {
                ctr.stop(None).map_err(|e| format!("stop again: {e}"))
            }
            OpKind::NetConnect if status == ContainerStatus::Running => {
                if !on(rt)? {
                    rt.connect_network(&ctr, NetworkAttachment::new(network.clone()))
                        .map_err(|e| format!("connect again: {e}"))?;
                }
                let state = ctr.state().map_err(|e| format!("state: {e}"))?;
                if state.network_status.contains_key(&network) {
                    Ok(())
                } else {
                    Err(format!("connected again, but no status on {network}"))
                }
            }
            OpKind::NetDisconnect if on(rt)? => rt
                .disconnect_network(&ctr, &network)
                .map_err(|e| format!("disconnect again: {e}")),
            _ => Ok(()),
        }
    })();
    if let Err(e) = outcome {
        report.fail("retry", format!("{} ({}): {e}", ctr.name(), ctr.id()));
    }
}
