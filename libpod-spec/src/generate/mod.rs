//! Building a container's OCI spec.

use crate::config::{CreateConfig, NamespaceKind};
use crate::error::Result;
use crate::ImageConfig;
use oci_spec::runtime::Spec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Engine-wide defaults, as containers.conf sets them.
#[derive(Clone, Debug)]
pub struct SpecDefaults {
    /// placeholder
    pub capabilities: Vec<String>,
}

impl Default for SpecDefaults {
    fn default() -> Self {
        SpecDefaults { capabilities: Vec::new() }
    }
}

/// How cgroups are managed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CgroupManager {
    /// cgroupfs.
    #[default]
    Cgroupfs,
    /// systemd.
    Systemd,
}

/// Per-container facts from the runtime.
#[derive(Clone, Debug)]
pub struct SpecContext {
    /// The container ID.
    pub container_id: String,
    /// The mounted rootfs.
    pub rootfs: PathBuf,
    /// Bind mounts by destination.
    pub bind_mounts: BTreeMap<String, PathBuf>,
    /// Namespace paths for joined namespaces.
    pub namespace_paths: BTreeMap<NamespaceKind, PathBuf>,
}

impl SpecContext {
    /// A context for a container ID and rootfs.
    pub fn new(container_id: &str, rootfs: &Path) -> Self {
        SpecContext {
            container_id: container_id.into(),
            rootfs: rootfs.into(),
            bind_mounts: BTreeMap::new(),
            namespace_paths: BTreeMap::new(),
        }
    }
}

/// Generates specs.
#[derive(Debug)]
pub struct SpecGenerator {
    defaults: SpecDefaults,
}

impl SpecGenerator {
    /// Loads what is shared by all containers.
    pub fn new(defaults: SpecDefaults) -> Result<Self> {
        Ok(SpecGenerator { defaults })
    }

    /// Generates one container's spec.
    pub fn generate(&self, config: &CreateConfig, image: Option<&ImageConfig>, ctx: &SpecContext) -> Result<Spec> {
        let _ = (config, image, ctx, &self.defaults);
        todo!()
    }
}
