//! /etc/resolv.conf for a container.

use crate::error::Result;
use std::net::IpAddr;
use std::path::PathBuf;

/// The parts of a resolv.conf that matter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvConf {
    /// `nameserver` lines, in order.
    pub nameservers: Vec<String>,
    /// `search` domains.
    pub search: Vec<String>,
    /// `options`.
    pub options: Vec<String>,
}

/// What decides a container's resolv.conf.
#[derive(Clone, Debug, Default)]
pub struct ResolvParams<'a> {
    /// The host's resolv.conf content (see [`host_resolv_conf_path`]).
    pub host: &'a str,
    /// DNS servers of the container's networks (aardvark-dns), used first when present.
    pub network_dns: &'a [IpAddr],
    /// `--dns` (or containers.conf `dns_servers`); replaces the host's servers.
    pub dns_servers: &'a [String],
    /// `--dns-search`; replaces the host's; `.` alone means no search domains.
    pub dns_search: &'a [String],
    /// `--dns-option`; merged with the host's.
    pub dns_options: &'a [String],
    /// The container has a network namespace of its own: the host's localhost servers are
    /// unreachable and are dropped.
    pub private_netns: bool,
    /// The container has IPv6: without it, IPv6 servers are dropped.
    pub ipv6: bool,
}

/// Parses resolv.conf content.
pub fn parse_resolv_conf(content: &str) -> ResolvConf {
    let _ = content;
    todo!("helper C")
}

/// Builds the container's resolv.conf text.
pub fn generate_resolv_conf(params: &ResolvParams<'_>) -> Result<String> {
    let _ = params;
    todo!("helper C")
}

/// The host file to start from: /etc/resolv.conf, or systemd-resolved's real one
/// (/run/systemd/resolve/resolv.conf) when /etc/resolv.conf points only at 127.0.0.53.
pub fn host_resolv_conf_path() -> PathBuf {
    todo!("helper C")
}
