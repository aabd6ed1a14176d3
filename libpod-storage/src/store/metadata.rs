//! The store's records, kept in one JSON document (`store.json`) that is replaced atomically:
//! an operation becomes visible with a single rename, or not at all.
//!
//! Volatile containers' records are the exception: they live in the run root
//! (`volatile-containers.json`, replaced atomically but never synced), as c/storage keeps
//! them, so that making and removing one costs no fsync and a reboot forgets it.

use crate::digest::Digest;
use crate::driver::DriverKind;
use crate::error::{Result, StorageError};
use crate::fsutil::{atomic_write, read_private, volatile_write};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The version of the metadata format written by this code.
pub(crate) const METADATA_VERSION: u32 = 1;

/// A layer: one directory of files in overlay format, identified by its chain ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LayerRecord {
    /// The chain ID: the digest of the layer stacked on its parents.
    pub chain_id: Digest,
    /// The digest of the layer's uncompressed tar stream.
    pub diff_id: Digest,
    /// The chain ID of the layer below, if any.
    pub parent: Option<Digest>,
    /// Total size of the layer's regular files.
    pub size: u64,
    /// The short name under `l/` that links to the layer's directory, keeping long overlay
    /// lowerdir lists within one mount option page.
    pub link: String,
    /// When the layer was created (RFC 3339).
    pub created: String,
}

/// An image: a manifest, its config, its layers, and the names that point at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageRecord {
    /// The image ID: the digest of its config.
    pub id: Digest,
    /// Fully qualified names (`docker.io/library/busybox:latest`); unique across images.
    pub names: Vec<String>,
    /// The digest of the manifest, as pulled or written.
    pub manifest_digest: Digest,
    /// The manifest's media type.
    pub manifest_media_type: String,
    /// Digests the image was also known by (manifest lists it was pulled through).
    #[serde(default)]
    pub digests: Vec<Digest>,
    /// Layer chain IDs, bottom first.
    pub layers: Vec<Digest>,
    /// The digests of the layer blobs the manifest lists, bottom first.
    pub layer_blobs: Vec<Digest>,
    /// The config's creation time, or the time of import.
    pub created: String,
    /// Sum of the layers' sizes.
    pub size: u64,
}

impl ImageRecord {
    /// The top layer's chain ID, if the image has layers.
    pub fn top_layer(&self) -> Option<&Digest> {
        self.layers.last()
    }

    /// Every blob the image needs: its manifest, its config and its layer blobs.
    pub fn blobs(&self) -> impl Iterator<Item = &Digest> {
        [&self.manifest_digest, &self.id]
            .into_iter()
            .chain(&self.layer_blobs)
    }
}

/// A container's storage: its image's layers and a read-write layer of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerRecord {
    /// The container's ID.
    pub id: String,
    /// The image it was created from, if any.
    pub image: Option<Digest>,
    /// The image's layer chain IDs, bottom first (kept so that removing the image with force
    /// does not pull layers from under the container).
    pub layers: Vec<Digest>,
    /// When it was created (RFC 3339).
    pub created: String,
    /// Mounted without syncs: its changes need not survive a crash (see
    /// [`ContainerOptions::volatile`](crate::ContainerOptions::volatile)).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub volatile: bool,
}

/// Everything the store knows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Metadata {
    pub version: u32,
    /// The storage driver, decided at the store's first open (absent in stores written by
    /// earlier versions, until their next open records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<DriverKind>,
    pub layers: BTreeMap<Digest, LayerRecord>,
    pub images: BTreeMap<Digest, ImageRecord>,
    pub containers: BTreeMap<String, ContainerRecord>,
    /// Every recorded layer's files carry their completeness mark (false in the records of
    /// versions before the marks: see `Store::mark_legacy_layers`).
    #[serde(default)]
    pub layers_marked: bool,
    /// `store.json` holds volatile containers (as written before they moved to the run root):
    /// the next save rewrites it without them.
    #[serde(skip)]
    pub volatile_in_store: bool,
}

/// Containers by ID, borrowed.
type ContainerRefs<'a> = BTreeMap<&'a String, &'a ContainerRecord>;

/// `store.json` as written: everything but the volatile containers.
#[derive(Serialize)]
struct PersistentView<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    driver: Option<DriverKind>,
    layers: &'a BTreeMap<Digest, LayerRecord>,
    images: &'a BTreeMap<Digest, ImageRecord>,
    containers: ContainerRefs<'a>,
    layers_marked: bool,
}

/// `volatile-containers.json` as written.
#[derive(Serialize)]
struct VolatileView<'a> {
    containers: ContainerRefs<'a>,
}

/// `volatile-containers.json` as read.
#[derive(Deserialize)]
struct VolatileRecords {
    containers: BTreeMap<String, ContainerRecord>,
}

