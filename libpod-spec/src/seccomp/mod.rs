//! Seccomp profiles in the Docker/Podman JSON format, turned into the OCI spec's `LinuxSeccomp`.
//!
//! Podman's profiles (`/usr/share/containers/seccomp.json`) are not OCI `LinuxSeccomp`: they
//! carry an architecture map and rules included or excluded by capability, architecture and
//! kernel version. [`SeccompProfile::to_oci`] resolves those for one container, as
//! containers/common's `setupSeccomp` does, and drops syscall names that libseccomp does not
//! know on any of the target architectures (with a warning).

mod convert;
mod profile;

pub use convert::SeccompHost;
pub use profile::SeccompProfile;

/// Where Podman's default seccomp profile is installed.
pub const DEFAULT_PROFILE_PATH: &str = "/usr/share/containers/seccomp.json";
