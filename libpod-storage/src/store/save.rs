//! Saving images out of the store: OCI image layouts and archives, with the manifest, config and
//! layer blobs exactly as they came in (so a round trip keeps every digest).

use super::Store;
use crate::Digest;
use crate::error::{Result, StorageError};
use crate::events::ImageEventKind;
use crate::manifest::{self, Manifest, parse_manifest};
use crate::transport::{OciLayoutWriter, write_oci_archive};
use oci_spec::image::{DescriptorBuilder, MediaType};
use std::path::Path;

impl Store {
    /// Writes `image` into the OCI image layout `dir` (created or added to) under `tag`.
    pub fn save_to_layout(&self, image: &str, dir: &Path, tag: Option<&str>) -> Result<()> {
        let id = self.write_layout(image, dir, tag)?;
        self.image_event(ImageEventKind::Save, &id, &dir.display().to_string());
        Ok(())
    }

    /// Writes `image` as an OCI archive at `file` under `tag`.
    pub fn save_to_archive(&self, image: &str, file: &Path, tag: Option<&str>) -> Result<()> {
        let staging = self.staging()?;
        let layout = staging.path().join("layout");
        let id = self.write_layout(image, &layout, tag)?;
        write_oci_archive(&layout, file)?;
        self.image_event(ImageEventKind::Save, &id, &file.display().to_string());
        Ok(())
    }

    /// [`save_to_layout`](Self::save_to_layout) without its event; returns the image's ID.
    fn write_layout(&self, image: &str, dir: &Path, tag: Option<&str>) -> Result<Digest> {
        let record = self.image(image)?;
        let manifest_bytes = self.image_manifest(&record)?;
        let Manifest::Image { config, layers } =
            parse_manifest(&manifest_bytes, Some(&record.manifest_media_type))?
        else {
            return Err(StorageError::Unsupported {
                what: "manifest",
                reason: "the stored manifest is an index".into(),
            });
        };
        let mut writer = OciLayoutWriter::create(dir)?;
        for descriptor in layers.iter().chain(std::iter::once(&config)) {
            let digest = manifest::descriptor_digest(descriptor)?;
            writer.put_blob(&digest, self.blobs().open(&digest)?)?;
        }
        writer.put_blob(&record.manifest_digest, &manifest_bytes[..])?;
        let descriptor = DescriptorBuilder::default()
            .media_type(MediaType::from(record.manifest_media_type.as_str()))
            .digest(oci_spec::image::Digest::from(&record.manifest_digest))
            .size(manifest_bytes.len() as u64)
            .build()
            .map_err(|e| {
                StorageError::invalid(
                    "manifest",
                    record.manifest_digest.to_string(),
                    e.to_string(),
                )
            })?;
        writer.add_manifest(descriptor, tag)?;
        Ok(record.id)
    }
}
