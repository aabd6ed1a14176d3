//! Platforms (`os/arch[/variant]`) and choosing one from an index, normalised as containerd's
//! `platforms` package does.

use crate::error::{Result, StorageError};
use oci_spec::image::Descriptor;
use std::fmt;

/// A platform to select from an index: `os/arch[/variant]`, normalised as containerd does
/// (`x86_64` is `amd64`, `aarch64` is `arm64` with variant `v8`, ...).
///
/// ```
/// use libpod_storage::manifest::Platform;
/// let p = Platform::parse("linux/aarch64")?;
/// assert_eq!(p.architecture, "arm64");
/// assert_eq!(p.variant, None);
/// assert_eq!(Platform::parse("linux/armhf")?.to_string(), "linux/arm/v7");
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// Architecture, e.g. `amd64`.
    pub architecture: String,
    /// Variant, e.g. `v8`; `None` matches any.
    pub variant: Option<String>,
}

impl Platform {
    /// The platform of this machine.
    pub fn host() -> Self {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            other => other,
        };
        let little_endian = cfg!(target_endian = "little");
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "x86" => ("386", None),
            "aarch64" => ("arm64", Some("v8")),
            "arm" => ("arm", None),
            "powerpc64" if little_endian => ("ppc64le", None),
            "powerpc64" => ("ppc64", None),
            "powerpc" => ("ppc", None),
            "mips64" if little_endian => ("mips64le", None),
            "mips" if little_endian => ("mipsle", None),
            "loongarch64" => ("loong64", None),
            "sparc64" => ("sparc64", None),
            // s390x, riscv64, mips64 and mips are spelled as Go spells them.
            other => (other, None),
        };
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant: variant.map(str::to_string),
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Self> {
        let invalid = |reason: &str| StorageError::invalid("platform", s, reason);
        let parts: Vec<&str> = s.split('/').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(invalid("expected os/arch[/variant]"));
        }
        for part in &parts {
            if part.is_empty() {
                return Err(invalid("empty component"));
            }
            if !part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            {
                return Err(invalid(
                    "only letters, digits, '.', '_' and '-' are allowed",
                ));
            }
        }
        let (architecture, variant) = normalize_arch(parts[1], parts.get(2).copied());
        Ok(Platform {
            os: normalize_os(parts[0]),
            architecture,
            variant,
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// Picks the manifest for `platform` from an index's descriptors.
///
/// OS and architecture must match after normalisation. A wanted variant of `None` matches any
/// variant; otherwise a descriptor without a variant has its architecture's default (`v1` for
/// amd64, `v8` for arm64, `v7` for arm), and a wanted `amd64/vN` or `arm/vN` also accepts older
/// variants, preferring the newest. Among equally good matches the first wins.
///
/// ```
/// use libpod_storage::manifest::{select_platform, Platform};
/// use oci_spec::image::{Descriptor, MediaType, PlatformBuilder};
/// let digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/// let entry = |arch: &str| {
///     let mut d = Descriptor::new(MediaType::ImageManifest, 2, digest.parse::<oci_spec::image::Digest>().unwrap());
///     d.set_platform(Some(PlatformBuilder::default().os("linux").architecture(arch).build().unwrap()));
///     d
/// };
/// let index = [entry("amd64"), entry("arm64")];
/// let chosen = select_platform(&index, &Platform::parse("linux/arm64/v8")?)?;
/// assert_eq!(chosen.platform().as_ref().unwrap().architecture().to_string(), "arm64");
/// assert!(select_platform(&index, &Platform::parse("linux/s390x")?).is_err());
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn select_platform<'a>(
    manifests: &'a [Descriptor],
    platform: &Platform,
) -> Result<&'a Descriptor> {
    let wanted_os = normalize_os(&platform.os);
    let (wanted_arch, wanted_variant) =
        normalize_arch(&platform.architecture, platform.variant.as_deref());
    let acceptable = wanted_variant
        .as_deref()
        .map(|variant| acceptable_variants(&wanted_arch, variant));
    let mut best: Option<(usize, &Descriptor)> = None;
    for descriptor in manifests {
        let Some(offered) = descriptor.platform() else {
            continue;
        };
        let (arch, variant) = normalize_arch(
            &offered.architecture().to_string(),
            offered.variant().as_deref(),
        );
        if normalize_os(&offered.os().to_string()) != wanted_os || arch != wanted_arch {
            continue;
        }
        let rank = match &acceptable {
            None => 0,
            Some(list) => {
                let variant = variant.or_else(|| default_variant(&arch).map(str::to_string));
                match list.iter().position(|v| Some(v) == variant.as_ref()) {
                    Some(rank) => rank,
                    None => continue,
                }
            }
        };
        if best.is_none_or(|(best_rank, _)| rank < best_rank) {
            best = Some((rank, descriptor));
        }
    }
    best.map(|(_, descriptor)| descriptor)
        .ok_or_else(|| no_match(manifests, platform))
}

