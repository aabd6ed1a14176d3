//! The addresses of a subnet containers may get: its lease range (or the whole subnet) without
//! the network address, the IPv4 broadcast address and the gateway.

use crate::types::Subnet;
use std::fmt;
use std::net::IpAddr;

/// A subnet's assignable addresses, as integers of its family.
pub(super) struct AddressRange {
    v6: bool,
    first: u128,
    last: u128,
    network: u128,
    broadcast: Option<u128>,
    gateway: Option<u128>,
}

impl AddressRange {
    /// The range of `subnet`: its lease range if any, clipped to the subnet.
    pub(super) fn of(subnet: &Subnet) -> AddressRange {
        let net = subnet.subnet.network();
        let v6 = net.is_ipv6();
        let bits = if v6 { 128 } else { 32 };
        let network = to_int(net.address());
        let host_bits = bits - u32::from(net.prefix());
        let size_mask = u128::MAX.checked_shr(128 - host_bits).unwrap_or(0);
        let last_in_subnet = network | size_mask;
        let broadcast = (!v6 && host_bits > 1).then_some(last_in_subnet);
        let range = subnet.lease_range.as_ref();
        let start = range.and_then(|r| r.start_ip).map(to_int);
        let end = range.and_then(|r| r.end_ip).map(to_int);
        AddressRange {
            v6,
            first: start.unwrap_or(network).max(network),
            last: end.unwrap_or(last_in_subnet).min(last_in_subnet),
            network,
            broadcast,
            gateway: subnet.gateway.map(to_int),
        }
    }

    /// Why `address` (in the subnet) may not be a container's, if it may not.
    pub(super) fn refuses(&self, address: IpAddr) -> Option<&'static str> {
        let address = to_int(address);
        if address == self.network && self.network != self.last_of_subnet() {
            Some("it is the subnet's network address")
        } else if Some(address) == self.broadcast {
            Some("it is the subnet's broadcast address")
        } else if Some(address) == self.gateway {
            Some("it is the network's gateway")
        } else {
            None
        }
    }

    /// The assignable addresses, lowest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = IpAddr> + '_ {
        (self.first..=self.last)
            .map(|n| self.to_ip(n))
            .filter(|a| self.refuses(*a).is_none())
    }

    fn last_of_subnet(&self) -> u128 {
        self.broadcast.unwrap_or(self.last)
    }

    fn to_ip(&self, n: u128) -> IpAddr {
        if self.v6 {
            IpAddr::V6(n.into())
        } else {
            // A v4 range's integers fit in 32 bits.
            IpAddr::V4(u32::try_from(n).unwrap_or(u32::MAX).into())
        }
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.to_ip(self.first), self.to_ip(self.last))
    }
}

fn to_int(address: IpAddr) -> u128 {
    match address.to_canonical() {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}
