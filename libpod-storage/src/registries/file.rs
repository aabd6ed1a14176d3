//! One registries.conf file: TOML decoding, v1 conversion and the checks containers/image
//! makes (`loadConfigFile` and `postProcessRegistries`).

use super::{
    Mirror, PullFromMirror, RegistriesConfig, Registry, ShortNameMode, aliases, conf_error,
};
use crate::error::Result;
use crate::reference::grammar;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The file as written. Keys containers/image does not know are ignored, as it does.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawFile {
    #[serde(rename = "unqualified-search-registries")]
    unqualified_search_registries: Option<Vec<String>>,
    #[serde(rename = "short-name-mode")]
    short_name_mode: String,
    #[serde(rename = "credential-helpers")]
    credential_helpers: Option<Vec<String>>,
    #[serde(rename = "additional-layer-store-auth-helper")]
    additional_layer_store_auth_helper: String,
    registry: Option<Vec<RawRegistry>>,
    aliases: Option<BTreeMap<String, String>>,
    /// The v1 format: `[registries.search]`, `[registries.insecure]`, `[registries.block]`.
    registries: RawV1,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRegistry {
    prefix: String,
    location: String,
    insecure: bool,
    blocked: bool,
    #[serde(rename = "mirror-by-digest-only")]
    mirror_by_digest_only: bool,
    #[serde(rename = "pull-from-mirror")]
    pull_from_mirror: String,
    mirror: Vec<RawMirror>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawMirror {
    location: String,
    insecure: bool,
    #[serde(rename = "pull-from-mirror")]
    pull_from_mirror: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawV1 {
    search: RawV1List,
    insecure: RawV1List,
    block: RawV1List,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawV1List {
    registries: Option<Vec<String>>,
}

impl RawFile {
    /// Whether any v2 setting is present; like containers/image, an empty array counts.
    fn has_v2(&self) -> bool {
        self.unqualified_search_registries.is_some()
            || !self.short_name_mode.is_empty()
            || self.credential_helpers.is_some()
            || !self.additional_layer_store_auth_helper.is_empty()
            || self.registry.is_some()
            || self.aliases.is_some()
    }

    /// Whether any v1 list is present, even empty.
    fn has_v1(&self) -> bool {
        let v1 = &self.registries;
        v1.search.registries.is_some()
            || v1.insecure.registries.is_some()
            || v1.block.registries.is_some()
    }
}

/// Parses one file; drop-ins (`require_v2`) may not use the v1 format.
pub(super) fn parse(origin: &Path, text: &str, require_v2: bool) -> Result<RegistriesConfig> {
    let mut raw: RawFile =
        toml::from_str(text).map_err(|e| conf_error(origin, toml_reason(&e, text)))?;
    if raw.has_v1() {
        if require_v2 {
            return Err(conf_error(
                origin,
                "registry must be in v2 format but is in v1",
            ));
        }
        if raw.has_v2() {
            return Err(conf_error(
                origin,
                "mixing sysregistry v1/v2 is not supported",
            ));
        }
        raw = convert_v1(raw).map_err(|reason| conf_error(origin, reason))?;
    }
    validate(origin, raw).map_err(|reason| conf_error(origin, reason))
}

/// containers/image's `ConvertToV2`: blocked and insecure hosts become `[[registry]]` entries
/// (in order of first mention), the search list becomes the unqualified-search list.
fn convert_v1(raw: RawFile) -> Result<RawFile, String> {
    let v1 = raw.registries;
    let mut entries: Vec<RawRegistry> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let lists = [(v1.block.registries, true), (v1.insecure.registries, false)];
    for (hosts, is_block_list) in lists {
        for host in hosts.unwrap_or_default() {
            let location = parse_location(&host)?;
            let index = *index_of.entry(location.clone()).or_insert_with(|| {
                entries.push(RawRegistry {
                    prefix: location.clone(),
                    location,
                    ..RawRegistry::default()
                });
                entries.len() - 1
            });
            if is_block_list {
                entries[index].blocked = true;
            } else {
                entries[index].insecure = true;
            }
        }
    }
    Ok(RawFile {
        unqualified_search_registries: v1.search.registries,
        registry: Some(entries),
        ..RawFile::default()
    })
}

/// The checks of `postProcessRegistries` and `loadConfigFile`, in their order.
fn validate(origin: &Path, raw: RawFile) -> Result<RegistriesConfig, String> {
    let entries = raw
        .registry
        .unwrap_or_default()
        .into_iter()
        .map(|entry| validate_registry(origin, entry))
        .collect::<Result<Vec<_>, _>>()?;
    check_conflicts(&entries)?;

    let unqualified_search_registries = match raw.unqualified_search_registries {
        Some(hosts) => Some(
            hosts
                .iter()
                .map(|host| {
                    let host = parse_location(host)?;
                    if !grammar::is_domain_and_port(&host) {
                        return Err(format!(
                            "invalid unqualified-search-registries entry {host:?}"
                        ));
                    }
                    Ok(host)
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };

    // The first entry with a prefix wins: later ones could never be chosen, and
    // containers/image ignores them rather than break existing files.
    let mut registries = BTreeMap::new();
    for entry in entries {
        if registries.contains_key(&entry.prefix) {
            tracing::warn!(origin = %origin.display(), prefix = %entry.prefix,
                "registries.conf repeats a prefix; only its first [[registry]] is used");
            continue;
        }
        registries.insert(entry.prefix.clone(), entry);
    }

    let short_name_mode = match raw.short_name_mode.as_str() {
        "" => None,
        "enforcing" => Some(ShortNameMode::Enforcing),
        "permissive" => Some(ShortNameMode::Permissive),
        "disabled" => Some(ShortNameMode::Disabled),
        other => return Err(format!("invalid short-name mode {other:?}")),
    };

    if let Some(prefix) = registries
        .keys()
        .find(|prefix| prefix.starts_with("*.") && prefix.contains(['/', '@', ':']))
    {
        return Err(format!(
            "wildcarded prefix should be in the format *.example.com, not {prefix:?}"
        ));
    }

    let aliases = aliases::parse(origin, &raw.aliases.unwrap_or_default())
        .map_err(|reason| format!("validating short-name aliases: {reason}"))?;

    Ok(RegistriesConfig {
        unqualified_search_origin: unqualified_search_registries
            .as_ref()
            .map(|_| origin.to_owned()),
        unqualified_search_registries,
        short_name_mode,
        credential_helpers: raw.credential_helpers,
        registries,
        aliases,
        recorded_aliases: BTreeMap::new(),
        sources: vec![origin.to_owned()],
    })
}

fn validate_registry(origin: &Path, raw: RawRegistry) -> Result<Registry, String> {
    let location = parse_location(&raw.location)?;
    let prefix = if raw.prefix.is_empty() {
        if location.is_empty() {
            return Err("invalid condition: both location and prefix are unset".into());
        }
        location.clone()
    } else {
        let prefix = parse_location(&raw.prefix)?;
        if !prefix.starts_with("*.") && location.is_empty() {
            return Err(format!(
                "invalid condition: location is unset and prefix {prefix:?} is not in the format *.example.com"
            ));
        }
        prefix
    };
    if !raw.pull_from_mirror.is_empty() {
        return Err(format!(
            "pull-from-mirror must not be set for a non-mirror registry {prefix:?}"
        ));
    }
    let mut mirrors = Vec::with_capacity(raw.mirror.len());
    for mirror in raw.mirror {
        let location = parse_location(&mirror.location)?;
        if location.is_empty() {
            return Err(format!(
                "invalid condition: a mirror location of {prefix:?} is unset"
            ));
        }
        if raw.mirror_by_digest_only && !mirror.pull_from_mirror.is_empty() {
            return Err(format!(
                "cannot set mirror usage mirror-by-digest-only for the registry ({prefix:?}) and pull-from-mirror for per-mirror ({location:?}) at the same time"
            ));
        }
        let pull_from_mirror = match mirror.pull_from_mirror.as_str() {
            "" | "all" => PullFromMirror::All,
            "digest-only" => PullFromMirror::DigestOnly,
            "tag-only" => PullFromMirror::TagOnly,
            other => {
                return Err(format!(
                    "unsupported pull-from-mirror value {other:?} for mirror {location:?}"
                ));
            }
        };
        mirrors.push(Mirror {
            location,
            insecure: mirror.insecure,
            pull_from_mirror,
        });
    }
    Ok(Registry {
        prefix,
        location,
        insecure: raw.insecure,
        blocked: raw.blocked,
        mirror_by_digest_only: raw.mirror_by_digest_only,
        mirrors,
        origin: origin.to_owned(),
    })
}

/// Entries for the same location (or the same wildcard prefix, without one) must agree on
/// `insecure` and `blocked`.
fn check_conflicts(entries: &[Registry]) -> Result<(), String> {
    let mut first_of: HashMap<&str, &Registry> = HashMap::new();
    for entry in entries {
        let key = if entry.location.is_empty() {
            &entry.prefix
        } else {
            &entry.location
        };
        let first = *first_of.entry(key).or_insert(entry);
        let conflict = if first.insecure != entry.insecure {
            "insecure"
        } else if first.blocked != entry.blocked {
            "blocked"
        } else {
            continue;
        };
        return Err(format!(
            "registry {:?} is defined multiple times with conflicting {conflict:?} setting",
            entry.location
        ));
    }
    Ok(())
}

/// containers/image's `parseLocation`: trailing slashes go, URL schemes are refused.
pub(super) fn parse_location(input: &str) -> Result<String, String> {
    let trimmed = input.trim_end_matches('/');
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        return Err(format!(
            "invalid location {input:?}: URI schemes are not supported"
        ));
    }
    Ok(trimmed.to_owned())
}

/// A TOML error with the line and column it happened at.
fn toml_reason(error: &toml::de::Error, text: &str) -> String {
    let Some(span) = error.span() else {
        return error.message().to_owned();
    };
    let before = &text.as_bytes()[..span.start.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    format!(
        "line {line}, column {column}: {}",
        error.message().trim_end()
    )
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
