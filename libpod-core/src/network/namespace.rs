//! A container's network namespace on its networks: made (`RUNROOT/netns/ID`), addresses
//! reserved, set up by the backend; and the reverse. Free functions over the runtime and the
//! container's config, called under the container's lock: by init (beside the root
//! filesystem's mount), cleanup, removal, the repair of an interrupted init, and connect.
//!
//! The order keeps a crash at any point repairable: the addresses are reserved in the state
//! before setup (the setup's input is rebuilt from them and the attachments at teardown), and
//! teardown is idempotent and works whatever is left (no namespace, no interface: libpod-net
//! tears down on a stand-in), so the next cleanup, removal or open finishes it.

use super::StateAddresses;
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, NetworkAttachment};
use crate::runtime::Runtime;
use libpod_net::backend::NetnsArgs;
use libpod_net::types::{MacAddress, Network, NetworkOptions, PerNetworkOptions, StatusBlock};
use libpod_net::{ipam, netns};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a setup gave the container.
#[derive(Debug)]
pub(crate) struct NetworkSetup {
    /// Its namespace.
    pub(crate) netns_path: PathBuf,
    /// The backend's result per network.
    pub(crate) status: BTreeMap<String, StatusBlock>,
}

/// What a restore gives back of the container's networking (Podman's restore from the
/// checkpoint's `network.status`): on each network the checkpoint recorded, its interface
/// gets the addresses and MAC address it had then, in place of the attachment's own, for that
/// one setup, under the interface name it had. A network it has no record of keeps the
/// attachment's (Podman clears the static ones there too).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RestoredNetworks {
    /// The backend's result per network when the container was checkpointed.
    pub(crate) status: BTreeMap<String, StatusBlock>,
    /// No address given back: IPAM picks (`--ignore-static-ip`).
    pub(crate) ignore_ips: bool,
    /// No MAC address given back: one is generated (`--ignore-static-mac`).
    pub(crate) ignore_mac: bool,
}

impl RestoredNetworks {
    /// `attachments` as this restore sets them up.
    pub(crate) fn apply(&self, attachments: &mut [NetworkAttachment]) {
        for attachment in attachments {
            // Podman takes the first interface: there is one but for odd CNI setups.
            let Some((name, interface)) = self
                .status
                .get(&attachment.network)
                .and_then(|status| status.interfaces.iter().next())
            else {
                continue;
            };
            // The name the restored processes' sockets know it by.
            attachment.interface_name = name.clone();
            attachment.static_ips = match self.ignore_ips {
                true => Vec::new(),
                false => interface
                    .subnets
                    .iter()
                    .map(|a| a.ipnet.address())
                    .collect(),
            };
            attachment.static_mac = (!self.ignore_mac).then(|| interface.mac_address.to_string());
        }
    }
}

/// A network error about container `id`.
pub(crate) fn net_err(id: &str) -> impl FnOnce(libpod_net::NetError) -> CoreError + '_ {
    move |source| CoreError::Network {
        container: id.to_string(),
        source,
    }
}

/// The container's namespace path (it exists only while it is set up).
pub(crate) fn netns_path(rt: &Runtime, id: &str) -> PathBuf {
    rt.networking().netns_dir().join(id)
}

/// Makes the container's namespace and sets it up on every network it is attached to (bridge
/// mode), with the addresses a restore gives back if `restored`. A failure leaves nothing:
/// addresses released, backend torn down, namespace removed.
pub(crate) fn setup(
    rt: &Runtime,
    config: &ContainerConfig,
    restored: Option<&RestoredNetworks>,
) -> Result<NetworkSetup> {
    let id = config.id.as_str();
    let path = netns_path(rt, id);
    if path.exists() {
        // A setup whose teardown never came (a crash): taken back first.
        teardown(rt, config)?;
    }
    let mut attachments = rt.state().container_networks(id)?;
    if let Some(restored) = restored {
        restored.apply(&mut attachments);
    }
    let networks = definitions(rt, &attachments)?;
    let netns = netns::create(rt.networking().netns_dir(), id).map_err(net_err(id))?;
    let result = reserve_and_setup(rt, config, &attachments, &networks, &netns);
    match result {
        Ok(status) => Ok(NetworkSetup {
            netns_path: netns,
            status,
        }),
        Err(err) => {
            let undone = release_all(rt, id, &attachments)
                .and_then(|()| netns::remove(&netns).map_err(net_err(id)));
            Err(match undone {
                Ok(()) => err,
                Err(cleanup) => CoreError::WithCleanupFailure {
                    primary: Box::new(err),
                    cleanup: cleanup.to_string(),
                },
            })
        }
    }
}

fn reserve_and_setup(
    rt: &Runtime,
    config: &ContainerConfig,
    attachments: &[NetworkAttachment],
    networks: &[Network],
    netns: &std::path::Path,
) -> Result<BTreeMap<String, StatusBlock>> {
    let id = config.id.as_str();
    if attachments.is_empty() {
        // Every network disconnected: a namespace with its loopback only.
        netns::loopback_up(netns).map_err(net_err(id))?;
        return Ok(BTreeMap::new());
    }
    let store = StateAddresses(rt.state());
    let mut addresses = BTreeMap::new();
    for (attachment, network) in attachments.iter().zip(networks) {
        let got =
            ipam::allocate(&store, network, id, &attachment.static_ips).map_err(net_err(id))?;
        addresses.insert(attachment.network.clone(), got);
    }
    let options = options(config, attachments, &addresses)?;
    let args = NetnsArgs {
        netns,
        options: &options,
        networks,
    };
    backend_setup(rt, id, &args)
}