/// The JSON document at `path`, or `None` when there is no such file. A file others may read
/// (as earlier versions wrote them) is made private first.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &'static str) -> Result<Option<T>> {
    let bytes = match read_private(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StorageError::io("read", path, e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StorageError::Json {
            what,
            path: path.to_path_buf(),
            source,
        })
}

fn to_json(value: &impl Serialize, what: &'static str, path: &Path) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|source| StorageError::Json {
        what,
        path: path.to_path_buf(),
        source,
    })
}

impl Metadata {
    /// Loads `store.json` at `path`. A missing file is an error: the first open of a store
    /// writes it, so a store without it has lost its records, and starting again from none
    /// would let repair and garbage collection delete everything.
    pub fn load(path: &Path) -> Result<Metadata> {
        let Some(meta) = read_json::<Metadata>(path, "store metadata")? else {
            return Err(StorageError::RecordsMissing {
                path: path.to_path_buf(),
            });
        };
        if meta.version > METADATA_VERSION {
            return Err(StorageError::Unsupported {
                what: "store metadata version",
                reason: format!(
                    "{} is newer than this library's {METADATA_VERSION}",
                    meta.version
                ),
            });
        }
        Ok(meta)
    }

    /// The volatile containers' records at `volatile_path` (none when it is missing).
    pub fn load_volatile(volatile_path: &Path) -> Result<BTreeMap<String, ContainerRecord>> {
        Ok(
            read_json::<VolatileRecords>(volatile_path, "volatile container records")?
                .map(|r| r.containers)
                .unwrap_or_default(),
        )
    }

    /// Loads `store.json` at `path` and adds the volatile containers' records of
    /// `volatile_path` (a missing file is no volatile container).
    pub fn load_with_volatile(path: &Path, volatile_path: &Path) -> Result<Metadata> {
        let mut meta = Metadata::load(path)?;
        meta.volatile_in_store = meta.containers.values().any(|c| c.volatile);
        for (id, mut record) in Metadata::load_volatile(volatile_path)? {
            record.volatile = true;
            meta.containers.entry(id).or_insert(record);
        }
        Ok(meta)
    }

    /// Writes `store.json` (durably), whatever changed.
    pub fn save_persistent(&self, path: &Path) -> Result<()> {
        let (persistent, _) = self.split();
        let view = PersistentView {
            version: self.version,
            driver: self.driver,
            layers: &self.layers,
            images: &self.images,
            containers: persistent,
            layers_marked: self.layers_marked,
        };
        atomic_write(path, &to_json(&view, "store metadata", path)?)
    }

    /// Writes what changed since `previous`: `store.json` (durably) when a layer, image or
    /// persistent container changed, the volatile records (without syncs) when one of them did.
    pub fn save(&self, previous: &Metadata, path: &Path, volatile_path: &Path) -> Result<()> {
        let (persistent, volatile) = self.split();
        let (was_persistent, was_volatile) = previous.split();
        if persistent != was_persistent
            || self.layers != previous.layers
            || self.images != previous.images
            || self.version != previous.version
            || self.driver != previous.driver
            || self.layers_marked != previous.layers_marked
            || previous.volatile_in_store
        {
            self.save_persistent(path)?;
        }
        if volatile != was_volatile {
            if volatile.is_empty() {
                return match std::fs::remove_file(volatile_path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(StorageError::io("remove", volatile_path, e))
                    }
                    _ => Ok(()),
                };
            }
            let records = VolatileView {
                containers: volatile,
            };
            let bytes = to_json(&records, "volatile container records", volatile_path)?;
            volatile_write(volatile_path, &bytes)?;
        }
        Ok(())
    }

    /// The persistent and the volatile containers.
    fn split(&self) -> (ContainerRefs<'_>, ContainerRefs<'_>) {
        let (volatile, persistent) = self.containers.iter().partition(|(_, c)| c.volatile);
        (persistent, volatile)
    }

    /// The image holding `name`, if any.
    pub fn image_with_name(&self, name: &str) -> Option<&ImageRecord> {
        self.images
            .values()
            .find(|i| i.names.iter().any(|n| n == name))
    }

    /// Gives `name` to image `id`, taking it from any other image.
    pub fn set_name(&mut self, id: &Digest, name: &str) {
        for image in self.images.values_mut() {
            if &image.id != id {
                image.names.retain(|n| n != name);
            }
        }
        if let Some(image) = self.images.get_mut(id)
            && !image.names.iter().any(|n| n == name)
        {
            image.names.push(name.to_string());
        }
    }

    /// The containers created from image `id`.
    pub fn containers_of(&self, id: &Digest) -> Vec<String> {
        self.containers
            .values()
            .filter(|c| c.image.as_ref() == Some(id))
            .map(|c| c.id.clone())
            .collect()
    }
}
