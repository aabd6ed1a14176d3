//! The hook JSON schemas, 1.0.0 and 0.1.0.
//!
//! A file is read as Podman's `hooks.Read` reads it: its `version` picks the schema (`1.0.0`;
//! `0.1.0` or none for the old one, converted to 1.0.0), then the hook is validated: the
//! `hook.path` is set, absolute and exists, the regexes compile and the stages are known.

use super::json::{self, Json};
use super::matcher::Matcher;
use super::{OCI_STAGES, PRECREATE_STAGE, legacy};
use crate::error::{Result, SpecError};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The hook-definition version this crate produces and reads natively.
pub const CURRENT_VERSION: &str = "1.0.0";

/// A hook in the 1.0.0 schema (0.1.0 files are converted to it).
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// The OCI hook to run.
    pub hook: oci_spec::runtime::Hook,
    /// When to inject it.
    pub when: When,
    /// The stages (`prestart`, `createRuntime`, `createContainer`, `startContainer`,
    /// `poststart`, `poststop`, or Podman's extension stage `precreate`). May be empty, as in
    /// Podman: the hook then matches but is injected nowhere.
    pub stages: Vec<String>,
}

/// Conditions for injecting a hook; all given ones must match (any one, for a 0.1.0 hook).
///
/// A `When` without any condition never matches (Podman accepts such a file and ignores it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct When {
    /// `Some(true)`: this condition holds; `Some(false)`: the hook is never injected (1.0.0).
    pub always: Option<bool>,
    /// Annotation key and value regexes that must both match one of the container's annotations.
    pub annotations: BTreeMap<String, String>,
    /// Regexes matched against the container's command (`process.args[0]`); one must match.
    pub commands: Vec<String>,
    /// `Some(true)`: holds when the container has bind mounts (volumes) of the user's.
    /// `Some(false)` never holds, as in Podman.
    pub has_bind_mounts: Option<bool>,
    /// Any one condition suffices instead of all: how Podman matches converted 0.1.0 hooks.
    pub any_of: bool,
}

/// Parses one hook file's JSON (1.0.0, or 0.1.0 without a `version`). `path` names it in errors.
///
/// Validates the hook as Podman does, including that `hook.path` exists on this host.
///
/// ```
/// use libpod_spec::hooks::parse_hook;
/// use std::path::Path;
///
/// let json = br#"{"version": "1.0.0", "hook": {"path": "/bin/sh"},
///                 "when": {"commands": ["/init$"]}, "stages": ["prestart"]}"#;
/// let hook = parse_hook(Path::new("/etc/containers/oci/hooks.d/init.json"), json)?;
/// assert_eq!(hook.when.commands, ["/init$"]);
///
/// // 0.1.0: `hook` is the path, `arguments` follow it, and any condition suffices.
/// let old = br#"{"hook": "/bin/sh", "arguments": ["-c", "true"], "stage": ["prestart"],
///                "cmd": ["/init$"], "hasbindmounts": true}"#;
/// let hook = parse_hook(Path::new("old.json"), old)?;
/// assert_eq!(hook.hook.args().as_deref(), Some(&["/bin/sh".into(), "-c".into(), "true".into()][..]));
/// assert!(hook.when.any_of);
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn parse_hook(path: &Path, json: &[u8]) -> Result<Hook> {
    read_hook(path, json)
        .map(|(hook, _)| hook)
        .map_err(Invalid::into_error)
}

/// Why a hook file was refused.
#[derive(Debug)]
pub(super) enum Invalid {
    /// Its `hook.path` does not exist: Podman skips such files without an error.
    MissingBinary(SpecError),
    /// Anything else.
    Error(SpecError),
}

impl Invalid {
    pub(super) fn into_error(self) -> SpecError {
        match self {
            Invalid::MissingBinary(err) | Invalid::Error(err) => err,
        }
    }
}

