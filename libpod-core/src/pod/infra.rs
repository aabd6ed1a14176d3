//! The infra container, as Podman 5.5 makes it: no pause image, an empty root filesystem
//! (ROOT/pods/ID/infra-root, read-only) with the host's catatonit bind-mounted read-only at
//! `/catatonit` and run as `/catatonit -P`, which only waits. It holds the namespaces the pod
//! shares (new ones, made when it starts), the pod's hostname, its place in the pod's cgroup,
//! and the pod's network: its bridge networks and published ports are set up when it starts,
//! torn down when it stops; the members join them through it (and bind-mount its
//! /etc/resolv.conf and /etc/hosts, as Podman's members do).

use crate::container::{
    Container, CtrCreateOption, LogDriver, with_command, with_log_driver, with_name,
    with_network_mode, with_networks, with_port_mappings, with_rootfs_path, with_stop_signal,
    with_user_volumes,
};
use crate::error::{CoreError, Result};
use crate::record::{NetworkAttachment, PodConfig};
use crate::runtime::Runtime;
use libpod_spec::NetworkMode;
use std::path::{Path, PathBuf};

/// Where the host's catatonit is.
const CATATONIT: &str = "/usr/bin/catatonit";

/// The directory that holds the pod's own files (its infra container's empty root).
pub(super) fn pod_dir(rt: &Runtime, id: &str) -> PathBuf {
    rt.root().join("pods").join(id)
}

/// Makes the infra container of pod `config`, whose cgroup is `cgroup` (if any).
pub(super) fn create(rt: &Runtime, config: &PodConfig, cgroup: Option<&str>) -> Result<Container> {
    if !Path::new(CATATONIT).is_file() {
        return Err(CoreError::InvalidOption {
            option: "pod infra",
            reason: format!("{CATATONIT} not found: the infra container runs the host's catatonit"),
        });
    }
    // The pod's directory (and ROOT/pods) private; the empty root inside needs no more.
    let dir = pod_dir(rt, &config.id);
    crate::runtime::modes::create_private_dir(&dir)?;
    let root = dir.join("infra-root");
    std::fs::create_dir_all(&root).map_err(|e| CoreError::io("create", &root, e))?;
    let pod = config.clone();
    let cgroup = cgroup.map(str::to_string);
    let setup = CtrCreateOption::new(move |d| {
        let c = &mut d.config;
        c.is_infra = true;
        c.pod = Some(pod.id.clone());
        c.spec.security.read_only_rootfs = true;
        // An empty root has no /tmp, /var/tmp or /run to mount tmpfs on usefully.
        c.spec.security.read_only_tmpfs = false;
        if pod.shared_namespaces.contains("uts") {
            c.spec.uts.hostname = Some(pod.hostname.clone().unwrap_or_else(|| pod.name.clone()));
        }
        if pod.shared_namespaces.contains("cgroup") {
            // A private one for the members to join (on cgroup v1 it is the host's by
            // default). A shared user namespace is the infra's: the host's until user
            // namespaces with ID mappings are supported.
            c.spec.cgroupns = Some(libpod_spec::NamespaceMode::Private);
        }
        c.spec.cgroup_parent = cgroup;
        Ok(())
    });
    let network = infra_network(rt, config)?;
    rt.new_container([
        network,
        with_port_mappings(config.port_mappings.clone()),
        with_name(format!("{}-infra", &config.id[..12])),
        with_rootfs_path(root),
        with_command(["/catatonit", "-P"]),
        with_user_volumes([format!("{CATATONIT}:/catatonit:ro")]),
        with_log_driver(LogDriver::None),
        // catatonit -P exits on SIGTERM at once, but nothing in it needs a grace period.
        with_stop_signal("SIGKILL"),
        setup,
    ])
}

/// The infra container's network, which the members share when the pod shares `net` (the
/// infra container has it either way, as Podman's): the pod's mode, on bridge networks with
/// the pod's options on each and the pod's name as an alias (aardvark-dns answers for it, as
/// Podman names the pod's netavark entry after the pod).
fn infra_network(rt: &Runtime, pod: &PodConfig) -> Result<CtrCreateOption> {
    let NetworkMode::Bridge(names) = &pod.network_mode else {
        return Ok(with_network_mode(pod.network_mode.clone()));
    };
    let names = if names.is_empty() {
        vec![rt.networks()?.default_network().to_string()]
    } else {
        names.clone()
    };
    let attachments = names
        .into_iter()
        .map(|name| {
            let mut attachment = pod
                .networks
                .iter()
                .find(|a| a.network == name)
                .cloned()
                .unwrap_or_else(|| NetworkAttachment::new(name));
            if !attachment.aliases.contains(&pod.name) {
                attachment.aliases.push(pod.name.clone());
            }
            attachment
        })
        .collect();
    Ok(with_networks(attachments))
}
