//! The types Podman and netavark exchange, with c/common's JSON field names, so that what we
//! store (one `NAME.json` per network) and pass to netavark (`NetworkOptions` on stdin) reads as
//! Podman's, and what Podman or netavark write reads as ours.

mod cidr;
mod mac;
mod network;
mod options;
mod port;
mod status;

pub use cidr::IpNet;
pub use mac::MacAddress;
pub use network::{LeaseRange, Network, Route, Subnet};
pub use options::{NetworkOptions, PerNetworkOptions};
pub use port::{PortMapping, Protocol};
pub use status::{NetAddress, NetInterface, StatusBlock};

#[cfg(test)]
#[path = "types_tests.rs"]
mod tests;
