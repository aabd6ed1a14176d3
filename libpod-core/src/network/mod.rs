//! Networking wired into containers: libpod-net's configs, IPAM and backend, on the runtime's
//! state and run root (the network wing; Podman's c/common `libnetwork` seen from libpod).
//!
//! - `Networking` (this file): the parts a runtime holds: the network configs
//!   ([`NetworkStore`], opened on first use), the backend ([`NetworkBackend`]: by default
//!   [`NativeBridge`], netavark's bridge driver in process, netavark itself for the rest), and where namespaces go (`RUNROOT/netns/ID`).
//! - `addresses.rs`: libpod-net's [`AddressStore`](libpod_net::ipam::AddressStore) on the
//!   state database (`network_addresses`, beside the `container_networks` attachments).
//! - `attach.rs`: a new container's networks and ports completed at create (containers.conf's
//!   mode when the options chose none, the default network for plain `bridge`, canonical
//!   names, interface names, free host ports); `expose.rs`: its exposed ports (the image's
//!   and `--expose`), published on free host ports with `-P`.
//! - `namespace.rs`: a container's namespace set up on its networks and torn down, as free
//!   functions over the runtime and the container's config, so that init can run the setup
//!   beside the root filesystem's mount (and the pod wing for its infra container).
//! - `verbs.rs`: `Runtime::create_network`, `remove_network`, `prune_networks`,
//!   `network_users`.
//! - `connect.rs`: `Runtime::connect_network`, `disconnect_network` (also of a running
//!   container, under a network intent), and the open's repair of one cut short.
//! - `repair.rs`: what a crash left under `RUNROOT/netns`, removed at open.
//!
//! Lock order: the container's lock for everything about one container; the network store's
//! own file lock (netavark.lock) inside libpod-net's verbs, and around each backend setup or
//! teardown (`namespace::backend_setup`, `backend_teardown`: taken last, with nothing else
//! done under it, since the store's verbs take it too).
//!
//! ```no_run
//! use libpod_core::container::with_network_mode;
//! use libpod_spec::NetworkMode;
//! # let rt = libpod_core::runtime::Runtime::builder().open()?;
//! let web = rt.networks()?.inspect("libpod")?;
//! assert_eq!(web.driver, "bridge");
//! # Ok::<(), libpod_core::CoreError>(())
//! ```

mod addresses;
pub(crate) mod attach;
mod connect;
mod expose;
pub(crate) mod namespace;
pub(crate) mod repair;
mod verbs;

pub use libpod_net::backend::{FakeBackend, NativeBridge, Netavark, NetworkBackend};
pub use libpod_net::config::NetworkStore;
pub use libpod_net::types::{Network, PortMapping, StatusBlock};

pub(crate) use addresses::StateAddresses;
pub(crate) use connect::finish_interrupted_change;

use crate::error::Result;
use libpod_net::config::StoreConfig;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A backend handed to the runtime's builder.
pub(crate) struct SharedBackend(pub(crate) Arc<dyn NetworkBackend>);

impl fmt::Debug for SharedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// A runtime's networking parts.
pub(crate) struct Networking {
    config: StoreConfig,
    store: OnceLock<NetworkStore>,
    backend: Arc<dyn NetworkBackend>,
    netns_dir: PathBuf,
}

impl fmt::Debug for Networking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Networking")
            .field("config_dir", &self.config.dir)
            .field("backend", &self.backend.name())
            .field("netns_dir", &self.netns_dir)
            .finish()
    }
}

impl Networking {
    /// The parts for a runtime: configs under `config.dir`, namespaces under
    /// `RUNROOT/netns`, the given backend or else [`NativeBridge`] (bridge networks in process,
    /// the others through netavark, its `--config` under `RUNROOT/networks`, `firewall_driver`
    /// passed through).
    pub(crate) fn new(
        config: StoreConfig,
        backend: Option<Arc<dyn NetworkBackend>>,
        run_root: &Path,
        firewall_driver: Option<String>,
    ) -> Networking {
        let backend = backend.unwrap_or_else(|| {
            let netavark =
                Netavark::new(run_root.join("networks")).with_firewall_driver(firewall_driver);
            Arc::new(NativeBridge::new(netavark))
        });
        Networking {
            config,
            store: OnceLock::new(),
            backend,
            netns_dir: run_root.join("netns"),
        }
    }

    /// The network configs, opened (and the default network made) on first use: most
    /// commands never look at a network.
    pub(crate) fn store(&self) -> Result<&NetworkStore> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = NetworkStore::open(self.config.clone())?;
        Ok(self.store.get_or_init(|| store))
    }

    /// The backend.
    pub(crate) fn backend(&self) -> &dyn NetworkBackend {
        &*self.backend
    }

    /// Where containers' namespaces are bind-mounted.
    pub(crate) fn netns_dir(&self) -> &Path {
        &self.netns_dir
    }
}

#[cfg(test)]
#[path = "attach_tests.rs"]
mod attach_tests;
