//! One credentials file: parsing its JSON and finding the entry for a repository, with
//! containers/image 5.23's rules (pkg/docker/config/config.go: `readJSONFile`,
//! `findCredentialsInFile`, `authKeysForKey`, `normalizeAuthFileKey`, `decodeDockerAuth`).

use super::auth_file::Credentials;
use crate::error::{Result, StorageError};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits accepted.
const GO_STD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// One entry of `"auths"`, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct AuthEntry {
    /// base64 of `user:password`.
    auth: String,
    /// OAuth2 refresh token, empty if none.
    identity_token: String,
}

/// The parsed content of one credentials file (`auth.json`, Docker's `config.json`, or a
/// legacy `.dockercfg`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFileContent {
    path: PathBuf,
    legacy_format: bool,
    auths: BTreeMap<String, AuthEntry>,
    cred_helpers: BTreeMap<String, String>,
}

impl AuthFileContent {
    /// Parses a file's bytes. As in Go's `encoding/json`, field names match case-insensitively,
    /// unknown fields (`credsStore`, `HttpHeaders`, `email`...) are ignored and `null` stands
    /// for an empty value; anything else of the wrong type is an error. `path` names the file
    /// in errors.
    pub fn parse(path: &Path, bytes: &[u8], legacy_format: bool) -> Result<AuthFileContent> {
        let malformed = |reason: String| StorageError::AuthFile {
            path: path.to_owned(),
            reason,
        };
        let document: Value = serde_json::from_slice(bytes)
            .map_err(|err| malformed(format!("not valid JSON: {err}")))?;
        let top = as_object(&document, "the file").map_err(malformed)?;
        let mut content = AuthFileContent {
            path: path.to_owned(),
            legacy_format,
            auths: BTreeMap::new(),
            cred_helpers: BTreeMap::new(),
        };
        let Some(top) = top else {
            return Ok(content);
        };
        let (auths, helpers) = if legacy_format {
            (Some(top), None)
        } else {
            let auths = field(top, "auths").map(|v| as_object(v, "\"auths\""));
            let helpers = field(top, "credHelpers").map(|v| as_object(v, "\"credHelpers\""));
            (
                auths.transpose().map_err(malformed)?.flatten(),
                helpers.transpose().map_err(malformed)?.flatten(),
            )
        };
        for (key, value) in auths.into_iter().flatten() {
            let entry = parse_entry(key, value).map_err(malformed)?;
            content.auths.insert(key.clone(), entry);
        }
        for (key, value) in helpers.into_iter().flatten() {
            let helper =
                as_string(value, &format!("credential helper for {key:?}")).map_err(malformed)?;
            content.cred_helpers.insert(key.clone(), helper);
        }
        Ok(content)
    }

    /// The credentials this file holds for `repository` on `registry` (see
    /// [`AuthFiles::lookup`](super::AuthFiles::lookup)), `None` if it has none.
    ///
    /// An entry whose decoded `auth` has no `:` (Docker writes `{}` entries next to a
    /// credential helper) counts as no entry, as in containers/image. A `credHelpers` entry
    /// for the registry would make containers/image run `docker-credential-<helper>` instead
    /// of reading this file; we do not run helpers, so the file then has nothing for the
    /// registry (logged at debug level).
    pub fn find(&self, registry: &str, repository: &str) -> Result<Option<Credentials>> {
        if let Some(helper) = self.cred_helpers.get(registry) {
            tracing::debug!(
                "{}: credential helper {helper:?} for {registry} not supported, skipping the file",
                self.path.display()
            );
            return Ok(None);
        }
        // Namespaced keys are an extension of containers/image, not in legacy files; they
        // only match exactly.
        let key = if repository.is_empty() || self.legacy_format {
            registry.to_owned()
        } else {
            format!("{registry}/{repository}")
        };
        for candidate in key_and_parents(&key) {
            if let Some(entry) = self.auths.get(candidate) {
                return self.decode(candidate, entry);
            }
        }
        // Then registry keys written as URLs (`docker login` accepted them for years, and
        // Docker Hub's is still `https://index.docker.io/v1/`).
        let wanted = normalize_registry(registry);
        for (candidate, entry) in &self.auths {
            if normalize_key(candidate, self.legacy_format) == wanted {
                return self.decode(candidate, entry);
            }
        }
        Ok(None)
    }

