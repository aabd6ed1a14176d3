//! Pods: groups of containers that share namespaces through an infra container, a cgroup, and
//! a lifecycle, as Podman's (libpod/pod*.go), one file per verb.
//!
//! ```no_run
//! use libpod_core::container::{with_command, with_pod, with_rootfs_from_image};
//! use libpod_core::pod::{with_pod_name, with_pod_share};
//! # let rt = libpod_core::runtime::Runtime::builder().open()?;
//! let pod = rt.new_pod([with_pod_name("web"), with_pod_share(["ipc", "net", "uts", "pid"])])?;
//! let ctr = rt.new_container([
//!     with_pod(&pod),
//!     with_rootfs_from_image("localhost/busybox"),
//!     with_command(["httpd", "-f"]),
//! ])?;
//! pod.start()?; // the infra container first, then `ctr`
//! rt.remove_pod(&pod, libpod_core::pod::PodRemoveOptions::default().force(true))?;
//! # Ok::<(), libpod_core::CoreError>(())
//! ```
//!
//! - `options.rs`: [`PodCreateOption`] and the `with_pod_*` functions;
//! - `create.rs`: [`Runtime::new_pod`]: the row (marked `creating`), the cgroup, the infra
//!   container, then the state, all under the pod's lock; a creator killed half-way leaves
//!   a pod whoever next takes its lock removes;
//! - `infra_options.rs`: the options for the infra container (DNS and hosts entries the
//!   members share, its image, command, name, PID and UTS modes; `--userns` other than
//!   `host` refused as [`CoreError::PodOptionUnsupported`]);
//! - `infra.rs`: the infra container as Podman 5.5 makes it (no image: an empty root with
//!   the host's catatonit bind-mounted, run as `/catatonit -P`), holding the pod's network
//!   (bridge on the default network unless [`with_pod_networks`] or
//!   [`with_pod_network_mode`] say otherwise; ports from [`with_pod_port_mappings`]);
//!   `join.rs`: what [`with_pod`](crate::container::with_pod) sets on a container (and the
//!   refusal of a member's own ports or networks);
//! - `cgroup.rs`: the pod's cgroup `<parent>/pod-<id>` in every hierarchy, its limits;
//! - `graph.rs`: the containers' dependency order (infra first; a cycle refused);
//! - `start.rs`, `stop.rs`, `kill.rs`, `pause.rs`, `restart.rs`, `remove.rs` (and prune);
//! - `status.rs`: the pod's status from its containers' (Podman's rules); `stats.rs`: stats
//!   and top of its running containers; `exit_policy.rs`: the pod stopped when its last
//!   container exits (hooked into the container's cleanup).
//!
//! Locks: the pod's guard first, then each container through it
//! ([`Container::lock_in`](crate::container::Container)), one at a time.

mod cgroup;
mod create;
pub(crate) mod exit_policy;
mod graph;
mod infra;
mod infra_options;
mod join;
mod kill;
mod options;
mod pause;
mod remove;
mod restart;
mod start;
mod stats;
mod status;
mod stop;

pub use crate::record::{PodConfig, PodExitPolicy, PodResources, PodState};
pub use infra_options::{
    with_pod_add_hosts, with_pod_dns_options, with_pod_dns_search, with_pod_dns_servers,
    with_pod_infra_command, with_pod_infra_image, with_pod_infra_name, with_pod_pid,
    with_pod_userns, with_pod_uts,
};
pub(crate) use join::{check_member, join};
pub use options::{
    PodCreateOption, PodDraft, with_pod_cgroup, with_pod_cgroup_parent, with_pod_cpus,
    with_pod_create_command, with_pod_exit_policy, with_pod_hostname, with_pod_infra,
    with_pod_labels, with_pod_memory, with_pod_name, with_pod_network_mode, with_pod_networks,
    with_pod_port_mappings, with_pod_restart_policy, with_pod_share,
};
pub use remove::PodRemoveOptions;
pub use status::PodStatus;

use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::lock::PodGuard;
use crate::runtime::Runtime;
use libpod_spec::NamespaceKind;
use std::sync::Arc;

