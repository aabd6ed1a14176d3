//! `new_pod`: a pod's row, its cgroup and its infra container, under the pod's lock.
//!
//! The row goes first, marked `creating` (a container's row needs its pod's), then the
//! cgroup, then the infra container, then the state with both and the mark cleared. A failure
//! undoes what was made; a kill leaves the mark, and whoever next takes the pod's lock (any
//! lookup of it) removes what is there (see `Pod::lock`).

use super::options::{PodCreateOption, PodDraft};
use super::{Pod, cgroup, emit, infra, infra_options};
use crate::container::new_id;
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::record::{PodConfig, PodState};
use crate::runtime::{Runtime, now_rfc3339};
use libpod_spec::NetworkMode;
use std::sync::Arc;

impl Runtime {
    /// Creates a pod from options, applied in order (libpod's `NewPod`).
    ///
    /// ```no_run
    /// use libpod_core::pod::{with_pod_hostname, with_pod_name};
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let pod = rt.new_pod([with_pod_name("web"), with_pod_hostname("web.local")])?;
    /// assert!(pod.has_infra() && pod.shares_net());
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn new_pod(&self, options: impl IntoIterator<Item = PodCreateOption>) -> Result<Pod> {
        let id = new_id()?;
        let mut config = PodConfig::new(id.clone(), format!("pod_{}", &id[..12]));
        config.shared_namespaces = ["ipc", "net", "uts"].map(String::from).into();
        config.uses_pod_cgroup = true;
        let mut draft = PodDraft {
            config,
            infra: None,
            share_given: false,
            network_given: false,
        };
        for option in options {
            option.apply(&mut draft)?;
        }
        let PodDraft {
            mut config,
            infra,
            share_given,
            network_given,
        } = draft;
        config.id = id;
        config.created = now_rfc3339();
        config.has_infra = match infra {
            Some(false) if share_given && !config.shared_namespaces.is_empty() => {
                return Err(CoreError::InvalidOption {
                    option: "pod infra",
                    reason: "a pod without an infra container cannot share namespaces".into(),
                });
            }
            Some(false) => {
                config.shared_namespaces.clear();
                false
            }
            Some(true) => true,
            None => !config.shared_namespaces.is_empty(),
        };
        self.settle_network(&mut config, network_given)?;
        infra_options::check(&config)?;
        let pod = Pod {
            runtime: self.clone(),
            config: Arc::new(config),
        };
        let guard = self.lock_pod(pod.id())?;
        let mut state = PodState::new();
        state.creating = true;
        self.state().add_pod(pod.config(), &state)?;
        let mut locked = super::LockedPod {
            pod: &pod,
            state,
            guard,
        };
        if let Err(e) = make_parts(&mut locked) {
            let undone =
                locked.remove_all(super::PodRemoveOptions::default().force(true).timeout(0));
            return Err(match undone {
                Ok(()) => e,
                Err(cleanup) => CoreError::WithCleanupFailure {
                    primary: Box::new(e),
                    cleanup: cleanup.to_string(),
                },
            });
        }
        drop(locked);
        tracing::debug!(pod = %pod.id(), name = %pod.name(), "pod created");
        emit(self, pod.config(), EventStatus::Create);
        Ok(pod)
    }
}

impl Runtime {
    /// The pod's network, its infra container's whether or not the members share it (as
    /// Podman's): the runtime's default mode (containers.conf's `netns`) unless an option named
    /// one. Refused in Podman's words: a network or ports without an infra container, ports
    /// without bridge networking.
    fn settle_network(&self, config: &mut PodConfig, network_given: bool) -> Result<()> {
        let refused = |reason: &str| CoreError::InvalidOption {
            option: "pod network",
            reason: reason.to_string(),
        };
        if !config.has_infra {
            if !config.port_mappings.is_empty() {
                return Err(refused(
                    "you must have an infra container to publish port bindings to the host",
                ));
            }
            if network_given {
                return Err(refused("NoInfra and network modes cannot be used together"));
            }
            config.network_mode = NetworkMode::None;
            return Ok(());
        }
        if !network_given {
            // containers.conf's netns, checked when the configuration was read.
            config.network_mode = self.engine_config().netns.clone();
        }
        if !config.port_mappings.is_empty()
            && !matches!(config.network_mode, NetworkMode::Bridge(_))
        {
            return Err(refused(
                "PortMappings can only be used with Bridge or slirp4netns networking",
            ));
        }
        Ok(())
    }
}

/// The cgroup and the infra container, each recorded in the state as it is made, then the
/// `creating` mark cleared.
fn make_parts(locked: &mut super::LockedPod<'_>) -> Result<()> {
    let rt = locked.pod.runtime().clone();
    let config = locked.pod.config();
    if config.uses_pod_cgroup {
        // Recorded before it is made, so that an undo removes it whatever was made.
        locked.state.cgroup_path = Some(cgroup::path_of(config));
        locked.save()?;
        cgroup::create(config)?;
    }
    if config.has_infra {
        let ctr = infra::create(&rt, config, locked.state.cgroup_path.as_deref())?;
        locked.state.infra_container_id = Some(ctr.id().to_string());
    }
    locked.state.creating = false;
    locked.save()
}
