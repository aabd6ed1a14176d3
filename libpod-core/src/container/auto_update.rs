//! Where auto-update begins: the labels a container is created with (Podman's
//! `io.containers.autoupdate`, `io.containers.autoupdate.authfile` and `PODMAN_SYSTEMD_UNIT`),
//! the policies they name, and the checks made at create.
//!
//! The updater itself is `libpod-autoupdate`; what it keys on is fixed here, at create, because a
//! container whose image reference cannot be checked against a registry must be refused then,
//! not found out at the first update (seed 000: "requires a fully-qualified image reference to
//! be used to create the container ... If we used an image ID, we would not know which image to
//! actually check and pull").

use super::{ContainerConfig, CtrCreateOption, RootfsSource};
use crate::error::{CoreError, Result};

/// The label naming a container's auto-update policy (see [`AutoUpdatePolicy`]).
pub const AUTO_UPDATE_LABEL: &str = "io.containers.autoupdate";

/// The label naming the auth file used to check and pull a container's image.
pub const AUTO_UPDATE_AUTHFILE_LABEL: &str = "io.containers.autoupdate.authfile";

/// The environment variable a systemd unit sets (to `%n`, its own name) for the containers it
/// creates, and the label the create stores its value under.
pub const SYSTEMD_UNIT_LABEL: &str = "PODMAN_SYSTEMD_UNIT";

/// A container's auto-update policy, from its [`AUTO_UPDATE_LABEL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AutoUpdatePolicy {
    /// No auto-update (the label missing, empty or `disabled`).
    #[default]
    Disabled,
    /// Update when the registry's image behind the container's image name differs from the
    /// container's image (`registry`, or its older alias `image`).
    Registry,
    /// Update when the local image behind the container's image name differs from the
    /// container's image (`local`).
    Local,
}

/// The label values and the policy each names (Podman's `supportedPolicies`).
const SUPPORTED: [(&str, AutoUpdatePolicy); 5] = [
    ("", AutoUpdatePolicy::Disabled),
    ("disabled", AutoUpdatePolicy::Disabled),
    ("image", AutoUpdatePolicy::Registry),
    ("registry", AutoUpdatePolicy::Registry),
    ("local", AutoUpdatePolicy::Local),
];

