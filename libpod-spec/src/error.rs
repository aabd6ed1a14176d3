//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while turning a create configuration into an OCI runtime spec.
///
/// Every variant names the field or file involved and the value that was refused, so that a
/// caller can show the user exactly what to fix.
///
/// ```
/// use libpod_spec::{SpecError, parse::parse_restart_policy};
///
/// let err = parse_restart_policy("sometimes").unwrap_err();
/// assert!(matches!(err, SpecError::InvalidValue { field: "restart policy", .. }));
/// assert!(err.to_string().contains("sometimes"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    // -- shared by every module --
    /// A user-supplied string or number could not be used.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidValue {
        /// The option or field, named as Podman's flag is (`memory`, `ulimit`, `volume`, ...).
        field: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file the configuration points at could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (seccomp profile, hook) is malformed.
    #[error("malformed JSON in {path}")]
    Json {
        /// The file, or `<inline>` for data given in memory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// oci-spec refused to build a part of the spec.
    #[error("cannot build the {part} of the OCI spec")]
    Build {
        /// The part being built (`process`, `linux`, ...).
        part: &'static str,
        /// The underlying error.
        #[source]
        source: oci_spec::OciSpecError,
    },
    /// Two options contradict each other.
    #[error("{first} conflicts with {second}: {reason}")]
    Conflict {
        /// The first option.
        first: &'static str,
        /// The second option.
        second: &'static str,
        /// Why they cannot be combined.
        reason: String,
    },

    // -- parse: capabilities, sysctls, devices --
    /// A capability name is not known to the kernel headers we were built with.
    #[error("unknown capability {name:?}")]
    UnknownCapability {
        /// The name as given.
        name: String,
    },
    /// A sysctl may not be set in a container, or not with this configuration.
    #[error("sysctl {name:?} is not allowed: {reason}")]
    SysctlNotAllowed {
        /// The sysctl's name.
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// A host device named by `--device` or a throttle option cannot be used.
    #[error("cannot use device {path}: {reason}")]
    Device {
        /// The host path.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    // -- user --
    /// A user name is not in the container's /etc/passwd.
    // Podman's wording (runc's user lookup).
    #[error("unable to find user {user}: no matching entries in passwd file")]
    UnknownUser {
        /// The user as given.
        user: String,
    },
    /// A group name is not in the container's /etc/group.
    #[error("unable to find group {group}: no matching entries in group file")]
    UnknownGroup {
        /// The group as given.
        group: String,
    },

    // -- seccomp --
    /// A seccomp profile is not usable.
    #[error("invalid seccomp profile {path}: {reason}")]
    Seccomp {
        /// The profile file, or `<inline>`.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    // -- hooks --
    /// A hook definition is not usable.
    #[error("invalid hook {path}: {reason}")]
    Hook {
        /// The hook's JSON file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    // -- generate --
    /// A namespace was to be joined from another container, but its path was not supplied.
    #[error("the {kind} namespace of container {container} was not supplied")]
    MissingNamespacePath {
        /// The namespace kind (`network`, `ipc`, ...).
        kind: &'static str,
        /// The container whose namespace is joined.
        container: String,
    },
}

/// The crate's result type.
pub type Result<T, E = SpecError> = std::result::Result<T, E>;

impl SpecError {
    /// Shorthand for [`SpecError::InvalidValue`].
    pub(crate) fn invalid(
        field: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        SpecError::InvalidValue {
            field,
            value: value.into(),
            reason: reason.into(),
        }
    }
}

/// A file [`libpod_fs`] could not read, or refused (a device, a FIFO, one too large), is a
/// [`SpecError::Read`] of its full path; a refusal's source says what was wrong
/// (`not a regular file`), with no errno.
impl From<libpod_fs::FsError> for SpecError {
    fn from(err: libpod_fs::FsError) -> Self {
        SpecError::Read {
            path: err.path(),
            source: err.into(),
        }
    }
}