/// The backend's setup, under the network store's lock: netavark runs one at a time (see
/// [`NetworkStore::lock_for_backend`](libpod_net::config::NetworkStore::lock_for_backend)).
pub(crate) fn backend_setup(
    rt: &Runtime,
    id: &str,
    args: &NetnsArgs<'_>,
) -> Result<BTreeMap<String, StatusBlock>> {
    let _lock = rt
        .networking()
        .store()?
        .lock_for_backend()
        .map_err(net_err(id))?;
    rt.networking().backend().setup(args).map_err(net_err(id))
}

/// The backend's teardown, under the network store's lock (as [`backend_setup`]).
pub(crate) fn backend_teardown(rt: &Runtime, id: &str, args: &NetnsArgs<'_>) -> Result<()> {
    let _lock = rt
        .networking()
        .store()?
        .lock_for_backend()
        .map_err(net_err(id))?;
    rt.networking()
        .backend()
        .teardown(args)
        .map_err(net_err(id))
}

/// Tears the container's namespace down: the backend's teardown (from the attachments and
/// the addresses still reserved), the namespace removed, the addresses released. Nothing to
/// do (one `stat`) for a container that has no namespace of ours. Idempotent.
pub(crate) fn teardown(rt: &Runtime, config: &ContainerConfig) -> Result<()> {
    let id = config.id.as_str();
    let path = netns_path(rt, id);
    let attachments = rt.state().container_networks(id)?;
    let mut addresses = BTreeMap::new();
    for attachment in &attachments {
        let held = rt.state().container_addresses(id, &attachment.network)?;
        if !held.is_empty() {
            addresses.insert(attachment.network.clone(), held);
        }
    }
    if !path.exists() && addresses.is_empty() {
        return Ok(());
    }
    if !addresses.is_empty() {
        // Only the networks that were set up (an address reserved): a network removed since
        // has no definition, and its teardown is the backend's leftover to skip.
        let on: Vec<NetworkAttachment> = attachments
            .iter()
            .filter(|a| addresses.contains_key(&a.network))
            .cloned()
            .collect();
        let networks = definitions(rt, &on)?;
        let options = options(config, &on, &addresses)?;
        let args = NetnsArgs {
            netns: &path,
            options: &options,
            networks: &networks,
        };
        backend_teardown(rt, id, &args)?;
    }
    netns::remove(&path).map_err(net_err(id))?;
    release_all(rt, id, &attachments)?;
    tracing::debug!(container = %id, "network torn down");
    Ok(())
}

/// Frees the container's addresses on every network it is attached to.
fn release_all(rt: &Runtime, id: &str, attachments: &[NetworkAttachment]) -> Result<()> {
    for attachment in attachments {
        rt.state().release_addresses(id, &attachment.network)?;
    }
    Ok(())
}

/// The definitions of the attached networks, in the attachments' order.
pub(crate) fn definitions(rt: &Runtime, attachments: &[NetworkAttachment]) -> Result<Vec<Network>> {
    let store = rt.networking().store()?;
    attachments
        .iter()
        .map(|a| store.inspect(&a.network).map_err(CoreError::from))
        .collect()
}

/// netavark's input for the container on these attachments with these addresses.
pub(crate) fn options(
    config: &ContainerConfig,
    attachments: &[NetworkAttachment],
    addresses: &BTreeMap<String, Vec<std::net::IpAddr>>,
) -> Result<NetworkOptions> {
    let mut options = NetworkOptions::default();
    options.container_id = config.id.clone();
    options.container_name = config.name.clone();
    options.container_hostname = hostname(config);
    options.port_mappings = config.port_mappings.clone();
    for attachment in attachments {
        let mut on = PerNetworkOptions::default();
        on.static_ips = addresses
            .get(&attachment.network)
            .cloned()
            .unwrap_or_default();
        on.aliases = aliases(attachment, &config.id);
        on.static_mac = attachment
            .static_mac
            .as_deref()
            .map(parse_mac)
            .transpose()?;
        on.interface_name = attachment.interface_name.clone();
        options.networks.insert(attachment.network.clone(), on);
    }
    Ok(options)
}

/// The container's names on a network besides its own: the attachment's aliases, then its
/// short ID, which Podman always adds (for Docker's sake).
pub(crate) fn aliases(attachment: &NetworkAttachment, id: &str) -> Vec<String> {
    let short = id.get(..12).unwrap_or(id);
    let mut aliases = attachment.aliases.clone();
    if !aliases.iter().any(|alias| alias == short) {
        aliases.push(short.to_string());
    }
    aliases
}

/// The container's hostname: `--hostname`, else its ID's first 12 characters.
pub(crate) fn hostname(config: &ContainerConfig) -> String {
    config
        .spec
        .uts
        .hostname
        .clone()
        .unwrap_or_else(|| config.id.chars().take(12).collect())
}

/// A `--mac-address` value: six bytes, unicast, not zero.
pub(crate) fn parse_mac(text: &str) -> Result<MacAddress> {
    let invalid = |reason: String| CoreError::InvalidOption {
        option: "mac-address",
        reason,
    };
    let mac: MacAddress = text
        .parse()
        .map_err(|_| invalid(format!("{text:?} is not a MAC address")))?;
    ipam::check_static_mac(&mac).map_err(|err| invalid(err.to_string()))?;
    Ok(mac)
}

#[cfg(test)]
#[path = "namespace_tests.rs"]
mod tests;
