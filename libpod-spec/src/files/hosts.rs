//! /etc/hosts for a container.

use crate::error::Result;
use std::net::IpAddr;

/// What goes into a container's /etc/hosts.
#[derive(Clone, Debug, Default)]
pub struct HostsParams<'a> {
    /// `--add-host NAME:IP` entries (`host-gateway` as IP means the host.containers.internal IP).
    pub add_hosts: &'a [String],
    /// The base hosts file's content (the host's /etc/hosts, or the image's); `None` for none.
    pub base: Option<&'a str>,
    /// The IP that `host.containers.internal` names; `None` leaves the entry out.
    pub host_containers_internal: Option<IpAddr>,
    /// The container's own IPs; empty maps its names to 127.0.0.1 and ::1.
    pub container_ips: &'a [IpAddr],
    /// The container's hostname.
    pub hostname: &'a str,
    /// The container's name, listed beside the hostname.
    pub name: Option<&'a str>,
}

/// Builds the container's /etc/hosts text, in Podman's order: `--add-host` entries, the base
/// file, localhost lines if missing, `host.containers.internal host.docker.internal`, and the
/// container's IPs with its hostname and name.
pub fn generate_hosts(params: &HostsParams<'_>) -> Result<String> {
    let _ = params;
    todo!("helper C")
}
