//! Image references (`busybox`, `quay.io/x/y:1`, `localhost:5000/a@sha256:...`), parsed and
//! normalised as Podman (and the distribution reference library) does.

use crate::digest::Digest;
use crate::error::Result;
use std::fmt;

/// The registry of references without one.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// The tag of references without a tag or digest.
pub const DEFAULT_TAG: &str = "latest";

/// A parsed, normalised image reference: `registry/repository[:tag][@digest]`.
///
/// ```
/// use libpod_storage::ImageReference;
/// let r = ImageReference::parse("busybox").unwrap();
/// assert_eq!(r.to_string(), "docker.io/library/busybox:latest");
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
        let _ = reference;
        todo!("helper S1")
    }

    /// Whether `reference` names no registry (`busybox`, `library/busybox`, `app:v1`), so that
    /// registries.conf decides where it comes from.
    pub fn is_short_name(reference: &str) -> bool {
        let _ = reference;
        todo!("helper S1")
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
