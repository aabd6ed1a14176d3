//! `CtrCreateOption`: values that each change and validate a container's draft config, built by
//! `with_*` functions and applied in order, as libpod's functional options.
//!
//! - `with.rs`: identity, process, logging and lifecycle options;
//! - `health.rs`: the healthcheck's on-failure action, startup check and timer command;
//! - `namespaces.rs`: joining other containers, dependencies, the network mode, pods;
//! - `network.rs`: networks with per-network options, published ports;
//! - `volumes.rs`: the user's mounts, parsed as they are given;
//! - `from_create_config.rs`: a whole [`CreateConfig`](libpod_spec::CreateConfig) as options;
//! - `builder.rs`: [`ContainerBuilder`], a fluent form over the same options.

mod builder;
mod from_create_config;
mod health;
mod namespaces;
mod network;
mod volumes;
mod with;

pub use builder::ContainerBuilder;
pub use from_create_config::{options_from_create_config, with_create_config};
pub use health::{with_healthcheck_on_failure, with_healthcheck_timer, with_startup_healthcheck};
pub(crate) use namespaces::join_namespace;
pub use namespaces::{
    with_dependencies, with_ipc_ns_from, with_net_ns_from, with_network_mode, with_pid_ns_from,
    with_pod, with_pod_named, with_uts_ns_from,
};
pub use network::{with_exposed_ports, with_networks, with_port_mappings, with_publish_all};
pub use volumes::{with_named_volumes, with_user_volumes};
pub use with::{
    with_auto_remove, with_cgroup_parent, with_command, with_conmon_pidfile, with_entrypoint,
    with_env, with_exit_command, with_group_add, with_healthcheck, with_labels, with_log_driver,
    with_log_path, with_log_size_max, with_log_tag, with_name, with_restart_policy,
    with_restart_retries, with_rootfs_from_image, with_rootfs_path, with_shm_size, with_stdin,
    with_stop_signal, with_stop_timeout, with_systemd, with_tty, with_user, with_volatile,
    with_workdir,
};

use super::ContainerConfig;
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use std::fmt;

/// The draft an option changes: the config being built, and the runtime it is for.
pub struct Draft<'r> {
    /// The config so far.
    pub config: ContainerConfig,
    /// The runtime the container is created in (for image and container lookups).
    pub runtime: &'r Runtime,
    /// Whether an option set the stop signal (the image's then does not replace it).
    pub(crate) stop_signal_given: bool,
}

type Apply = Box<dyn for<'r> FnOnce(&mut Draft<'r>) -> Result<()> + Send>;

/// One create option; see the `with_*` functions.
pub struct CtrCreateOption(Apply);

impl CtrCreateOption {
    /// An option from a closure that changes the draft.
    pub fn new(apply: impl for<'r> FnOnce(&mut Draft<'r>) -> Result<()> + Send + 'static) -> Self {
        CtrCreateOption(Box::new(apply))
    }

    pub(crate) fn apply(self, draft: &mut Draft<'_>) -> Result<()> {
        (self.0)(draft)
    }
}

impl fmt::Debug for CtrCreateOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CtrCreateOption")
    }
}

fn invalid(option: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidOption {
        option,
        reason: reason.into(),
    }
}

/// Checks a container name with the one rule for names (libpod-spec's
/// [`check_name`](libpod_spec::parse::check_name)).
pub(crate) fn validate_name(name: &str) -> Result<()> {
    libpod_spec::parse::check_name("name", name).map_err(|err| invalid("name", err.to_string()))
}
