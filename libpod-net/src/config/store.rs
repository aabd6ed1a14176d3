//! The directory of network files: reading every `NAME.json`, writing one atomically, and the
//! verbs over them, each under the config lock.

use super::create::{Taken, complete};
use super::lock::{BackendLock, ConfigLock};
use super::{StoreConfig, UsedSubnet, host, random_bytes};
use crate::error::{NetError, Result};
use crate::types::{Network, Subnet};
use libpod_fs::{Durability, ExistingDir, Policy, Root, create_private_dir, replace};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Network files larger than this are refused (Podman's are about 1 KiB).
const MAX_NETWORK_FILE: u64 = 1 << 20;

/// One `NAME.json` per network in a directory. See the [module docs](super).
#[derive(Debug)]
pub struct NetworkStore {
    config: StoreConfig,
}

impl NetworkStore {
    /// Opens the store, creating its directory (0700) and the default network if missing.
    pub fn open(config: StoreConfig) -> Result<NetworkStore> {
        create_private_dir(&config.dir, ExistingDir::Keep)?;
        let store = NetworkStore { config };
        let _lock = store.lock()?;
        let networks = store.read_all()?;
        if !networks
            .iter()
            .any(|n| n.name == store.config.default_network.name)
        {
            store.create_default(&networks)?;
        }
        Ok(store)
    }

    /// The directory of network files.
    pub fn dir(&self) -> &Path {
        &self.config.dir
    }

    /// The default network's name.
    pub fn default_network(&self) -> &str {
        &self.config.default_network.name
    }

    /// Every network, sorted by name. Files that do not parse are skipped with a warning, as
    /// Podman skips them.
    pub fn list(&self) -> Result<Vec<Network>> {
        let _lock = self.lock()?;
        self.read_all()
    }

    /// The network named `name_or_id`, or the one whose ID starts with it.
    pub fn inspect(&self, name_or_id: &str) -> Result<Network> {
        let _lock = self.lock()?;
        find(self.read_all()?, name_or_id)
    }

    /// Creates a network from a partial definition (no ID; name, bridge and subnets may be left
    /// out) and returns it completed as stored. Refused with a typed error when c/common would
    /// refuse it; the subnets overlap no other network here, in the foreign directories, or on
    /// a host interface.
    pub fn create(&self, request: Network) -> Result<Network> {
        if !request.id.is_empty() {
            return Err(NetError::invalid(
                &request.name,
                "ID can not be set for network create",
            ));
        }
        let _lock = self.lock()?;
        let networks = self.read_all()?;
        let mut request = request;
        request.id = new_id(&networks)?;
        let network = complete(
            request,
            &self.taken(&networks),
            &self.config.subnet_pools,
            false,
        )?;
        self.write(&network)?;
        tracing::info!(network = %network.name, id = %network.id, "created network");
        Ok(network)
    }

    /// Removes the network `name_or_id` and returns its definition. The caller checks that no
    /// container uses it; the default network is refused.
    pub fn remove(&self, name_or_id: &str) -> Result<Network> {
        let _lock = self.lock()?;
        let network = find(self.read_all()?, name_or_id)?;
        if network.name == self.config.default_network.name {
            return Err(NetError::DefaultNetworkRemoval { name: network.name });
        }
        let path = self.path_of(&network.name);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(NetError::file("remove", &path, err));
            }
            _ => {}
        }
        tracing::info!(network = %network.name, "removed network");
        Ok(network)
    }

    /// Removes every network but the default one whose name is not in `in_use` (the networks
    /// the caller's containers are on), and returns their names.
    pub fn prune(&self, in_use: &BTreeSet<String>) -> Result<Vec<String>> {
        let _lock = self.lock()?;
        let mut pruned = Vec::new();
        for network in self.read_all()? {
            if network.name == self.config.default_network.name || in_use.contains(&network.name) {
                continue;
            }
            let path = self.path_of(&network.name);
            match std::fs::remove_file(&path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(NetError::file("remove", &path, err));
                }
                _ => pruned.push(network.name),
            }
        }
        Ok(pruned)
    }

    /// Takes the store's lock (Podman's `netavark.lock`) for a backend's setup or teardown, as
    /// c/common holds it around every netavark run: netavark 1.4 makes a network's bridge and
    /// firewall chains on its first container, and removes them with its last, by looking
    /// first and acting after, so two runs at once on one network fail ("chain already
    /// exists") or leave things behind. It excludes threads, processes and Podman on the same
    /// directory; released when dropped. Never held while calling the store's other methods,
    /// which take it too.
    ///
    /// ```no_run
    /// # let store = libpod_net::config::NetworkStore::open(libpod_net::config::StoreConfig::new("/tmp/n"))?;
    /// let _lock = store.lock_for_backend()?;
    /// // ... netavark setup ...
    /// # Ok::<(), libpod_net::NetError>(())
    /// ```
    pub fn lock_for_backend(&self) -> Result<BackendLock> {
        self.lock().map(|held| BackendLock { _held: held })
    }

    fn lock(&self) -> Result<ConfigLock> {
        let default = self.config.dir.join("netavark.lock");
        ConfigLock::acquire(self.config.lock_path.as_deref().unwrap_or(&default))
    }

    fn path_of(&self, name: &str) -> PathBuf {
        self.config.dir.join(format!("{name}.json"))
    }

    fn write(&self, network: &Network) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(network).map_err(|err| {
            NetError::invalid(&network.name, format!("encoding the network: {err}"))
        })?;
        json.push(b'\n');
        replace(&self.path_of(&network.name), &json, 0o600, Durability::Full)?;
        Ok(())
    }

    fn read_all(&self) -> Result<Vec<Network>> {
        let mut networks = read_dir(&self.config.dir, true)?;
        networks.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(networks)
    }

    fn create_default(&self, networks: &[Network]) -> Result<()> {
        let wanted = &self.config.default_network;
        let mut request = Network::default();
        request.name.clone_from(&wanted.name);
        request.network_interface.clone_from(&wanted.bridge);
        request.id = new_id(networks)?;
        let mut taken = self.taken(networks);
        let subnet = match wanted.subnet {
            Some(subnet) => subnet,
            None => super::free::free_ipv4_subnet(&taken.subnets, &wanted.pools)?,
        };
        request.subnets = vec![Subnet::new(subnet)];
        // The configured bridge is the default network's own, whoever else uses it.
        taken.bridges.remove(&wanted.bridge);
        let network = complete(request, &taken, &[], true)?;
        self.write(&network)?;
        tracing::info!(network = %network.name, subnet = %subnet, "created the default network");
        Ok(())
    }

    /// What a new network must stay clear of: ours, the foreign directories' (and Podman's
    /// implicit default), the host's.
    fn taken(&self, ours: &[Network]) -> Taken {
        let foreign: Vec<Network> = self
            .config
            .foreign_dirs
            .iter()
            .filter(|dir| **dir != self.config.dir)
            .flat_map(|dir| read_dir(dir, false).unwrap_or_default())
            .chain(std::iter::once(podman_default()))
            .collect();
        let mut subnets: Vec<UsedSubnet> = ours
            .iter()
            .chain(&foreign)
            .flat_map(|n| {
                n.subnets.iter().map(|s| UsedSubnet {
                    subnet: s.subnet,
                    by: format!("network {}", n.name),
                })
            })
            .collect();
        subnets.extend(host::interface_subnets());
        Taken {
            names: ours.iter().map(|n| n.name.clone()).collect(),
            bridges: ours
                .iter()
                .chain(&foreign)
                .filter(|n| n.driver == "bridge")
                .map(|n| n.network_interface.clone())
                .collect(),
            interfaces: host::interface_names(),
            subnets,
        }
    }
}

