//! The harness's bridge networks and the preconditions of the network operations.
//!
//! Every set of roots gets two networks of this process (`common/net.rs`: names, bridges and
//! subnets no other test process uses): `a`, on which the network operations' containers run,
//! each with a port published on 127.0.0.1 (so that netavark writes firewall rules of the
//! container's own), and `b`, with DNS (aardvark-dns), to which they are connected and from
//! which they are disconnected. The other operations may pick these containers too.

use super::ops::{ChildArgs, OpKind, Plan, container_options};
use super::roots::Roots;
use super::setup::{MAX_CONTAINERS, MAX_RUNNING, containers, limit_running, make_room};
use crate::common::net::TestNet;
use libpod_core::container::{ContainerStatus, with_networks, with_port_mappings};
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::Runtime;
use std::collections::BTreeSet;

/// The harness's networks, `a` then `b` (the same in every set of roots of this process).
pub fn nets() -> [TestNet; 2] {
    [TestNet::new("crash", 0, 24), TestNet::new("crash", 1, 24)]
}

/// Whether a network's containers get DNS (aardvark-dns): only `b`'s.
pub fn dns(net: &TestNet) -> bool {
    net.name == nets()[1].name
}

/// Creates the networks in fresh roots.
pub fn create_networks(rt: &Runtime) -> Result<(), String> {
    for net in nets() {
        rt.create_network(net.request(dns(&net)))
            .map_err(|e| format!("creating network {}: {e}", net.name))?;
    }
    Ok(())
}

/// The IDs of the containers on `network`.
pub fn users(rt: &Runtime, network: &str) -> Result<BTreeSet<String>, String> {
    Ok(rt
        .network_users(network)
        .map_err(|e| format!("users of network {network}: {e}"))?
        .into_iter()
        .collect())
}

/// The precondition of a network operation: a container on `a` (and on `b` or not) in the
/// status the operation needs, one of those there (chosen by the plan) or a new one.
pub fn prepare(
    rt: &Runtime,
    roots: &Roots,
    plan: &Plan,
    label: &str,
    args: &mut ChildArgs,
) -> Result<(), String> {
    let [a, b] = nets();
    make_room(rt, plan, MAX_CONTAINERS - 1)?;
    let running = |s: ContainerStatus| s == ContainerStatus::Running;
    let startable =
        |s: ContainerStatus| matches!(s, ContainerStatus::Configured | ContainerStatus::Exited);
    // The status wanted, and whether the container must be on `b` (or off it).
    let (wanted, on_b): (&dyn Fn(ContainerStatus) -> bool, Option<bool>) = match plan.op {
        OpKind::NetStart => {
            limit_running(rt, MAX_RUNNING - 1)?;
            (&startable, None)
        }
        OpKind::NetStop => (&running, None),
        OpKind::NetConnect => (&running, Some(false)),
        OpKind::NetDisconnect => (&running, Some(true)),
        other => return Err(format!("{} is no network operation", other.name())),
    };
    let users_a = users(rt, &a.name)?;
    let users_b = users(rt, &b.name)?;
    let candidates: Vec<String> = containers(rt)?
        .into_iter()
        .filter(|(c, s)| {
            users_a.contains(c.id())
                && wanted(*s)
                && on_b.is_none_or(|want| users_b.contains(c.id()) == want)
        })
        .map(|(c, _)| c.id().to_string())
        .collect();
    args.target = if candidates.is_empty() {
        let name = format!("crash-{label}-net");
        let mut attachments = vec![NetworkAttachment::new(a.name.clone())];
        if on_b == Some(true) {
            attachments.push(NetworkAttachment::new(b.name.clone()));
        }
        let port = libpod_net::parse::parse_publish("127.0.0.1::80")
            .map_err(|e| format!("a published port: {e}"))?;
        let mut options = container_options(&name, &roots.cgroup.0);
        options.push(with_networks(attachments));
        options.push(with_port_mappings(vec![port]));
        let ctr = rt
            .new_container(options)
            .map_err(|e| format!("creating container {name}: {e}"))?;
        if !wanted(ContainerStatus::Configured) {
            ctr.start()
                .map_err(|e| format!("starting container {name}: {e}"))?;
        }
        ctr.id().to_string()
    } else {
        let at = usize::try_from(plan.pick % candidates.len() as u64).unwrap();
        candidates[at].clone()
    };
    if matches!(plan.op, OpKind::NetConnect | OpKind::NetDisconnect) {
        args.network = Some(b.name);
    }
    Ok(())
}
