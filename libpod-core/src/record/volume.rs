//! A named volume's records, after Podman's `VolumeConfig` and `VolumeState`
//! (libpod/volume.go): the config is what it was created with; the state is its use.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A volume's configuration: nothing in it changes after the volume is created.
///
/// ```
/// use libpod_core::record::VolumeConfig;
/// let mut volume = VolumeConfig::new("data");
/// volume.labels.insert("app".into(), "db".into());
/// assert_eq!(volume.driver, "local");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeConfig {
    /// Its name, unique among volumes, `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    pub name: String,
    /// Its driver: `local` (a directory under the root), or a plugin's name.
    pub driver: String,
    /// When it was created, RFC 3339 with nanoseconds.
    pub created: String,
    /// Where its data is (`ROOT/volumes/NAME/_data` for the local driver).
    pub mount_point: PathBuf,
    /// User labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options (`-o type=tmpfs,device=tmpfs,o=size=64m`, ...).
    pub options: BTreeMap<String, String>,
    /// Made for one container (`-v /data` with no name) and removed with it.
    pub anonymous: bool,
    /// The owner its data directory is given, if set.
    pub uid: Option<u32>,
    /// The group its data directory is given, if set.
    pub gid: Option<u32>,
    /// Whether the image's files at the mount destination are not copied up into it.
    pub no_copy: bool,
}

impl Default for VolumeConfig {
    fn default() -> Self {
        VolumeConfig {
            name: String::new(),
            driver: "local".into(),
            created: String::new(),
            mount_point: PathBuf::new(),
            labels: BTreeMap::new(),
            options: BTreeMap::new(),
            anonymous: false,
            uid: None,
            gid: None,
            no_copy: false,
        }
    }
}

impl VolumeConfig {
    /// A local volume with this name and every other setting at its default.
    pub fn new(name: impl Into<String>) -> Self {
        VolumeConfig {
            name: name.into(),
            ..VolumeConfig::default()
        }
    }
}

/// What changes about a volume after it is created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VolumeState {
    /// How many containers have it mounted now (for drivers that mount, as tmpfs).
    pub mount_count: u32,
    /// Whether the image's files at the first mount destination are still to be copied in.
    pub needs_copy_up: bool,
    /// Whether its data directory is still to be given to the first container's user.
    pub needs_chown: bool,
}

impl VolumeState {
    /// A new volume's state: unmounted, to be copied up into and chowned at first use.
    pub fn new() -> Self {
        VolumeState {
            mount_count: 0,
            needs_copy_up: true,
            needs_chown: true,
        }
    }
}
