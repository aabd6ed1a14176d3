//! Loading hooks directories and injecting matching hooks into a spec.

use super::Hook;
use crate::error::Result;
use oci_spec::runtime::Spec;
use std::path::PathBuf;

/// The hooks found in a list of directories, parsed once and applied to many containers.
#[derive(Clone, Debug, Default)]
pub struct HookManager {
    // helper B: fields
    _hooks: Vec<(String, Hook)>,
}

impl HookManager {
    /// Reads every `*.json` in `dirs`; a file in a later directory replaces one of the same name
    /// in an earlier one. A missing directory is an error only when `missing_is_error` (the
    /// user named the directories explicitly).
    pub fn load(dirs: &[PathBuf], missing_is_error: bool) -> Result<Self> {
        let _ = (dirs, missing_is_error);
        todo!("helper B")
    }

    /// Injects the hooks whose conditions match the spec (its annotations and process args)
    /// into their stages, in file-name order. Returns the file names of the hooks injected.
    pub fn apply(&self, spec: &mut Spec, has_bind_mounts: bool) -> Result<Vec<String>> {
        let _ = (spec, has_bind_mounts);
        todo!("helper B")
    }
}
