//! Bringing images in: from an [`ImageSource`] (OCI layout, archive, registry) and from a
//! root filesystem tarball (`import`).
//!
//! Missing layers are fetched and unpacked in parallel (one thread per core), each streamed
//! once: read, hashed, copied to a staged blob and unpacked at the same time. Nothing becomes
//! visible until every layer, blob and the image are committed together.

use super::Store;
use super::layers::{StagedLayer, chain_ids, seal_layers, stage_layer};
use super::metadata::{ImageRecord, Metadata};
use crate::blob::{BlobStore, StagedBlob};
use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::events::ImageEventKind;
use crate::layer::{Compression, detect_compression};
use crate::manifest::{self, descriptor_digest};
use crate::parallel::map_parallel;
use crate::reference::ImageReference;
use crate::transport::bounded::BoundedBlob;
use crate::transport::{ImageSource, ResolvedManifest};
use libpod_fs::now_rfc3339;
use oci_spec::image::{ImageConfiguration, MediaType};
use std::io::{BufReader, Read};
use std::path::Path;

/// The largest image config we read.
const MAX_CONFIG_SIZE: u64 = 16 << 20;

/// What fetching one layer produced: its index, the layer if it had to be unpacked, the blob
/// if only the blob was missing.
type Fetched = (usize, Option<StagedLayer>, Option<StagedBlob>);

/// Everything an ingest stages before its commit.
pub(crate) struct Staged {
    pub layers: Vec<(usize, StagedLayer)>,
    pub blobs: Vec<StagedBlob>,
}

impl Store {
    /// Copies the image `source` offers into the store, skipping layers already here, and
    /// gives it `name`. Returns the image's record.
    pub fn pull_from(
        &self,
        source: &dyn ImageSource,
        name: Option<&ImageReference>,
    ) -> Result<ImageRecord> {
        let manifest = source.manifest()?;
        if Digest::of(&manifest.bytes) != manifest.digest {
            return Err(StorageError::DigestMismatch {
                what: "manifest",
                expected: manifest.digest.to_string(),
                actual: Digest::of(&manifest.bytes).to_string(),
            });
        }
        let config_digest = descriptor_digest(&manifest.config)?;
        let mut config_bytes = Vec::new();
        let mut config_blob = BoundedBlob::new(
            source.blob(&config_digest)?,
            config_digest,
            manifest.config.size(),
        );
        let read = (&mut config_blob)
            .take(MAX_CONFIG_SIZE + 1)
            .read_to_end(&mut config_bytes)
            .map_err(|e| StorageError::io("read config", config_digest.to_string(), e));
        config_blob.finish(read)?;
        let actual = Digest::of(&config_bytes);
        if actual != config_digest {
            return Err(StorageError::DigestMismatch {
                what: "config",
                expected: config_digest.to_string(),
                actual: actual.to_string(),
            });
        }
        let config: ImageConfiguration =
            serde_json::from_slice(&config_bytes).map_err(|source| StorageError::Json {
                what: "image config",
                path: config_digest.to_string().into(),
                source,
            })?;
        let diff_ids: Vec<Digest> = config
            .rootfs()
            .diff_ids()
            .iter()
            .map(|d| d.parse())
            .collect::<Result<_>>()?;
        if diff_ids.len() != manifest.layers.len() {
            return Err(StorageError::invalid(
                "image config",
                config_digest.to_string(),
                format!(
                    "{} diff IDs for {} layers",
                    diff_ids.len(),
                    manifest.layers.len()
                ),
            ));
        }
        let layer_blobs: Vec<Digest> = manifest
            .layers
            .iter()
            .map(descriptor_digest)
            .collect::<Result<_>>()?;
        let chain = chain_ids(&diff_ids);
        let staging = self.staging()?;
        let meta = self.read()?;
        let mut staged = fetch_layers(
            self,
            source,
            &manifest,
            &meta,
            &chain,
            &diff_ids,
            staging.path(),
        )?;
        staged.blobs.push(BlobStore::stage(
            staging.path(),
            Some(&manifest.digest),
            &manifest.bytes[..],
        )?);
        staged.blobs.push(BlobStore::stage(
            staging.path(),
            Some(&config_digest),
            &config_bytes[..],
        )?);
        let created = config.created().clone().unwrap_or_else(now_rfc3339);
        let record = ImageRecord {
            id: config_digest,
            names: Vec::new(),
            manifest_digest: manifest.digest,
            manifest_media_type: manifest.media_type.clone(),
            digests: vec![manifest.digest],
            layers: chain.clone(),
            layer_blobs,
            created,
            size: 0,
        };
        let image = self.commit_image(staged, &chain, record, name)?;
        self.image_event(ImageEventKind::Pull, &image.id, &event_name(&image, name));
        Ok(image)
    }

