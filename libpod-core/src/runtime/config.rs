//! containers.conf, read as Podman reads it: `$CONTAINERS_CONF` when set, else
//! /usr/share/containers/containers.conf, then /etc/containers/containers.conf, then the
//! drop-in directories (`containers.conf.d`, files in name order), later values overriding
//! earlier ones key by key.

use crate::error::Result;
use libpod_spec::SpecDefaults;
use std::path::{Path, PathBuf};

/// The engine's configuration: what containers.conf sets, with Podman's defaults.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// `[containers] default_capabilities`.
    pub default_capabilities: Vec<String>,
    /// `[containers] default_ulimits`.
    pub default_ulimits: Vec<String>,
    /// `[containers] default_sysctls`.
    pub default_sysctls: Vec<String>,
    /// `[containers] env`.
    pub env: Vec<String>,
    /// `[containers] dns_servers`.
    pub dns_servers: Vec<String>,
    /// `[containers] shm_size`, in bytes.
    pub shm_size: u64,
    /// `[containers] pids_limit`.
    pub pids_limit: i64,
    /// `[containers] log_driver`.
    pub log_driver: String,
    /// `[containers] log_size_max` (-1 unlimited).
    pub log_size_max: i64,
    /// `[containers] init_path`.
    pub init_path: Option<PathBuf>,
    /// `[engine] runtime`: the OCI runtime's name.
    pub runtime: String,
    /// `[engine.runtimes]`: candidate paths per runtime name.
    pub runtimes: Vec<(String, Vec<PathBuf>)>,
    /// `[engine] conmon_path`: candidate paths.
    pub conmon_path: Vec<PathBuf>,
    /// `[engine] hooks_dir`.
    pub hooks_dir: Vec<PathBuf>,
    /// `[engine] cgroup_manager`: `cgroupfs` or `systemd`.
    pub cgroup_manager: String,
    /// The files this was read from, in order.
    pub sources: Vec<PathBuf>,
}

impl EngineConfig {
    /// Podman's built-in defaults, before any file.
    pub fn builtin() -> Self {
        todo!("helper C")
    }

    /// Reads the standard locations (see the module docs).
    pub fn load_default() -> Result<Self> {
        todo!("helper C")
    }

    /// Reads the given files in order over the built-in defaults (a missing file is an error).
    pub fn load_files(files: &[&Path]) -> Result<Self> {
        let _ = files;
        todo!("helper C")
    }

    /// The first existing path of the runtime named `name`, or an error listing the candidates.
    pub fn find_runtime(&self, name: &str) -> Result<PathBuf> {
        let _ = name;
        todo!("helper C")
    }

    /// The first existing conmon.
    pub fn find_conmon(&self) -> Result<PathBuf> {
        todo!("helper C")
    }

    /// The spec generator's defaults that follow from this configuration.
    pub fn spec_defaults(&self) -> SpecDefaults {
        todo!("helper C")
    }
}
