//! /etc/hosts for a container.
//!
//! The rules are those of containers/common's `libnetwork/etchosts` as current Podman uses
//! it (Podman 4.3.1 wrote the same, less `host.docker.internal`, `host-gateway` and
//! `;`-separated names): the `--add-host` entries, then the base file's entries (comments,
//! blank lines and addresses without names dropped), then the entries Podman adds (localhost
//! for 127.0.0.1 and ::1, `host.containers.internal host.docker.internal`, the container's
//! IPs with its hostname and name), each with only the names not already listed above.
//! Lines are `IP<TAB>name name...`.

use super::go_ip_string;
use crate::error::{Result, SpecError};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The `--add-host` IP that stands for the host.containers.internal address.
const HOST_GATEWAY: &str = "host-gateway";
const HOST_CONTAINERS_INTERNAL: &str = "host.containers.internal";
const HOST_DOCKER_INTERNAL: &str = "host.docker.internal";
const LOCALHOST: &str = "localhost";

/// What goes into a container's /etc/hosts.
#[derive(Clone, Debug, Default)]
pub struct HostsParams<'a> {
    /// `--add-host NAME:IP` entries (`NAME1;NAME2:IP` for several names; `host-gateway` as
    /// IP means the host.containers.internal IP).
    pub add_hosts: &'a [String],
    /// The base hosts file's content (the host's /etc/hosts, or the image's); `None` for none.
    pub base: Option<&'a str>,
    /// The IP that `host.containers.internal` names; `None` leaves the entry out.
    pub host_containers_internal: Option<IpAddr>,
    /// The container's own IPs; empty maps its names to 127.0.0.1, as Podman does for
    /// `--network none`.
    pub container_ips: &'a [IpAddr],
    /// The container's hostname.
    pub hostname: &'a str,
    /// The container's name, listed beside the hostname.
    pub name: Option<&'a str>,
    /// The container shares the host's network namespace: no entry for its own names (the
    /// host's file already names the host), as Podman writes it.
    pub host_network: bool,
}

/// One line of the hosts file.
struct HostEntry {
    ip: String,
    names: Vec<String>,
}

/// Builds the container's /etc/hosts text, in Podman's order: `--add-host` entries, the base
/// file, localhost lines if missing, `host.containers.internal host.docker.internal`, and the
/// container's IPs with its hostname and name.
///
/// A malformed `--add-host` entry, or `host-gateway` without a host.containers.internal IP,
/// is refused (field `add-host`).
///
/// ```
/// use libpod_spec::files::{HostsParams, generate_hosts};
///
/// let text = generate_hosts(&HostsParams {
///     add_hosts: &["foo:1.2.3.4".to_string()],
///     base: Some("127.0.0.1 localhost\n"),
///     host_containers_internal: Some("192.0.2.2".parse().unwrap()),
///     hostname: "dfa16c5cf39d",
///     name: Some("c1"),
///     ..Default::default()
/// })?;
/// assert_eq!(text, "1.2.3.4\tfoo\n127.0.0.1\tlocalhost\n\
///                   192.0.2.2\thost.containers.internal host.docker.internal\n\
///                   127.0.0.1\tdfa16c5cf39d c1\n");
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn generate_hosts(params: &HostsParams<'_>) -> Result<String> {
    let mut entries = params
        .add_hosts
        .iter()
        .map(|entry| parse_add_host(entry, params.host_containers_internal))
        .collect::<Result<Vec<_>>>()?;
    entries.extend(parse_hosts_file(params.base.unwrap_or_default()));

    let mut text = String::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for entry in &entries {
        listed.extend(entry.names.iter().map(String::as_str));
        push_line(&mut text, &entry.ip, &entry.names);
    }
    for entry in podman_entries(params) {
        // Never shadow a name the user or the base file already maps.
        let free: Vec<String> = entry
            .names
            .into_iter()
            .filter(|name| !listed.contains(name.as_str()))
            .collect();
        if !free.is_empty() {
            push_line(&mut text, &entry.ip, &free);
        }
    }
    Ok(text)
}

/// Parses `NAME:IP` or `NAME1;NAME2:IP`, splitting at the first `:` so the IP may be IPv6.
fn parse_add_host(entry: &str, host_containers_internal: Option<IpAddr>) -> Result<HostEntry> {
    let invalid = |reason: &str| SpecError::invalid("add-host", entry, reason);
    let (names, ip) = entry
        .split_once(':')
        .ok_or_else(|| invalid("bad format, want NAME:IP"))?;
    let names: Vec<String> = names.split(';').map(str::to_string).collect();
    if names.iter().any(String::is_empty) {
        return Err(invalid("hostname is empty"));
    }
    if names
        .iter()
        .any(|name| name.chars().any(|c| c.is_whitespace() || c == '#'))
    {
        return Err(invalid("hostname contains white space or '#'"));
    }
    let ip = ip.trim();
    let ip = match ip {
        "" => return Err(invalid("IP address is empty")),
        HOST_GATEWAY => go_ip_string(host_containers_internal.ok_or_else(|| {
            invalid("host-gateway needs a host.containers.internal IP, and there is none")
        })?),
        // Written as given, as Podman does, once known to be an address.
        ip if ip.parse::<IpAddr>().is_ok() => ip.to_string(),
        _ => return Err(invalid("invalid IP address")),
    };
    Ok(HostEntry { ip, names })
}

/// The entries of a hosts file: `#` starts a comment, an address without names is dropped.
fn parse_hosts_file(content: &str) -> Vec<HostEntry> {
    content
        .lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace().map(str::to_string);
            let ip = fields.next()?;
            let names: Vec<String> = fields.collect();
            (!names.is_empty()).then_some(HostEntry { ip, names })
        })
        .collect()
}

/// The entries Podman adds after the user's and the base file's.
fn podman_entries(params: &HostsParams<'_>) -> Vec<HostEntry> {
    let entry = |ip: IpAddr, names: &[&str]| HostEntry {
        ip: go_ip_string(ip),
        names: names
            .iter()
            .filter(|name| !name.is_empty())
            .map(|name| name.to_string())
            .collect(),
    };
    let mut entries = vec![
        entry(IpAddr::V4(Ipv4Addr::LOCALHOST), &[LOCALHOST]),
        entry(IpAddr::V6(Ipv6Addr::LOCALHOST), &[LOCALHOST]),
    ];
    if let Some(ip) = params.host_containers_internal {
        entries.push(entry(ip, &[HOST_CONTAINERS_INTERNAL, HOST_DOCKER_INTERNAL]));
    }
    let own_names = [params.hostname, params.name.unwrap_or_default()];
    if params.host_network {
        return entries;
    }
    if params.container_ips.is_empty() {
        entries.push(entry(IpAddr::V4(Ipv4Addr::LOCALHOST), &own_names));
    }
    entries.extend(params.container_ips.iter().map(|ip| entry(*ip, &own_names)));
    entries
}

fn push_line(text: &mut String, ip: &str, names: &[String]) {
    text.push_str(ip);
    text.push('\t');
    text.push_str(&names.join(" "));
    text.push('\n');
}

#[cfg(test)]
#[path = "hosts_tests.rs"]
mod tests;
