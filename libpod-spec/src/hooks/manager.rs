//! Loading hooks directories and injecting matching hooks into a spec.

use super::matcher::Matcher;
use super::schema::{Invalid, hook_error, read_hook, validate};
use super::{Hook, PRECREATE_STAGE};
use crate::error::{Result, SpecError};
use oci_spec::runtime::{Hooks, Spec};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The hooks found in a list of directories, parsed once and applied to many containers.
///
/// Hooks are kept in Podman's injection order: file names compared in lower case (then as
/// given, so that the order is always the same).
#[derive(Clone, Debug, Default)]
pub struct HookManager {
    hooks: Vec<LoadedHook>,
}

/// A hook with its file name and compiled conditions.
#[derive(Clone, Debug)]
struct LoadedHook {
    name: String,
    hook: Hook,
    matcher: Matcher,
}

/// What [`HookManager::apply_with_extension_stages`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppliedHooks {
    /// The file names of the hooks whose conditions matched, in injection order.
    pub matched: Vec<String>,
    /// For each extension stage, the matching hooks to be run by the caller, in order.
    pub extension_stages: BTreeMap<String, Vec<oci_spec::runtime::Hook>>,
}

impl HookManager {
    /// Reads every `*.json` in `dirs`; a file in a later directory replaces one of the same name
    /// in an earlier one. A missing directory is an error only when `missing_is_error` (the
    /// user named the directories explicitly).
    ///
    /// As Podman: other files are ignored, a file that vanishes while the directory is read is
    /// skipped, and so is a hook whose `hook.path` does not exist (with a warning); any other
    /// unreadable or invalid hook file is an error naming it. (Podman 4.3 never fails on a
    /// missing directory: pass `false` to behave exactly like it.)
    ///
    /// ```
    /// use libpod_spec::hooks::HookManager;
    /// use std::path::PathBuf;
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("10-sh.json"), br#"{"version": "1.0.0",
    ///     "hook": {"path": "/bin/sh"}, "when": {"always": true}, "stages": ["poststart"]}"#)?;
    /// let dirs = [PathBuf::from("/nonexistent/hooks.d"), dir.path().to_path_buf()];
    /// let manager = HookManager::load(&dirs, false)?;
    /// assert_eq!(manager.names().collect::<Vec<_>>(), ["10-sh.json"]);
    /// assert!(HookManager::load(&dirs, true).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(dirs: &[PathBuf], missing_is_error: bool) -> Result<Self> {
        let mut by_name: BTreeMap<OsString, LoadedHook> = BTreeMap::new();
        for dir in dirs {
            tracing::debug!(dir = %dir.display(), "reading hooks");
            let Some(names) = json_file_names(dir, missing_is_error)? else {
                continue;
            };
            for name in names {
                let file = dir.join(&name);
                if let Some(loaded) = load_file(&file, &name)? {
                    tracing::debug!(hook = %file.display(), "added hook");
                    by_name.insert(name, loaded);
                }
            }
        }
        Ok(Self::sorted(by_name.into_values().collect()))
    }

    /// A manager holding the given hooks, named by their file names (a later hook replaces an
    /// earlier one of the same name). Each is validated as a hook file is, except that its
    /// program is not looked up on this host.
    pub fn from_hooks(hooks: impl IntoIterator<Item = (String, Hook)>) -> Result<Self> {
        let mut by_name = BTreeMap::new();
        for (name, hook) in hooks {
            let matcher =
                validate(Path::new(&name), &hook, true, false).map_err(Invalid::into_error)?;
            by_name.insert(
                name.clone(),
                LoadedHook {
                    name,
                    hook,
                    matcher,
                },
            );
        }
        Ok(Self::sorted(by_name.into_values().collect()))
    }

    fn sorted(mut hooks: Vec<LoadedHook>) -> Self {
        hooks.sort_by_cached_key(|h| (lowercase(&h.name), h.name.clone()));
        HookManager { hooks }
    }

    /// The hooks' file names, in injection order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.hooks.iter().map(|h| h.name.as_str())
    }

    /// The hooks with their file names, in injection order.
    pub fn hooks(&self) -> impl Iterator<Item = (&str, &Hook)> {
        self.hooks.iter().map(|h| (h.name.as_str(), &h.hook))
    }

    /// Whether no hook was found.
    pub fn is_empty(&self) -> bool {
        self.hooks.is_empty()
    }

    /// Injects the hooks whose conditions match the spec (its annotations and process args)
    /// into their stages, in file-name order. Returns the file names of the hooks injected.
    ///
    /// `precreate` hooks are not run by this crate: they are left out, with a warning.
    /// `poststop` hooks go into the spec, for the runtime to run (Podman runs them itself; see
    /// [`apply_with_extension_stages`](Self::apply_with_extension_stages) to do the same). Once
    /// a hook matches, the spec has a `hooks` object, even if it stays empty (as in Podman).
    /// A hook with `commands` fails on a spec whose `process.args` is empty.
    pub fn apply(&self, spec: &mut Spec, has_bind_mounts: bool) -> Result<Vec<String>> {
        let (applied, in_spec) = self.inject(spec, has_bind_mounts, &[PRECREATE_STAGE])?;
        for hook in applied.extension_stages.values().flatten() {
            tracing::warn!(hook = %hook.path().display(), "precreate hooks are not run; skipped");
        }
        Ok(in_spec)
    }

    /// Like [`apply`](Self::apply), but hooks of the stages in `extension_stages` are returned
    /// instead of injected, for the caller to run: Podman passes `["precreate", "poststop"]`,
    /// running both itself, so that its config.json has no `poststop` hooks.
    pub fn apply_with_extension_stages(
        &self,
        spec: &mut Spec,
        has_bind_mounts: bool,
        extension_stages: &[&str],
    ) -> Result<AppliedHooks> {
        self.inject(spec, has_bind_mounts, extension_stages)
            .map(|(applied, _)| applied)
    }

    /// Injects the matching hooks; also returns the names of those that landed in the spec.
    fn inject(
        &self,
        spec: &mut Spec,
        has_bind_mounts: bool,
        extension_stages: &[&str],
    ) -> Result<(AppliedHooks, Vec<String>)> {
        let mut applied = AppliedHooks::default();
        let mut in_spec = Vec::new();
        for loaded in &self.hooks {
            let matched = loaded
                .matcher
                .matches(spec, has_bind_mounts)
                .map_err(|reason| hook_error(Path::new(&loaded.name), reason))?;
            if !matched {
                tracing::debug!(hook = %loaded.name, "hook did not match");
                continue;
            }
            tracing::debug!(hook = %loaded.name, stages = ?loaded.hook.stages, "hook matched");
            let hooks = spec.hooks_mut().get_or_insert_with(Hooks::default);
            let mut landed = false;
            for stage in &loaded.hook.stages {
                if extension_stages.contains(&stage.as_str()) {
                    let list = applied.extension_stages.entry(stage.clone()).or_default();
                    list.push(loaded.hook.hook.clone());
                    continue;
                }
                let list = stage_list(hooks, stage).ok_or_else(|| {
                    hook_error(Path::new(&loaded.name), format!("unknown stage {stage:?}"))
                })?;
                list.get_or_insert_with(Vec::new)
                    .push(loaded.hook.hook.clone());
                landed = true;
            }
            if landed {
                in_spec.push(loaded.name.clone());
            }
            applied.matched.push(loaded.name.clone());
        }
        Ok((applied, in_spec))
    }
}

