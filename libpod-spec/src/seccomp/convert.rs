//! Resolving a profile for one container into `LinuxSeccomp`.

use super::SeccompProfile;
use crate::error::Result;
use oci_spec::runtime::LinuxSeccomp;

/// Facts about the host that decide which rules apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeccompHost {
    /// The architecture as Go names it (`amd64`, `arm64`, `386`, ...), matched against the
    /// profile's `includes.arches` / `excludes.arches`.
    pub arch: String,
    /// The running kernel's version (major, minor), matched against `minKernel`.
    pub kernel: (u32, u32),
}

impl SeccompHost {
    /// Reads the facts of the machine we run on.
    pub fn detect() -> Self {
        todo!("helper A")
    }
}

impl SeccompProfile {
    /// The OCI seccomp section for a container with these bounding capabilities (`CAP_*`).
    pub fn to_oci(&self, bounding_caps: &[String], host: &SeccompHost) -> Result<LinuxSeccomp> {
        let _ = (bounding_caps, host);
        todo!("helper A")
    }
}
