//! The places to pull a reference from: containers/image's `PullSourcesFromReference` and the
//! `blocked` check its docker transport makes for each place.

use super::matching::ref_matching_prefix;
use super::{PullFromMirror, RegistriesConfig, Registry, conf_error};
use crate::error::{Result, StorageError};
use crate::reference::ImageReference;

/// One place to try when pulling: a mirror or the (possibly rewritten) primary location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullSource {
    /// The reference to pull there.
    pub reference: ImageReference,
    /// Whether plain HTTP and unverified TLS are allowed there.
    pub insecure: bool,
}

impl RegistriesConfig {
    /// Where to pull `reference` from, in order: the matching entry's mirrors (those whose
    /// `pull-from-mirror` and the entry's `mirror-by-digest-only` allow this kind of pull),
    /// then its location, each with the entry's prefix replaced by the location; the reference
    /// itself when no entry matches.
    ///
    /// Like containers/image, each place is checked against the entry matching it: places in a
    /// `blocked` registry are left out, and when that leaves none, the error names the
    /// registry.
    pub fn pull_sources(&self, reference: &ImageReference) -> Result<Vec<PullSource>> {
        let candidates = match self.find_registry(&reference.name()) {
            Some(registry) => registry.pull_sources(reference)?,
            None => vec![PullSource {
                reference: reference.clone(),
                insecure: false,
            }],
        };
        let mut blocked_by = None;
        let mut sources = Vec::with_capacity(candidates.len());
        for source in candidates {
            match self.find_registry(&source.reference.name()) {
                Some(registry) if registry.blocked => {
                    tracing::debug!(source = %source.reference, prefix = %registry.prefix,
                        "leaving out a pull source in a blocked registry");
                    blocked_by.get_or_insert(registry);
                }
                _ => sources.push(source),
            }
        }
        match blocked_by {
            Some(registry) if sources.is_empty() => Err(StorageError::RegistryBlocked {
                prefix: registry.prefix.clone(),
                origin: registry.origin.clone(),
            }),
            _ => Ok(sources),
        }
    }
}

impl Registry {
    /// containers/image's `PullSourcesFromReference`: the usable mirrors, then the location,
    /// with `reference` rewritten for each. Whether they are blocked is not checked here.
    pub fn pull_sources(&self, reference: &ImageReference) -> Result<Vec<PullSource>> {
        let digested = reference.digest().is_some();
        let mirrors = self.mirrors.iter().filter(|mirror| {
            if self.mirror_by_digest_only {
                return digested;
            }
            match mirror.pull_from_mirror {
                PullFromMirror::All => true,
                PullFromMirror::DigestOnly => digested,
                PullFromMirror::TagOnly => !digested,
            }
        });
        mirrors
            .map(|mirror| (mirror.location.as_str(), mirror.insecure))
            .chain([(self.location.as_str(), self.insecure)])
            .map(|(location, insecure)| {
                Ok(PullSource {
                    reference: self.rewrite(reference, location)?,
                    insecure,
                })
            })
            .collect()
    }

    /// Replaces the part of `reference` matching the prefix with `location`. The result must
    /// be a reference already in normal form (`docker.io/x` would silently become
    /// `docker.io/library/x`, so it is refused, as containers/image does).
    fn rewrite(&self, reference: &ImageReference, location: &str) -> Result<ImageReference> {
        let original = reference.to_string();
        let refuse = |why: String| {
            conf_error(
                &self.origin,
                format!(
                    "cannot rewrite {original:?} from prefix {:?} to location {location:?}: {why}",
                    self.prefix
                ),
            )
        };
        let Some(matched) = ref_matching_prefix(&original, &self.prefix) else {
            return Err(refuse("the prefix does not match".into()));
        };
        if location.is_empty() {
            // Only a wildcard entry may leave the location out: the name stays as it is.
            if !self.prefix.starts_with("*.") {
                return Err(refuse(
                    "an empty location needs a *.example.com prefix".into(),
                ));
            }
            return Ok(reference.clone());
        }
        let rewritten = format!("{location}{}", &original[matched..]);
        let parsed = ImageReference::parse_named(&rewritten).map_err(|e| match e {
            StorageError::InvalidReference { reason, .. } => {
                refuse(format!("{rewritten:?}: {reason}"))
            }
            other => other,
        })?;
        if parsed.to_string() != rewritten {
            return Err(refuse(format!(
                "{rewritten:?} is not in normal form ({parsed})"
            )));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
#[path = "pull_tests.rs"]
mod tests;
