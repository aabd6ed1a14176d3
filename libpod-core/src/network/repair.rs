//! At open: namespaces under `RUNROOT/netns` whose container is gone. A removal tears its
//! container's network down before it deletes the row, so only a failure in between leaves
//! one; its addresses went with the row (cascade), and the namespace is unmounted here.

use crate::runtime::Runtime;

/// Removes the namespaces of containers that no longer exist (logged; the open goes on).
pub(crate) fn remove_orphan_namespaces(rt: &Runtime) {
    let dir = rt.networking().netns_dir();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str() else { continue };
        match rt.state().container_name(id) {
            Err(crate::CoreError::ContainerNotFound(_)) => {}
            _ => continue,
        }
        let path = entry.path();
        match libpod_net::netns::remove(&path) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "removed the network namespace of a container that is gone")
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "network namespace of a container that is gone left")
            }
        }
    }
}
