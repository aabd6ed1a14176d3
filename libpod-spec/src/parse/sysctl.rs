//! `--sysctl NAME=VALUE`: only namespaced sysctls, and only in a namespace of the container's own.

use crate::error::Result;

/// Which namespaces the container has of its own, deciding which sysctls it may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SysctlNamespaces {
    /// A private IPC namespace (`kernel.msg*`, `kernel.sem`, `kernel.shm*`, `fs.mqueue.*`).
    pub ipc: bool,
    /// A private network namespace (`net.*`).
    pub net: bool,
    /// A private UTS namespace (`kernel.hostname`, `kernel.domainname`).
    pub uts: bool,
}

/// Checks that a sysctl may be set in the container.
///
/// ```
/// use libpod_spec::parse::{validate_sysctl, SysctlNamespaces};
/// let private = SysctlNamespaces { ipc: true, net: true, uts: true };
/// assert!(validate_sysctl("net.ipv4.ip_forward", private).is_ok());
/// assert!(validate_sysctl("net.ipv4.ip_forward", SysctlNamespaces { net: false, ..private }).is_err());
/// assert!(validate_sysctl("fs.file-max", private).is_err());
/// ```
pub fn validate_sysctl(name: &str, namespaces: SysctlNamespaces) -> Result<()> {
    let _ = (name, namespaces);
    todo!("helper D")
}
