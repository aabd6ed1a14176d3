//! What the runtime knows about one container when its spec is generated.

use crate::config::NamespaceKind;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The runtime's facts about one container: its ID, its mounted root filesystem, the files it
/// generated for it, and the paths of namespaces and volumes it prepared.
///
/// ```
/// use libpod_spec::{NamespaceKind, SpecContext};
/// use std::path::Path;
///
/// let mut ctx = SpecContext::new(&"0f".repeat(32), Path::new("/var/lib/ctr/merged"));
/// ctx.bind_mounts.insert("/etc/hosts".into(), "/run/ctr/hosts".into());
/// ctx.namespace_paths.insert(NamespaceKind::Network, "/proc/42/ns/net".into());
/// assert_eq!(ctx.short_id(), "0f0f0f0f0f0f");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SpecContext {
    /// The container's 64-hex-digit ID.
    pub container_id: String,
    /// The container's mounted root filesystem; users are resolved inside it.
    pub rootfs: PathBuf,
    /// The creation time (RFC 3339 with nanoseconds) for the `io.kubernetes.cri-o.Created`
    /// annotation; omitted when `None`.
    pub created: Option<String>,
    /// The stop signal the engine resolved when it created the container (the user's, else
    /// the image's, else SIGTERM), for the `org.opencontainers.image.stopSignal` annotation;
    /// `None` resolves it here from the config's `stop_signal` and the image.
    pub stop_signal: Option<i32>,
    /// The engine removes the container when it exits (`--rm`, kept by the engine rather than
    /// in the config's `rm`), for the `io.podman.annotations.autoremove` annotation.
    pub auto_remove: bool,
    /// The engine published every exposed port on a free host port (`-P`, kept by the engine
    /// with the container's ports), for the `io.podman.annotations.publish-all` annotation.
    pub publish_all: bool,
    /// Files the runtime generated, by destination in the container: `/etc/hosts`,
    /// `/etc/hostname`, `/etc/resolv.conf`, `/run/.containerenv`, and `/dev/shm` (the shm
    /// directory). A user mount at the same destination wins.
    pub bind_mounts: BTreeMap<String, PathBuf>,
    /// The network namespace the runtime created (bridge networking), joined by path.
    pub netns_path: Option<PathBuf>,
    /// Namespaces of other containers (`container:ID` modes), by kind.
    pub namespace_paths: BTreeMap<NamespaceKind, PathBuf>,
    /// The hostname of the container whose UTS namespace is joined.
    pub joined_hostname: Option<String>,
    /// Host paths of named, anonymous and image volumes, by destination in the container (an
    /// image volume's as [`image_volume_destination`](super::image_volume_destination) cleans it).
    pub volume_paths: BTreeMap<String, PathBuf>,
}

impl SpecContext {
    /// A context with just the container's ID and root filesystem.
    pub fn new(container_id: &str, rootfs: &Path) -> Self {
        SpecContext {
            container_id: container_id.to_string(),
            rootfs: rootfs.to_path_buf(),
            ..SpecContext::default()
        }
    }

    /// The first 12 characters of the ID: the default hostname.
    pub fn short_id(&self) -> &str {
        let end = self
            .container_id
            .char_indices()
            .nth(12)
            .map_or(self.container_id.len(), |(i, _)| i);
        &self.container_id[..end]
    }
}