/// A handle on a pod. Cheap to clone; its state and containers are read afresh each time.
#[derive(Clone, Debug)]
pub struct Pod {
    runtime: Runtime,
    config: Arc<PodConfig>,
}

impl Runtime {
    /// The pod with this name, ID or unique ID prefix.
    pub fn pod(&self, name_or_id: &str) -> Result<Pod> {
        let id = self.state().lookup_pod(name_or_id)?;
        Pod::load(self, &id)
    }

    /// Whether a pod with this name, ID or unique ID prefix exists.
    pub fn pod_exists(&self, name_or_id: &str) -> Result<bool> {
        match self.pod(name_or_id) {
            Ok(_) => Ok(true),
            Err(CoreError::PodNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every pod, by ID (one whose records do not decode is logged and left out).
    pub fn pods(&self) -> Result<Vec<Pod>> {
        let mut pods = Vec::new();
        for id in self.state().all_pods()? {
            match Pod::load(self, &id) {
                Ok(pod) => pods.push(pod),
                Err(CoreError::PodNotFound(_)) => {}
                Err(err) => tracing::warn!(pod = %id, %err, "pod left out of the list"),
            }
        }
        Ok(pods)
    }
}

impl Pod {
    /// The pod `id`; one whose create was cut short is removed here (`PodNotFound`).
    pub(crate) fn load(runtime: &Runtime, id: &str) -> Result<Pod> {
        let config = runtime.state().pod_config(id)?;
        let pod = Pod {
            runtime: runtime.clone(),
            config: Arc::new(config),
        };
        let state = runtime.state().pod_state(id)?;
        if state.creating || state.removing {
            // Its lock tells whether the creator is still at work; `lock` repairs.
            drop(pod.lock()?);
        }
        Ok(pod)
    }

    /// The pod's ID.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// The pod's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// What the pod was created with.
    pub fn config(&self) -> &PodConfig {
        &self.config
    }

    /// The runtime the pod belongs to.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Its members' hostname: the one it was given, else its name (as Podman).
    pub fn hostname(&self) -> &str {
        self.config.hostname.as_deref().unwrap_or(&self.config.name)
    }

    /// Whether its containers share namespace `kind` (through the infra container).
    pub fn shares(&self, kind: NamespaceKind) -> bool {
        self.config.shared_namespaces.contains(kind.proc_name())
    }

    /// Whether its containers share a PID namespace.
    pub fn shares_pid(&self) -> bool {
        self.shares(NamespaceKind::Pid)
    }

    /// Whether its containers share an IPC namespace.
    pub fn shares_ipc(&self) -> bool {
        self.shares(NamespaceKind::Ipc)
    }

    /// Whether its containers share a network namespace.
    pub fn shares_net(&self) -> bool {
        self.shares(NamespaceKind::Network)
    }

    /// Whether its containers share a UTS namespace (and its hostname).
    pub fn shares_uts(&self) -> bool {
        self.shares(NamespaceKind::Uts)
    }

    /// Whether its containers share a user namespace.
    pub fn shares_user(&self) -> bool {
        self.shares(NamespaceKind::User)
    }

    /// Whether its containers share a cgroup namespace. Not whether they go under the pod's
    /// cgroup: that is [`uses_pod_cgroup`](Self::uses_pod_cgroup) (Podman's bug #6149 was the
    /// two taken for one).
    pub fn shares_cgroup_ns(&self) -> bool {
        self.shares(NamespaceKind::Cgroup)
    }

    /// Whether its containers go under its own cgroup.
    pub fn uses_pod_cgroup(&self) -> bool {
        self.config.uses_pod_cgroup
    }

    /// Whether it shares any namespace (then it has an infra container).
    pub fn shares_namespaces(&self) -> bool {
        !self.config.shared_namespaces.is_empty()
    }

    /// Whether it has an infra container.
    pub fn has_infra(&self) -> bool {
        self.config.has_infra
    }

    /// Its state, read under its lock.
    pub fn state(&self) -> Result<PodState> {
        Ok(self.lock()?.state)
    }

    /// Its infra container's ID, if it has one.
    pub fn infra_container_id(&self) -> Result<Option<String>> {
        Ok(self
            .runtime
            .state()
            .pod_state(self.id())?
            .infra_container_id)
    }

    /// Its cgroup's path (relative to each hierarchy's root), if it has one.
    pub fn cgroup_path(&self) -> Result<Option<String>> {
        Ok(self.runtime.state().pod_state(self.id())?.cgroup_path)
    }

    /// Its containers (the infra one included), by ID.
    pub fn containers(&self) -> Result<Vec<Container>> {
        self.runtime
            .state()
            .pod_containers(self.id())?
            .iter()
            .map(|id| Container::load(&self.runtime, id))
            .collect()
    }

    /// Locks the pod and reads its state. A pod whose creator was killed half-way (its
    /// state still `creating` once its lock is ours) is removed: `PodNotFound`.
    pub(crate) fn lock(&self) -> Result<LockedPod<'_>> {
        let guard = self.runtime.lock_pod(self.id())?;
        let state = self.runtime.state().pod_state(self.id())?;
        let locked = LockedPod {
            pod: self,
            state,
            guard,
        };
        if locked.state.creating || locked.state.removing {
            tracing::warn!(pod = %self.id(), "removing a pod whose create or removal was cut short");
            locked.remove_all(PodRemoveOptions::default().force(true).timeout(0))?;
            return Err(CoreError::PodNotFound(self.id().to_string()));
        }
        Ok(locked)
    }
}

/// A pod whose lock is held, with its state as read under it.
pub(crate) struct LockedPod<'p> {
    pub pod: &'p Pod,
    pub state: PodState,
    pub guard: PodGuard<'p>,
}

impl LockedPod<'_> {
    /// Saves the state.
    pub fn save(&self) -> Result<()> {
        self.pod
            .runtime
            .state()
            .save_pod_state(self.pod.id(), &self.state)
    }

