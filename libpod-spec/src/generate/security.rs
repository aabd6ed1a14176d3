//! Capabilities, seccomp, no-new-privileges and masked paths.

use super::defaults::{DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS};
use super::process::ResolvedUser;
use super::{SpecDefaults, built};
use crate::config::CreateConfig;
use crate::error::{Result, SpecError};
use crate::parse::{all_capabilities, merge_capabilities};
use oci_spec::runtime::{Capabilities, Capability, LinuxCapabilities, LinuxCapabilitiesBuilder};
use std::path::PathBuf;
use std::str::FromStr;

/// The capability sets of the container's process, as `CAP_*` names.
#[derive(Debug, Default)]
pub(super) struct CapabilitySets {
    pub bounding: Vec<String>,
    pub effective: Vec<String>,
    pub permitted: Vec<String>,
    pub inheritable: Vec<String>,
    pub ambient: Vec<String>,
}

impl CapabilitySets {
    pub fn to_oci(&self) -> Result<LinuxCapabilities> {
        fn set(names: &[String]) -> Result<Option<Capabilities>> {
            if names.is_empty() {
                // Podman omits empty sets.
                return Ok(None);
            }
            let caps = names
                .iter()
                .map(|n| {
                    let bare = n.strip_prefix("CAP_").unwrap_or(n);
                    Capability::from_str(bare)
                        .map_err(|_| SpecError::UnknownCapability { name: n.clone() })
                })
                .collect::<Result<Capabilities>>()?;
            Ok(Some(caps))
        }
        let mut caps = built("capabilities", LinuxCapabilitiesBuilder::default().build())?;
        caps.set_bounding(set(&self.bounding)?);
        caps.set_effective(set(&self.effective)?);
        caps.set_permitted(set(&self.permitted)?);
        caps.set_inheritable(set(&self.inheritable)?);
        caps.set_ambient(set(&self.ambient)?);
        Ok(caps)
    }
}

/// Podman's rules: the bounding set is the defaults (all capabilities when privileged) with
/// `--cap-add`/`--cap-drop` applied. Root gets it as effective and permitted too; any other
/// user gets only the capabilities added explicitly, in every set (ambient included), so that
/// they survive the switch to a non-zero uid.
pub(super) fn capabilities(
    config: &CreateConfig,
    defaults: &SpecDefaults,
    user: &ResolvedUser,
) -> Result<CapabilitySets> {
    let security = &config.security;
    let base = if security.privileged {
        all_capabilities()
    } else {
        defaults.capabilities.clone()
    };
    let bounding = merge_capabilities(&base, &security.cap_add, &security.cap_drop)?;
    if user.is_root() {
        return Ok(CapabilitySets {
            effective: bounding.clone(),
            permitted: bounding.clone(),
            bounding,
            ..CapabilitySets::default()
        });
    }
    let host = all_capabilities();
    let added: Vec<String> = merge_capabilities(&[], &security.cap_add, &[])?
        .into_iter()
        .filter(|c| host.contains(c))
        .collect();
    Ok(CapabilitySets {
        bounding,
        effective: added.clone(),
        permitted: added.clone(),
        inheritable: added.clone(),
        ambient: added,
    })
}

/// Which seccomp profile applies.
pub(super) enum SeccompChoice {
    Unconfined,
    Default,
    Profile(PathBuf),
}

/// The profile the user asked for: `seccomp_profile`, else the last `seccomp=` security option.
fn requested_seccomp(config: &CreateConfig) -> Option<&str> {
    let from_opts = config
        .security
        .security_opts
        .iter()
        .filter_map(|o| o.strip_prefix("seccomp="))
        .next_back();
    config.security.seccomp_profile.as_deref().or(from_opts)
}

/// `--privileged` and `seccomp=unconfined` run without a filter; `seccomp=PATH` loads that
/// profile.
pub(super) fn seccomp_choice(config: &CreateConfig) -> Result<SeccompChoice> {
    Ok(match requested_seccomp(config) {
        Some("unconfined") => SeccompChoice::Unconfined,
        _ if config.security.privileged => SeccompChoice::Unconfined,
        Some("") | None => SeccompChoice::Default,
        Some(path) if path.starts_with('/') => SeccompChoice::Profile(PathBuf::from(path)),
        Some(other) => {
            return Err(SpecError::invalid(
                "security-opt",
                format!("seccomp={other}"),
                "use unconfined or an absolute path to a profile",
            ));
        }
    })
}

/// Whether the user asked for `seccomp=unconfined`, which Podman records as an annotation.
pub(super) fn seccomp_unconfined(config: &CreateConfig) -> bool {
    requested_seccomp(config) == Some("unconfined")
}

/// `--security-opt no-new-privileges[=true|false]`; every other option is checked here too
/// so that a typo is an error, not silently ignored.
pub(super) fn no_new_privileges_opt(opts: &[String]) -> Result<bool> {
    let mut nnp = false;
    for opt in opts {
        let (key, value) = opt.split_once(['=', ':']).unwrap_or((opt.as_str(), ""));
        match key {
            "no-new-privileges" => {
                nnp = match value {
                    "" | "true" => true,
                    "false" => false,
                    _ => {
                        return Err(SpecError::invalid(
                            "security-opt",
                            opt.clone(),
                            "expected no-new-privileges[=true|false]",
                        ));
                    }
                }
            }
            // No SELinux or AppArmor labels are written into the spec: accepted, ignored.
            "label" | "apparmor" | "seccomp" | "mask" | "unmask" | "systempaths" => {}
            _ => {
                return Err(SpecError::invalid(
                    "security-opt",
                    opt.clone(),
                    "unknown security option",
                ));
            }
        }
    }
    Ok(nnp)
}

/// Masked and read-only paths: Podman's defaults unless privileged or
/// `systempaths=unconfined`, plus `mask=`, minus `unmask=` (`ALL` clears both lists).
pub(super) fn masked_and_readonly_paths(
    config: &CreateConfig,
) -> Result<(Vec<String>, Vec<String>)> {
    let opts = &config.security.security_opts;
    let unconfined =
        config.security.privileged || opts.iter().any(|o| o == "systempaths=unconfined");
    let (mut masked, mut readonly): (Vec<String>, Vec<String>) = if unconfined {
        (Vec::new(), Vec::new())
    } else {
        (
            DEFAULT_MASKED_PATHS.iter().map(|p| p.to_string()).collect(),
            DEFAULT_READONLY_PATHS
                .iter()
                .map(|p| p.to_string())
                .collect(),
        )
    };
    for opt in opts {
        if let Some(paths) = opt.strip_prefix("mask=") {
            for path in paths.split(':').filter(|p| !p.is_empty()) {
                if !path.starts_with('/') {
                    return Err(SpecError::invalid(
                        "security-opt",
                        opt.clone(),
                        "mask paths must be absolute",
                    ));
                }
                if !masked.iter().any(|m| m == path) {
                    masked.push(path.to_string());
                }
            }
        } else if let Some(paths) = opt.strip_prefix("unmask=") {
            for path in paths.split(':').filter(|p| !p.is_empty()) {
                if path == "ALL" {
                    masked.clear();
                    readonly.clear();
                } else {
                    masked.retain(|m| m != path);
                    readonly.retain(|r| r != path);
                }
            }
        }
    }
    Ok((masked, readonly))
}
