//! Resolving a profile for one container into `LinuxSeccomp`.

use super::SeccompProfile;
use super::profile::{ProfileData, RuleFilter, SyscallRule};
use super::resolve::{arch_map_key, scmp_arch, scmp_arch_from_go};
use crate::error::Result;
use libseccomp::ScmpArch;
use oci_spec::runtime::{Arch, LinuxSeccomp, LinuxSyscall};

/// Facts about the host that decide which rules apply.
///
/// ```
/// use libpod_spec::seccomp::SeccompHost;
///
/// let host = SeccompHost::detect();
/// if cfg!(target_arch = "x86_64") && cfg!(target_pointer_width = "64") {
///     assert_eq!(host.arch, "amd64");
/// }
/// assert!(host.kernel >= (3, 0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeccompHost {
    /// The architecture as Go's libseccomp binding names it (`amd64`, `arm64`, `x86`, `arm`,
    /// `ppc64le`, `s390x`, ...), matched against the profile's `includes.arches` /
    /// `excludes.arches` and used to pick the `archMap` entry.
    pub arch: String,
    /// The running kernel's version (major, minor), matched against `minKernel`.
    pub kernel: (u32, u32),
}

impl SeccompHost {
    /// Reads the facts of the machine we run on.
    ///
    /// The architecture is the one this program was built for, as libseccomp's "native"
    /// architecture is for Podman; the kernel version comes from `uname`. A kernel release
    /// that cannot be read counts as 0.0 (so rules needing a minimum kernel are left out).
    pub fn detect() -> Self {
        let kernel = match nix::sys::utsname::uname() {
            Ok(uts) => {
                let release = uts.release().to_string_lossy();
                parse_kernel_release(&release).unwrap_or_else(|| {
                    tracing::warn!(%release, "cannot parse the kernel release for seccomp");
                    (0, 0)
                })
            }
            Err(err) => {
                tracing::warn!(%err, "uname failed, assuming kernel 0.0 for seccomp");
                (0, 0)
            }
        };
        SeccompHost {
            arch: build_arch().to_string(),
            kernel,
        }
    }
}

/// The Go name of the architecture this crate was compiled for.
fn build_arch() -> &'static str {
    let little = cfg!(target_endian = "little");
    let narrow = cfg!(target_pointer_width = "32");
    match std::env::consts::ARCH {
        "x86_64" if narrow => "x32",
        "x86_64" => "amd64",
        "x86" => "x86",
        "aarch64" => "arm64",
        "arm" => "arm",
        "loongarch64" => "loong64",
        "m68k" => "m68k",
        "mips" | "mips32r6" if little => "mipsel",
        "mips" | "mips32r6" => "mips",
        "mips64" | "mips64r6" => match (little, narrow) {
            (true, true) => "mipsel64n32",
            (true, false) => "mipsel64",
            (false, true) => "mips64n32",
            (false, false) => "mips64",
        },
        "powerpc" => "ppc",
        "powerpc64" if little => "ppc64le",
        "powerpc64" => "ppc64",
        "riscv64" => "riscv64",
        "s390x" => "s390x",
        other => other,
    }
}

/// The (major, minor) of a kernel release such as `6.1.0-18-amd64` or `5.15-rc3`.
pub(super) fn parse_kernel_release(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.splitn(3, '.');
    let major = parts.next()?;
    let minor = parts.next()?;
    let leading_number = |part: &str| {
        let end = part
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(part.len());
        part[..end].parse::<u32>().ok()
    };
    Some((leading_number(major)?, leading_number(minor)?))
}

impl SeccompProfile {
    /// The OCI seccomp section for a container with these bounding capabilities (`CAP_*`).
    ///
    /// As containers/common's `setupSeccomp`: the architectures are the host's `archMap` entry
    /// (or `architectures`), and a rule is kept unless its `excludes` match (host arch listed,
    /// any listed capability held, kernel at least `minKernel`) or its `includes` do not (host
    /// arch not listed, a listed capability missing, kernel below `minKernel`). Rules keep their
    /// order. Syscall names libseccomp resolves on none of the architectures are dropped, and
    /// so are rules left without names.
    pub fn to_oci(&self, bounding_caps: &[String], host: &SeccompHost) -> Result<LinuxSeccomp> {
        let data = &*self.data;
        let architectures = data.target_architectures(&host.arch);
        let mut scmp_arches: Vec<ScmpArch> =
            architectures.iter().map(|&arch| scmp_arch(arch)).collect();
        if scmp_arches.is_empty() {
            // No architectures: the runtime filters for the native one only.
            scmp_arches.push(scmp_arch_from_go(&host.arch).unwrap_or(ScmpArch::Native));
        }
        let unresolvable = data
            .resolution
            .unresolvable(&scmp_arches, &data.syscalls, &data.origin);

        let mut syscalls = Vec::new();
        for rule in data
            .syscalls
            .iter()
            .filter(|rule| rule.applies(bounding_caps, host))
        {
            let names: Vec<String> = rule
                .names
                .iter()
                .filter(|name| !unresolvable.contains(*name))
                .cloned()
                .collect();
            if names.is_empty() {
                tracing::debug!(
                    profile = %data.origin.display(),
                    action = %rule.action,
                    "seccomp rule left without syscall names, dropped"
                );
                continue;
            }
            syscalls.push(rule.to_oci(names));
        }

        let mut seccomp = LinuxSeccomp::default();
        seccomp
            .set_default_action(data.default_action)
            .set_default_errno_ret(data.default_errno_ret)
            .set_architectures(non_empty(architectures))
            .set_flags(non_empty(data.flags.clone()))
            .set_listener_path(data.listener_path.clone())
            .set_listener_metadata(data.listener_metadata.clone())
            .set_syscalls(non_empty(syscalls));
        Ok(seccomp)
    }
}

impl ProfileData {
    /// The `architectures` list, or the `archMap` entry (and its sub-architectures) of the host.
    fn target_architectures(&self, host_arch: &str) -> Vec<Arch> {
        if !self.architectures.is_empty() {
            return self.architectures.clone();
        }
        let Some(native) = arch_map_key(host_arch) else {
            return Vec::new();
        };
        match self.arch_map.iter().find(|entry| entry.arch == native) {
            Some(entry) => std::iter::once(entry.arch)
                .chain(entry.sub_arches.iter().copied())
                .collect(),
            None => Vec::new(),
        }
    }
}

impl SyscallRule {
    /// Whether the rule's `includes` / `excludes` let it apply to this container.
    pub(super) fn applies(&self, bounding_caps: &[String], host: &SeccompHost) -> bool {
        let holds = |cap: &String| bounding_caps.contains(cap);
        let RuleFilter {
            caps,
            arches,
            min_kernel,
        } = &self.excludes;
        if arches.contains(&host.arch)
            || caps.iter().any(holds)
            || min_kernel.is_some_and(|min| host.kernel >= min)
        {
            return false;
        }
        let RuleFilter {
            caps,
            arches,
            min_kernel,
        } = &self.includes;
        (arches.is_empty() || arches.contains(&host.arch))
            && caps.iter().all(holds)
            && min_kernel.is_none_or(|min| host.kernel >= min)
    }

    fn to_oci(&self, names: Vec<String>) -> LinuxSyscall {
        let mut syscall = LinuxSyscall::default();
        syscall
            .set_names(names)
            .set_action(self.action)
            .set_errno_ret(self.errno_ret)
            .set_args(non_empty(self.args.clone()));
        syscall
    }
}

/// `None` for an empty list, which Podman leaves out of config.json.
fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}