    /// `decodeDockerAuth`: base64 of `user:password`; `None` when there is nothing in it.
    fn decode(&self, key: &str, entry: &AuthEntry) -> Result<Option<Credentials>> {
        let invalid = |reason: String| StorageError::AuthFile {
            path: self.path.clone(),
            reason: format!("the \"auth\" field of {key:?} {reason}"),
        };
        // Go's decoder skips line breaks.
        let auth: String = entry
            .auth
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n'))
            .collect();
        let decoded = GO_STD_BASE64
            .decode(auth)
            .map_err(|err| invalid(format!("is not base64: {err}")))?;
        let decoded =
            String::from_utf8(decoded).map_err(|_| invalid("is not UTF-8 text".to_owned()))?;
        let Some((username, password)) = decoded.split_once(':') else {
            if decoded.is_empty() {
                tracing::debug!("{}: empty entry {key:?}", self.path.display());
            } else {
                tracing::warn!(
                    "{}: the \"auth\" field of {key:?} has no ':'",
                    self.path.display()
                );
            }
            return Ok(None);
        };
        let credentials = Credentials {
            username: username.to_owned(),
            password: password.trim_matches('\0').to_owned(),
            identity_token: Some(entry.identity_token.clone()).filter(|t| !t.is_empty()),
        };
        let empty = credentials.username.is_empty()
            && credentials.password.is_empty()
            && credentials.identity_token.is_none();
        Ok((!empty).then_some(credentials))
    }
}

/// `authKeysForKey`: `host/ns/repo`, `host/ns`, `host`.
fn key_and_parents(key: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(key), |key| {
        key.rsplit_once('/').map(|(parent, _)| parent)
    })
}

/// `normalizeAuthFileKey`: a URL key is reduced to its host; so is any legacy key.
fn normalize_key(key: &str, legacy_format: bool) -> &str {
    let stripped = key.strip_prefix("http://").unwrap_or(key);
    let stripped = stripped.strip_prefix("https://").unwrap_or(stripped);
    let host = if legacy_format || stripped.len() != key.len() {
        stripped.split('/').next().unwrap_or(stripped)
    } else {
        stripped
    };
    normalize_registry(host)
}

/// Docker Hub's host names all stand for `index.docker.io`.
fn normalize_registry(registry: &str) -> &str {
    match registry {
        "registry-1.docker.io" | "docker.io" => "index.docker.io",
        other => other,
    }
}

/// The members of `object` whose name is `name`, exactly or ignoring ASCII case (Go's
/// `encoding/json` matches struct fields that way); the exact name wins.
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// An object, `None` for `null`, an error for anything else.
fn as_object<'a>(
    value: &'a Value,
    what: &str,
) -> std::result::Result<Option<&'a Map<String, Value>>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Object(object) => Ok(Some(object)),
        other => Err(format!("{what} is {}, not an object", kind(other))),
    }
}

/// A string, empty for `null`, an error for anything else.
fn as_string(value: &Value, what: &str) -> std::result::Result<String, String> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(text) => Ok(text.clone()),
        other => Err(format!("{what} is {}, not a string", kind(other))),
    }
}

fn parse_entry(key: &str, value: &Value) -> std::result::Result<AuthEntry, String> {
    let Some(object) = as_object(value, &format!("entry {key:?}"))? else {
        return Ok(AuthEntry::default());
    };
    let text = |name: &str| {
        field(object, name)
            .map(|value| as_string(value, &format!("{name:?} of {key:?}")))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    Ok(AuthEntry {
        auth: text("auth")?,
        identity_token: text("identitytoken")?,
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[path = "auth_json_tests.rs"]
mod tests;