    /// Imports a root filesystem tarball (plain, gzip or zstd) as a one-layer image, with
    /// `podman import --change` instructions applied to its config.
    pub fn import_tarball(
        &self,
        tarball: impl Read + Send,
        name: Option<&ImageReference>,
        changes: &[String],
    ) -> Result<ImageRecord> {
        let mut container_config = oci_spec::image::Config::default();
        crate::config_changes::apply_changes(&mut container_config, changes)?;
        let staging = self.staging()?;
        let mut reader = BufReader::with_capacity(1 << 20, tarball);
        let compression = detect_compression(&mut reader)?;
        let layer = stage_layer(staging.path(), reader, None)?;
        let created = now_rfc3339();
        let platform = manifest::Platform::host();
        let config_json = serde_json::json!({
            "created": created,
            "architecture": platform.architecture,
            "os": platform.os,
            "config": container_config,
            "rootfs": {"type": "layers", "diff_ids": [layer.applied.diff_id.to_string()]},
            "history": [{"created": created, "created_by": "libpod-rs import", "comment": "imported from tarball"}],
        });
        let config_bytes = serde_json::to_vec(&config_json).expect("a JSON value serializes");
        let config_digest = Digest::of(&config_bytes);
        let layer_media_type = match compression {
            Compression::Gzip => manifest::OCI_LAYER_GZIP,
            Compression::Zstd => manifest::OCI_LAYER_ZSTD,
            _ => manifest::OCI_LAYER_TAR,
        };
        let layer_descriptor = serde_json::json!({"mediaType": layer_media_type, "digest": layer.blob.digest.to_string(), "size": layer.blob.size});
        let (manifest_bytes, manifest_digest) = oci_manifest(&config_bytes, vec![layer_descriptor]);
        let chain = vec![layer.applied.diff_id];
        let staged = Staged {
            blobs: vec![
                BlobStore::stage(staging.path(), None, &manifest_bytes[..])?,
                BlobStore::stage(staging.path(), None, &config_bytes[..])?,
            ],
            layers: vec![(0, layer)],
        };
        let record = ImageRecord {
            id: config_digest,
            names: Vec::new(),
            manifest_digest,
            manifest_media_type: manifest::OCI_MANIFEST.to_string(),
            digests: vec![manifest_digest],
            layers: chain.clone(),
            layer_blobs: vec![staged.layers[0].1.blob.digest],
            created,
            size: 0,
        };
        let image = self.commit_image(staged, &chain, record, name)?;
        self.image_event(ImageEventKind::Import, &image.id, &event_name(&image, name));
        Ok(image)
    }

    /// Commits staged layers and blobs and the image record in one metadata update, the
    /// layers' files synced and marked complete first.
    pub(crate) fn commit_image(
        &self,
        staged: Staged,
        chain: &[Digest],
        mut record: ImageRecord,
        name: Option<&ImageReference>,
    ) -> Result<ImageRecord> {
        seal_layers(staged.layers.iter().map(|(_, layer)| layer))?;
        self.update(|meta, guard| {
            // A layer found here when the pull began may have been garbage-collected since.
            let staged_index = |i: usize| staged.layers.iter().any(|(index, _)| *index == i);
            if let Some(gone) =
                (0..chain.len()).find(|&i| !staged_index(i) && !meta.layers.contains_key(&chain[i]))
            {
                return Err(StorageError::LayerNotKnown(chain[gone].to_string()));
            }
            for (index, layer) in &staged.layers {
                let parent = index.checked_sub(1).map(|p| chain[p]);
                self.commit_layer(meta, guard, layer, chain[*index], parent)?;
                self.blobs().commit(&layer.blob)?;
            }
            for blob in &staged.blobs {
                self.blobs().commit(blob)?;
            }
            record.size = chain
                .iter()
                .filter_map(|id| meta.layers.get(id))
                .map(|l| l.size)
                .sum();
            let id = record.id;
            match meta.images.get_mut(&id) {
                Some(existing) => {
                    for d in &record.digests {
                        if !existing.digests.contains(d) {
                            existing.digests.push(*d);
                        }
                    }
                }
                None => {
                    meta.images.insert(id, record);
                }
            }
            if let Some(name) = name {
                meta.set_name(&id, &name.to_string());
            }
            Ok(meta.images[&id].clone())
        })
    }
}

