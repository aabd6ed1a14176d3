//! A backend for unit tests of callers: it keeps what is set up in memory and reports what
//! netavark would, without touching the host.

use super::{NetnsArgs, NetworkBackend, check_args};
use crate::error::{NetError, Result};
use crate::types::{IpNet, MacAddress, NetAddress, NetInterface, StatusBlock};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// Records setups by (namespace, network); `setup` on a pair already set up fails, as
/// netavark's does when the interface exists.
#[derive(Debug, Default)]
pub struct FakeBackend {
    set_up: Mutex<BTreeSet<(PathBuf, String)>>,
}

impl FakeBackend {
    /// The networks the namespace `netns` is set up on now.
    pub fn networks_of(&self, netns: &std::path::Path) -> Vec<String> {
        self.set_up
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(path, _)| path == netns)
            .map(|(_, network)| network.clone())
            .collect()
    }
}

impl NetworkBackend for FakeBackend {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn setup(&self, args: &NetnsArgs<'_>) -> Result<BTreeMap<String, StatusBlock>> {
        check_args(args)?;
        let mut set_up = self.set_up.lock().unwrap_or_else(PoisonError::into_inner);
        let keys: Vec<(PathBuf, String)> = args
            .options
            .networks
            .keys()
            .map(|name| (args.netns.to_path_buf(), name.clone()))
            .collect();
        if let Some((_, name)) = keys.iter().find(|key| set_up.contains(*key)) {
            return Err(NetError::Netavark {
                verb: "setup",
                code: Some(1),
                message: format!("interface already set up on network {name}"),
            });
        }
        let mut status = BTreeMap::new();
        for (n, (name, on_network)) in args.options.networks.iter().enumerate() {
            let network = args.network(name).expect("checked by check_args");
            let mut block = StatusBlock::default();
            let subnets = on_network
                .static_ips
                .iter()
                .filter_map(|ip| {
                    let subnet = network.subnets.iter().find(|s| s.subnet.contains(*ip))?;
                    Some(NetAddress {
                        ipnet: IpNet::new(*ip, subnet.subnet.prefix())?,
                        gateway: subnet.gateway.filter(|_| !network.internal),
                    })
                })
                .collect();
            let mac = on_network.static_mac.unwrap_or(MacAddress([
                0x02,
                0x42,
                0,
                0,
                0,
                u8::try_from(n).unwrap_or(u8::MAX),
            ]));
            block.interfaces.insert(
                on_network.interface_name.clone(),
                NetInterface {
                    subnets,
                    mac_address: mac,
                },
            );
            if network.dns_enabled {
                block.dns_server_ips = network.subnets.iter().filter_map(|s| s.gateway).collect();
                block.dns_search_domains = vec!["dns.podman".into()];
            }
            status.insert(name.clone(), block);
        }
        set_up.extend(keys);
        Ok(status)
    }

    fn teardown(&self, args: &NetnsArgs<'_>) -> Result<()> {
        check_args(args)?;
        let mut set_up = self.set_up.lock().unwrap_or_else(PoisonError::into_inner);
        for name in args.options.networks.keys() {
            set_up.remove(&(args.netns.to_path_buf(), name.clone()));
        }
        Ok(())
    }
}
