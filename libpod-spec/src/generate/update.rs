//! The cgroup resources `runc update` applies to a running container, from its (updated)
//! resource config: the same rules as at create (`linux.rs`), without the device rules and
//! the default PID limit, which an update leaves as they are.

use super::built;
use super::linux::{block_io, cpu, memory};
use crate::config::{CreateConfig, CreateResourceConfig};
use crate::error::Result;
use oci_spec::runtime::{LinuxPidsBuilder, LinuxResources};

/// The resources to give `runc update` for `resources` (a container's whole resource config
/// after [`CreateResourceConfig::apply_update`]).
///
/// ```
/// use libpod_spec::CreateResourceConfig;
/// use libpod_spec::generate::update_resources;
///
/// let mut r = CreateResourceConfig::default();
/// r.memory = Some(64 << 20);
/// r.pids_limit = Some(0);
/// let res = update_resources(&r)?;
/// let memory = res.memory().as_ref().unwrap();
/// assert_eq!(memory.limit(), Some(64 << 20));
/// assert_eq!(memory.swap(), Some(128 << 20)); // as much again, as Podman
/// assert_eq!(res.pids().as_ref().unwrap().limit(), -1); // unlimited
/// assert!(res.devices().is_none());
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn update_resources(resources: &CreateResourceConfig) -> Result<LinuxResources> {
    let config = CreateConfig {
        resources: resources.clone(),
        ..CreateConfig::default()
    };
    let mut res = LinuxResources::default();
    res.set_memory(memory(&config)?);
    res.set_cpu(cpu(&config)?);
    res.set_block_io(block_io(&config)?);
    if let Some(limit) = resources.pids_limit {
        // runc leaves 0 unchanged: "no limit" is -1 in an update.
        let limit = if limit > 0 { limit } else { -1 };
        res.set_pids(Some(built(
            "pids",
            LinuxPidsBuilder::default().limit(limit).build(),
        )?));
    }
    Ok(res)
}
