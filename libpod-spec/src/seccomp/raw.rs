//! The profile JSON as written, and its validation into [`ProfileData`].
//!
//! Everything a runtime would choke on is refused here, while the file name is at hand,
//! rather than when a container is created.

use super::profile::{ArchMapEntry, ProfileData, RuleFilter, SyscallRule};
use super::resolve::{GO_ARCH_NAMES, ResolutionCache};
use crate::error::{Result, SpecError};
use nix::errno::Errno;
use oci_spec::runtime::{
    Arch, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompArgBuilder, LinuxSeccompOperator,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Syscalls take at most six arguments (index 0 to 5).
const MAX_ARG_INDEX: u32 = 5;

/// A profile as it appears in JSON (containers/common's `Seccomp` plus the OCI-only fields).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawProfile {
    default_action: Option<String>,
    default_errno_ret: Option<u32>,
    default_errno: Option<String>,
    architectures: Option<Vec<String>>,
    arch_map: Option<Vec<RawArchMap>>,
    syscalls: Option<Vec<RawSyscall>>,
    flags: Option<Vec<String>>,
    listener_path: Option<PathBuf>,
    listener_metadata: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArchMap {
    architecture: String,
    sub_architectures: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSyscall {
    name: Option<String>,
    names: Option<Vec<String>>,
    action: String,
    args: Option<Vec<RawArg>>,
    /// Only checked for its type; Podman ignores it too.
    #[serde(rename = "comment")]
    _comment: Option<String>,
    includes: Option<RawFilter>,
    excludes: Option<RawFilter>,
    errno_ret: Option<u32>,
    errno: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArg {
    // Zero when absent, as in Podman's Go types; only `op` has no usable default.
    #[serde(default)]
    index: u32,
    #[serde(default)]
    value: u64,
    #[serde(default)]
    value_two: u64,
    op: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFilter {
    caps: Option<Vec<String>>,
    arches: Option<Vec<String>>,
    min_kernel: Option<String>,
}

/// Builds [`SpecError::Seccomp`] for the profile at `origin`.
fn invalid(origin: &Path, reason: String) -> SpecError {
    SpecError::Seccomp {
        path: origin.to_path_buf(),
        reason,
    }
}

impl RawProfile {
    /// Checks every field and converts the profile into its validated form.
    pub(super) fn validate(self, origin: &Path) -> Result<ProfileData> {
        let default_action = match self.default_action.as_deref() {
            Some(action) => parse_action(origin, action, "defaultAction")?,
            // Podman would silently run such a container unconfined; refuse instead.
            None => return Err(invalid(origin, "no defaultAction".into())),
        };
        let default_errno_ret = errno_ret(
            origin,
            self.default_errno.as_deref(),
            self.default_errno_ret,
            "defaultErrno",
        )?;

        let architectures = self.architectures.unwrap_or_default();
        let raw_arch_map = self.arch_map.unwrap_or_default();
        if !architectures.is_empty() && !raw_arch_map.is_empty() {
            return Err(invalid(
                origin,
                "both 'architectures' and 'archMap' are specified, use one of them".into(),
            ));
        }
        let architectures = architectures
            .iter()
            .map(|arch| parse_arch(origin, arch, "architectures"))
            .collect::<Result<Vec<_>>>()?;
        let arch_map = raw_arch_map
            .iter()
            .map(|entry| {
                Ok(ArchMapEntry {
                    arch: parse_arch(origin, &entry.architecture, "archMap")?,
                    sub_arches: (entry.sub_architectures.iter().flatten())
                        .map(|arch| parse_arch(origin, arch, "archMap"))
                        .collect::<Result<_>>()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let syscalls = (self.syscalls.unwrap_or_default().into_iter().enumerate())
            .map(|(index, rule)| rule.validate(origin, &format!("syscalls[{index}]")))
            .collect::<Result<Vec<_>>>()?;
        let flags = (self.flags.iter().flatten())
            .map(|flag| {
                parse_enum(flag).ok_or_else(|| invalid(origin, format!("unknown flag {flag:?}")))
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(ProfileData {
            origin: origin.to_path_buf(),
            default_action,
            default_errno_ret,
            architectures,
            arch_map,
            syscalls,
            flags,
            listener_path: self
                .listener_path
                .filter(|path| !path.as_os_str().is_empty()),
            listener_metadata: self
                .listener_metadata
                .filter(|metadata| !metadata.is_empty()),
            resolution: ResolutionCache::default(),
        })
    }
}

impl RawSyscall {
    fn validate(self, origin: &Path, at: &str) -> Result<SyscallRule> {
        let mut names = self.names.unwrap_or_default();
        match self.name.filter(|name| !name.is_empty()) {
            Some(_) if !names.is_empty() => {
                return Err(invalid(
                    origin,
                    format!("{at}: both 'name' and 'names' are specified, use one of them"),
                ));
            }
            Some(name) => names.push(name),
            None => {}
        }
        let action = parse_action(origin, &self.action, &format!("{at}.action"))?;
        let errno_ret = errno_ret(
            origin,
            self.errno.as_deref(),
            self.errno_ret,
            &format!("{at}.errno"),
        )?;
        let args = (self.args.unwrap_or_default().iter().enumerate())
            .map(|(index, arg)| arg.validate(origin, &format!("{at}.args[{index}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(SyscallRule {
            names,
            action,
            errno_ret,
            args,
            includes: RawFilter::validate(self.includes, origin, &format!("{at}.includes"))?,
            excludes: RawFilter::validate(self.excludes, origin, &format!("{at}.excludes"))?,
        })
    }
}

impl RawArg {
    fn validate(&self, origin: &Path, at: &str) -> Result<LinuxSeccompArg> {
        if self.index > MAX_ARG_INDEX {
            return Err(invalid(
                origin,
                format!(
                    "{at}: argument index {} is above {MAX_ARG_INDEX}",
                    self.index
                ),
            ));
        }
        let op: LinuxSeccompOperator = parse_enum(&self.op)
            .ok_or_else(|| invalid(origin, format!("{at}: unknown operator {:?}", self.op)))?;
        let mut arg = LinuxSeccompArgBuilder::default()
            .index(self.index as usize)
            .value(self.value)
            .op(op);
        // Podman's Go types cannot tell an absent valueTwo from 0 and omit both.
        if self.value_two != 0 {
            arg = arg.value_two(self.value_two);
        }
        arg.build().map_err(|source| SpecError::Build {
            part: "linux.seccomp",
            source,
        })
    }
}

impl RawFilter {
    fn validate(filter: Option<Self>, origin: &Path, at: &str) -> Result<RuleFilter> {
        let Some(filter) = filter else {
            return Ok(RuleFilter::default());
        };
        let arches = filter.arches.unwrap_or_default();
        if let Some(unknown) = arches
            .iter()
            .find(|arch| !GO_ARCH_NAMES.contains(&arch.as_str()))
        {
            return Err(invalid(
                origin,
                format!("{at}.arches: unknown architecture {unknown:?}"),
            ));
        }
        let min_kernel = match filter.min_kernel.as_deref() {
            None | Some("") => None,
            Some(version) => Some(parse_min_kernel(version).ok_or_else(|| {
                invalid(
                    origin,
                    format!("{at}.minKernel: invalid kernel version {version:?}, expected \"<major>.<minor>\""),
                )
            })?),
        };
        Ok(RuleFilter {
            caps: filter.caps.unwrap_or_default(),
            arches,
            min_kernel,
        })
    }
}

/// A `minKernel` value: `"<major>.<minor>"`, not `0.0` (the rules of Docker, which
/// introduced the field).
pub(super) fn parse_min_kernel(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.split_once('.')?;
    let number = |part: &str| {
        if part.is_empty() || !part.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        part.parse::<u32>().ok()
    };
    let version = (number(major)?, number(minor)?);
    (version != (0, 0)).then_some(version)
}

/// Parses a unit variant of an oci-spec enum from the name its JSON uses.
fn parse_enum<T: DeserializeOwned>(text: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        text.into_deserializer();
    T::deserialize(deserializer).ok()
}

fn parse_action(origin: &Path, action: &str, at: &str) -> Result<LinuxSeccompAction> {
    parse_enum(action).ok_or_else(|| invalid(origin, format!("{at}: unknown action {action:?}")))
}

fn parse_arch(origin: &Path, arch: &str, at: &str) -> Result<Arch> {
    parse_enum(arch).ok_or_else(|| invalid(origin, format!("{at}: unknown architecture {arch:?}")))
}

/// The errno a rule returns: `errno` (a name such as `EPERM`, or a decimal number) wins over
/// the older numeric `errnoRet`, as in containers/common.
fn errno_ret(
    origin: &Path,
    errno: Option<&str>,
    errno_ret: Option<u32>,
    at: &str,
) -> Result<Option<u32>> {
    match errno {
        None | Some("") => Ok(errno_ret),
        Some(errno) => errno_value(errno)
            .map(Some)
            .ok_or_else(|| invalid(origin, format!("{at}: unknown errno {errno:?}"))),
    }
}

/// Resolves an errno name (for the architecture we were built for) or a decimal number.
pub(super) fn errno_value(errno: &str) -> Option<u32> {
    if !errno.is_empty() && errno.bytes().all(|byte| byte.is_ascii_digit()) {
        return errno.parse().ok();
    }
    errno_names().get(errno).copied()
}

/// Every errno name the C library knows, with its number on this architecture.
fn errno_names() -> &'static HashMap<String, u32> {
    static NAMES: OnceLock<HashMap<String, u32>> = OnceLock::new();
    NAMES.get_or_init(|| {
        // Linux errno values stay below 4096 on every architecture.
        let mut names: HashMap<String, u32> = (1..4096)
            .map(Errno::from_raw)
            .filter(|&errno| errno != Errno::UnknownErrno)
            .map(|errno| (format!("{errno:?}"), errno as u32))
            .collect();
        for (alias, errno) in [
            ("EWOULDBLOCK", Errno::EWOULDBLOCK),
            ("EDEADLOCK", Errno::EDEADLOCK),
            ("ENOTSUP", Errno::ENOTSUP),
        ] {
            names.entry(alias.to_string()).or_insert(errno as u32);
        }
        names
    })
}
