//! The process an exec session runs, from its container's spec (Podman's
//! `prepareProcessExec` and `setProcessCapabilitiesExec`): the container's process with the
//! session's command, terminal, environment (added after the container's), working directory
//! and user, `HOME` from the user's passwd entry unless set, and capabilities: a privileged
//! session gets this process's whole bounding set; root gets its bounding set as effective
//! and permitted; the container's own user keeps the container's effective set.

use crate::error::{CoreError, Result};
use crate::record::ExecConfig;
use oci_spec::runtime::{Capabilities, Capability, Process, Spec, UserBuilder};
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

/// The process of an exec of `config` in a container whose bundle's spec is at `spec_path`
/// and whose root filesystem is mounted at `rootfs`.
pub(crate) fn exec_process(
    container: &str,
    container_user: Option<&str>,
    spec_path: &Path,
    rootfs: &Path,
    config: &ExecConfig,
) -> Result<Process> {
    let spec = Spec::load(spec_path).map_err(|e| CoreError::Conmon {
        id: container.into(),
        reason: format!("reading {}: {e}", spec_path.display()),
    })?;
    let base = spec.process().clone().unwrap_or_default();
    let mut process = base.clone();
    process.set_args(Some(config.command.clone()));
    process.set_terminal(Some(config.terminal));
    let mut env = base.env().clone().unwrap_or_default();
    env.extend(config.env.iter().map(|(k, v)| format!("{k}={v}")));
    if let Some(dir) = config.workdir.as_deref().filter(|d| !d.is_empty()) {
        process.set_cwd(dir.into());
    }
    let user = config.user.as_deref().filter(|u| !u.is_empty());
    let exec_user = match user {
        Some(user) => {
            let found = libpod_spec::user::resolve_user(rootfs, user)?;
            let builder = UserBuilder::default()
                .uid(found.uid)
                .gid(found.gid)
                .additional_gids(found.supplementary_gids.clone());
            process.set_user(builder.build().map_err(|e| CoreError::InvalidOption {
                option: "user",
                reason: e.to_string(),
            })?);
            Some(found)
        }
        None => libpod_spec::user::resolve_user(rootfs, container_user.unwrap_or("")).ok(),
    };
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        let home = exec_user.as_ref().and_then(|u| u.home.clone());
        env.push(format!("HOME={}", home.unwrap_or_else(|| "/".into())));
    }
    process.set_env(Some(env));
    let uid = process.user().uid();
    let same_user = user.is_none() || user == container_user;
    process.set_capabilities(Some(capabilities(
        base.capabilities().as_ref(),
        config.privileged,
        uid == 0,
        same_user,
    )?));
    Ok(process)
}

fn capabilities(
    container: Option<&oci_spec::runtime::LinuxCapabilities>,
    privileged: bool,
    root: bool,
    same_user: bool,
) -> Result<oci_spec::runtime::LinuxCapabilities> {
    let mut caps = container.cloned().unwrap_or_default();
    let bounding = if privileged {
        bounding_set()?
    } else {
        caps.bounding().clone().unwrap_or_default()
    };
    caps.set_bounding(Some(bounding.clone()));
    caps.set_inheritable(Some(Capabilities::new()));
    if root {
        caps.set_effective(Some(bounding.clone()));
        caps.set_permitted(Some(bounding));
    } else if same_user {
        let effective = container
            .and_then(|c| c.effective().clone())
            .unwrap_or_default();
        caps.set_inheritable(Some(effective.clone()));
        caps.set_permitted(Some(effective.clone()));
        caps.set_ambient(Some(effective.clone()));
        caps.set_effective(Some(effective));
    }
    Ok(caps)
}

/// The capability names by number (linux/capability.h, up to CAP_CHECKPOINT_RESTORE).
const NAMES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// This process's bounding set (`CapBnd` of /proc/self/status), as Podman's
/// `capabilities.BoundingSet`.
fn bounding_set() -> Result<Capabilities> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| CoreError::io("read", "/proc/self/status", e))?;
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("CapBnd:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    let set: HashSet<Capability> = NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1u64 << bit) != 0)
        // oci-spec parses the names without `CAP_` (it serialises them with it).
        .filter_map(|(_, name)| Capability::from_str(name).ok())
        .collect();
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounding_set_has_every_capability_of_the_mask() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let mask = status
            .lines()
            .find_map(|line| line.strip_prefix("CapBnd:"))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .unwrap();
        let known = mask & ((1u64 << NAMES.len()) - 1);
        let set = bounding_set().unwrap();
        assert_eq!(set.len(), known.count_ones() as usize, "{set:?}");
        if mask & (1 << 13) != 0 {
            assert!(set.contains(&Capability::NetRaw));
        }
    }
}
