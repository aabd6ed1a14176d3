//! The infra container, as Podman 5.5 makes it: no pause image, an empty root filesystem
//! (ROOT/pods/ID/infra-root, read-only) with the host's catatonit bind-mounted read-only at
//! `/catatonit` and run as `/catatonit -P`, which only waits. It holds the namespaces the pod
//! shares (new ones, made when it starts), the pod's hostname, its place in the pod's cgroup,
//! and the pod's network: its bridge networks and published ports are set up when it starts,
//! torn down when it stops; the members join them through it (and bind-mount its
//! /etc/resolv.conf and /etc/hosts, as Podman's members do: the pod's `--dns*` and
//! `--add-host` are written there). With `--infra-image` it runs that image instead (its
//! entrypoint and command, or `--infra-command`), with a writable root as Podman's.

use crate::container::{
    Container, CtrCreateOption, LogDriver, with_command, with_entrypoint, with_log_driver,
    with_name, with_network_mode, with_networks, with_port_mappings, with_rootfs_from_image,
    with_rootfs_path, with_stop_signal, with_user_volumes,
};
use crate::error::{CoreError, Result};
use crate::record::{NetworkAttachment, PodConfig};
use crate::runtime::Runtime;
use libpod_spec::{NamespaceMode, NetworkMode};
use std::path::{Path, PathBuf};

/// Where the host's catatonit is.
const CATATONIT: &str = "/usr/bin/catatonit";

/// The directory that holds the pod's own files (its infra container's empty root).
pub(super) fn pod_dir(rt: &Runtime, id: &str) -> PathBuf {
    rt.root().join("pods").join(id)
}

/// Makes the infra container of pod `config`, whose cgroup is `cgroup` (if any).
pub(super) fn create(rt: &Runtime, config: &PodConfig, cgroup: Option<&str>) -> Result<Container> {
    let infra = &config.infra;
    let mut options = match &infra.image {
        Some(image) => from_image(rt, image, infra.command.as_deref())?,
        None => catatonit_root(rt, config)?,
    };
    let pod = config.clone();
    let cgroup = cgroup.map(str::to_string);
    let setup = CtrCreateOption::new(move |d| {
        let c = &mut d.config;
        c.is_infra = true;
        c.pod = Some(pod.id.clone());
        if pod.infra.image.is_none() {
            c.spec.security.read_only_rootfs = true;
            // An empty root has no /tmp, /var/tmp or /run to mount tmpfs on usefully.
            c.spec.security.read_only_tmpfs = false;
        }
        c.spec.pid = pod.infra.pid.clone();
        c.spec.uts.mode = pod.infra.uts.clone();
        if pod.shared_namespaces.contains("uts") && pod.infra.uts == NamespaceMode::Private {
            c.spec.uts.hostname = Some(pod.hostname.clone().unwrap_or_else(|| pod.name.clone()));
        }
        if pod.shared_namespaces.contains("cgroup") {
            // A private one for the members to join (on cgroup v1 it is the host's by
            // default). A shared user namespace is the infra's: the host's until user
            // namespaces with ID mappings are supported.
            c.spec.cgroupns = Some(libpod_spec::NamespaceMode::Private);
        }
        // Its resolv.conf and hosts file are the members' (bind-mounted into them).
        c.spec
            .network
            .dns_servers
            .clone_from(&pod.infra.dns_servers);
        c.spec.network.dns_search.clone_from(&pod.infra.dns_search);
        c.spec
            .network
            .dns_options
            .clone_from(&pod.infra.dns_options);
        c.spec.uts.add_hosts.clone_from(&pod.infra.add_hosts);
        c.spec.cgroup_parent = cgroup;
        Ok(())
    });
    let name = infra
        .name
        .clone()
        .unwrap_or_else(|| format!("{}-infra", &config.id[..12]));
    options.extend([
        infra_network(rt, config)?,
        with_port_mappings(config.port_mappings.clone()),
        with_name(name),
        with_log_driver(LogDriver::None),
        // catatonit -P exits on SIGTERM at once, but nothing in it needs a grace period.
        with_stop_signal("SIGKILL"),
        setup,
    ]);
    rt.new_container(options)
}

/// The default infra container: the host's catatonit in an empty root (or the
/// `--infra-command` given, which must be found there).
fn catatonit_root(rt: &Runtime, config: &PodConfig) -> Result<Vec<CtrCreateOption>> {
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
    let command = config
        .infra
        .command
        .clone()
        .unwrap_or_else(|| vec!["/catatonit".to_string(), "-P".to_string()]);
    Ok(vec![
        with_rootfs_path(root),
        with_command(command),
        with_user_volumes([format!("{CATATONIT}:/catatonit:ro")]),
    ])
}

/// An infra container from `image` (`--infra-image`): `command` as its entrypoint, else the
/// image's entrypoint and command; neither is refused in Podman's words.
fn from_image(
    rt: &Runtime,
    image: &str,
    command: Option<&[String]>,
) -> Result<Vec<CtrCreateOption>> {
    let mut options = vec![with_rootfs_from_image(image)];
    if let Some(command) = command {
        options.push(with_entrypoint(command.to_vec()));
        options.push(with_command(Vec::<String>::new()));
        return Ok(options);
    }
    let store = rt.storage();
    let raw = store.image_config_json(&store.image(image)?)?;
    let given = |key: &str| {
        raw.get("config")
            .and_then(|c| c.get(key))
            .and_then(serde_json::Value::as_array)
            .is_some_and(|list| !list.is_empty())
    };
    if !given("Entrypoint") && !given("Cmd") {
        return Err(CoreError::InvalidOption {
            option: "pod infra image",
            reason: "no command or entrypoint provided, and no CMD or ENTRYPOINT from image".into(),
        });
    }
    Ok(options)
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