/// The names of the `*.json` entries of `dir`, sorted; `None` when it is missing and that is
/// allowed.
fn json_file_names(dir: &Path, missing_is_error: bool) -> Result<Option<Vec<OsString>>> {
    let read_error = |source| SpecError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound && !missing_is_error => {
            tracing::debug!(dir = %dir.display(), "hooks directory does not exist; skipped");
            return Ok(None);
        }
        Err(err) => return Err(read_error(err)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let name = entry.map_err(read_error)?.file_name();
        // Podman's test is on the name alone and case-sensitive.
        if name.as_bytes().ends_with(b".json") {
            names.push(name);
        }
    }
    names.sort();
    Ok(Some(names))
}

/// Reads and validates one hook file; `None` when Podman would skip it.
fn load_file(file: &Path, name: &OsString) -> Result<Option<LoadedHook>> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            tracing::debug!(hook = %file.display(), "hook file vanished or is a dangling link");
            return Ok(None);
        }
        Err(source) => {
            return Err(SpecError::Read {
                path: file.to_path_buf(),
                source,
            });
        }
    };
    match read_hook(file, &bytes) {
        Ok((hook, matcher)) => {
            let name = name.to_string_lossy().into_owned();
            Ok(Some(LoadedHook {
                name,
                hook,
                matcher,
            }))
        }
        Err(Invalid::MissingBinary(err)) => {
            tracing::warn!("{err}; hook skipped");
            Ok(None)
        }
        Err(Invalid::Error(err)) => Err(err),
    }
}

/// The spec's list for an OCI stage, `None` for any other stage.
#[allow(deprecated)] // `prestart` is deprecated by the runtime spec, but Podman 4.3 uses it.
fn stage_list<'a>(
    hooks: &'a mut Hooks,
    stage: &str,
) -> Option<&'a mut Option<Vec<oci_spec::runtime::Hook>>> {
    Some(match stage {
        "prestart" => hooks.prestart_mut(),
        "createRuntime" => hooks.create_runtime_mut(),
        "createContainer" => hooks.create_container_mut(),
        "startContainer" => hooks.start_container_mut(),
        "poststart" => hooks.poststart_mut(),
        "poststop" => hooks.poststop_mut(),
        _ => return None,
    })
}

/// Go's `strings.ToLower`, character by character (no context rules).
fn lowercase(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
#[path = "manager_tests.rs"]
mod tests;
