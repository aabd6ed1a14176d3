//! The store: blobs, layers, images and container storage under one root.
//!
//! ```text
//! ROOT/storage.lock          writer lock (flock)
//! ROOT/store.json            every record, replaced atomically at each commit
//! ROOT/blobs/sha256/HEX      manifests, configs, layer blobs
//! ROOT/layers/HEX/diff       a layer's files in overlay format (HEX: its chain ID)
//! ROOT/layers/HEX/complete   the layer's completeness mark: its files are whole and synced
//! ROOT/l/LINK -> ../layers/HEX/diff   short names for overlay lowerdir lists
//! ROOT/containers/ID/        upper, work and merged (overlay) or rootfs (vfs)
//! ROOT/tmp/                  staging directories of operations in progress
//! RUNROOT/mounts/            mount counts (volatile: a reboot unmounts everything)
//! RUNROOT/volatile-containers.json   volatile containers' records (a reboot forgets them)
//! RUNROOT/boot-id            the boot the run root describes
//! ```
//!
//! Every operation does its long work in a staging directory, then commits under the writer
//! lock by renaming its layer directories and blobs into place and replacing `store.json`. A
//! crash at any point leaves nothing visible; [`Store::open`] removes the leftovers. Removal
//! commits the records first and then moves the files into a trash under `tmp/` (see
//! `trash.rs`), so files are never deleted under a record.

mod commit;
mod containers;
mod image_mount;
mod images;
mod ingest;
pub(crate) mod layers;
mod lock;
mod metadata;
mod problems;
mod repair;
mod save;
mod trash;

pub use containers::{ContainerOptions, ContainerStorage};
pub use images::{RemovedImage, local_name};
pub use layers::chain_ids;
pub use metadata::{ContainerRecord, ImageRecord, LayerRecord};
pub use problems::StoreProblem;

use crate::blob::BlobStore;
use crate::driver::{Driver, DriverKind, select_driver};
use crate::error::{Result, StorageError};
use crate::fsutil::create_dir_all;
use crate::registries::RegistriesConfig;
use lock::{StagingDir, StoreLock, StoreLockGuard};
use metadata::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where a store lives and how it mounts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Persistent root: blobs, layers, images, container layers.
    pub root: PathBuf,
    /// Volatile root (a tmpfs such as /run): mount counts.
    pub run_root: PathBuf,
    /// The storage driver; `None` picks overlay when the kernel supports it, else vfs.
    pub driver: Option<DriverKind>,
    /// Registries configuration for short-name lookups; `None` reads the standard files.
    pub registries: Option<RegistriesConfig>,
}

impl StoreOptions {
    /// Options for a store at `root` with mount state under `run_root`.
    pub fn new(root: impl Into<PathBuf>, run_root: impl Into<PathBuf>) -> Self {
        StoreOptions {
            root: root.into(),
            run_root: run_root.into(),
            driver: None,
            registries: None,
        }
    }
}

/// A handle on a store; cheap to clone, safe to share between threads.
///
/// ```no_run
/// use libpod_storage::{Store, StoreOptions};
/// let store = Store::open(StoreOptions::new("/var/lib/libpod-rs/storage", "/run/libpod-rs/storage"))?;
/// for image in store.images()? {
///     println!("{} {:?}", image.id, image.names);
/// }
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    run_root: PathBuf,
    lock: StoreLock,
    blobs: BlobStore,
    driver: Box<dyn Driver>,
    registries: RegistriesConfig,
    cache: Mutex<Cached>,
}

/// The metadata as last read, and the identities of the two files it was read from.
#[derive(Debug, Default)]
struct Cached {
    identity: Option<[Option<FileIdentity>; 2]>,
    meta: Arc<Metadata>,
}

