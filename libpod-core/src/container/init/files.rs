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
        let hostname = self.hostname();
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

impl Locked<'_> {
    /// Takes the container's `127.0.0.1` line out of the hosts file it shares with the
    /// owner of its network namespace (a pod member's, its infra container's), once its
    /// process is gone: the other members no longer list it (Podman's cleanup does the same).
    pub(crate) fn leave_shared_hosts(&self) -> Result<()> {
        if self
            .config()
            .namespace_from(NamespaceKind::Network)
            .is_none()
        {
            return Ok(());
        }
        let Some(path) = self.state.bind_mounts.get("/etc/hosts") else {
            return Ok(());
        };
        if *path == self.runtime().container_run_dir(self.id()).join("hosts") {
            return Ok(());
        }
        remove_localhost_entry(path, &self.hostname(), &self.config().name)
    }

    /// The container's hostname: its spec's, else its ID's first 12 digits.
    fn hostname(&self) -> String {
        self.config()
            .spec
            .uts
            .hostname
            .clone()
            .unwrap_or_else(|| self.id()[..12].to_string())
    }
}

/// Adds `127.0.0.1 HOSTNAME NAME` to the shared hosts file at `path`, leaving out the names
/// the file has already (Podman's `getLocalhostHostEntry` through c/common's `etchosts.Add`:
/// a pod member's line is `127.0.0.1 NAME`, the pod's hostname being the infra container's).
/// In place, under the file's flock: the file is bind-mounted into running containers, so it
/// must keep its inode; concurrent inits of the namespace's containers take turns.
fn add_localhost_entry(path: &Path, hostname: &str, name: &str) -> Result<()> {
    use std::io::Write;
    edit_shared_hosts(path, |text, file| {
        let listed: std::collections::HashSet<&str> = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default())
            .flat_map(|l| l.split_whitespace().skip(1))
            .collect();
        let mut names: Vec<&str> = Vec::new();
        for n in [hostname, name] {
            if !listed.contains(n) && !names.contains(&n) {
                names.push(n);
            }
        }
        if names.is_empty() {
            return Ok(());
        }
        let mut line = format!("127.0.0.1\t{}\n", names.join(" "));
        if !text.is_empty() && !text.ends_with('\n') {
            line.insert(0, '\n');
        }
        file.write_all(line.as_bytes())
    })
}

/// Takes the line [`add_localhost_entry`] added for a container out of the shared hosts file
/// at `path` (as Podman's cleanup does once the container stops or is removed): the first
/// `127.0.0.1` line naming exactly `HOSTNAME NAME` or `NAME`. A file that is gone (its
/// owner cleaned up) has nothing to take out.
fn remove_localhost_entry(path: &Path, hostname: &str, name: &str) -> Result<()> {
    use std::io::{Seek, Write};
    let result = edit_shared_hosts(path, |text, file| {
        let wanted: [&[&str]; 2] = [&[hostname, name], &[name]];
        let mut kept = String::with_capacity(text.len());
        let mut removed = false;
        for line in text.split_inclusive('\n') {
            let mut fields = line.split_whitespace();
            let ours = !removed
                && fields.next() == Some("127.0.0.1")
                && wanted.contains(&fields.collect::<Vec<_>>().as_slice());
            if ours {
                removed = true;
            } else {
                kept.push_str(line);
            }
        }
        if !removed {
            return Ok(());
        }
        // In place (the inode is bind-mounted elsewhere): rewritten from the start, cut.
        file.set_len(0)?;
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(kept.as_bytes())
    });
    match result {
        Err(CoreError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(())
        }
        other => other,
    }
}

/// Opens the shared hosts file at `path` for reading and appending, takes its flock, reads it
/// and lets `edit` change it (the file positioned at its end).
fn edit_shared_hosts(
    path: &Path,
    edit: impl FnOnce(&str, &mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Read;
    let io = |op| move |e| CoreError::io(op, path, e);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io("open"))?;
    file.lock().map_err(io("lock"))?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io("read"))?;
    edit(&text, &mut file).map_err(io("write"))
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