    /// Its containers in dependency waves (the infra container alone first; see `graph.rs`).
    pub fn waves(&self) -> Result<Vec<Vec<Container>>> {
        graph::dependency_waves(self.pod.id(), self.pod.containers()?)
    }

    /// Runs `act` on the containers of each of `waves` in turn, each locked through the pod's
    /// guard; the containers of a wave side by side, a thread each (their runtime creates,
    /// stops and deletes wait on other processes most of the time), as Podman's graph walk
    /// does. The failures are reported together (Podman's `ErrPodPartialFail`), in wave
    /// order; a container removed meanwhile is skipped.
    pub fn each(
        &self,
        operation: &'static str,
        waves: &[Vec<Container>],
        act: impl Fn(&mut crate::container::Locked<'_>) -> Result<()> + Sync,
    ) -> Result<()> {
        let one = |ctr: &Container| {
            ctr.lock_in(&self.guard)
                .and_then(|mut locked| act(&mut locked))
        };
        let mut failures = Vec::new();
        for wave in waves {
            let results: Vec<Result<()>> = match wave.as_slice() {
                [ctr] => vec![one(ctr)],
                _ => std::thread::scope(|scope| {
                    let running: Vec<_> = wave.iter().map(|ctr| scope.spawn(|| one(ctr))).collect();
                    running
                        .into_iter()
                        .map(|thread| {
                            thread
                                .join()
                                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                        })
                        .collect()
                }),
            };
            for (ctr, result) in wave.iter().zip(results) {
                match result {
                    Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
                    Err(e) => failures.push((ctr.id().to_string(), e)),
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(CoreError::PodPartialFailure {
                id: self.pod.id().to_string(),
                operation,
                failures,
            })
        }
    }

    /// Emits pod event `status`.
    pub fn event(&self, status: crate::events::EventStatus) {
        emit(self.pod.runtime(), self.pod.config(), status);
    }
}

/// A pod event as Podman's `newPodEvent` makes it: the pod's ID and name.
fn emit(rt: &Runtime, config: &PodConfig, status: crate::events::EventStatus) {
    let mut event = crate::events::Event::new(crate::events::EventType::Pod, status);
    event.id = config.id.clone();
    event.name = config.name.clone();
    rt.events().emit(event);
}

#[cfg(test)]
mod infra_tests;
#[cfg(test)]
mod tests;
