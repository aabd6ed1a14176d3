//! Image references (`busybox`, `quay.io/x/y:1`, `localhost:5000/a@sha256:...`), parsed and
//! normalised as Podman (and the distribution reference library) does.
//!
//! The grammar is distribution's; normalisation is `ParseNormalizedNamed` followed by
//! `TagNameOnly` as in containers/image's copy of it (docker/reference), which Podman uses: a
//! first path element is a registry when it contains `.` or `:` or is `localhost`; otherwise
//! the registry is `docker.io`, where one-element names live under `library/`;
//! `index.docker.io` is `docker.io`; a reference with neither tag nor digest gets `:latest`.
//! (distribution itself also takes an upper-case first element for a registry; Podman refuses
//! such names as not lower-case.)

pub(crate) mod grammar;

use crate::digest::Digest;
use crate::error::{Result, StorageError};
use grammar::GrammarError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The registry of references without one.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// The tag of references without a tag or digest.
pub const DEFAULT_TAG: &str = "latest";
/// The old name of Docker Hub, normalised to [`DEFAULT_REGISTRY`].
pub const LEGACY_DEFAULT_REGISTRY: &str = "index.docker.io";
/// The namespace of Docker Hub's one-element ("official") names.
const OFFICIAL_REPO_PREFIX: &str = "library/";

/// A parsed, normalised image reference: `registry/repository[:tag][@digest]`.
///
/// ```
/// use libpod_storage::ImageReference;
/// let r = ImageReference::parse("busybox").unwrap();
/// assert_eq!(r.to_string(), "docker.io/library/busybox:latest");
/// assert_eq!(r.familiar(), "busybox:latest");
/// let r = ImageReference::parse("localhost:5000/team/app:v1").unwrap();
/// assert_eq!((r.registry(), r.repository(), r.tag()), ("localhost:5000", "team/app", Some("v1")));
/// assert!(ImageReference::parse("UPPER/case").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageReference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageReference {
    /// Parses and normalises a reference: a missing registry is `docker.io` (with `library/` for
    /// one-component names), a missing tag and digest is `:latest`.
    pub fn parse(reference: &str) -> Result<Self> {
        Ok(Self::parse_named(reference)?.or_default_tag())
    }

    /// This reference, or with `:latest` when it has neither tag nor digest (distribution's
    /// `TagNameOnly`).
    pub fn or_default_tag(mut self) -> Self {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some(DEFAULT_TAG.to_owned());
        }
        self
    }

    /// Parses and normalises like [`ImageReference::parse`] but adds no default tag, so a name
    /// without tag or digest stays without (distribution's `ParseNormalizedNamed`).
    ///
    /// ```
    /// use libpod_storage::ImageReference;
    /// let r = ImageReference::parse_named("quay.io/podman/stable").unwrap();
    /// assert_eq!((r.tag(), r.digest()), (None, None));
    /// assert_eq!(r.to_string(), "quay.io/podman/stable");
    /// ```
    pub fn parse_named(reference: &str) -> Result<Self> {
        let invalid = |reason: String| StorageError::InvalidReference {
            reference: reference.to_owned(),
            reason,
        };
        if reference.is_empty() {
            return Err(invalid(GrammarError::Empty.reason()));
        }
        if grammar::is_identifier(reference) {
            return Err(invalid(
                "looks like an image ID (64 hex digits), not a repository name".into(),
            ));
        }
        let (domain, remainder) = split_docker_domain(reference);
        let remote_name = remainder.split(':').next().unwrap_or_default();
        if remote_name.to_lowercase() != remote_name {
            return Err(invalid(GrammarError::Uppercase.reason()));
        }
        let full = format!("{domain}/{remainder}");
        let components = grammar::parse(&full).map_err(|e| invalid(e.reason()))?;
        let digest = match components.digest {
            Some(digest) => Some(
                digest
                    .parse::<Digest>()
                    .map_err(|e| invalid(e.to_string()))?,
            ),
            None => None,
        };
        // distribution would return a reference without a domain here (`foo_bar.com/x`: the
        // first element looks like a registry but is not a valid host); it cannot be pulled
        // from anywhere, so refuse it.
        let Some(registry) = components.domain else {
            return Err(invalid(format!(
                "registry {domain:?} is not a valid host name"
            )));
        };
        Ok(ImageReference {
            registry: registry.to_owned(),
            repository: components.path.to_owned(),
            tag: components.tag.map(str::to_owned),
            digest,
        })
    }

    /// Whether `reference` names no registry (`busybox`, `library/busybox`, `app:v1`), so that
    /// registries.conf decides where it comes from. A string that is not a reference at all is
    /// not a short name.
    ///
    /// ```
    /// use libpod_storage::ImageReference;
    /// assert!(ImageReference::is_short_name("library/busybox"));
    /// assert!(!ImageReference::is_short_name("localhost/busybox"));
    /// assert!(!ImageReference::is_short_name("quay.io/busybox"));
    /// ```
    pub fn is_short_name(reference: &str) -> bool {
        grammar::parse(reference).is_ok_and(|c| !c.domain.is_some_and(names_a_registry))
    }

    /// The registry host, with port if any.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path within the registry.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if any.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The same name with this tag; a digest is kept.
    ///
    /// ```
    /// use libpod_storage::ImageReference;
    /// let r = ImageReference::parse("alpine").unwrap().with_tag("3.19").unwrap();
    /// assert_eq!(r.to_string(), "docker.io/library/alpine:3.19");
    /// assert!(r.with_tag("-bad").is_err());
    /// ```
    pub fn with_tag(&self, tag: &str) -> Result<Self> {
        if !grammar::is_tag(tag) {
            return Err(StorageError::invalid(
                "tag",
                tag,
                "expected 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
            ));
        }
        Ok(ImageReference {
            tag: Some(tag.to_owned()),
            ..self.clone()
        })
    }

    /// The same name with this digest; a tag is kept.
    pub fn with_digest(&self, digest: Digest) -> Self {
        ImageReference {
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// The name alone, without tag or digest. Its string form parses back with `:latest`
    /// added unless parsed with [`ImageReference::parse_named`].
    pub fn without_tag_or_digest(&self) -> Self {
        ImageReference {
            tag: None,
            digest: None,
            ..self.clone()
        }
    }

    /// The name as Docker shows it: without `docker.io/`, and without `library/` for official
    /// images. The registry is kept when dropping it would change what the name means.
    ///
    /// ```
    /// use libpod_storage::ImageReference;
    /// assert_eq!(ImageReference::parse("docker.io/library/redis").unwrap().familiar_name(), "redis");
    /// assert_eq!(ImageReference::parse("dmcgowan/myapp").unwrap().familiar_name(), "dmcgowan/myapp");
    /// assert_eq!(ImageReference::parse("quay.io/x/y").unwrap().familiar_name(), "quay.io/x/y");
    /// ```
    pub fn familiar_name(&self) -> String {
        if self.registry != DEFAULT_REGISTRY {
            return self.name();
        }
        let path = match self.repository.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(official) if !official.contains('/') => official,
            _ => &self.repository,
        };
        let misread = match path.split_once('/') {
            Some((first, _)) => names_a_registry(first),
            None => grammar::is_identifier(path),
        };
        if misread {
            self.name()
        } else {
            path.to_owned()
        }
    }

    /// The whole reference as Docker shows it: [`ImageReference::familiar_name`] with the tag
    /// and digest. It parses back to the same reference.
    pub fn familiar(&self) -> String {
        let mut familiar = self.familiar_name();
        self.write_tag_and_digest(&mut familiar);
        familiar
    }

    fn write_tag_and_digest(&self, out: &mut String) {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(&digest.to_string());
        }
    }
}

