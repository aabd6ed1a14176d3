//! `commit`: a container's changes as a new image layer on its image.

use super::Store;
use super::ingest::{Staged, oci_manifest};
use super::layers::{chain_ids, stage_layer};
use super::metadata::ImageRecord;
use crate::blob::BlobStore;
use crate::digest::Digest;
use crate::driver::DriverKind;
use crate::error::{Result, StorageError};
use crate::layer::{TarOptions, write_tar};
use crate::manifest::{self, Manifest, parse_manifest};
use crate::reference::ImageReference;
use libpod_fs::now_rfc3339;
use serde_json::{Value, json};
use std::fs::File;

impl Store {
    /// Commits the container's changes as a new layer on top of its image's, with `changes`
    /// (`--change` instructions) applied to the image config, and names the result.
    ///
    /// With the overlay driver the new layer is the container's upper directory; with vfs,
    /// which keeps no separate changes, it is the whole root filesystem on no parent.
    pub fn commit_container(
        &self,
        id: &str,
        name: Option<&ImageReference>,
        changes: &[String],
    ) -> Result<ImageRecord> {
        let container = self.container(id)?;
        let base = container
            .record
            .image
            .map(|i| self.image(&i.to_string()))
            .transpose()?;
        let staging = self.staging()?;
        let tar_path = staging.path().join("commit.tar");
        let tar = File::create(&tar_path).map_err(|e| StorageError::io("create", &tar_path, e))?;
        let squash = self.driver() == DriverKind::Vfs;
        let options = TarOptions {
            overlay_whiteouts: !squash,
            ..TarOptions::default()
        };
        write_tar(&self.inner.driver.rw_dir(&container.dir), tar, &options)?;
        let layer = stage_layer(
            staging.path(),
            File::open(&tar_path).map_err(|e| StorageError::io("open", &tar_path, e))?,
            None,
        )?;

        let (mut config, mut layer_descriptors, mut diff_ids) = match (&base, squash) {
            (Some(image), false) => {
                let config = self.image_config_json(image)?;
                let Manifest::Image { layers, .. } = parse_manifest(
                    &self.image_manifest(image)?,
                    Some(&image.manifest_media_type),
                )?
                else {
                    return Err(StorageError::Unsupported {
                        what: "manifest",
                        reason: "the base image's manifest is an index".into(),
                    });
                };
                let descriptors: Vec<Value> = layers.iter().map(oci_layer_descriptor).collect();
                let diff_ids: Vec<Digest> = image
                    .layers
                    .iter()
                    .map(|chain| self.read().map(|m| m.layers[chain].diff_id))
                    .collect::<Result<_>>()?;
                (config, descriptors, diff_ids)
            }
            (base, _) => {
                let platform = manifest::Platform::host();
                let mut config =
                    json!({"architecture": platform.architecture, "os": platform.os, "config": {}});
                if let Some(image) = base {
                    let base_config = self.image_config_json(image)?;
                    config["config"] = base_config["config"].clone();
                }
                (config, Vec::new(), Vec::new())
            }
        };
        let mut container_config: oci_spec::image::Config =
            serde_json::from_value(config["config"].clone()).unwrap_or_default();
        crate::config_changes::apply_changes(&mut container_config, changes)?;
        let created = now_rfc3339();
        diff_ids.push(layer.applied.diff_id);
        config["config"] = serde_json::to_value(&container_config).expect("a config serializes");
        config["created"] = json!(created);
        config["rootfs"] = json!({"type": "layers", "diff_ids": diff_ids.iter().map(Digest::to_string).collect::<Vec<_>>()});
        let mut history = config["history"].as_array().cloned().unwrap_or_default();
        history.push(json!({"created": created, "created_by": "libpod-rs commit"}));
        config["history"] = Value::Array(history);
        let config_bytes = serde_json::to_vec(&config).expect("a JSON value serializes");
        let config_digest = Digest::of(&config_bytes);
        layer_descriptors.push(json!({"mediaType": manifest::OCI_LAYER_TAR, "digest": layer.blob.digest.to_string(), "size": layer.blob.size}));
        let (manifest_bytes, manifest_digest) = oci_manifest(&config_bytes, layer_descriptors);
        let chain = chain_ids(&diff_ids);
        let mut layer_blobs: Vec<Digest> = base
            .filter(|_| !squash)
            .map(|b| b.layer_blobs)
            .unwrap_or_default();
        layer_blobs.push(layer.blob.digest);
        let top = chain.len() - 1;
        let staged = Staged {
            blobs: vec![
                BlobStore::stage(staging.path(), None, &manifest_bytes[..])?,
                BlobStore::stage(staging.path(), None, &config_bytes[..])?,
            ],
            layers: vec![(top, layer)],
        };
        let record = ImageRecord {
            id: config_digest,
            names: Vec::new(),
            manifest_digest,
            manifest_media_type: manifest::OCI_MANIFEST.to_string(),
            digests: vec![manifest_digest],
            layers: chain.clone(),
            layer_blobs,
            created,
            size: 0,
        };
        self.commit_image(staged, &chain, record, name)
    }
}

/// A layer descriptor as it goes into an OCI manifest: Docker media types become their OCI
/// equivalents (same bytes, same digest).
fn oci_layer_descriptor(descriptor: &oci_spec::image::Descriptor) -> Value {
    let media_type = match descriptor.media_type().to_string().as_str() {
        manifest::DOCKER_LAYER_GZIP => manifest::OCI_LAYER_GZIP.to_string(),
        "application/vnd.docker.image.rootfs.diff.tar" => manifest::OCI_LAYER_TAR.to_string(),
        other => other.to_string(),
    };
    json!({"mediaType": media_type, "digest": descriptor.digest().to_string(), "size": descriptor.size()})
}
