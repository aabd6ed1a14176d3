//! The 0.1.0 hook schema (CRI-O's original), converted to 1.0.0 as Podman converts it.
//!
//! `hook` is the program's path and `arguments` follow it in `args`. Each list property has a
//! singular synonym (`stage`, `cmd`, `annotation`; setting both spellings is an error).
//! `annotations` are regexes matched against annotation *values*: they become one 1.0.0
//! annotation condition, key `.*` and value the regexes joined with `|`. Any one condition
//! suffices ([`When::any_of`]).

use super::json::{self, Json};
use super::{Hook, When};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The old hook-definition version; files without a `version` are read as this one too.
pub(super) const VERSION: &str = "0.1.0";

/// The properties of a 0.1.0 file, each `None` when absent or `null`.
#[derive(Default)]
struct Raw {
    hook: Option<String>,
    arguments: Option<Vec<String>>,
    stages: Option<Vec<String>>,
    stage: Option<Vec<String>>,
    cmds: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    annotations: Option<Vec<String>>,
    annotation: Option<Vec<String>>,
    has_bind_mounts: Option<bool>,
}

/// Decodes a 0.1.0 document into a 1.0.0 hook; also says whether stages were given.
pub(super) fn decode(entries: &[(String, Json)]) -> json::DecodeResult<(Hook, bool)> {
    let mut raw = Raw::default();
    for (key, value) in entries {
        let is = |field: &str| json::key_selects(key, field);
        if is("hook") {
            json::decode_opt_string(&mut raw.hook, "hook", value)?;
        } else if is("arguments") {
            json::decode_opt_strings(&mut raw.arguments, "arguments", value)?;
        } else if is("stages") {
            json::decode_opt_strings(&mut raw.stages, "stages", value)?;
        } else if is("stage") {
            json::decode_opt_strings(&mut raw.stage, "stage", value)?;
        } else if is("cmds") {
            json::decode_opt_strings(&mut raw.cmds, "cmds", value)?;
        } else if is("cmd") {
            json::decode_opt_strings(&mut raw.cmd, "cmd", value)?;
        } else if is("annotations") {
            json::decode_opt_strings(&mut raw.annotations, "annotations", value)?;
        } else if is("annotation") {
            json::decode_opt_strings(&mut raw.annotation, "annotation", value)?;
        } else if is("hasbindmounts") {
            json::decode_opt_bool(&mut raw.has_bind_mounts, "hasbindmounts", value)?;
        }
    }
    convert(raw).map(|hook| (hook, true))
}

/// Picks the plural or the singular spelling of a list; both given is an error.
fn either(
    plural: Option<Vec<String>>,
    singular: Option<Vec<String>>,
    names: (&str, &str),
) -> json::DecodeResult<Option<Vec<String>>> {
    match (plural, singular) {
        (Some(_), Some(_)) => Err(format!("cannot set both '{}' and '{}'", names.1, names.0)),
        (plural, singular) => Ok(plural.or(singular)),
    }
}

fn convert(raw: Raw) -> json::DecodeResult<Hook> {
    let program = raw.hook.ok_or("missing required property: hook")?;
    let stages = either(raw.stages, raw.stage, ("stages", "stage"))?
        .ok_or("missing required property: stages")?;
    let commands = either(raw.cmds, raw.cmd, ("cmds", "cmd"))?;
    let annotations = either(
        raw.annotations,
        raw.annotation,
        ("annotations", "annotation"),
    )?;

    let mut hook = oci_spec::runtime::Hook::default();
    hook.set_path(PathBuf::from(&program));
    if let Some(arguments) = raw.arguments {
        hook.set_args(Some(std::iter::once(program).chain(arguments).collect()));
    }
    // An empty list still makes a condition: `.*` = "" matches any annotation, as in Podman.
    let annotations = annotations
        .map(|values| BTreeMap::from([(".*".to_owned(), values.join("|"))]))
        .unwrap_or_default();
    let when = When {
        always: None,
        annotations,
        commands: commands.unwrap_or_default(),
        has_bind_mounts: raw.has_bind_mounts,
        any_of: true,
    };
    Ok(Hook { hook, when, stages })
}
