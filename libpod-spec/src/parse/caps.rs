//! Capability names for `--cap-add` and `--cap-drop`.

use crate::error::{Result, SpecError};
use caps::{CapSet, Capability, CapsHashSet};
use std::collections::BTreeSet;

/// The special name adding or dropping every capability.
const ALL: &str = "ALL";

/// The capabilities both the `caps` crate and the running kernel know (containers/common's
/// `capabilityList`: gocapability's list cut at /proc/sys/kernel/cap_last_cap).
fn known_capabilities() -> CapsHashSet {
    // Without procfs, probing the bounding set with prctl tells the same.
    caps::runtime::procfs_all_supported(None)
        .unwrap_or_else(|_| caps::runtime::thread_all_supported())
}

/// Upper-cases a name and adds the `CAP_` prefix, as containers/common's
/// `NormalizeCapabilities`; `ALL` stays `ALL`.
fn canonical_name(name: &str) -> String {
    let upper: String = name.chars().flat_map(char::to_uppercase).collect();
    if upper == ALL || upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    }
}

/// Returns the capability a canonical name stands for, if this kernel knows it.
fn known(canonical: &str, known: &CapsHashSet) -> Option<Capability> {
    canonical
        .parse::<Capability>()
        .ok()
        .filter(|cap| known.contains(cap))
}

/// Normalises a capability name to `CAP_NAME` and checks that it exists.
///
/// Names are matched in any case, with or without `CAP_`, against the capabilities both the
/// `caps` crate and the running kernel know. `ALL` is not a capability and is refused here
/// ([`merge_capabilities`] handles it).
///
/// ```
/// use libpod_spec::parse::normalize_capability;
/// assert_eq!(normalize_capability("net_admin").unwrap(), "CAP_NET_ADMIN");
/// assert_eq!(normalize_capability("CAP_CHOWN").unwrap(), "CAP_CHOWN");
/// assert!(normalize_capability("FOO").is_err());
/// ```
pub fn normalize_capability(name: &str) -> Result<String> {
    let canonical = canonical_name(name);
    match known(&canonical, &known_capabilities()) {
        Some(cap) => Ok(cap.to_string()),
        None => Err(SpecError::UnknownCapability { name: canonical }),
    }
}

/// Every capability a privileged container gets, as `CAP_*` names, sorted.
///
/// These are the capabilities the running kernel supports (up to
/// `/proc/sys/kernel/cap_last_cap`) that are also in the calling process's bounding set:
/// Podman's `BoundingSet()`, which it gives privileged containers and which `--cap-add ALL`
/// adds. A process whose bounding set lacks, say, `CAP_SYS_RESOURCE` cannot hand it on, and
/// Podman 4.3 then leaves it out of the spec.
pub fn all_capabilities() -> Vec<String> {
    let known = known_capabilities();
    let bounding = caps::read(None, CapSet::Bounding).unwrap_or_else(|err| {
        tracing::debug!(%err, "cannot read the bounding set, assuming every known capability");
        known.clone()
    });
    sorted_names(known.intersection(&bounding).copied())
}

fn sorted_names(caps: impl IntoIterator<Item = Capability>) -> Vec<String> {
    caps.into_iter()
        .map(|cap| cap.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Canonical names of a user list, with `ALL` kept; `field` names the flag in errors.
fn normalize_list(
    field: &'static str,
    names: &[String],
    known_caps: &CapsHashSet,
) -> Result<BTreeSet<String>> {
    names
        .iter()
        .map(|name| {
            let canonical = canonical_name(name);
            if canonical == ALL || known(&canonical, known_caps).is_some() {
                Ok(canonical)
            } else {
                Err(SpecError::invalid(
                    field,
                    name.as_str(),
                    format!("{canonical:?}: unknown capability"),
                ))
            }
        })
        .collect()
}

/// Applies `--cap-add` and `--cap-drop` to a base set, as Podman's `MergeCapabilities`:
/// `ALL` in `add` means every capability, `ALL` in `drop` starts from none, a capability both
/// added and dropped is an error. The result is sorted and without duplicates.
///
/// "Every capability" is [`all_capabilities`], Podman's bounding set, and, as Podman's spec
/// generator does with the merged list, capabilities outside that bounding set are left out
/// of the result. Unknown names in `base` are [`SpecError::UnknownCapability`]; in `add` or
/// `drop` they are [`SpecError::InvalidValue`] naming `cap-add` or `cap-drop`.
///
/// ```
/// use libpod_spec::parse::merge_capabilities;
/// let base = vec!["CAP_CHOWN".to_string(), "CAP_KILL".to_string()];
/// let caps = merge_capabilities(&base, &["net_admin".into()], &["KILL".into()]).unwrap();
/// assert_eq!(caps, ["CAP_CHOWN", "CAP_NET_ADMIN"]);
/// assert_eq!(merge_capabilities(&base, &["CHOWN".into()], &["ALL".into()]).unwrap(), ["CAP_CHOWN"]);
/// ```
pub fn merge_capabilities(base: &[String], add: &[String], drop: &[String]) -> Result<Vec<String>> {
    let known_caps = known_capabilities();
    let mut base: BTreeSet<String> = base
        .iter()
        .map(|name| {
            let canonical = canonical_name(name);
            match known(&canonical, &known_caps) {
                Some(_) => Ok(canonical),
                None => Err(SpecError::UnknownCapability { name: canonical }),
            }
        })
        .collect::<Result<_>>()?;
    let dropped = normalize_list("cap-drop", drop, &known_caps)?;
    let mut added = normalize_list("cap-add", add, &known_caps)?;
    let bounding: BTreeSet<String> = all_capabilities().into_iter().collect();

    let merged: BTreeSet<String> = if dropped.contains(ALL) {
        if added.contains(ALL) {
            return Err(SpecError::Conflict {
                first: "cap-add",
                second: "cap-drop",
                reason: "adding all caps and removing all caps not allowed".into(),
            });
        }
        added
    } else {
        if added.contains(ALL) {
            base = bounding.clone();
            added.clear();
        }
        if let Some(both) = added.intersection(&dropped).next() {
            return Err(SpecError::Conflict {
                first: "cap-add",
                second: "cap-drop",
                reason: format!("capability {both:?} cannot be dropped and added"),
            });
        }
        base.difference(&dropped).cloned().chain(added).collect()
    };

    let (kept, outside): (Vec<String>, Vec<String>) =
        merged.into_iter().partition(|cap| bounding.contains(cap));
    if !outside.is_empty() {
        tracing::debug!(
            ?outside,
            "leaving out capabilities missing from the bounding set"
        );
    }
    Ok(kept)
}

#[cfg(test)]
#[path = "caps_tests.rs"]
mod tests;