/// An OCI image manifest for a config and layer descriptors; its bytes and digest.
pub(crate) fn oci_manifest(config: &[u8], layers: Vec<serde_json::Value>) -> (Vec<u8>, Digest) {
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest::OCI_MANIFEST,
        "config": {"mediaType": manifest::OCI_CONFIG, "digest": Digest::of(config).to_string(), "size": config.len()},
        "layers": layers,
    });
    let bytes = serde_json::to_vec(&manifest).expect("a JSON value serializes");
    let digest = Digest::of(&bytes);
    (bytes, digest)
}

/// Fetches and unpacks the layers the store lacks, in parallel; for layers it has, fetches
/// only blobs it lacks (so the image can be saved as it came).
fn fetch_layers(
    store: &Store,
    source: &dyn ImageSource,
    manifest: &ResolvedManifest,
    meta: &Metadata,
    chain: &[Digest],
    diff_ids: &[Digest],
    staging: &Path,
) -> Result<Staged> {
    let indexes: Vec<usize> = (0..chain.len()).collect();
    let fetched = map_parallel(&indexes, |_, &index| {
        fetch_one(
            store, source, manifest, meta, chain, diff_ids, staging, index,
        )
    })?;
    let mut staged = Staged {
        layers: Vec::new(),
        blobs: Vec::new(),
    };
    for (index, layer, blob) in fetched {
        if let Some(layer) = layer {
            staged.layers.push((index, layer));
        }
        staged.blobs.extend(blob);
    }
    Ok(staged)
}

#[allow(clippy::too_many_arguments)]
fn fetch_one(
    store: &Store,
    source: &dyn ImageSource,
    manifest: &ResolvedManifest,
    meta: &Metadata,
    chain: &[Digest],
    diff_ids: &[Digest],
    staging: &Path,
    index: usize,
) -> Result<Fetched> {
    let descriptor = &manifest.layers[index];
    let blob_digest = descriptor_digest(descriptor)?;
    check_layer_media_type(descriptor.media_type())?;
    let have_blob = store.blobs().contains(&blob_digest);
    // A recorded layer is reused only when its files are whole (see `commit_layer`).
    if meta.layers.contains_key(&chain[index]) && store.layer_is_complete(&chain[index]) {
        if have_blob {
            return Ok((index, None, None));
        }
        let mut blob = BoundedBlob::new(source.blob(&blob_digest)?, blob_digest, descriptor.size());
        let staged = BlobStore::stage(staging, Some(&blob_digest), &mut blob);
        return Ok((index, None, Some(blob.finish(staged)?)));
    }
    let reader: Box<dyn Read + Send> = if have_blob {
        Box::new(store.blobs().open(&blob_digest)?)
    } else {
        source.blob(&blob_digest)?
    };
    // Cut at the descriptor's size: a longer stream is never staged or unpacked past it.
    let mut blob = BoundedBlob::new(reader, blob_digest, descriptor.size());
    let staged = stage_layer(staging, &mut blob, Some(&blob_digest));
    let layer = blob.finish(staged).map_err(|err| match err {
        StorageError::MalformedLayer { reason } => StorageError::MalformedLayer {
            reason: format!("layer {blob_digest}: {reason}"),
        },
        other => other,
    })?;
    if layer.applied.diff_id != diff_ids[index] {
        return Err(StorageError::DigestMismatch {
            what: "layer diff",
            expected: diff_ids[index].to_string(),
            actual: layer.applied.diff_id.to_string(),
        });
    }
    if descriptor.size() != layer.blob.size {
        return Err(StorageError::invalid(
            "layer",
            blob_digest.to_string(),
            format!(
                "manifest says {} bytes, blob has {}",
                descriptor.size(),
                layer.blob.size
            ),
        ));
    }
    Ok((index, Some(layer), None))
}

fn check_layer_media_type(media_type: &MediaType) -> Result<()> {
    let text = media_type.to_string();
    let known = [
        manifest::OCI_LAYER_TAR,
        manifest::OCI_LAYER_GZIP,
        manifest::OCI_LAYER_ZSTD,
        manifest::DOCKER_LAYER_GZIP,
        "application/vnd.docker.image.rootfs.diff.tar",
    ];
    if known.contains(&text.as_str()) {
        Ok(())
    } else {
        Err(StorageError::Unsupported {
            what: "layer media type",
            reason: text,
        })
    }
}

/// The name an image event gives: the one the image was stored under, else its ID.
fn event_name(image: &ImageRecord, name: Option<&ImageReference>) -> String {
    name.map_or_else(|| image.id.hex(), ToString::to_string)
}
