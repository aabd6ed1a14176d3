//! Architecture names, and which syscall names libseccomp can resolve.

use super::profile::SyscallRule;
use libseccomp::{ScmpArch, ScmpSyscall};
use oci_spec::runtime::Arch;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Architecture names as Go's libseccomp binding spells them (`ScmpArch.String()`), which is
/// what profiles use in `includes.arches` / `excludes.arches`.
pub(super) const GO_ARCH_NAMES: &[&str] = &[
    "x86",
    "amd64",
    "x32",
    "arm",
    "arm64",
    "loong64",
    "m68k",
    "mips",
    "mips64",
    "mips64n32",
    "mipsel",
    "mipsel64",
    "mipsel64n32",
    "ppc",
    "ppc64",
    "ppc64le",
    "parisc",
    "parisc64",
    "riscv64",
    "s390",
    "s390x",
    "sh",
    "sheb",
];

/// The `archMap` entry used for a host, keyed by the host's Go arch name.
///
/// containers/common (`nativeToSeccomp`) only consults `archMap` on these hosts; elsewhere the
/// profile gets no architectures and libseccomp falls back to the native one.
pub(super) fn arch_map_key(go_arch: &str) -> Option<Arch> {
    Some(match go_arch {
        "amd64" => Arch::ScmpArchX86_64,
        "arm64" => Arch::ScmpArchAarch64,
        "mips64" => Arch::ScmpArchMips64,
        "mips64n32" => Arch::ScmpArchMips64n32,
        "mipsel64" => Arch::ScmpArchMipsel64,
        "mipsel64n32" => Arch::ScmpArchMipsel64n32,
        "s390x" => Arch::ScmpArchS390x,
        _ => return None,
    })
}

/// The libseccomp token for an architecture named by its Go name.
pub(super) fn scmp_arch_from_go(go_arch: &str) -> Option<ScmpArch> {
    Some(match go_arch {
        "x86" => ScmpArch::X86,
        "amd64" => ScmpArch::X8664,
        "x32" => ScmpArch::X32,
        "arm" => ScmpArch::Arm,
        "arm64" => ScmpArch::Aarch64,
        "loong64" => ScmpArch::Loongarch64,
        "m68k" => ScmpArch::M68k,
        "mips" => ScmpArch::Mips,
        "mips64" => ScmpArch::Mips64,
        "mips64n32" => ScmpArch::Mips64N32,
        "mipsel" => ScmpArch::Mipsel,
        "mipsel64" => ScmpArch::Mipsel64,
        "mipsel64n32" => ScmpArch::Mipsel64N32,
        "ppc" => ScmpArch::Ppc,
        "ppc64" => ScmpArch::Ppc64,
        "ppc64le" => ScmpArch::Ppc64Le,
        "parisc" => ScmpArch::Parisc,
        "parisc64" => ScmpArch::Parisc64,
        "riscv64" => ScmpArch::Riscv64,
        "s390" => ScmpArch::S390,
        "s390x" => ScmpArch::S390X,
        "sh" => ScmpArch::Sh,
        "sheb" => ScmpArch::Sheb,
        _ => return None,
    })
}

/// The libseccomp token for an OCI architecture.
pub(super) fn scmp_arch(arch: Arch) -> ScmpArch {
    match arch {
        Arch::ScmpArchNative => ScmpArch::Native,
        Arch::ScmpArchX86 => ScmpArch::X86,
        Arch::ScmpArchX86_64 => ScmpArch::X8664,
        Arch::ScmpArchX32 => ScmpArch::X32,
        Arch::ScmpArchArm => ScmpArch::Arm,
        Arch::ScmpArchAarch64 => ScmpArch::Aarch64,
        Arch::ScmpArchMips => ScmpArch::Mips,
        Arch::ScmpArchMips64 => ScmpArch::Mips64,
        Arch::ScmpArchMips64n32 => ScmpArch::Mips64N32,
        Arch::ScmpArchMipsel => ScmpArch::Mipsel,
        Arch::ScmpArchMipsel64 => ScmpArch::Mipsel64,
        Arch::ScmpArchMipsel64n32 => ScmpArch::Mipsel64N32,
        Arch::ScmpArchPpc => ScmpArch::Ppc,
        Arch::ScmpArchPpc64 => ScmpArch::Ppc64,
        Arch::ScmpArchPpc64le => ScmpArch::Ppc64Le,
        Arch::ScmpArchS390 => ScmpArch::S390,
        Arch::ScmpArchS390x => ScmpArch::S390X,
        Arch::ScmpArchParisc => ScmpArch::Parisc,
        Arch::ScmpArchParisc64 => ScmpArch::Parisc64,
        Arch::ScmpArchRiscv64 => ScmpArch::Riscv64,
        Arch::ScmpArchLoongarch64 => ScmpArch::Loongarch64,
        Arch::ScmpArchM68k => ScmpArch::M68k,
        Arch::ScmpArchSh => ScmpArch::Sh,
        Arch::ScmpArchSheb => ScmpArch::Sheb,
    }
}

/// Names unknown to libseccomp on every architecture of a filter.
type Unresolvable = Arc<HashSet<String>>;

/// Remembers, per set of target architectures, which of a profile's syscall names libseccomp
/// cannot resolve, so that creating a container does not resolve ~400 names again.
///
/// Shared by the clones of a profile; ignored by `PartialEq` (it only caches).
#[derive(Default)]
pub(super) struct ResolutionCache {
    by_arches: Mutex<HashMap<Vec<ScmpArch>, Unresolvable>>,
}

impl std::fmt::Debug for ResolutionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResolutionCache { .. }")
    }
}

impl PartialEq for ResolutionCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl ResolutionCache {
    /// The names of `rules` that resolve on none of `arches`, computed once per `arches` (a
    /// warning names each of them, and the profile, the first time).
    pub(super) fn unresolvable(
        &self,
        arches: &[ScmpArch],
        rules: &[SyscallRule],
        origin: &Path,
    ) -> Unresolvable {
        // A panic elsewhere while holding the lock cannot leave the map half-written.
        let mut by_arches = self
            .by_arches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(known) = by_arches.get(arches) {
            return Arc::clone(known);
        }
        let mut unresolvable = HashSet::new();
        let mut checked = HashSet::new();
        for name in rules.iter().flat_map(|rule| &rule.names) {
            if checked.insert(name.as_str()) && !resolves_on_any(name, arches) {
                tracing::warn!(
                    syscall = %name,
                    profile = %origin.display(),
                    "dropping syscall unknown to libseccomp from the seccomp profile"
                );
                unresolvable.insert(name.clone());
            }
        }
        let unresolvable = Arc::new(unresolvable);
        by_arches.insert(arches.to_vec(), Arc::clone(&unresolvable));
        unresolvable
    }

    /// How many architecture sets have been resolved.
    #[cfg(test)]
    pub(super) fn cached_sets(&self) -> usize {
        self.by_arches.lock().map_or(0, |by_arches| by_arches.len())
    }
}

/// Whether libseccomp knows `name` on at least one of `arches`.
pub(super) fn resolves_on_any(name: &str, arches: &[ScmpArch]) -> bool {
    arches
        .iter()
        .any(|&arch| ScmpSyscall::from_name_by_arch(name, arch).is_ok())
}