impl AutoUpdatePolicy {
    /// The policy a label value names (Podman's `LookupPolicy`); an unknown one is an error
    /// that lists the valid values, sorted.
    ///
    /// ```
    /// use libpod_core::container::AutoUpdatePolicy;
    /// assert_eq!(AutoUpdatePolicy::lookup("image").unwrap(), AutoUpdatePolicy::Registry);
    /// assert_eq!(AutoUpdatePolicy::lookup("").unwrap(), AutoUpdatePolicy::Disabled);
    /// let err = AutoUpdatePolicy::lookup("nightly").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"invalid auto-update policy "nightly": valid policies are ["disabled" "image" "local" "registry"]"#
    /// );
    /// ```
    pub fn lookup(value: &str) -> Result<AutoUpdatePolicy> {
        if let Some((_, policy)) = SUPPORTED.iter().find(|(name, _)| *name == value) {
            return Ok(*policy);
        }
        let mut valid: Vec<&str> = SUPPORTED
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !name.is_empty())
            .collect();
        valid.sort_unstable();
        Err(CoreError::InvalidAutoUpdatePolicy {
            value: value.to_string(),
            valid: valid
                .iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// The policy's name as reports show it (`registry`, `local`, `disabled`).
    pub fn name(self) -> &'static str {
        match self {
            AutoUpdatePolicy::Disabled => "disabled",
            AutoUpdatePolicy::Registry => "registry",
            AutoUpdatePolicy::Local => "local",
        }
    }

    /// The policy of a container's labels: disabled when the label is missing.
    pub fn of_labels(labels: &std::collections::BTreeMap<String, String>) -> Result<Self> {
        labels
            .get(AUTO_UPDATE_LABEL)
            .map_or(Ok(AutoUpdatePolicy::Disabled), |value| Self::lookup(value))
    }
}

impl std::fmt::Display for AutoUpdatePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The transports of containers/image other than `docker`: a reference naming one cannot be
/// checked against a registry.
const OTHER_TRANSPORTS: [&str; 9] = [
    "containers-storage",
    "dir",
    "docker-archive",
    "docker-daemon",
    "oci",
    "oci-archive",
    "ostree",
    "sif",
    "tarball",
];

/// Checks that `image` is a fully qualified reference to the docker transport without a
/// digest (Podman's `ValidateImageReference`): `registry/name:tag`, optionally prefixed with
/// `docker://`. This is what a registry auto-update needs to know what to check and pull.
///
/// ```
/// use libpod_core::container::validate_auto_update_reference as validate;
/// assert!(validate("quay.io/podman/stable:latest").is_ok());
/// assert!(validate("docker://localhost:5000/app:v1").is_ok());
/// assert!(validate("busybox:latest").is_err());           // not fully qualified
/// assert!(validate("quay.io/podman/stable").is_err());    // no tag
/// assert!(validate("oci:/tmp/layout:v1").is_err());       // another transport
/// ```
pub fn validate_auto_update_reference(image: &str) -> Result<()> {
    let refuse = |reason: String| CoreError::InvalidAutoUpdateReference {
        image: image.to_string(),
        reason,
    };
    let name = match image.strip_prefix("docker://") {
        Some(rest) => rest,
        None => {
            if let Some((transport, _)) = image.split_once(':')
                && OTHER_TRANSPORTS.contains(&transport)
            {
                return Err(refuse(format!(
                    "auto updates require the docker image transport but image is of transport \
                     {transport:?}"
                )));
            }
            image
        }
    };
    if libpod_storage::ImageReference::is_short_name(name) {
        return Err(refuse(
            "auto updates require fully-qualified image references (registry/name:tag)".into(),
        ));
    }
    let reference = libpod_storage::ImageReference::parse_named(name).map_err(|e| {
        refuse(format!(
            "enforcing fully-qualified docker transport reference for auto updates: {e}"
        ))
    })?;
    if reference.digest().is_some() {
        return Err(refuse(
            "auto updates require fully-qualified image references without digest".into(),
        ));
    }
    if reference.tag().is_none() {
        return Err(refuse(
            "auto updates require fully-qualified image references (no tag)".into(),
        ));
    }
    Ok(())
}

/// The image name as the user wrote it, when the image option was given another (its full
/// name: `localhost/busybox:latest` for `localhost/busybox`), as Podman's `RawImageName`:
/// auto-update checks, pulls and reports this one, and a registry policy needs it fully
/// qualified and tagged.
///
/// ```no_run
/// use libpod_core::container::{with_raw_image_name, with_rootfs_from_image};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let ctr = rt.new_container([
///     with_rootfs_from_image("localhost/busybox:latest"),
///     with_raw_image_name("localhost/busybox"),
/// ])?;
/// assert_eq!(ctr.config().raw_image_name.as_deref(), Some("localhost/busybox"));
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_raw_image_name(name: impl Into<String>) -> CtrCreateOption {
    let name = name.into();
    CtrCreateOption::new(move |d| {
        d.config.raw_image_name = Some(name);
        Ok(())
    })
}

/// The name auto-update keys on: the raw image name, else the image name the container was
/// created with; `None` for a container on a root filesystem path.
pub fn raw_image_name(config: &ContainerConfig) -> Option<&str> {
    match &config.rootfs {
        Some(RootfsSource::Image { name, .. }) => {
            Some(config.raw_image_name.as_deref().unwrap_or(name))
        }
        _ => None,
    }
}

/// The create's part in auto-update: the systemd unit's name taken from the environment into
/// the [`SYSTEMD_UNIT_LABEL`] label (unless an option set it), the policy label checked, and a
/// registry policy's image reference validated (`unit` is the environment variable's value).
pub(crate) fn apply_at_create(config: &mut ContainerConfig, unit: Option<String>) -> Result<()> {
    if let Some(unit) = unit.filter(|u| !u.is_empty()) {
        config
            .labels
            .entry(SYSTEMD_UNIT_LABEL.to_string())
            .or_insert(unit);
    }
    if AutoUpdatePolicy::of_labels(&config.labels)? == AutoUpdatePolicy::Registry {
        match raw_image_name(config) {
            Some(name) => validate_auto_update_reference(name)?,
            None => {
                return Err(CoreError::InvalidAutoUpdateReference {
                    image: String::new(),
                    reason: "auto updates need a container created from an image".into(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "auto_update_tests.rs"]
mod tests;
