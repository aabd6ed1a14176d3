//! `podman pull` for the store: a reference (short names resolved through registries.conf),
//! pulled from its mirrors and then its location, under a pull policy.

use super::RegistryOptions;
use super::client::RegistryClient;
use super::source::{ProgressCallback, RegistrySource};
use crate::digest::Digest;
use crate::error::{RegistryFailure, Result, StorageError};
use crate::manifest::Platform;
use crate::reference::ImageReference;
use crate::registries::{PullSource, RegistriesConfig};
use crate::store::{ImageRecord, Store};
use std::sync::Arc;

/// When to contact the registry (Podman's `--pull`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullPolicy {
    /// Always pull (layers already here are not fetched again).
    #[default]
    Always,
    /// Pull only when no local image has the name.
    Missing,
    /// Never pull: the local image or an error.
    Never,
    /// Pull when the registry's manifest differs from the local image's (or there is none).
    Newer,
}

/// How to pull.
#[derive(Clone, Default)]
pub struct PullOptions {
    /// The pull policy.
    pub policy: PullPolicy,
    /// Credentials, TLS and retries.
    pub registry: RegistryOptions,
    /// The platform to pick from a multi-platform image (default: this machine's).
    pub platform: Option<Platform>,
    /// registries.conf (default: loaded as Podman loads it).
    pub registries_conf: Option<Arc<RegistriesConfig>>,
    /// Called as layer bytes arrive.
    pub progress: Option<ProgressCallback>,
}

impl PullOptions {
    fn registries_conf(&self) -> Result<Arc<RegistriesConfig>> {
        match &self.registries_conf {
            Some(conf) => Ok(Arc::clone(conf)),
            None => RegistriesConfig::load_default().map(Arc::new),
        }
    }

    fn platform(&self) -> Platform {
        self.platform.clone().unwrap_or_else(Platform::host)
    }

    /// A client for one pull source.
    fn client(&self, source: &PullSource) -> Result<Arc<RegistryClient>> {
        let insecure = match self.registry.tls_verify {
            Some(verify) => !verify,
            None => source.insecure,
        };
        RegistryClient::new(source.reference.registry(), insecure, &self.registry).map(Arc::new)
    }
}

impl Store {
    /// Pulls `reference` (e.g. `docker.io/library/busybox:1.36`, `busybox`,
    /// `quay.io/x/y@sha256:...`) under `options.policy` and returns the local image, which
    /// gets the reference as a name.
    ///
    /// Short names resolve through registries.conf (aliases, then unqualified-search
    /// registries, tried in order; an ambiguous one is an error with `short-name-mode =
    /// "enforcing"`, see [`RegistriesConfig::pull_candidates`]). Each candidate is pulled from
    /// its mirrors and then its location; the first that works wins. When all fail, the error
    /// is the first that is not "not found", else the last.
    pub fn pull_image(&self, reference: &str, options: &PullOptions) -> Result<ImageRecord> {
        let conf = options.registries_conf()?;
        if options.policy != PullPolicy::Always && options.policy != PullPolicy::Newer {
            // A local image is found by any candidate, whatever the short-name mode.
            for candidate in &conf.resolve_short_name(reference)? {
                if let Ok(image) = self.image(&candidate.to_string()) {
                    return Ok(image);
                }
            }
            if options.policy == PullPolicy::Never {
                return Err(StorageError::ImageNotKnown(reference.to_string()));
            }
        }
        let candidates = conf.pull_candidates(reference)?;
        let mut errors = Vec::new();
        for candidate in &candidates {
            match self.pull_candidate(candidate, &conf, options) {
                Ok(image) => return Ok(image),
                Err(err) => {
                    tracing::debug!(%candidate, error = %err, "pull candidate failed");
                    errors.push(err);
                }
            }
        }
        Err(pick_error(errors))
    }

    fn pull_candidate(
        &self,
        candidate: &ImageReference,
        conf: &RegistriesConfig,
        options: &PullOptions,
    ) -> Result<ImageRecord> {
        let mut errors = Vec::new();
        for source in conf.pull_sources(candidate)? {
            let client = match options.client(&source) {
                Ok(client) => client,
                Err(err) => {
                    errors.push(err);
                    continue;
                }
            };
            if options.policy == PullPolicy::Newer
                && let Ok(local) = self.image(&candidate.to_string())
            {
                match remote_digest_with(&client, &source.reference) {
                    Ok(remote) if local.digests.contains(&remote) => return Ok(local),
                    Ok(_) => {}
                    Err(err) => {
                        errors.push(err);
                        continue;
                    }
                }
            }
            let registry_source = RegistrySource::new(
                client,
                source.reference.clone(),
                options.platform(),
                options.progress.clone(),
            );
            match self.pull_from(&registry_source, Some(candidate)) {
                Ok(image) => return Ok(image),
                Err(err) => {
                    tracing::debug!(source = %source.reference, error = %err, "pull source failed");
                    errors.push(err);
                }
            }
        }
        Err(pick_error(errors))
    }

    /// Whether the registry's manifest for `reference` differs from the local image of that
    /// name (true when there is no local image). Auto-update asks this.
    pub fn remote_differs(&self, reference: &str, options: &PullOptions) -> Result<bool> {
        let reference = ImageReference::parse(reference)?;
        let remote = remote_digest(&reference, options)?;
        Ok(match self.image(&reference.to_string()) {
            Ok(local) => !local.digests.contains(&remote),
            Err(StorageError::ImageNotKnown(_)) => true,
            Err(err) => return Err(err),
        })
    }
}

/// The digest of the manifest `reference` names in its registry (the top-level manifest or
/// index, as `podman inspect` reports `Digest`), asked of its mirrors and location in order.
pub fn remote_digest(reference: &ImageReference, options: &PullOptions) -> Result<Digest> {
    let conf = options.registries_conf()?;
    let mut errors = Vec::new();
    for source in conf.pull_sources(reference)? {
        match options
            .client(&source)
            .and_then(|client| remote_digest_with(&client, &source.reference))
        {
            Ok(digest) => return Ok(digest),
            Err(err) => errors.push(err),
        }
    }
    Err(pick_error(errors))
}

fn remote_digest_with(client: &RegistryClient, reference: &ImageReference) -> Result<Digest> {
    let top = match (reference.digest(), reference.tag()) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.to_string(),
        (None, None) => "latest".to_string(),
    };
    client.manifest_digest(reference.repository(), &top)
}

/// The error to report from several attempts: the first that is not "not found" (a real
/// problem beats a miss), else the last.
fn pick_error(mut errors: Vec<StorageError>) -> StorageError {
    let not_found = |e: &StorageError| {
        matches!(
            e,
            StorageError::Registry {
                failure: RegistryFailure::NotFound(_),
                ..
            }
        )
    };
    match errors.iter().position(|e| !not_found(e)) {
        Some(i) => errors.swap_remove(i),
        None => errors.pop().unwrap_or_else(|| StorageError::Unsupported {
            what: "pull",
            reason: "no place to pull from".into(),
        }),
    }
}