/// A [`SpecError::Hook`] for the file `path`.
pub(super) fn hook_error(path: &Path, reason: impl Into<String>) -> SpecError {
    SpecError::Hook {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Parses and validates a hook file, returning the hook and its compiled conditions.
pub(super) fn read_hook(path: &Path, json: &[u8]) -> Result<(Hook, Matcher), Invalid> {
    let invalid = |reason: String| Invalid::Error(hook_error(path, reason));
    let document = Json::parse(json).map_err(|source| {
        Invalid::Error(SpecError::Json {
            path: path.to_path_buf(),
            source,
        })
    })?;
    // Go leaves the struct untouched for a top-level `null`: a file without any property.
    let entries = document.struct_entries("hook file").map_err(invalid)?;
    let (hook, stages_given) = match read_version(entries).map_err(invalid)?.as_str() {
        CURRENT_VERSION => decode_current(entries),
        "" | legacy::VERSION => legacy::decode(entries),
        other => Err(format!("unrecognized hook version: {other:?}")),
    }
    .map_err(invalid)?;
    let matcher = validate(path, &hook, stages_given, true)?;
    Ok((hook, matcher))
}

/// The `version` property (`""` when absent), read on its own as Podman's first pass does.
fn read_version(entries: &[(String, Json)]) -> json::DecodeResult<String> {
    let mut version = String::new();
    for (key, value) in entries {
        if json::key_selects(key, "version") {
            json::decode_string(&mut version, "version", value)?;
        }
    }
    Ok(version)
}

/// Decodes a 1.0.0 document; also says whether `stages` was given (even empty).
fn decode_current(entries: &[(String, Json)]) -> json::DecodeResult<(Hook, bool)> {
    let mut hook = oci_spec::runtime::Hook::default();
    let mut when = When::default();
    let mut stages = None;
    for (key, value) in entries {
        if json::key_selects(key, "hook") {
            decode_oci_hook(&mut hook, value)?;
        } else if json::key_selects(key, "when") {
            decode_when(&mut when, value)?;
        } else if json::key_selects(key, "stages") {
            json::decode_opt_strings(&mut stages, "stages", value)?;
        }
    }
    let stages_given = stages.is_some();
    Ok((
        Hook {
            hook,
            when,
            stages: stages.unwrap_or_default(),
        },
        stages_given,
    ))
}

/// Decodes the OCI runtime spec's hook entry (`path`, `args`, `env`, `timeout`).
fn decode_oci_hook(hook: &mut oci_spec::runtime::Hook, value: &Json) -> json::DecodeResult {
    for (key, value) in value.struct_entries("hook")? {
        if json::key_selects(key, "path") {
            let mut path = hook.path().to_string_lossy().into_owned();
            json::decode_string(&mut path, "hook.path", value)?;
            hook.set_path(PathBuf::from(path));
        } else if json::key_selects(key, "args") {
            json::decode_opt_strings(hook.args_mut(), "hook.args", value)?;
        } else if json::key_selects(key, "env") {
            json::decode_opt_strings(hook.env_mut(), "hook.env", value)?;
        } else if json::key_selects(key, "timeout") {
            json::decode_opt_int(hook.timeout_mut(), "hook.timeout", value)?;
        }
    }
    Ok(())
}

fn decode_when(when: &mut When, value: &Json) -> json::DecodeResult {
    for (key, value) in value.struct_entries("when")? {
        if json::key_selects(key, "always") {
            json::decode_opt_bool(&mut when.always, "when.always", value)?;
        } else if json::key_selects(key, "annotations") {
            let mut map = Some(std::mem::take(&mut when.annotations));
            json::decode_opt_string_map(&mut map, "when.annotations", value)?;
            when.annotations = map.unwrap_or_default();
        } else if json::key_selects(key, "commands") {
            let mut commands = Some(std::mem::take(&mut when.commands));
            json::decode_opt_strings(&mut commands, "when.commands", value)?;
            when.commands = commands.unwrap_or_default();
        } else if json::key_selects(key, "hasBindMounts") {
            json::decode_opt_bool(&mut when.has_bind_mounts, "when.hasBindMounts", value)?;
        }
    }
    Ok(())
}

/// Podman's load-time checks, in its order, then compiles the conditions. `check_binary`
/// looks the hook's program up on this host.
pub(super) fn validate(
    path: &Path,
    hook: &Hook,
    stages_given: bool,
    check_binary: bool,
) -> Result<Matcher, Invalid> {
    let invalid = |reason: String| Invalid::Error(hook_error(path, reason));
    let program = hook.hook.path();
    if program.as_os_str().is_empty() {
        return Err(invalid("missing required property: hook.path".into()));
    }
    // Stricter than Podman, as the runtime spec requires: a relative path would be resolved
    // against whatever directory the runtime runs in.
    if !program.is_absolute() {
        return Err(invalid(format!(
            "hook.path {} is not absolute",
            program.display()
        )));
    }
    if check_binary && let Err(err) = std::fs::metadata(program) {
        let error = hook_error(path, format!("hook.path {}: {err}", program.display()));
        return Err(if err.kind() == io::ErrorKind::NotFound {
            Invalid::MissingBinary(error)
        } else {
            Invalid::Error(error)
        });
    }
    let matcher = Matcher::compile(&hook.when).map_err(invalid)?;
    if !stages_given {
        return Err(invalid("missing required property: stages".into()));
    }
    if let Some(stage) = hook.stages.iter().find(|s| !is_known_stage(s)) {
        return Err(invalid(format!("unknown stage {stage:?}")));
    }
    if !has_condition(&hook.when) {
        tracing::debug!(hook = %path.display(), "hook has no condition in `when`: it never matches");
    }
    Ok(matcher)
}

fn is_known_stage(stage: &str) -> bool {
    stage == PRECREATE_STAGE || OCI_STAGES.contains(&stage)
}

fn has_condition(when: &When) -> bool {
    when.always.is_some()
        || when.has_bind_mounts.is_some()
        || !when.annotations.is_empty()
        || !when.commands.is_empty()
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
