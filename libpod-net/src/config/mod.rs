//! Network configs: one `NAME.json` per network in a directory, in c/common's format, so that
//! `podman --network-config-dir DIR network ls/inspect` reads ours and we read Podman's.
//!
//! [`NetworkStore`] creates (validated as c/common validates, with the free subnet and bridge
//! name picked as Podman picks them), lists, inspects (by name or ID prefix), removes and prunes
//! networks, under the same lock Podman takes, and keeps a default network whose name, subnet
//! and bridge never collide with Podman's own default (see [`DefaultNetwork`]).
//!
//! ```no_run
//! use libpod_net::config::{NetworkStore, StoreConfig};
//! use libpod_net::types::Network;
//!
//! let store = NetworkStore::open(StoreConfig::new("/var/lib/libpod-rs/networks"))?;
//! let mut request = Network::default();
//! request.name = "web".into();
//! request.subnets = vec![libpod_net::types::Subnet::new("10.99.0.0/24".parse().unwrap())];
//! let web = store.create(request)?;
//! assert_eq!(store.inspect(&web.id[..12])?.name, "web");
//! # Ok::<(), libpod_net::NetError>(())
//! ```

mod create;
mod free;
mod host;
mod lock;
mod store;
mod validate;

pub use lock::BackendLock;
pub use store::{NetworkStore, parse_network_file};
pub use validate::validate_interface_name;

use crate::error::{NetError, Result};
use crate::types::IpNet;
use std::io::Read;
use std::path::PathBuf;

/// Where the store keeps its files and what it must stay clear of.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The directory of `NAME.json` files (created 0700).
    pub dir: PathBuf,
    /// The lock file create and remove take; `DIR/netavark.lock` by default, as Podman 4 takes
    /// it (Podman 5 as root takes `/run/lock/netavark.lock`: name that to share a directory
    /// with it).
    pub lock_path: Option<PathBuf>,
    /// The default network, created on open if missing.
    pub default_network: DefaultNetwork,
    /// The pools new networks' IPv4 subnets come from: Podman's by default.
    pub subnet_pools: Vec<SubnetPool>,
    /// Other network config directories whose networks ours must not collide with (subnets,
    /// bridge names): Podman's `/etc/containers/networks` by default. Missing ones are skipped.
    pub foreign_dirs: Vec<PathBuf>,
}

impl StoreConfig {
    /// The defaults for a store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            dir: dir.into(),
            lock_path: None,
            default_network: DefaultNetwork::default(),
            subnet_pools: SubnetPool::podman_defaults(),
            foreign_dirs: vec![PathBuf::from("/etc/containers/networks")],
        }
    }
}

/// The network containers join when they name none.
///
/// Its defaults are chosen so that it never collides with Podman's default network `podman`
/// (10.88.0.0/16 on bridge `podman0`) nor with the networks Podman creates later: the name
/// `libpod` (so a shared config directory never holds two "default" networks of one name), the
/// bridge `libpod0` (Podman names bridges `podmanN`, so it never picks ours even while our
/// bridge is down and invisible to it), and the first free /16 of 10.80.0.0/13 (outside
/// Podman's default subnet and its default pools 10.89.0.0–10.255.255.0, so Podman never picks
/// it either), picked once when the network is first created and then kept in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DefaultNetwork {
    /// Its name.
    pub name: String,
    /// Its bridge.
    pub bridge: String,
    /// Its subnet; picked from `pools` when `None`.
    pub subnet: Option<IpNet>,
    /// Where its subnet is picked from when not configured.
    pub pools: Vec<SubnetPool>,
}

impl Default for DefaultNetwork {
    fn default() -> DefaultNetwork {
        DefaultNetwork {
            name: "libpod".into(),
            bridge: "libpod0".into(),
            subnet: None,
            pools: vec![SubnetPool::new("10.80.0.0/13", 16)],
        }
    }
}

/// A range subnets are carved from, in steps of `size` (containers.conf's
/// `default_subnet_pools`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetPool {
    /// The range.
    pub base: IpNet,
    /// The prefix length of the subnets taken from it.
    pub size: u8,
}

impl SubnetPool {
    /// A pool; `base` must be a valid CIDR (a constant).
    ///
    /// # Panics
    /// When `base` does not parse.
    pub fn new(base: &str, size: u8) -> SubnetPool {
        SubnetPool {
            base: base.parse().expect("a valid subnet pool"),
            size,
        }
    }

    /// Podman's default pools: 10.89.0.0/16, 10.90.0.0/15, 10.92.0.0/14, 10.96.0.0/11 and
    /// 10.128.0.0/9, in /24 steps.
    pub fn podman_defaults() -> Vec<SubnetPool> {
        [
            "10.89.0.0/16",
            "10.90.0.0/15",
            "10.92.0.0/14",
            "10.96.0.0/11",
            "10.128.0.0/9",
        ]
        .into_iter()
        .map(|base| SubnetPool::new(base, 24))
        .collect()
    }
}

/// A subnet already taken, and by what (for the error).
#[derive(Clone, Debug)]
pub(crate) struct UsedSubnet {
    pub(crate) subnet: IpNet,
    pub(crate) by: String,
}

/// `N` bytes from the kernel's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let path = std::path::Path::new("/dev/urandom");
    let mut bytes = [0u8; N];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|err| NetError::file("read", path, err))?;
    Ok(bytes)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
