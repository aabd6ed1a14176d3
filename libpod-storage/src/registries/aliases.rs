//! Short-name aliases (`[aliases]`): the checks of containers/image's `validateShortName` and
//! `parseShortNameValue`, and the machine-written short-name-aliases.conf.

use super::{Alias, conf_error};
use crate::error::{Result, StorageError};
use crate::reference::{ImageReference, grammar, names_a_registry};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Validates an `[aliases]` table. Every bad entry is reported, not only the first, so that
/// one edit fixes the file. An empty value erases the alias an earlier file set.
pub(super) fn parse(
    origin: &Path,
    table: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Alias>, String> {
    let mut aliases = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, value) in table {
        if let Err(e) = check_short_name(name) {
            errors.push(e);
            continue;
        }
        let value = if value.is_empty() {
            None
        } else {
            match parse_value(value) {
                Ok(value) => Some(value),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            }
        };
        let origin = origin.to_owned();
        aliases.insert(name.clone(), Alias { value, origin });
    }
    if errors.is_empty() {
        Ok(aliases)
    } else {
        Err(errors.join("; "))
    }
}

/// The left-hand side: a short name without tag or digest.
fn check_short_name(name: &str) -> Result<(), String> {
    let components = grammar::parse(name)
        .map_err(|e| format!("cannot parse short name {name:?}: {}", e.reason()))?;
    if components.digest.is_some() {
        return Err(format!(
            "invalid short name {name:?}: must not contain digest"
        ));
    }
    if components.tag.is_some() {
        return Err(format!("invalid short name {name:?}: must not contain tag"));
    }
    if components.domain.is_some_and(names_a_registry) {
        return Err(format!(
            "invalid short name {name:?}: must not contain registry"
        ));
    }
    Ok(())
}

/// The right-hand side: a fully-qualified name without tag or digest, normalised.
fn parse_value(value: &str) -> Result<ImageReference, String> {
    let components =
        grammar::parse(value).map_err(|e| format!("parsing alias {value:?}: {}", e.reason()))?;
    if components.digest.is_some() {
        return Err(format!("invalid alias {value:?}: must not contain digest"));
    }
    if components.tag.is_some() {
        return Err(format!("invalid alias {value:?}: must not contain tag"));
    }
    if !components.domain.is_some_and(names_a_registry) {
        return Err(format!(
            "invalid alias {value:?}: must contain registry and repository"
        ));
    }
    ImageReference::parse_named(value).map_err(|e| match e {
        StorageError::InvalidReference { reason, .. } => {
            format!("parsing alias {value:?}: {reason}")
        }
        other => other.to_string(),
    })
}

/// short-name-aliases.conf: only an `[aliases]` table.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RecordedFile {
    aliases: BTreeMap<String, String>,
}

/// Parses the machine-written short-name-aliases.conf.
pub(super) fn parse_recorded(origin: &Path, text: &str) -> Result<BTreeMap<String, Alias>> {
    let file: RecordedFile = toml::from_str(text).map_err(|e| {
        conf_error(
            origin,
            format!("loading short-name aliases: {}", e.message().trim_end()),
        )
    })?;
    parse(origin, &file.aliases)
        .map_err(|reason| conf_error(origin, format!("loading short-name aliases: {reason}")))
}

#[cfg(test)]
#[path = "aliases_tests.rs"]
mod tests;
