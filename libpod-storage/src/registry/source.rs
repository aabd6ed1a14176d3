//! A registry image as an [`ImageSource`]: the manifest resolved to one platform (an index is
//! followed to the chosen platform's manifest, verified by digest), blobs streamed with
//! resumption and per-layer progress.

use super::client::RegistryClient;
use super::fetch::ProgressFn;
use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::manifest::{
    Manifest, Platform, descriptor_digest, parse_manifest_typed, select_platform,
};
use crate::reference::ImageReference;
use crate::transport::{ImageSource, ResolvedManifest};
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// Progress of one blob: its digest, bytes received and total size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobProgress {
    /// The blob.
    pub digest: Digest,
    /// Bytes received so far.
    pub done: u64,
    /// The blob's size from the manifest.
    pub total: u64,
}

/// Called as blobs arrive (from the downloading threads).
pub type ProgressCallback = Arc<dyn Fn(BlobProgress) + Send + Sync>;

/// One image in a registry.
pub struct RegistrySource {
    client: Arc<RegistryClient>,
    reference: ImageReference,
    platform: Platform,
    progress: Option<ProgressCallback>,
    resolved: OnceLock<ResolvedManifest>,
}

impl RegistrySource {
    /// The image `reference` (which must have a tag or a digest) through `client`, resolved
    /// to `platform` when it is an index.
    pub fn new(
        client: Arc<RegistryClient>,
        reference: ImageReference,
        platform: Platform,
        progress: Option<ProgressCallback>,
    ) -> Self {
        RegistrySource {
            client,
            reference,
            platform,
            progress,
            resolved: OnceLock::new(),
        }
    }

    /// The reference this source reads.
    pub fn reference(&self) -> &ImageReference {
        &self.reference
    }

    fn resolve(&self) -> Result<ResolvedManifest> {
        let repository = self.reference.repository();
        let top = match (self.reference.digest(), self.reference.tag()) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.to_string(),
            (None, None) => "latest".to_string(),
        };
        let fetched = self.client.get_manifest(repository, &top)?;
        let (manifest, media_type) =
            parse_manifest_typed(&fetched.bytes, fetched.media_type.as_deref())?;
        let (fetched, manifest, media_type) = match manifest {
            Manifest::Index { manifests } => {
                let chosen = select_platform(&manifests, &self.platform)?;
                let digest = descriptor_digest(chosen)?;
                let inner = self.client.get_manifest(repository, &digest.to_string())?;
                let (manifest, media_type) =
                    parse_manifest_typed(&inner.bytes, Some(chosen.media_type().as_ref()))?;
                if matches!(manifest, Manifest::Index { .. }) {
                    return Err(StorageError::Unsupported {
                        what: "manifest",
                        reason: format!("{} is an index inside an index", digest),
                    });
                }
                (inner, manifest, media_type)
            }
            image => (fetched, image, media_type),
        };
        let Manifest::Image { config, layers } = manifest else {
            unreachable!("indexes were resolved above");
        };
        Ok(ResolvedManifest {
            digest: fetched.digest,
            media_type: media_type.to_string(),
            bytes: fetched.bytes,
            config,
            layers,
        })
    }

    /// The size the manifest gives for a blob, and whether it is a layer.
    fn size_of(&self, digest: &Digest) -> Option<(u64, bool)> {
        let resolved = self.resolved.get()?;
        let matches = |d: &&oci_spec::image::Descriptor| {
            descriptor_digest(d).is_ok_and(|found| &found == digest)
        };
        if let Some(layer) = resolved.layers.iter().find(matches) {
            return Some((layer.size(), true));
        }
        std::iter::once(&resolved.config)
            .find(matches)
            .map(|d| (d.size(), false))
    }
}

impl ImageSource for RegistrySource {
    fn manifest(&self) -> Result<ResolvedManifest> {
        if let Some(resolved) = self.resolved.get() {
            return Ok(resolved.clone());
        }
        let resolved = self.resolve()?;
        Ok(self.resolved.get_or_init(|| resolved).clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        let size = self.size_of(digest);
        let progress: Option<ProgressFn> = match (&self.progress, size) {
            (Some(callback), Some((total, true))) => {
                let callback = Arc::clone(callback);
                let digest = *digest;
                Some(Arc::new(move |done| {
                    callback(BlobProgress {
                        digest,
                        done,
                        total,
                    })
                }))
            }
            _ => None,
        };
        Ok(Box::new(self.client.blob_reader(
            self.reference.repository(),
            *digest,
            size.map(|(size, _)| size),
            progress,
        )))
    }
}
