//! Saving images as a docker archive (`podman save`'s default format): each layer
//! uncompressed as `DIFFID.tar`, each config as `ID.json`, and `manifest.json` listing them
//! with the images' names, as Docker's and Podman's `load` read it.

use super::Store;
use crate::Digest;
use crate::digest::HashingWriter;
use crate::error::{Result, StorageError};
use crate::events::ImageEventKind;
use crate::layer::decompressing_reader;
use crate::manifest::{Manifest, descriptor_digest, parse_manifest};
use crate::transport::write_oci_archive;
use std::fs;
use std::io::{self, BufReader, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

impl Store {
    /// Writes `images` (each a name or ID with the names it gets in the archive, none for
    /// an image saved by ID) as one docker archive at `file`, atomically. Layers two images
    /// share are written once.
    ///
    /// ```no_run
    /// # let store = libpod_storage::Store::open(libpod_storage::StoreOptions::new("/var/lib/x", "/run/x"))?;
    /// let names = vec!["localhost/app:latest".to_string()];
    /// store.save_to_docker_archive(&[("localhost/app", names)], "app.tar".as_ref())?;
    /// # Ok::<(), libpod_storage::StorageError>(())
    /// ```
    pub fn save_to_docker_archive(
        &self,
        images: &[(&str, Vec<String>)],
        file: &Path,
    ) -> Result<()> {
        let staging = self.staging()?;
        let dir = staging.path().join("docker-archive");
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| StorageError::io("create", &dir, e))?;
        let mut list = Vec::new();
        let mut ids = Vec::new();
        for (image, names) in images {
            let record = self.image(image)?;
            let manifest = self.image_manifest(&record)?;
            let Manifest::Image { layers, .. } =
                parse_manifest(&manifest, Some(&record.manifest_media_type))?
            else {
                return Err(StorageError::Unsupported {
                    what: "manifest",
                    reason: "the stored manifest is an index".into(),
                });
            };
            let config_name = format!("{}.json", record.id.hex());
            let config_path = dir.join(&config_name);
            if !config_path.exists() {
                let mut out = libpod_fs::private_file()
                    .write(true)
                    .create_new(true)
                    .open(&config_path)
                    .map_err(|e| StorageError::io("create", &config_path, e))?;
                io::copy(&mut self.blobs().open(&record.id)?, &mut out)
                    .map_err(|e| StorageError::io("write", &config_path, e))?;
            }
            let diff_ids = self.image_config(&record)?.rootfs().diff_ids().clone();
            if diff_ids.len() != layers.len() {
                return Err(StorageError::invalid(
                    "image",
                    record.id.to_string(),
                    "its config's diff IDs do not match its layers",
                ));
            }
            let mut layer_names = Vec::new();
            for (layer, diff_id) in layers.iter().zip(&diff_ids) {
                let diff_id: Digest = diff_id.parse()?;
                let name = format!("{}.tar", diff_id.hex());
                let path = dir.join(&name);
                if !path.exists() {
                    self.write_uncompressed(&descriptor_digest(layer)?, &diff_id, &path)?;
                }
                layer_names.push(name);
            }
            list.push(serde_json::json!({
                "Config": config_name,
                "RepoTags": names,
                "Layers": layer_names,
            }));
            ids.push(record.id);
        }
        let list_path = dir.join("manifest.json");
        let bytes = serde_json::to_vec(&list)
            .map_err(|e| StorageError::invalid("manifest.json", "docker archive", e.to_string()))?;
        libpod_fs::private_file()
            .write(true)
            .create_new(true)
            .open(&list_path)
            .and_then(|mut file| file.write_all(&bytes))
            .map_err(|e| StorageError::io("write", &list_path, e))?;
        write_oci_archive(&dir, file)?;
        for id in &ids {
            self.image_event(ImageEventKind::Save, id, &file.display().to_string());
        }
        Ok(())
    }

    /// Writes the layer blob `blob` decompressed to `path`, checking it is `diff_id`.
    fn write_uncompressed(&self, blob: &Digest, diff_id: &Digest, path: &Path) -> Result<()> {
        let (_, mut plain) = decompressing_reader(BufReader::new(self.blobs().open(blob)?))?;
        let out = libpod_fs::private_file()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| StorageError::io("create", path, e))?;
        let mut out = HashingWriter::new(io::BufWriter::new(out));
        io::copy(&mut plain, &mut out).map_err(|e| StorageError::io("write", path, e))?;
        out.flush()
            .map_err(|e| StorageError::io("write", path, e))?;
        if out.digest() != *diff_id {
            return Err(StorageError::DigestMismatch {
                what: "layer",
                expected: diff_id.to_string(),
                actual: out.digest().to_string(),
            });
        }
        Ok(())
    }
}
