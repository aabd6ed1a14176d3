//! `--sysctl NAME=VALUE`: only namespaced sysctls, and only in a namespace of the container's own.

use crate::error::{Result, SpecError};

/// Which namespaces the container has of its own, deciding which sysctls it may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SysctlNamespaces {
    /// A private IPC namespace (`kernel.msg*`, `kernel.sem`, `kernel.shm*`, `fs.mqueue.*`).
    pub ipc: bool,
    /// A private network namespace (`net.*`).
    pub net: bool,
    /// A private UTS namespace. Podman 4.3 refuses `kernel.hostname` and `kernel.domainname`
    /// whatever the namespaces (its `ValidateSysctls` does not list them), so this does not
    /// change the outcome; it is kept for completeness.
    pub uts: bool,
}

/// The IPC sysctls Podman allows by exact name (pkg/util `ValidateSysctls`).
const IPC_SYSCTLS: [&str; 8] = [
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

/// Checks that a sysctl may be set in the container.
///
/// The allowed names are Podman 4.3's: the IPC sysctls above and `fs.mqueue.*` (IPC
/// namespace) and `net.*` (network namespace). Anything else, `kernel.hostname` included, is
/// refused as Podman refuses it. A namespaced sysctl is refused when that namespace is the
/// host's. (Podman itself checks only `fs.mqueue.*` against a host IPC namespace and lets runc
/// refuse `kernel.msg*` later; here both are refused up front.)
///
/// ```
/// use libpod_spec::parse::{validate_sysctl, SysctlNamespaces};
/// let private = SysctlNamespaces { ipc: true, net: true, uts: true };
/// assert!(validate_sysctl("net.ipv4.ip_forward", private).is_ok());
/// assert!(validate_sysctl("net.ipv4.ip_forward", SysctlNamespaces { net: false, ..private }).is_err());
/// assert!(validate_sysctl("fs.file-max", private).is_err());
/// ```
pub fn validate_sysctl(name: &str, namespaces: SysctlNamespaces) -> Result<()> {
    let refuse = |reason: &str| SpecError::SysctlNotAllowed {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if name.trim() != name {
        return Err(SpecError::invalid("sysctl", name, "extra spaces found"));
    }
    let (private, kind) = if IPC_SYSCTLS.contains(&name) || name.starts_with("fs.mqueue.") {
        (namespaces.ipc, "IPC")
    } else if name.starts_with("net.") {
        (namespaces.net, "Network")
    } else {
        return Err(refuse(
            "only namespaced sysctls may be set (kernel.msg*, kernel.sem, \
             kernel.shm*, fs.mqueue.*, net.*)",
        ));
    };
    if !private {
        return Err(refuse(&format!(
            "can't be set since {kind} Namespace set to host"
        )));
    }
    Ok(())
}

/// Splits a `--sysctl NAME=VALUE` string, as Podman's `ValidateSysctls` does, and checks the
/// name with [`validate_sysctl`].
///
/// Spaces around the name or the value are refused, and so is a value holding `=`
/// (Podman reads only up to the second `=` and then finds the string changed).
///
/// ```
/// use libpod_spec::parse::{parse_sysctl, SysctlNamespaces};
/// let private = SysctlNamespaces { ipc: true, net: true, uts: true };
/// let (name, value) = parse_sysctl("kernel.sem=250 32000 32 128", private).unwrap();
/// assert_eq!((name.as_str(), value.as_str()), ("kernel.sem", "250 32000 32 128"));
/// assert!(parse_sysctl("net.ipv4.ip_forward", private).is_err());
/// ```
pub fn parse_sysctl(value: &str, namespaces: SysctlNamespaces) -> Result<(String, String)> {
    let invalid = |reason: &str| SpecError::invalid("sysctl", value, reason);
    let mut parts = value.split('=');
    let name = parts.next().unwrap_or_default();
    let setting = parts.next().ok_or_else(|| invalid("expected NAME=VALUE"))?;
    if parts.next().is_some() || name.trim() != name || setting.trim() != setting {
        return Err(invalid("extra spaces found"));
    }
    validate_sysctl(name, namespaces)?;
    Ok((name.to_string(), setting.to_string()))
}

#[cfg(test)]
#[path = "sysctl_tests.rs"]
mod tests;
