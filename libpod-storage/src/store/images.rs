//! Images in the store: lookup, listing, names, removal, pruning and garbage collection.

use super::Store;
use super::metadata::{ImageRecord, LayerRecord, Metadata};
use super::trash::Trash;
use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::events::ImageEventKind;
use crate::reference::ImageReference;
use std::collections::BTreeSet;

/// What removing an image did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemovedImage {
    /// The image's ID.
    pub id: Digest,
    /// The names taken off it.
    pub untagged: Vec<String>,
    /// Whether the image itself was deleted (false when only a name was removed).
    pub deleted: bool,
}

/// Normalises a name for an image made here (import, commit, tag): short names go under
/// `localhost/`, as Podman does.
///
/// ```
/// use libpod_storage::store::local_name;
/// assert_eq!(local_name("app").unwrap().to_string(), "localhost/app:latest");
/// assert_eq!(local_name("quay.io/x/y:1").unwrap().to_string(), "quay.io/x/y:1");
/// ```
pub fn local_name(name: &str) -> Result<ImageReference> {
    if ImageReference::is_short_name(name) {
        ImageReference::parse(&format!("localhost/{name}"))
    } else {
        ImageReference::parse(name)
    }
}

impl Store {
    /// Every image, by ID.
    pub fn images(&self) -> Result<Vec<ImageRecord>> {
        Ok(self.read()?.images.values().cloned().collect())
    }

    /// Looks an image up as Podman does: by full ID, by name (a short name tries
    /// `localhost/NAME` and then the unqualified-search registries), by `name@digest`, or by a
    /// unique ID prefix.
    pub fn image(&self, name_or_id: &str) -> Result<ImageRecord> {
        let meta = self.read()?;
        self.find_image(&meta, name_or_id).cloned()
    }

