//! A hook's `when` conditions with their regexes compiled, evaluated per container.
//!
//! The regexes come from files we do not control, so they are compiled into size-limited
//! regex sets (one for the commands, one each for the annotation keys and values): the limit
//! holds for all of a hook's patterns together, not just for each one.

use super::When;
use oci_spec::runtime::Spec;
use regex::{RegexBuilder, RegexSet, RegexSetBuilder};
use std::collections::HashMap;

/// The most memory one compiled regex set (all of a hook's commands, or all of its annotation
/// keys, or values) may take.
pub const REGEX_SIZE_LIMIT: usize = 2 << 20;

/// The most memory the lazy DFA cache of one regex set may grow to while matching.
const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;

/// Returned when the spec has a process without arguments and the hook has commands to match.
pub(super) const EMPTY_ARGS: &str = "process.args must have at least one entry";

/// The compiled form of a [`When`].
#[derive(Clone, Debug)]
pub(super) struct Matcher {
    always: Option<bool>,
    has_bind_mounts: Option<bool>,
    any_of: bool,
    annotations: Option<AnnotationSets>,
    commands: Option<RegexSet>,
}

/// Annotation key and value patterns, pair `i` being pattern `i` of both sets.
#[derive(Clone, Debug)]
struct AnnotationSets {
    keys: RegexSet,
    values: RegexSet,
}

impl Matcher {
    /// Compiles the conditions' regexes; the error says which pattern is refused and why.
    pub(super) fn compile(when: &When) -> Result<Self, String> {
        let annotations = if when.annotations.is_empty() {
            None
        } else {
            let keys: Vec<&str> = when.annotations.keys().map(String::as_str).collect();
            let values: Vec<&str> = when.annotations.values().map(String::as_str).collect();
            Some(AnnotationSets {
                keys: compile_set(&keys, "annotation key")?,
                values: compile_set(&values, "annotation value")?,
            })
        };
        let commands = if when.commands.is_empty() {
            None
        } else {
            let patterns: Vec<&str> = when.commands.iter().map(String::as_str).collect();
            Some(compile_set(&patterns, "command")?)
        };
        Ok(Matcher {
            always: when.always,
            has_bind_mounts: when.has_bind_mounts,
            any_of: when.any_of,
            annotations,
            commands,
        })
    }

    /// Whether the hook is to be injected into `spec`, as Podman's `When.Match` decides.
    ///
    /// All given conditions must hold (any one for a converted 0.1.0 hook), checked in
    /// Podman's order: `always`, `hasBindMounts`, `annotations`, then `commands`, which when
    /// given decides alone (the earlier ones having passed). `hasBindMounts: false` never
    /// holds. `commands` is skipped when the spec has no process.
    pub(super) fn matches(&self, spec: &Spec, has_bind_mounts: bool) -> Result<bool, &'static str> {
        let mut held = 0usize;
        // Each condition either decides the outcome now or counts as held.
        let mut check = |holds: bool| -> Option<bool> {
            match (holds, self.any_of) {
                (true, true) => Some(true),
                (false, false) => Some(false),
                (true, false) => {
                    held += 1;
                    None
                }
                (false, true) => None,
            }
        };
        if let Some(always) = self.always
            && let Some(decided) = check(always)
        {
            return Ok(decided);
        }
        if let Some(wanted) = self.has_bind_mounts
            && let Some(decided) = check(wanted && has_bind_mounts)
        {
            return Ok(decided);
        }
        if let Some(sets) = &self.annotations {
            let empty = HashMap::new();
            let annotations = spec.annotations().as_ref().unwrap_or(&empty);
            for holds in sets.pairs_found(annotations) {
                if let Some(decided) = check(holds) {
                    return Ok(decided);
                }
            }
        }
        if let (Some(commands), Some(process)) = (&self.commands, spec.process()) {
            let command = process
                .args()
                .as_ref()
                .and_then(|args| args.first())
                .ok_or(EMPTY_ARGS)?;
            return Ok(commands.is_match(command));
        }
        Ok(held > 0)
    }
}

impl AnnotationSets {
    /// For each key/value pattern pair, whether some annotation matches both.
    fn pairs_found(&self, annotations: &HashMap<String, String>) -> Vec<bool> {
        let mut found = vec![false; self.keys.len()];
        for (key, value) in annotations {
            let keys = self.keys.matches(key);
            if !keys.matched_any() {
                continue;
            }
            let values = self.values.matches(value);
            for pair in keys.iter() {
                found[pair] |= values.matched(pair);
            }
            if found.iter().all(|f| *f) {
                break;
            }
        }
        found
    }
}

/// Compiles `patterns` into one size-limited set; `what` names them in errors as Podman does
/// (`invalid command "(": ...`).
fn compile_set(patterns: &[&str], what: &str) -> Result<RegexSet, String> {
    RegexSetBuilder::new(patterns)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
        .map_err(|err| match err {
            regex::Error::Syntax(_) => culprit(patterns, what).unwrap_or_else(|| err.to_string()),
            _ => format!("the {what} patterns are too large: {err}"),
        })
}

/// The first pattern with a syntax error. Each is compiled with no room at all, so that a
/// valid one fails fast on the size limit and only the parser's verdict is looked at.
fn culprit(patterns: &[&str], what: &str) -> Option<String> {
    patterns.iter().find_map(
        |pattern| match RegexBuilder::new(pattern).size_limit(0).build() {
            Err(err @ regex::Error::Syntax(_)) => {
                Some(format!("invalid {what} {pattern:?}: {err}"))
            }
            _ => None,
        },
    )
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
