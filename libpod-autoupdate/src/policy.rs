//! Policies and labels. The values and their checks live in libpod-core, because a create
//! must refuse a registry policy on a reference that cannot be checked (seed 000); this
//! module names them for the updater and adds what only the updater needs.

pub use libpod_core::container::{
    AUTO_UPDATE_AUTHFILE_LABEL as AUTHFILE_LABEL, AUTO_UPDATE_LABEL as LABEL,
    AutoUpdatePolicy as Policy, SYSTEMD_UNIT_LABEL as SYSTEMD_UNIT,
    validate_auto_update_reference as validate_image_reference,
};

use libpod_core::container::ContainerConfig;
use std::path::PathBuf;

/// The policy a label value names (Podman's `LookupPolicy`): `registry` (or `image`),
/// `local`, `disabled` (or empty); any other value is an error listing the valid ones.
///
/// ```
/// use libpod_autoupdate::policy::{Policy, lookup_policy};
/// assert_eq!(lookup_policy("image").unwrap(), Policy::Registry);
/// assert!(lookup_policy("always").unwrap_err().to_string().contains(r#"["disabled" "image" "local" "registry"]"#));
/// ```
pub fn lookup_policy(value: &str) -> libpod_core::Result<Policy> {
    Policy::lookup(value)
}

/// The auth file for a container's checks and pulls: its label's, else the updater's.
pub fn auth_file(config: &ContainerConfig, default: Option<&PathBuf>) -> Option<PathBuf> {
    config
        .labels
        .get(AUTHFILE_LABEL)
        .map(PathBuf::from)
        .or_else(|| default.cloned())
}

/// The systemd unit a container runs in, if it was created by one.
pub fn systemd_unit(config: &ContainerConfig) -> Option<&str> {
    config
        .labels
        .get(SYSTEMD_UNIT)
        .map(String::as_str)
        .filter(|u| !u.is_empty())
}
