//! IP address management on the caller's side, as c/common does it for netavark: a container's
//! addresses on a network are chosen here, before `netavark setup`, and passed to it as
//! `static_ips`.
//!
//! The allocations live in the caller's store, behind [`AddressStore`] (libpod-core implements
//! it on its state database's `container_networks` table; [`MemoryAddressStore`] is the
//! in-memory one). [`allocate`] picks the lowest free address of each subnet (within its lease
//! range) or checks the container's static requests; [`release`] frees them.
//!
//! # The store's contract
//! [`AddressStore::reserve`] must be atomic across every thread and process sharing the store:
//! of two callers reserving one address on one network, exactly one gets `true`. That is the
//! whole of the concurrency safety: [`allocate`] reads [`AddressStore::allocated`] only to skip
//! known-taken addresses quickly, and moves on to the next address when a reservation loses a
//! race. Nothing here locks.
//!
//! ```
//! use libpod_net::ipam::{MemoryAddressStore, allocate, release};
//! use libpod_net::types::{Network, Subnet};
//!
//! let mut network = Network::default();
//! network.name = "web".into();
//! let mut subnet = Subnet::new("10.99.0.0/24".parse().unwrap());
//! subnet.gateway = Some("10.99.0.1".parse().unwrap());
//! network.subnets = vec![subnet];
//! let store = MemoryAddressStore::default();
//! let first = allocate(&store, &network, "ctr1", &[])?;
//! assert_eq!(first, ["10.99.0.2".parse::<std::net::IpAddr>().unwrap()]);
//! assert_eq!(allocate(&store, &network, "ctr2", &[])?[0].to_string(), "10.99.0.3");
//! release(&store, &network, "ctr1")?;
//! assert_eq!(allocate(&store, &network, "ctr3", &[])?[0].to_string(), "10.99.0.2");
//! # Ok::<(), libpod_net::NetError>(())
//! ```

mod memory;
mod range;

pub use memory::MemoryAddressStore;

use crate::error::{NetError, Result};
use crate::types::{MacAddress, Network};
use range::AddressRange;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Where a caller keeps the addresses its containers hold, per network. See the
/// [module docs](self) for the atomicity `reserve` must give.
pub trait AddressStore {
    /// Every address allocated on `network`, to any container.
    fn allocated(&self, network: &str) -> Result<Vec<IpAddr>>;
    /// The addresses `container` holds on `network`.
    fn assigned(&self, network: &str, container: &str) -> Result<Vec<IpAddr>>;
    /// Atomically gives `address` on `network` to `container` if no other container holds it:
    /// `true` when it is now the container's (also when it already was), `false` when another
    /// container holds it.
    fn reserve(&self, network: &str, container: &str, address: IpAddr) -> Result<bool>;
    /// Frees every address `container` holds on `network` (nothing when it holds none).
    fn release(&self, network: &str, container: &str) -> Result<()>;
}

/// The container's addresses on `network`: the ones it already holds if any (allocating again
/// after a restart changes nothing), else one per subnet: the static request in that subnet,
/// or the lowest free address of the subnet's lease range. Networks whose IPAM is not
/// `host-local` (`dhcp`, `none`) get none here. On failure, nothing stays reserved.
///
/// Static addresses must be in a subnet and be neither its network address, its IPv4
/// broadcast address nor its gateway ([`NetError::InvalidStaticIp`]); one another container
/// holds is [`NetError::AddressInUse`]; a full range is [`NetError::SubnetExhausted`].
pub fn allocate(
    store: &dyn AddressStore,
    network: &Network,
    container: &str,
    static_ips: &[IpAddr],
) -> Result<Vec<IpAddr>> {
    if !is_host_local(network) {
        return Ok(Vec::new());
    }
    let held = store.assigned(&network.name, container)?;
    if !held.is_empty() {
        return Ok(held);
    }
    let result = allocate_fresh(store, network, container, static_ips);
    if result.is_err() {
        store.release(&network.name, container)?;
    }
    result
}

/// Frees the container's addresses on `network`.
pub fn release(store: &dyn AddressStore, network: &Network, container: &str) -> Result<()> {
    store.release(&network.name, container)
}

/// Checks a static MAC request: a unicast address, not all zeros.
///
/// ```
/// use libpod_net::ipam::check_static_mac;
/// assert!(check_static_mac(&"92:d0:c6:0a:29:33".parse().unwrap()).is_ok());
/// assert!(check_static_mac(&"01:00:5e:00:00:01".parse().unwrap()).is_err());
/// ```
pub fn check_static_mac(mac: &MacAddress) -> Result<()> {
    let reason = if mac.0 == [0; 6] {
        "the zero address"
    } else if mac.0[0] & 1 == 1 {
        "a multicast address"
    } else {
        return Ok(());
    };
    Err(NetError::InvalidMac {
        mac: mac.to_string(),
        reason,
    })
}

fn is_host_local(network: &Network) -> bool {
    matches!(
        network.ipam_options.get("driver").map(String::as_str),
        None | Some("" | "host-local")
    )
}

fn allocate_fresh(
    store: &dyn AddressStore,
    network: &Network,
    container: &str,
    static_ips: &[IpAddr],
) -> Result<Vec<IpAddr>> {
    let name = &network.name;
    for &address in static_ips {
        if !network.subnets.iter().any(|s| s.subnet.contains(address)) {
            return Err(invalid_static(
                name,
                address,
                "not in any subnet of the network",
            ));
        }
    }
    let mut taken: Option<BTreeSet<IpAddr>> = None;
    let mut addresses = Vec::new();
    for subnet in &network.subnets {
        let range = AddressRange::of(subnet);
        if let Some(&address) = static_ips.iter().find(|a| subnet.subnet.contains(**a)) {
            let address = address.to_canonical();
            if let Some(reason) = range.refuses(address) {
                return Err(invalid_static(name, address, reason));
            }
            if !store.reserve(name, container, address)? {
                return Err(NetError::AddressInUse {
                    network: name.clone(),
                    address,
                });
            }
            addresses.push(address);
            continue;
        }
        let taken = match &mut taken {
            Some(taken) => taken,
            None => taken.insert(store.allocated(name)?.into_iter().collect()),
        };
        let mut found = None;
        for address in range.iter().filter(|a| !taken.contains(a)) {
            if store.reserve(name, container, address)? {
                found = Some(address);
                break;
            }
        }
        let address = found.ok_or_else(|| NetError::SubnetExhausted {
            network: name.clone(),
            subnet: range.to_string(),
        })?;
        taken.insert(address);
        addresses.push(address);
    }
    tracing::debug!(network = %name, container, ?addresses, "allocated addresses");
    Ok(addresses)
}

fn invalid_static(network: &str, address: IpAddr, reason: &'static str) -> NetError {
    NetError::InvalidStaticIp {
        network: network.to_string(),
        address,
        reason,
    }
}

#[cfg(test)]
#[path = "ipam_tests.rs"]
mod tests;