fn no_match(manifests: &[Descriptor], platform: &Platform) -> StorageError {
    const SHOWN: usize = 32;
    let mut available: Vec<String> = manifests
        .iter()
        .take(SHOWN)
        .map(|d| match d.platform() {
            Some(p) => {
                let variant = p.variant().as_deref().map(|v| format!("/{v}"));
                format!(
                    "{}/{}{}",
                    p.os(),
                    p.architecture(),
                    variant.unwrap_or_default()
                )
            }
            None => "(no platform)".to_string(),
        })
        .collect();
    if manifests.len() > SHOWN {
        available.push(format!("and {} more", manifests.len() - SHOWN));
    }
    let available = if available.is_empty() {
        "none".to_string()
    } else {
        available.join(", ")
    };
    StorageError::Unsupported {
        what: "platform",
        reason: format!("no image for {platform} in the index; available: {available}"),
    }
}

fn normalize_os(os: &str) -> String {
    match os.to_ascii_lowercase().as_str() {
        "macos" => "darwin".to_string(),
        other => other.to_string(),
    }
}

/// Architecture and variant in containerd's canonical spelling. An absent variant stays absent:
/// for a wanted platform it means "any", for an offered one the architecture's default.
fn normalize_arch(arch: &str, variant: Option<&str>) -> (String, Option<String>) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant
        .map(str::to_ascii_lowercase)
        .filter(|v| !v.is_empty());
    let (arch, variant) = match arch.as_str() {
        "i386" | "i686" | "386" => ("386", None),
        "x86_64" | "x86-64" | "amd64" => ("amd64", variant),
        "aarch64" | "arm64" => {
            let variant = match variant.as_deref() {
                Some("8" | "v8.0") => Some("v8".to_string()),
                Some("9" | "9.0" | "v9.0") => Some("v9".to_string()),
                _ => variant,
            };
            ("arm64", variant)
        }
        "armhf" => ("arm", Some(variant.unwrap_or_else(|| "v7".to_string()))),
        "armel" => ("arm", Some(variant.unwrap_or_else(|| "v6".to_string()))),
        "arm" => {
            let variant = match variant.as_deref() {
                Some(n @ ("5" | "6" | "7" | "8")) => Some(format!("v{n}")),
                _ => variant,
            };
            ("arm", variant)
        }
        other => return (other.to_string(), variant),
    };
    (arch.to_string(), variant)
}

/// The variant an offered platform without one is taken to have.
fn default_variant(arch: &str) -> Option<&'static str> {
    match arch {
        "amd64" => Some("v1"),
        "arm64" => Some("v8"),
        "arm" => Some("v7"),
        _ => None,
    }
}

/// The variants that run on `variant` of `arch`, best first: `amd64/v3` runs v3, v2 and v1
/// images, `arm/v7` runs v7, v6 and v5 ones; other variants only themselves.
fn acceptable_variants(arch: &str, variant: &str) -> Vec<String> {
    let level = variant
        .strip_prefix('v')
        .and_then(|n| n.parse::<u32>().ok());
    let lowest = match arch {
        "amd64" => 1,
        "arm" => 5,
        _ => return vec![variant.to_string()],
    };
    match level {
        Some(level) if (lowest..=9).contains(&level) => {
            (lowest..=level).rev().map(|n| format!("v{n}")).collect()
        }
        _ => vec![variant.to_string()],
    }
}

#[cfg(test)]
#[path = "manifest_platform_tests.rs"]
mod tests;
