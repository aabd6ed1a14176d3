//! What the host already uses: its interfaces' names (`/sys/class/net`) and the subnets of their
//! addresses (`getifaddrs`), which new networks must not take.

use super::UsedSubnet;
use crate::types::IpNet;
use nix::ifaddrs::getifaddrs;
use nix::sys::socket::SockaddrStorage;
use std::collections::BTreeSet;
use std::fs;
use std::net::IpAddr;

/// The names of the host's network interfaces, from `/sys/class/net` and `getifaddrs`.
pub(crate) fn interface_names() -> BTreeSet<String> {
    let mut names: BTreeSet<String> = fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    if let Ok(addresses) = getifaddrs() {
        names.extend(addresses.map(|address| address.interface_name));
    }
    names
}

/// The subnets of the host's interface addresses, each named by its interface.
pub(crate) fn interface_subnets() -> Vec<UsedSubnet> {
    let Ok(addresses) = getifaddrs() else {
        return Vec::new();
    };
    addresses
        .filter_map(|entry| {
            let address = ip_of(entry.address.as_ref()?)?;
            let prefix = prefix_of(entry.netmask.as_ref()?)?;
            Some(UsedSubnet {
                subnet: IpNet::new(address, prefix)?.network(),
                by: format!("host interface {}", entry.interface_name),
            })
        })
        .collect()
}

fn ip_of(address: &SockaddrStorage) -> Option<IpAddr> {
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(IpAddr::V4(v4.ip()));
    }
    address.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
}

fn prefix_of(netmask: &SockaddrStorage) -> Option<u8> {
    let ones = match ip_of(netmask)? {
        IpAddr::V4(v4) => u32::from(v4).count_ones(),
        IpAddr::V6(v6) => u128::from(v6).count_ones(),
    };
    u8::try_from(ones).ok()
}
