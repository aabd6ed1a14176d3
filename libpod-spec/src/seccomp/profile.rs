//! The Docker/Podman seccomp profile format.

use super::resolve::ResolutionCache;
use crate::error::{Result, SpecError};
use oci_spec::runtime::{Arch, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompFilterFlag};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Podman's default profile (containers-common 0.50's `seccomp.json`), built into the crate.
const EMBEDDED_DEFAULT_JSON: &str = include_str!("default.json");

/// Names the embedded profile in logs and errors.
const EMBEDDED_ORIGIN: &str = "<embedded default seccomp profile>";

/// A parsed seccomp profile (Docker/Podman format; plain OCI `LinuxSeccomp` JSON is accepted too).
///
/// Parsing validates everything up front (actions, operators, architectures, errno names,
/// kernel versions), so [`to_oci`](Self::to_oci) only selects rules. Cloning is cheap: the
/// parsed data, and the cache of syscall-name resolutions, are shared.
///
/// ```
/// use libpod_spec::seccomp::SeccompProfile;
/// use std::path::Path;
///
/// let json = br#"{"defaultAction": "SCMP_ACT_ERRNO",
///                 "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]}"#;
/// let profile = SeccompProfile::from_json(Path::new("my.json"), json)?;
/// assert_eq!(profile.origin(), Path::new("my.json"));
///
/// let err = SeccompProfile::from_json(Path::new("bad.json"), br#"{"defaultAction": "NOPE"}"#)
///     .unwrap_err();
/// assert!(err.to_string().contains("bad.json"));
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SeccompProfile {
    pub(super) data: Arc<ProfileData>,
}

/// The validated content of a profile.
#[derive(Debug, PartialEq)]
pub(super) struct ProfileData {
    /// The file it came from (or a placeholder), named in warnings and errors.
    pub(super) origin: PathBuf,
    pub(super) default_action: LinuxSeccompAction,
    pub(super) default_errno_ret: Option<u32>,
    /// The plain OCI `architectures` list (never set together with `arch_map`).
    pub(super) architectures: Vec<Arch>,
    pub(super) arch_map: Vec<ArchMapEntry>,
    pub(super) syscalls: Vec<SyscallRule>,
    pub(super) flags: Vec<LinuxSeccompFilterFlag>,
    pub(super) listener_path: Option<PathBuf>,
    pub(super) listener_metadata: Option<String>,
    /// Which syscall names libseccomp cannot resolve, per set of target architectures.
    pub(super) resolution: ResolutionCache,
}

/// One `archMap` entry: a native architecture and the ones it also runs.
#[derive(Debug, PartialEq)]
pub(super) struct ArchMapEntry {
    pub(super) arch: Arch,
    pub(super) sub_arches: Vec<Arch>,
}

/// One entry of `syscalls`, with the legacy `name` folded into `names`.
#[derive(Debug, PartialEq)]
pub(super) struct SyscallRule {
    pub(super) names: Vec<String>,
    pub(super) action: LinuxSeccompAction,
    pub(super) errno_ret: Option<u32>,
    pub(super) args: Vec<LinuxSeccompArg>,
    pub(super) includes: RuleFilter,
    pub(super) excludes: RuleFilter,
}

/// The `includes` / `excludes` conditions of a rule.
#[derive(Debug, Default, PartialEq)]
pub(super) struct RuleFilter {
    /// Capabilities (`CAP_*`), compared case-sensitively as Podman does.
    pub(super) caps: Vec<String>,
    /// Architectures as Go's libseccomp names them (`amd64`, `x86`, `arm64`, ...).
    pub(super) arches: Vec<String>,
    /// `minKernel` as (major, minor).
    pub(super) min_kernel: Option<(u32, u32)>,
}

impl SeccompProfile {
    /// Parses a profile from JSON. `origin` names it in errors.
    ///
    /// The input is untrusted: malformed JSON gives [`SpecError::Json`], and unknown actions,
    /// operators, architectures, flags or errno names, argument indexes above 5, a rule with
    /// both `name` and `names`, a profile with both `architectures` and `archMap`, or a missing
    /// `defaultAction` give [`SpecError::Seccomp`].
    pub fn from_json(origin: &Path, json: &[u8]) -> Result<Self> {
        let raw: super::raw::RawProfile =
            serde_json::from_slice(json).map_err(|source| SpecError::Json {
                path: origin.to_path_buf(),
                source,
            })?;
        let data = raw.validate(origin)?;
        Ok(SeccompProfile {
            data: Arc::new(data),
        })
    }

    /// Reads and parses a profile file.
    pub fn from_path(path: &Path) -> Result<Self> {
        let json = std::fs::read(path).map_err(|source| SpecError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(path, &json)
    }

    /// The default profile embedded in this crate (a copy of Podman's).
    ///
    /// Parsed once; every call returns a handle to the same data.
    pub fn embedded_default() -> Self {
        static EMBEDDED: OnceLock<SeccompProfile> = OnceLock::new();
        EMBEDDED
            .get_or_init(|| {
                // The embedded JSON is part of the crate and covered by tests.
                Self::from_json(Path::new(EMBEDDED_ORIGIN), EMBEDDED_DEFAULT_JSON.as_bytes())
                    .expect("the embedded default seccomp profile is valid")
            })
            .clone()
    }

    /// The default profile: `path` (normally [`DEFAULT_PROFILE_PATH`](super::DEFAULT_PROFILE_PATH))
    /// when that file exists, else the embedded one.
    ///
    /// A file that exists but cannot be read or parsed is an error, not a silent fallback.
    pub fn load_default(path: &Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(json) => Self::from_json(path, &json),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                tracing::debug!(
                    path = %path.display(),
                    "seccomp profile not found, using the embedded default"
                );
                Ok(Self::embedded_default())
            }
            Err(source) => Err(SpecError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The file the profile was read from (`<embedded default seccomp profile>` for the
    /// embedded one, or whatever `origin` was given to [`from_json`](Self::from_json)).
    pub fn origin(&self) -> &Path {
        &self.data.origin
    }
}
