//! Init's first step: the root filesystem mounted, and the container's /dev/shm (its own tmpfs,
//! the one of the container whose IPC namespace it joins, or none with the host's).

use super::OthersStates;
use crate::container::Locked;
use crate::error::Result;
use libpod_spec::{NamespaceKind, NamespaceMode};
use std::collections::BTreeMap;
use std::path::PathBuf;

impl Locked<'_> {
    /// Mounts the root filesystem and decides /dev/shm; returns the mounted root and adds the
    /// shm directory to `bind_mounts`. `others` are the synced states of the containers whose
    /// namespaces it joins.
    pub(super) fn prepare_rootfs(
        &mut self,
        others: &OthersStates,
        bind_mounts: &mut BTreeMap<String, PathBuf>,
    ) -> Result<PathBuf> {
        let rootfs = self.mount_rootfs()?;
        match (
            &self.config().spec.ipc,
            self.config().namespace_from(NamespaceKind::Ipc),
        ) {
            (NamespaceMode::Host, _) => {}
            (_, Some(other)) => {
                if let Some(shm) = others
                    .get(other)
                    .and_then(|state| state.bind_mounts.get("/dev/shm"))
                {
                    bind_mounts.insert("/dev/shm".into(), shm.clone());
                }
            }
            _ => {
                let shm = self.mount_shm()?;
                bind_mounts.insert("/dev/shm".into(), shm);
            }
        }
        Ok(rootfs)
    }
}
