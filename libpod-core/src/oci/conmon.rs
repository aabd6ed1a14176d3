//! The default OCI runtime: runc (or crun) under conmon, as Podman drives them.

use super::{CreateArgs, Created, ExitInfo, OciRuntime, RuntimeState};
use crate::error::Result;
use oci_spec::runtime::LinuxResources;
use std::path::PathBuf;
use std::time::Duration;

/// Where conmon and the runtime are and where they keep their files.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConmonRuntimeConfig {
    /// The runtime's name (`runc`, `crun`).
    pub runtime_name: String,
    /// The runtime binary.
    pub runtime_path: PathBuf,
    /// The conmon binary.
    pub conmon_path: PathBuf,
    /// The runtime's state root (`runc --root`), private to this engine's run root.
    pub runtime_root: PathBuf,
    /// Where conmon writes exit files.
    pub exit_dir: PathBuf,
    /// Where conmon keeps per-container files that outlive the process (OOM marker).
    pub persist_dir: PathBuf,
    /// conmon's `--log-level`.
    pub log_level: String,
}

/// runc or crun under conmon.
#[derive(Debug)]
pub struct ConmonRuntime {
    config: ConmonRuntimeConfig,
}

impl ConmonRuntime {
    /// A runtime with this configuration; checks that the binaries exist.
    pub fn new(config: ConmonRuntimeConfig) -> Result<Self> {
        let _ = &config;
        todo!("helper B")
    }
}

impl OciRuntime for ConmonRuntime {
    fn name(&self) -> &str {
        &self.config.runtime_name
    }
    fn create(&self, args: &CreateArgs<'_>) -> Result<Created> {
        let _ = args;
        todo!("helper B")
    }
    fn start(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let _ = (id, signal, all);
        todo!("helper B")
    }
    fn delete(&self, id: &str, force: bool) -> Result<()> {
        let _ = (id, force);
        todo!("helper B")
    }
    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let _ = id;
        todo!("helper B")
    }
    fn pause(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn resume(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        let _ = (id, resources);
        todo!("helper B")
    }
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        let _ = id;
        todo!("helper B")
    }
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        let _ = (id, timeout);
        todo!("helper B")
    }
    fn clear_exit(&self, id: &str) -> Result<()> {
        let _ = id;
        todo!("helper B")
    }
}