    pub(crate) fn find_image<'m>(
        &self,
        meta: &'m Metadata,
        name_or_id: &str,
    ) -> Result<&'m ImageRecord> {
        let not_known = || StorageError::ImageNotKnown(name_or_id.to_string());
        let bare = name_or_id.strip_prefix("sha256:").unwrap_or(name_or_id);
        let is_hex =
            !bare.is_empty() && bare.len() <= 64 && bare.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex
            && bare.len() == 64
            && let Some(image) = meta.images.values().find(|i| i.id.hex() == bare)
        {
            return Ok(image);
        }
        for candidate in self.name_candidates(name_or_id) {
            let name = candidate.to_string();
            if let Some(image) = meta.image_with_name(&name) {
                return Ok(image);
            }
            if let Some(digest) = candidate.digest()
                && let Some(image) = meta.images.values().find(|i| {
                    (i.manifest_digest == *digest || i.digests.contains(digest))
                        && i.names
                            .iter()
                            .any(|n| n.starts_with(&format!("{}:", candidate.name())))
                })
            {
                return Ok(image);
            }
        }
        if is_hex {
            let matches: Vec<&ImageRecord> = meta
                .images
                .values()
                .filter(|i| i.id.hex().starts_with(bare))
                .collect();
            match matches.len() {
                1 => return Ok(matches[0]),
                0 => {}
                _ => {
                    return Err(StorageError::Ambiguous {
                        kind: "image",
                        prefix: name_or_id.to_string(),
                    });
                }
            }
        }
        Err(not_known())
    }

    /// The references a name may stand for, most specific first.
    fn name_candidates(&self, name: &str) -> Vec<ImageReference> {
        if !ImageReference::is_short_name(name) {
            return ImageReference::parse(name).into_iter().collect();
        }
        let mut out: Vec<ImageReference> = local_name(name).into_iter().collect();
        if let Ok(resolved) = self.registries().resolve_short_name(name) {
            out.extend(resolved);
        }
        out
    }

    /// Gives `name` (normalised with [`local_name`]) to the image, taking it from any other.
    pub fn tag(&self, image: &str, name: &str) -> Result<ImageRecord> {
        let name = local_name(name)?.to_string();
        let record = self.update(|meta, _| {
            let id = self.find_image(meta, image)?.id;
            meta.set_name(&id, &name);
            Ok(meta.images[&id].clone())
        })?;
        self.image_event(ImageEventKind::Tag, &record.id, &name);
        Ok(record)
    }

    /// Takes `name` off the image.
    pub fn untag(&self, image: &str, name: &str) -> Result<ImageRecord> {
        let name = local_name(name)?.to_string();
        let record = self.update(|meta, _| {
            let id = self.find_image(meta, image)?.id;
            let record = meta.images.get_mut(&id).expect("found above");
            if !record.names.iter().any(|n| n == &name) {
                return Err(StorageError::invalid(
                    "tag",
                    name.clone(),
                    format!("image {id} does not have this name"),
                ));
            }
            record.names.retain(|n| n != &name);
            Ok(record.clone())
        })?;
        self.image_event(ImageEventKind::Untag, &record.id, &name);
        Ok(record)
    }

    /// Removes an image as `podman rmi` does: named by one of several names, only that name
    /// goes; otherwise the image goes, refused while containers use it unless `force`.
    /// Layers and blobs no longer used are deleted.
    pub fn remove_image(&self, image: &str, force: bool) -> Result<RemovedImage> {
        // Held from before the record goes until its files are collected: a process killed in
        // between leaves it abandoned, a dirty mark, so the next open collects them.
        let trash = Trash::new(self)?;
        let removed: RemovedImage = self.update(|meta, _| {
            let record = self.find_image(meta, image)?.clone();
            let by_name = record.names.iter().find(|n| {
                self.name_candidates(image)
                    .iter()
                    .any(|c| &c.to_string() == *n)
            });
            if let Some(name) = by_name
                && record.names.len() > 1
            {
                let name = name.clone();
                meta.images
                    .get_mut(&record.id)
                    .expect("found above")
                    .names
                    .retain(|n| n != &name);
                return Ok(RemovedImage {
                    id: record.id,
                    untagged: vec![name],
                    deleted: false,
                });
            }
            let users = meta.containers_of(&record.id);
            if !users.is_empty() && !force {
                return Err(StorageError::ImageInUse {
                    image: record.id.to_string(),
                    containers: users,
                });
            }
            meta.images.remove(&record.id);
            Ok(RemovedImage {
                id: record.id,
                untagged: record.names.clone(),
                deleted: true,
            })
        })?;
        // As libimage reports a removal: each name taken off, then `remove` naming the image
        // as the caller did, even when only that name went (Podman 4.3 does the same).
        for name in &removed.untagged {
            self.image_event(ImageEventKind::Untag, &removed.id, name);
        }
        self.image_event(ImageEventKind::Remove, &removed.id, image);
        if removed.deleted {
            self.collect_into(trash)?;
        }
        Ok(removed)
    }

    /// Removes dangling images (no names, no containers), then garbage-collects. Returns the
    /// removed images' IDs.
    pub fn prune_images(&self) -> Result<Vec<Digest>> {
        self.prune(false)
    }

    /// Removes every image no container uses, named or not (`image prune -a`), then
    /// garbage-collects. Returns the removed images' IDs.
    pub fn prune_unused_images(&self) -> Result<Vec<Digest>> {
        self.prune(true)
    }

    /// Removes the images no container uses: all of them, or only the dangling ones; each
    /// gets its untag and remove events, as `remove_image`'s.
    fn prune(&self, named_too: bool) -> Result<Vec<Digest>> {
        // As for `remove_image`: the dirty mark spans the records' commit and the collection.
        let trash = Trash::new(self)?;
        let pruned = self.update(|meta, _| {
            let unused: Vec<(Digest, Vec<String>)> = meta
                .images
                .values()
                .filter(|i| {
                    (named_too || i.names.is_empty()) && meta.containers_of(&i.id).is_empty()
                })
                .map(|i| (i.id, i.names.clone()))
                .collect();
            for (id, _) in &unused {
                meta.images.remove(id);
            }
            Ok(unused)
        })?;
        for (id, names) in &pruned {
            for name in names {
                self.image_event(ImageEventKind::Untag, id, name);
            }
            let name = names.first().cloned().unwrap_or_else(|| id.hex());
            self.image_event(ImageEventKind::Remove, id, &name);
        }
        self.collect_into(trash)?;
        Ok(pruned.into_iter().map(|(id, _)| id).collect())
    }

    /// Deletes layers that no image or container uses, and blobs that no image needs.
    /// Returns how many layers and blobs were deleted.
    ///
    /// Crash-safe: the records go first, in one commit; the files are then moved under the
    /// writer lock into a trash (a staging directory under `tmp/`) and deleted after the lock.
    /// A layer directory is never deleted while a record points at it.
    pub fn garbage_collect(&self) -> Result<(usize, usize)> {
        self.collect_into(Trash::new(self)?)
    }

    /// [`garbage_collect`](Store::garbage_collect) into `trash`, which is deleted at the end.
    fn collect_into(&self, trash: Trash) -> Result<(usize, usize)> {
        let counts = self.update_then(
            |meta, _| {
                let used_layers: BTreeSet<Digest> = meta
                    .images
                    .values()
                    .flat_map(|i| i.layers.iter())
                    .chain(meta.containers.values().flat_map(|c| c.layers.iter()))
                    .copied()
                    .collect();
                let unused: Vec<LayerRecord> = meta
                    .layers
                    .values()
                    .filter(|l| !used_layers.contains(&l.chain_id))
                    .cloned()
                    .collect();
                for layer in &unused {
                    meta.layers.remove(&layer.chain_id);
                }
                let used_blobs: BTreeSet<Digest> = meta
                    .images
                    .values()
                    .flat_map(|i| i.blobs())
                    .copied()
                    .collect();
                let unused_blobs: Vec<Digest> = self
                    .blobs()
                    .list()?
                    .into_iter()
                    .filter(|b| !used_blobs.contains(b))
                    .collect();
                Ok((unused, unused_blobs))
            },
            |(layers, blobs), guard| {
                for layer in &layers {
                    self.trash_layer_files(layer, &trash, guard)?;
                }
                for blob in &blobs {
                    trash.take(
                        &self.blobs().path(blob),
                        &format!("blob-{}", blob.hex()),
                        guard,
                    )?;
                }
                Ok((layers.len(), blobs.len()))
            },
        )?;
        // The lock is released: the files are deleted now, by dropping the trash.
        drop(trash);
        Ok(counts)
    }

    /// The image's config, read from its blob.
    pub fn image_config(&self, image: &ImageRecord) -> Result<oci_spec::image::ImageConfiguration> {
        let bytes = self.blobs().read(&image.id, 16 << 20)?;
        serde_json::from_slice(&bytes).map_err(|source| StorageError::Json {
            what: "image config",
            path: self.blobs().path(&image.id),
            source,
        })
    }

    /// The image's config as plain JSON: for building a derived image's config, and for
    /// the fields the OCI config type does not hold (Docker's `Healthcheck`).
    pub fn image_config_json(&self, image: &ImageRecord) -> Result<serde_json::Value> {
        let bytes = self.blobs().read(&image.id, 16 << 20)?;
        serde_json::from_slice(&bytes).map_err(|source| StorageError::Json {
            what: "image config",
            path: self.blobs().path(&image.id),
            source,
        })
    }

    /// The image's manifest bytes, as pulled or written.
    pub fn image_manifest(&self, image: &ImageRecord) -> Result<Vec<u8>> {
        self.blobs().read(
            &image.manifest_digest,
            crate::manifest::MAX_MANIFEST_SIZE as u64,
        )
    }
}
