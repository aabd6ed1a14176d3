//! The hook JSON schemas, 1.0.0 and 0.1.0.

use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// A hook in the 1.0.0 schema (0.1.0 files are converted to it).
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// The OCI hook to run.
    pub hook: oci_spec::runtime::Hook,
    /// When to inject it.
    pub when: When,
    /// The stages (`prestart`, `createRuntime`, `createContainer`, `startContainer`,
    /// `poststart`, `poststop`).
    pub stages: Vec<String>,
}

/// Conditions for injecting a hook; all given ones must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct When {
    /// Inject unconditionally.
    pub always: bool,
    /// Annotation key and value regexes that must both match one of the container's annotations.
    pub annotations: BTreeMap<String, String>,
    /// Regexes matched against the container's command (`process.args[0]`).
    pub commands: Vec<String>,
    /// Inject when the container has bind mounts of the user's.
    pub has_bind_mounts: Option<bool>,
}

/// Parses one hook file's JSON (1.0.0, or 0.1.0 without a `version`). `path` names it in errors.
pub fn parse_hook(path: &Path, json: &[u8]) -> Result<Hook> {
    let _ = (path, json);
    todo!("helper B")
}
