//! The files a container gets bind-mounted: /etc/hosts, /etc/hostname, /etc/resolv.conf and
//! /run/.containerenv, written into its run directory. A container that joins another's
//! network namespace (a pod's member joins its infra container's) bind-mounts that one's
//! /etc/resolv.conf and /etc/hosts instead, as Podman does, with a `127.0.0.1` line for its
//! own hostname and name added to the hosts file: the pod's address, DNS and extra hosts are
//! every member's.

use super::OthersStates;
use crate::container::Locked;
use crate::error::{CoreError, Result};
use libpod_net::types::StatusBlock;
use libpod_spec::files::{
    ContainerEnv, HostsParams, ResolvParams, generate_containerenv, generate_hostname,
    generate_hosts, generate_resolv_conf, host_resolv_conf_path,
};
use libpod_spec::{NamespaceKind, NetworkMode};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

impl Locked<'_> {
    /// Writes the generated files and returns them by destination; `others` are the synced
    /// states of the containers whose namespaces it joins.
    pub(crate) fn write_files(
        &self,
        run_dir: &Path,
        others: &OthersStates,
    ) -> Result<BTreeMap<String, PathBuf>> {
        let spec = &self.config().spec;
        let hostname = spec
            .uts
            .hostname
            .clone()
            .unwrap_or_else(|| self.id()[..12].to_string());
        // The namespace owner's files, when it has them (Podman's NetNsCtr case).
        let shared = |dest: &str| {
            let owner = self.config().namespace_from(NamespaceKind::Network)?;
            others.get(owner)?.bind_mounts.get(dest).cloned()
        };
        let shared_hosts = shared("/etc/hosts").filter(|_| !spec.uts.no_hosts);
        let shared_resolv = shared("/etc/resolv.conf");
        let mut files = BTreeMap::new();
        if let Some(hosts) = &shared_hosts {
            add_localhost_entry(hosts, &hostname, &self.config().name)?;
            files.insert("/etc/hosts".to_string(), hosts.clone());
        }
        if let Some(resolv) = &shared_resolv {
            files.insert("/etc/resolv.conf".to_string(), resolv.clone());
        }
        let mut write = |name: &str, dest: &str, content: &str| -> Result<()> {
            let path = run_dir.join(name);
            std::fs::write(&path, content).map_err(|e| CoreError::io("write", &path, e))?;
            files.insert(dest.to_string(), path);
            Ok(())
        };
        let network = NetworkFacts::of(&self.state.network_status);
        if shared_hosts.is_none() && !spec.uts.no_hosts {
            let base = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
            let hosts = generate_hosts(&HostsParams {
                add_hosts: &spec.uts.add_hosts,
                base: Some(&base),
                host_containers_internal: network.gateway,
                container_ips: &network.addresses,
                hostname: &hostname,
                name: Some(self.config().name.as_str()),
                host_network: matches!(spec.network.mode, NetworkMode::Host),
            })?;
            write("hosts", "/etc/hosts", &hosts)?;
        }
        write("hostname", "/etc/hostname", &generate_hostname(&hostname))?;
        // With no network, Podman writes no resolv.conf: there is nothing to resolve with.
        if shared_resolv.is_none() && !matches!(spec.network.mode, NetworkMode::None) {
            let host = std::fs::read_to_string(host_resolv_conf_path()).unwrap_or_default();
            let resolv = generate_resolv_conf(&ResolvParams {
                host: &host,
                // containers.conf's servers unless the container names its own.
                dns_servers: if spec.network.dns_servers.is_empty() {
                    &self.runtime().engine_config().dns_servers
                } else {
                    &spec.network.dns_servers
                },
                dns_search: &spec.network.dns_search,
                dns_options: &spec.network.dns_options,
                network_dns: &network.dns_servers,
                network_search: &network.dns_search,
                private_netns: spec.network.mode.is_private(),
                ipv6: network.ipv6,
            })?;
            write("resolv.conf", "/etc/resolv.conf", &resolv)?;
        }
        let (image, image_id) = match &self.config().rootfs {
            Some(crate::container::RootfsSource::Image { id, name }) => {
                (name.as_str(), id.as_str())
            }
            _ => ("", ""),
        };
        let env = generate_containerenv(&ContainerEnv {
            name: &self.config().name,
            id: self.id(),
            image,
            image_id,
            rootless: false,
            privileged: spec.security.privileged,
        });
        write(".containerenv", "/run/.containerenv", &env)?;
        Ok(files)
    }
}

/// Adds `127.0.0.1 HOSTNAME NAME` to the shared hosts file at `path` unless it is there
/// (Podman's `getLocalhostHostEntry`: the namespace is one, so the container is at loopback).
/// In place, under the file's flock: the file is bind-mounted into running containers, so it
/// must keep its inode; concurrent inits of the namespace's containers take turns.
fn add_localhost_entry(path: &Path, hostname: &str, name: &str) -> Result<()> {
    use std::io::{Read, Write};
    let line = if hostname == name {
        format!("127.0.0.1\t{hostname}\n")
    } else {
        format!("127.0.0.1\t{hostname} {name}\n")
    };
    let io = |op| move |e| CoreError::io(op, path, e);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(path)
        .map_err(io("open"))?;
    file.lock().map_err(io("lock"))?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io("read"))?;
    if text.lines().any(|l| l == line.trim_end()) {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        file.write_all(b"\n").map_err(io("write"))?;
    }
    file.write_all(line.as_bytes()).map_err(io("write"))
}

/// What the network backend's result gives the hosts file and resolv.conf.
#[derive(Default)]
struct NetworkFacts {
    /// The container's addresses, network by network.
    addresses: Vec<IpAddr>,
    /// `host.containers.internal`: the first IPv4 gateway (else an IPv6 one), as c/common
    /// picks it on bridge networks.
    gateway: Option<IpAddr>,
    /// aardvark-dns's addresses.
    dns_servers: Vec<IpAddr>,
    /// `dns.podman`.
    dns_search: Vec<String>,
    /// The container has an IPv6 address.
    ipv6: bool,
}

impl NetworkFacts {
    fn of(status: &BTreeMap<String, StatusBlock>) -> NetworkFacts {
        let mut facts = NetworkFacts::default();
        for block in status.values() {
            for address in block.interfaces.values().flat_map(|i| &i.subnets) {
                let ip = address.ipnet.address();
                facts.addresses.push(ip);
                facts.ipv6 |= ip.is_ipv6();
                match (facts.gateway, address.gateway) {
                    (None, Some(gateway)) => facts.gateway = Some(gateway),
                    (Some(IpAddr::V6(_)), Some(gateway @ IpAddr::V4(_))) => {
                        facts.gateway = Some(gateway);
                    }
                    _ => {}
                }
            }
            for server in &block.dns_server_ips {
                if !facts.dns_servers.contains(server) {
                    facts.dns_servers.push(*server);
                }
            }
            for domain in &block.dns_search_domains {
                if !facts.dns_search.contains(domain) {
                    facts.dns_search.push(domain.clone());
                }
            }
        }
        facts
    }
}
