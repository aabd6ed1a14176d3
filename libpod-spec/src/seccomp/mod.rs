//! Seccomp profiles in the Docker/Podman JSON format, turned into the OCI spec's `LinuxSeccomp`.
//!
//! Podman's profiles (`/usr/share/containers/seccomp.json`) are not OCI `LinuxSeccomp`: they
//! carry an architecture map and rules included or excluded by capability, architecture and
//! kernel version. [`SeccompProfile::to_oci`] resolves those for one container, as
//! containers/common's `setupSeccomp` does, and drops syscall names that libseccomp does not
//! know on any of the target architectures (with a warning).
//!
//! ```
//! use libpod_spec::seccomp::{SeccompHost, SeccompProfile};
//!
//! let profile = SeccompProfile::embedded_default();
//! let host = SeccompHost { arch: "amd64".into(), kernel: (6, 1) };
//! let seccomp = profile.to_oci(&["CAP_SYS_CHROOT".to_string()], &host)?;
//! let chroot_allowed = seccomp.syscalls().as_ref().unwrap().iter().any(|rule| {
//!     rule.names().contains(&"chroot".to_string())
//!         && rule.action() == oci_spec::runtime::LinuxSeccompAction::ScmpActAllow
//! });
//! assert!(chroot_allowed);
//! # Ok::<(), libpod_spec::SpecError>(())
//! ```

mod convert;
mod profile;
mod raw;
mod resolve;

#[cfg(test)]
#[path = "profile_tests.rs"]
mod profile_tests;

#[cfg(test)]
#[path = "convert_tests.rs"]
mod convert_tests;

pub use convert::SeccompHost;
pub use profile::SeccompProfile;

/// Where Podman's default seccomp profile is installed.
pub const DEFAULT_PROFILE_PATH: &str = "/usr/share/containers/seccomp.json";
