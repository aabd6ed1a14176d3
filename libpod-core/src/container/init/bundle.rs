//! The OCI bundle: each step of init's preparation in turn, then the spec generated from the
//! container's parsed config and saved as config.json (0600).

use super::OthersStates;
use crate::container::Locked;
use crate::error::{CoreError, Result};
use crate::network::namespace::{self, RestoredNetworks};
use crate::runtime::modes::write_private;
use libpod_spec::{NamespaceKind, SpecContext};
use std::collections::BTreeMap;
use std::path::Path;

/// OCI runtimes whose delete of a stopped container does not need its root filesystem (only
/// its state directory and cgroup), so that unmounting may overlap it. Podman deletes before
/// unmounting because some runtimes (Kata) object otherwise.
const DELETE_IGNORES_ROOTFS: [&str; 2] = ["runc", "crun"];

/// The namespace kinds a container can join from another.
const JOINABLE: [NamespaceKind; 6] = [
    NamespaceKind::Ipc,
    NamespaceKind::Network,
    NamespaceKind::Pid,
    NamespaceKind::Uts,
    NamespaceKind::User,
    NamespaceKind::Cgroup,
];

impl Locked<'_> {
    /// The bundle in `run_dir`: the root filesystem and shm mounted, the generated files
    /// written, the volumes prepared, the spec generated and saved as config.json. `others`
    /// are the synced states of the containers whose namespaces it joins.
    /// A restore's `networks` give the interfaces their checkpointed addresses back.
    pub(super) fn write_bundle(
        &mut self,
        run_dir: &Path,
        others: &OthersStates,
        networks: Option<&RestoredNetworks>,
    ) -> Result<()> {
        let rt = self.runtime().clone();
        let id = self.id().to_string();
        let mut bind_mounts = BTreeMap::new();
        // The namespace's setup (netavark: tens of milliseconds) beside the mounts.
        let makes_network = self.makes_network();
        let ctr = self.ctr;
        let (network, rootfs) = crate::overlap::overlap(
            "network-setup",
            || {
                makes_network
                    .then(|| namespace::setup(&rt, ctr.config(), networks))
                    .transpose()
            },
            || self.prepare_rootfs(others, &mut bind_mounts),
        );
        // Recorded before either failure is returned: init's failure path tears it down.
        let network = network?;
        if let Some(setup) = network {
            self.record_network(setup);
        }
        let rootfs = rootfs?;
        bind_mounts.extend(self.write_files(run_dir, others)?);
        self.state.bind_mounts = bind_mounts.clone();

        let ctr = self.ctr;
        let config = ctr.config();
        let mounts = config.user_mounts()?;
        let mut ctx = SpecContext::new(&id, &rootfs);
        ctx.created = Some(config.created.clone());
        ctx.stop_signal = Some(config.stop_signal);
        ctx.auto_remove = config.auto_remove;
        ctx.publish_all = config.publish_all;
        ctx.bind_mounts = bind_mounts;
        ctx.netns_path = self.state.netns_path.clone();
        self.join_namespaces(&mut ctx, others)?;
        ctx.volume_paths = self.volume_paths(&mounts)?;
        let spec = rt
            .spec_generator()
            .generate_with_mounts(&config.spec, &mounts, config.image_config.as_ref(), &ctx)
            .map_err(|source| CoreError::Spec {
                id: id.clone(),
                source,
            })?;
        self.prepare_volume_contents(&rootfs, &mounts, &spec)?;
        let poststop_hooks = spec
            .hooks()
            .as_ref()
            .and_then(|hooks| hooks.poststop().as_ref())
            .is_some_and(|hooks| !hooks.is_empty());
        self.state.delete_without_rootfs =
            !poststop_hooks && DELETE_IGNORES_ROOTFS.contains(&self.oci()?.name());
        let config_path = run_dir.join("config.json");
        let json = serde_json::to_vec(&spec).expect("an OCI spec serializes");
        write_private(&config_path, &json)?;
        self.state.config_path = Some(config_path);
        self.state.run_dir = Some(run_dir.to_path_buf());
        Ok(())
    }

    /// The paths of the namespaces joined from other containers (their synced PIDs'), and the
    /// hostname of the one whose UTS namespace is joined.
    fn join_namespaces(&self, ctx: &mut SpecContext, others: &OthersStates) -> Result<()> {
        for kind in JOINABLE {
            let Some(other) = self.config().namespace_from(kind) else {
                continue;
            };
            let pid = others
                .get(other)
                .and_then(|state| state.pid)
                .ok_or_else(|| CoreError::DependencyNotRunning {
                    id: self.id().to_string(),
                    dependency: other.to_string(),
                })?;
            ctx.namespace_paths
                .insert(kind, format!("/proc/{pid}/ns/{}", kind.proc_name()).into());
            if kind == NamespaceKind::Uts {
                let other_config = self.runtime().state().container_config(other)?;
                ctx.joined_hostname = Some(
                    other_config
                        .spec
                        .uts
                        .hostname
                        .unwrap_or_else(|| other[..12].to_string()),
                );
            }
        }
        Ok(())
    }
}
