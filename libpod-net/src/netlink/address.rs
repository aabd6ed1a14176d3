//! Address and route requests: an interface's addresses and a default route, as netavark
//! makes them.

use super::{Message, NLM_F_CREATE, NLM_F_EXCL, RouteSocket};
use crate::error::Result;
use crate::types::IpNet;
use std::net::IpAddr;

const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_BROADCAST: u16 = 4;
const RTA_DST: u16 = 1;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const RT_TABLE_MAIN: u8 = 254;
const RTPROT_STATIC: u8 = 4;
const RTN_UNICAST: u8 = 1;

fn family(address: IpAddr) -> u8 {
    if address.is_ipv6() { AF_INET6 } else { AF_INET }
}

fn octets(address: IpAddr) -> Vec<u8> {
    match address {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

impl RouteSocket {
    /// Adds `address` (with its prefix) to link `index`; an IPv4 one with its subnet's
    /// broadcast address.
    pub(crate) fn add_address(&self, index: u32, address: IpNet) -> Result<()> {
        let ip = address.address();
        let mut header = [0u8; 8];
        header[0] = family(ip);
        header[1] = address.prefix();
        header[4..8].copy_from_slice(&index.to_ne_bytes());
        let mut message = Message::new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL).raw(&header);
        message.attr(IFA_LOCAL, &octets(ip));
        message.attr(IFA_ADDRESS, &octets(ip));
        if let IpAddr::V4(v4) = ip {
            let host_bits = u32::MAX
                .checked_shr(u32::from(address.prefix()))
                .unwrap_or(0);
            let broadcast = u32::from(v4) | host_bits;
            message.attr(IFA_BROADCAST, &broadcast.to_be_bytes());
        }
        self.change("add address", message)
    }

    /// Adds the default route through `gateway` with `metric` (without `NLM_F_EXCL`, as
    /// netavark: a container on two networks gets a default route through each).
    pub(crate) fn add_default_route(&self, gateway: IpAddr, metric: u32) -> Result<()> {
        let header = [
            family(gateway),
            0,
            0,
            0,
            RT_TABLE_MAIN,
            RTPROT_STATIC,
            0,
            RTN_UNICAST,
            0,
            0,
            0,
            0,
        ];
        let mut message = Message::new(RTM_NEWROUTE, NLM_F_CREATE).raw(&header);
        let any = match gateway {
            IpAddr::V4(_) => vec![0u8; 4],
            IpAddr::V6(_) => vec![0u8; 16],
        };
        message.attr(RTA_DST, &any);
        message.attr(RTA_GATEWAY, &octets(gateway));
        message.attr(RTA_PRIORITY, &metric.to_ne_bytes());
        self.change("add default route", message)
    }
}
