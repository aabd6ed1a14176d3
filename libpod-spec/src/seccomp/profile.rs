//! The Docker/Podman seccomp profile format.

use crate::error::Result;
use std::path::Path;

/// A parsed seccomp profile (Docker/Podman format; plain OCI `LinuxSeccomp` JSON is accepted too).
#[derive(Clone, Debug, PartialEq)]
pub struct SeccompProfile {
    // helper A: fields
}

impl SeccompProfile {
    /// Parses a profile from JSON. `origin` names it in errors.
    pub fn from_json(origin: &Path, json: &[u8]) -> Result<Self> {
        let _ = (origin, json);
        todo!("helper A")
    }

    /// Reads and parses a profile file.
    pub fn from_path(path: &Path) -> Result<Self> {
        let _ = path;
        todo!("helper A")
    }

    /// The default profile embedded in this crate (a copy of Podman's).
    pub fn embedded_default() -> Self {
        todo!("helper A")
    }

    /// The default profile: `path` (normally [`DEFAULT_PROFILE_PATH`](super::DEFAULT_PROFILE_PATH))
    /// when that file exists, else the embedded one.
    pub fn load_default(path: &Path) -> Result<Self> {
        let _ = path;
        todo!("helper A")
    }
}