/// Whether a first path element is taken as a registry by short-name resolution: it has a `.`
/// or `:`, or is `localhost`.
pub(crate) fn names_a_registry(first: &str) -> bool {
    first == "localhost" || first.contains(['.', ':'])
}

/// containers/image's `SplitDockerDomain`: the registry and the rest (tag and digest
/// included), with `docker.io` and `library/` filled in.
fn split_docker_domain(reference: &str) -> (&str, String) {
    let (domain, remainder) = match reference.split_once('/') {
        Some((first, rest)) if names_a_registry(first) => {
            let domain = if first == LEGACY_DEFAULT_REGISTRY {
                DEFAULT_REGISTRY
            } else {
                first
            };
            (domain, rest)
        }
        _ => (DEFAULT_REGISTRY, reference),
    };
    if domain == DEFAULT_REGISTRY && !remainder.contains('/') {
        (domain, format!("{OFFICIAL_REPO_PREFIX}{remainder}"))
    } else {
        (domain, remainder.to_owned())
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageReference {
    type Err = StorageError;

    /// Same as [`ImageReference::parse`].
    fn from_str(s: &str) -> Result<Self> {
        ImageReference::parse(s)
    }
}

/// Serialised as its string form.
impl Serialize for ImageReference {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Deserialised with [`ImageReference::parse_named`]: no default tag is added, so that a value
/// serialised and deserialised is the value it was.
impl<'de> Deserialize<'de> for ImageReference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ImageReference::parse_named(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "reference_tests.rs"]
mod tests;
