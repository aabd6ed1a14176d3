//! The backends that set a network namespace up on networks and tear it down: the trait
//! ([`NetworkBackend`], the size of netavark's own driver trait), the real one
//! ([`Netavark`]: the `netavark` binary, with `aardvark-dns` for names), and [`FakeBackend`]
//! for unit tests of callers. Both pass the public conformance suite (`suite`, behind the
//! `testsuite` feature).
//!
//! Addresses are the caller's ([`crate::ipam`]): they reach the backend as each network's
//! `static_ips`.
//!
//! ```no_run
//! use libpod_net::backend::{NetnsArgs, Netavark, NetworkBackend};
//! use libpod_net::types::{NetworkOptions, PerNetworkOptions};
//!
//! # fn run(network: libpod_net::types::Network, netns: &std::path::Path) -> libpod_net::Result<()> {
//! let backend = Netavark::new("/run/libpod-rs/networks");
//! let mut on_network = PerNetworkOptions::default();
//! on_network.interface_name = "eth0".into();
//! on_network.static_ips = vec!["10.89.0.2".parse().unwrap()];
//! let mut options = NetworkOptions::default();
//! options.container_id = "0123abcd".into();
//! options.container_name = "web".into();
//! options.networks.insert(network.name.clone(), on_network);
//! let networks = [network];
//! let args = NetnsArgs { netns, options: &options, networks: &networks };
//! let status = backend.setup(&args)?;
//! println!("{:?}", status[&networks[0].name].interfaces["eth0"].subnets);
//! backend.teardown(&args)?;
//! # Ok(()) }
//! ```

mod fake;
mod native;
mod netavark;
mod teardown;

#[cfg(feature = "testsuite")]
pub mod suite;

pub use fake::FakeBackend;
pub use native::NativeBridge;
pub(crate) use native::plan_against_saved;
pub use netavark::{Netavark, parse_status};

use crate::error::{NetError, Result};
use crate::types::{Network, NetworkOptions, StatusBlock};
use std::collections::BTreeMap;
use std::path::Path;

/// What one setup or teardown is about: the namespace, the container's options, and the
/// definitions of the networks it names.
#[derive(Clone, Copy, Debug)]
pub struct NetnsArgs<'a> {
    /// The network namespace (a bind-mounted nsfs file, see [`crate::netns`]).
    pub netns: &'a Path,
    /// The container's options: its ID, name, ports, and per network its addresses.
    pub options: &'a NetworkOptions,
    /// The definition of every network in `options.networks` (more are ignored).
    pub networks: &'a [Network],
}

impl NetnsArgs<'_> {
    /// The definition of the network `name`.
    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }
}

/// Sets up and tears down a container's network namespace on its networks.
///
/// Contract (checked by `suite`, with the `testsuite` feature): `setup` returns one [`StatusBlock`] per network, keyed by
/// name, with the requested addresses on the requested interface; a failed `setup` leaves
/// nothing set up; `teardown` succeeds after a setup, without one, twice, and when the
/// namespace is already gone, and leaves no interface, bridge or firewall rule of the
/// container behind.
pub trait NetworkBackend: Send + Sync {
    /// A short name for logs (`netavark`, `fake`).
    fn name(&self) -> &'static str;

    /// Checks the arguments without changing anything (see [`check_args`]).
    fn validate(&self, args: &NetnsArgs<'_>) -> Result<()> {
        check_args(args)
    }

    /// Puts the namespace on its networks and reports what it got, per network.
    fn setup(&self, args: &NetnsArgs<'_>) -> Result<BTreeMap<String, StatusBlock>>;

    /// Takes the namespace off its networks: its interfaces, published ports, DNS entries, and
    /// the bridge and its rules when it was the last on it. Idempotent.
    fn teardown(&self, args: &NetnsArgs<'_>) -> Result<()>;
}

/// The checks c/common makes before setup: a namespace path, a container ID, at least one
/// network, a definition and an interface name for each, and static addresses inside the
/// subnets of `host-local` networks.
pub fn check_args(args: &NetnsArgs<'_>) -> Result<()> {
    let invalid = |reason: String| Err(NetError::InvalidSetup(reason));
    if args.netns.as_os_str().is_empty() {
        return invalid("namespacePath is empty".into());
    }
    if args.options.container_id.is_empty() {
        return invalid("ContainerID is empty".into());
    }
    if args.options.networks.is_empty() {
        return invalid("must specify at least one network".into());
    }
    for (name, on_network) in &args.options.networks {
        let Some(network) = args.network(name) else {
            return invalid(format!("no definition given for network {name}"));
        };
        if on_network.interface_name.is_empty() {
            return invalid(format!("interface name on network {name} is empty"));
        }
        let host_local = network
            .ipam_options
            .get("driver")
            .is_none_or(|d| d == "host-local");
        let outside = on_network
            .static_ips
            .iter()
            .find(|ip| !network.subnets.iter().any(|s| s.subnet.contains(**ip)));
        if let (true, Some(ip)) = (host_local, outside) {
            return invalid(format!(
                "requested static ip {ip} not in any subnet on network {name}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "backend_tests.rs"]
mod tests;