/// Podman's default network as it exists without a file: 10.88.0.0/16 on `podman0`.
fn podman_default() -> Network {
    Network {
        name: "podman".into(),
        driver: "bridge".into(),
        network_interface: "podman0".into(),
        subnets: vec![Subnet::new("10.88.0.0/16".parse().expect("a valid subnet"))],
        ..Network::default()
    }
}

/// Every `*.json` network in `dir` (none if it is missing). Unparsable files are skipped with
/// a warning, or refused when `strict` and the failure is reading, not parsing.
fn read_dir(dir: &Path, strict: bool) -> Result<Vec<Network>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(NetError::file("read directory", dir, err)),
    };
    let root = Root::open(dir)?;
    let mut networks = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| NetError::file("read directory", dir, err))?;
        let name = entry.file_name();
        if Path::new(&name).extension() != Some(OsStr::new("json")) {
            continue;
        }
        let bytes = match root.read_regular(&name, Policy::NoSymlinks, MAX_NETWORK_FILE) {
            Ok(bytes) => bytes,
            Err(err) if strict => return Err(err.into()),
            Err(err) => {
                tracing::warn!(error = %err, "skipping network file");
                continue;
            }
        };
        match parse_network_file(&dir.join(&name), &bytes) {
            Ok(network) => networks.push(network),
            Err(err) => tracing::warn!(error = %err, "skipping network file"),
        }
    }
    Ok(networks)
}

/// Parses a network file's bytes (what `podman network create` writes).
///
/// ```
/// use libpod_net::config::parse_network_file;
/// let network = parse_network_file("web.json".as_ref(), br#"{"name": "web", "id": "ab", "driver": "bridge"}"#)?;
/// assert_eq!(network.name, "web");
/// assert!(parse_network_file("x.json".as_ref(), b"{").is_err());
/// # Ok::<(), libpod_net::NetError>(())
/// ```
pub fn parse_network_file(path: &Path, bytes: &[u8]) -> Result<Network> {
    serde_json::from_slice(bytes).map_err(|err| NetError::BadNetworkFile {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })
}

fn find(networks: Vec<Network>, name_or_id: &str) -> Result<Network> {
    let mut by_id = None;
    for network in networks {
        if network.name == name_or_id {
            return Ok(network);
        }
        if !name_or_id.is_empty() && network.id.starts_with(name_or_id) {
            if by_id.is_some() {
                return Err(NetError::AmbiguousNetworkId {
                    prefix: name_or_id.to_string(),
                });
            }
            by_id = Some(network);
        }
    }
    by_id.ok_or_else(|| NetError::NoSuchNetwork {
        name_or_id: name_or_id.to_string(),
    })
}

/// A random 64-hex-digit ID no network here starts with.
fn new_id(networks: &[Network]) -> Result<String> {
    loop {
        let id: String = random_bytes::<32>()?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if !networks.iter().any(|n| n.id == id || n.name == id) {
            return Ok(id);
        }
    }
}
