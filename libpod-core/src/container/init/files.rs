//! The files a container gets bind-mounted: /etc/hosts, /etc/hostname, /etc/resolv.conf and
//! /run/.containerenv, written into its run directory.

use crate::container::Locked;
use crate::error::{CoreError, Result};
use libpod_spec::NetworkMode;
use libpod_spec::files::{
    ContainerEnv, HostsParams, ResolvParams, generate_containerenv, generate_hostname,
    generate_hosts, generate_resolv_conf, host_resolv_conf_path,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

impl Locked<'_> {
    /// Writes the generated files and returns them by destination.
    pub(crate) fn write_files(&self, run_dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
        let spec = &self.config().spec;
        let hostname = spec
            .uts
            .hostname
            .clone()
            .unwrap_or_else(|| self.id()[..12].to_string());
        let mut files = BTreeMap::new();
        let mut write = |name: &str, dest: &str, content: &str| -> Result<()> {
            let path = run_dir.join(name);
            std::fs::write(&path, content).map_err(|e| CoreError::io("write", &path, e))?;
            files.insert(dest.to_string(), path);
            Ok(())
        };
        if !spec.uts.no_hosts {
            let base = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
            let hosts = generate_hosts(&HostsParams {
                add_hosts: &spec.uts.add_hosts,
                base: Some(&base),
                host_containers_internal: None,
                container_ips: &[],
                hostname: &hostname,
                name: Some(self.config().name.as_str()),
            })?;
            write("hosts", "/etc/hosts", &hosts)?;
        }
        write("hostname", "/etc/hostname", &generate_hostname(&hostname))?;
        // With no network, Podman writes no resolv.conf: there is nothing to resolve with.
        if !matches!(spec.network.mode, NetworkMode::None) {
            let host = std::fs::read_to_string(host_resolv_conf_path()).unwrap_or_default();
            let resolv = generate_resolv_conf(&ResolvParams {
                host: &host,
                // containers.conf's servers unless the container names its own.
                dns_servers: if spec.network.dns_servers.is_empty() {
                    &self.runtime().engine_config().dns_servers
                } else {
                    &spec.network.dns_servers
                },
                dns_search: &spec.network.dns_search,
                dns_options: &spec.network.dns_options,
                private_netns: spec.network.mode.is_private(),
                ipv6: false,
                ..ResolvParams::default()
            })?;
            write("resolv.conf", "/etc/resolv.conf", &resolv)?;
        }
        let (image, image_id) = match &self.config().rootfs {
            Some(crate::container::RootfsSource::Image { id, name }) => {
                (name.as_str(), id.as_str())
            }
            _ => ("", ""),
        };
        let env = generate_containerenv(&ContainerEnv {
            name: &self.config().name,
            id: self.id(),
            image,
            image_id,
            rootless: false,
            privileged: spec.security.privileged,
        });
        write(".containerenv", "/run/.containerenv", &env)?;
        Ok(files)
    }
}