impl Store {
    /// Opens (creating if needed) the store, and repairs what a crash may have left: staging
    /// directories of dead operations, layer directories and blobs no record points to, missing
    /// or dangling layer links.
    pub fn open(options: StoreOptions) -> Result<Store> {
        // Absolute: overlay's mount options are resolved from another working directory.
        let absolute = |path: PathBuf| {
            std::path::absolute(&path).map_err(|e| StorageError::io("resolve", &path, e))
        };
        let root = absolute(options.root)?;
        let run_root = absolute(options.run_root)?;
        for dir in [
            "blobs/sha256",
            "layers",
            "l",
            "containers",
            "tmp",
            "image-mounts",
            "empty",
        ] {
            create_dir_all(&root.join(dir))?;
        }
        create_dir_all(&run_root.join("mounts"))?;
        let registries = match options.registries {
            Some(r) => r,
            None => RegistriesConfig::load_default()?,
        };
        let inner = Inner {
            lock: StoreLock::open(&root.join("storage.lock"))?,
            blobs: BlobStore::new(root.join("blobs")),
            driver: select_driver(options.driver, &root, &run_root)?,
            registries,
            cache: Mutex::new(Cached::default()),
            run_root,
            root,
        };
        let store = Store {
            inner: Arc::new(inner),
        };
        {
            let guard = store.inner.lock.lock()?;
            repair::forget_previous_boot(store.run_root())?;
            let meta = store.load_locked(&guard)?;
            repair::repair(&store, &meta, &guard)?;
        }
        store.mark_legacy_layers()?;
        Ok(store)
    }

    /// The persistent root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The volatile root.
    pub fn run_root(&self) -> &Path {
        &self.inner.run_root
    }

    /// The storage driver in use.
    pub fn driver(&self) -> DriverKind {
        self.inner.driver.kind()
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The registries configuration used for short names.
    pub fn registries(&self) -> &RegistriesConfig {
        &self.inner.registries
    }

    fn metadata_path(&self) -> PathBuf {
        self.inner.root.join("store.json")
    }

    fn volatile_metadata_path(&self) -> PathBuf {
        self.inner.run_root.join("volatile-containers.json")
    }

    fn metadata_identity(&self) -> Result<[Option<FileIdentity>; 2]> {
        Ok([
            file_identity(&self.metadata_path())?,
            file_identity(&self.volatile_metadata_path())?,
        ])
    }

    fn layer_dir(&self, chain_id: &crate::Digest) -> PathBuf {
        self.inner.root.join("layers").join(chain_id.hex())
    }

    fn staging(&self) -> Result<StagingDir> {
        StagingDir::new(&self.inner.root.join("tmp"))
    }

    /// The current metadata: re-read only when `store.json` or the volatile records were
    /// replaced since the last read.
    fn read(&self) -> Result<Arc<Metadata>> {
        let identity = Some(self.metadata_identity()?);
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.identity != identity {
            cache.meta = Arc::new(Metadata::load_with_volatile(
                &self.metadata_path(),
                &self.volatile_metadata_path(),
            )?);
            cache.identity = identity;
        }
        Ok(cache.meta.clone())
    }

    /// Reads the metadata while holding the writer lock (always fresh).
    fn load_locked(&self, _guard: &StoreLockGuard<'_>) -> Result<Metadata> {
        Ok((*self.read()?).clone())
    }

    /// Applies `change` to the metadata under the writer lock and commits it. `change` may also
    /// move files into place (it runs under the lock); if it fails, nothing is committed.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut Metadata, &StoreLockGuard<'_>) -> Result<T>,
    ) -> Result<T> {
        self.update_then(change, |result, _| Ok(result))
    }

    /// [`update`](Store::update), then `after_commit` with its result, still under the writer
    /// lock: for what may only happen once the new records are durable (moving the files of
    /// removed records out of the store, see [`trash`]).
    fn update_then<T, U>(
        &self,
        change: impl FnOnce(&mut Metadata, &StoreLockGuard<'_>) -> Result<T>,
        after_commit: impl FnOnce(T, &StoreLockGuard<'_>) -> Result<U>,
    ) -> Result<U> {
        let guard = self.inner.lock.lock()?;
        let previous = self.read()?;
        let mut meta = (*previous).clone();
        let result = change(&mut meta, &guard)?;
        meta.version = metadata::METADATA_VERSION;
        meta.save(
            &previous,
            &self.metadata_path(),
            &self.volatile_metadata_path(),
        )?;
        meta.volatile_in_store = false;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.identity = Some(self.metadata_identity()?);
        cache.meta = Arc::new(meta);
        drop(cache);
        after_commit(result, &guard)
    }
}

/// (device, inode, mtime seconds, mtime nanoseconds) of a file.
type FileIdentity = (u64, u64, i64, i64);

/// The identity of a file, or `None` when it is missing.
fn file_identity(path: &Path) -> Result<Option<FileIdentity>> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some((m.dev(), m.ino(), m.mtime(), m.mtime_nsec()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StorageError::io("stat", path, e)),
    }
}
