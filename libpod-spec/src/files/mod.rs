//! The files a container gets bind-mounted from its run directory: /etc/resolv.conf,
//! /etc/hosts, /etc/hostname and /run/.containerenv.
//!
//! Generation is pure: callers pass the host's files' content and the container's facts, and
//! get the text to write.

mod containerenv;
mod hosts;
mod resolv;

pub use containerenv::{ContainerEnv, generate_containerenv, generate_hostname};
pub use hosts::{HostsParams, generate_hosts};
pub use resolv::{
    ResolvConf, ResolvParams, generate_resolv_conf, host_resolv_conf_path, parse_resolv_conf,
};

use std::net::IpAddr;

/// An IP address as Go's `net.IP.String` writes it, IPv4-mapped IPv6 addresses in dotted
/// IPv4 form (`::ffff:1.2.3.4` is `1.2.3.4`), so our files read like Podman's.
fn go_ip_string(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}
