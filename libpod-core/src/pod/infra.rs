//! The infra container, as Podman 5.5 makes it: no pause image, an empty root filesystem
//! (ROOT/pods/ID/infra-root, read-only) with the host's catatonit bind-mounted read-only at
//! `/catatonit` and run as `/catatonit -P`, which only waits. It holds the namespaces the pod
//! shares (new ones, made when it starts), the pod's hostname, and its place in the pod's
//! cgroup; the members join them through it.

use crate::container::{
    Container, CtrCreateOption, LogDriver, with_command, with_log_driver, with_name,
    with_rootfs_path, with_stop_signal, with_user_volumes,
};
use crate::error::{CoreError, Result};
use crate::record::PodConfig;
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
        c.spec.network.mode = infra_network(&pod);
        c.spec.cgroup_parent = cgroup;
        Ok(())
    });
    rt.new_container([
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

/// The network the infra container (hence the pod) gets. This is where the pod's network
/// goes once libpod-net is wired into container init: a bridge network, the ports published
/// on the pod, set on this container, which its members join. Until then: the infra's own
/// network namespace with only loopback (`none`), which the members share.
fn infra_network(_pod: &PodConfig) -> NetworkMode {
    NetworkMode::None
}
