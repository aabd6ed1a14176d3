//! Picking what a new network gets when the caller leaves it out, as c/common does: the first
//! free /24 of the subnet pools, a random ULA /64 for IPv6 (RFC 4193: random, not sequential),
//! and the first free `podmanN` name.

use super::{SubnetPool, UsedSubnet};
use crate::error::{NetError, Result};
use crate::types::IpNet;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv6Addr};

/// The first subnet of `pools` that overlaps nothing in `used`.
pub(crate) fn free_ipv4_subnet(used: &[UsedSubnet], pools: &[SubnetPool]) -> Result<IpNet> {
    for pool in pools {
        let mut candidate = IpNet::new(pool.base.network().address(), pool.size);
        while let Some(subnet) = candidate.filter(|c| pool.base.contains(c.address())) {
            if !used.iter().any(|u| u.subnet.overlaps(&subnet)) {
                tracing::debug!(%subnet, "found free ipv4 network subnet");
                return Ok(subnet);
            }
            candidate = next_subnet(subnet);
        }
    }
    Err(NetError::NoFreeSubnet)
}

/// The subnet right after `subnet`, of the same size (none past the end of the family).
pub(crate) fn next_subnet(subnet: IpNet) -> Option<IpNet> {
    let prefix = subnet.prefix();
    match subnet.network().address() {
        IpAddr::V4(v4) => {
            let step = 1u32
                .checked_shl(32 - u32::from(prefix))
                .filter(|_| prefix > 0)?;
            let next = u32::from(v4).checked_add(step)?;
            IpNet::new(IpAddr::V4(next.into()), prefix)
        }
        IpAddr::V6(v6) => {
            let step = 1u128
                .checked_shl(128 - u32::from(prefix))
                .filter(|_| prefix > 0)?;
            let next = u128::from(v6).checked_add(step)?;
            IpNet::new(IpAddr::V6(next.into()), prefix)
        }
    }
}

/// A random `fdXX:XXXX:XXXX:XXXX::/64` that overlaps nothing in `used`.
pub(crate) fn free_ipv6_subnet(used: &[UsedSubnet]) -> Result<IpNet> {
    for _ in 0..10_000 {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&super::random_bytes::<8>()?);
        bytes[0] = 0xfd;
        let subnet =
            IpNet::new(IpAddr::V6(Ipv6Addr::from(bytes)), 64).ok_or(NetError::NoFreeSubnet)?;
        if !used.iter().any(|u| u.subnet.overlaps(&subnet)) {
            return Ok(subnet);
        }
    }
    Err(NetError::NoFreeSubnet)
}

/// `PREFIX1`, `PREFIX2`, ...: the first not in `taken` (0 is the default network's).
pub(crate) fn free_device_name(prefix: &str, taken: &BTreeSet<String>) -> Result<String> {
    (1..1_000_000)
        .map(|n| format!("{prefix}{n}"))
        .find(|name| !taken.contains(name))
        .ok_or_else(|| NetError::invalid("", "could not find free device name, to many iterations"))
}
