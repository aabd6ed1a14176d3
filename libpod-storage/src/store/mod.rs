//! The store: blobs, layers, images and container storage under one root.
//!
//! ```text
//! ROOT/storage.lock          writer lock (flock), and the records' write generation
//! ROOT/store.json            every record and the driver, replaced atomically at each commit
//! ROOT/driver                the storage driver, as store.json records it (read at open)
//! ROOT/blobs/sha256/HEX      manifests, configs, layer blobs
//! ROOT/layers/HEX/diff       a layer's files in overlay format (HEX: its chain ID)
//! ROOT/layers/HEX/complete   the layer's completeness mark: its files are whole and synced
//! ROOT/l/LINK -> ../layers/HEX/diff   short names for overlay lowerdir lists
//! ROOT/containers/ID/        upper, work and merged (overlay) or rootfs (vfs); a volatile
//!                            container's volatile-owner names its run root and boot
//! ROOT/tmp/NAME/, NAME.lock  staging directories of operations in progress, each locked
//! RUNROOT/mounts/            mount counts (volatile: a reboot unmounts everything)
//! RUNROOT/volatile-containers.json   volatile containers' records (a reboot forgets them)
//! RUNROOT/boot-id            the boot the run root describes
//! ```
//!
//! The store's directories are 0700 and its own files 0600 (a layer's files keep the image's
//! modes, unreachable below): no other user runs a layer's setuid binaries or holds the lock.
//!
//! Every operation does its long work in a staging directory, then commits under the writer
//! lock by renaming its layer directories and blobs into place and replacing `store.json`. A
//! crash at any point leaves nothing visible, and an abandoned staging directory that makes
//! the next [`Store::open`] repair the store (see `repair.rs`). Removal commits the records
//! first and then moves the files into a trash under `tmp/` (see `trash.rs`), so files are
//! never deleted under a record.

mod commit;
mod containers;
mod image_mount;
mod images;
mod ingest;
pub(crate) mod layers;
mod lock;
mod metadata;
mod open;
mod owner;
mod problems;
mod repair;
mod save;
mod save_docker;
mod trash;

pub use containers::{ContainerOptions, ContainerStorage};
pub use images::{RemovedImage, local_name};
pub use layers::chain_ids;
pub use lock::StagingDir;
pub use metadata::{ContainerRecord, ImageRecord, LayerRecord};
pub use problems::StoreProblem;
pub use repair::Repaired;

use crate::blob::BlobStore;
use crate::driver::{Driver, DriverKind};
use crate::error::{Result, StorageError};
use crate::registries::RegistriesConfig;
use lock::{StoreLock, StoreLockGuard};
use metadata::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where a store lives and how it mounts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Persistent root: blobs, layers, images, container layers.
    pub root: PathBuf,
    /// Volatile root (a tmpfs such as /run): mount counts, volatile containers' records.
    pub run_root: PathBuf,
    /// The storage driver. A new store takes it (`None`: overlay when the kernel and the
    /// filesystem support it, else vfs) and records it; opening a store with another driver
    /// than its own is an error.
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
    /// Where image events go (set once, by the engine that opened the store).
    events: OnceLock<Arc<dyn crate::events::ImageEventSink>>,
}

/// The metadata as last read, the identities of the two files it was read from (trusted
/// without the lock), and the write generation it is known to be current at (trusted under it).
#[derive(Debug, Default)]
struct Cached {
    identity: Option<[Option<FileIdentity>; 2]>,
    generation: Option<u64>,
    meta: Arc<Metadata>,
}

impl Store {
    /// Opens the store, creating it if needed (its driver decided then, and recorded).
    ///
    /// When a dirty mark says that an operation was interrupted (see [`Store::repair`]), it
    /// first repairs what a crash may have left: staging directories of dead operations,
    /// layer directories, container directories and blobs no record owns, missing or dangling
    /// layer links. Otherwise it costs the same for any number of images, and does not wait
    /// for the writer lock.
    ///
    /// A store whose `store.json` is missing while it holds layers, blobs or containers is
    /// [`StorageError::RecordsMissing`]; one made with another driver than
    /// `options.driver` is [`StorageError::DriverMismatch`].
    pub fn open(options: StoreOptions) -> Result<Store> {
        open::open(options)
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

    /// Sends this store's image events (pull, push, tag, untag, remove, import, save) to
    /// `sink` from now on, in every clone of this handle. Set once: returns false (and keeps
    /// the first) when a sink was already set.
    pub fn set_event_sink(&self, sink: Arc<dyn crate::events::ImageEventSink>) -> bool {
        self.inner.events.set(sink).is_ok()
    }

    /// Tells the sink, if any, that `kind` happened to image `id` under `name`. A pull's
    /// event has no ID, as libimage 0.50 (Podman 4.3) reports it.
    pub(crate) fn image_event(
        &self,
        kind: crate::events::ImageEventKind,
        id: &crate::Digest,
        name: &str,
    ) {
        if let Some(sink) = self.inner.events.get() {
            let id = match kind {
                crate::events::ImageEventKind::Pull => String::new(),
                _ => id.hex(),
            };
            sink.image_event(&crate::events::ImageEvent::new(kind, id, name));
        }
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

    /// A new staging directory under the store's `tmp/`, for work in progress that belongs
    /// to the store (such as an archive unpacked to be pulled from): locked by this process
    /// while it lives, removed when dropped, and never taken for a leftover by another
    /// process's repair.
    pub fn staging(&self) -> Result<StagingDir> {
        StagingDir::new(&self.inner.root.join("tmp"))
    }

    fn load_metadata(&self) -> Result<Metadata> {
        Metadata::load_with_volatile(&self.metadata_path(), &self.volatile_metadata_path())
    }

    /// The current metadata: re-read only when `store.json` or the volatile records were
    /// replaced since the last read (a stat of each).
    fn read(&self) -> Result<Arc<Metadata>> {
        let identity = Some(self.metadata_identity()?);
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.identity != identity {
            // Read between two looks at the generation: the records are known to be those of
            // a generation only if no writer was at work meanwhile.
            let before = self.inner.lock.peek_generation()?;
            cache.meta = Arc::new(self.load_metadata()?);
            let after = self.inner.lock.peek_generation()?;
            cache.identity = identity;
            cache.generation = (before == after && before.is_multiple_of(2)).then_some(before);
        }
        Ok(cache.meta.clone())
    }

    /// The metadata while holding the writer lock: the cache only when no write happened since
    /// it was read (the generation in the lock file, which inode reuse and coarse mtimes
    /// cannot fake, as the files' identities can).
    fn read_locked(&self, guard: &StoreLockGuard<'_>) -> Result<Arc<Metadata>> {
        let generation = guard.generation()?;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.generation != Some(generation) {
            cache.identity = Some(self.metadata_identity()?);
            cache.meta = Arc::new(self.load_metadata()?);
            cache.generation = Some(generation);
        }
        Ok(cache.meta.clone())
    }

    /// Reads the metadata while holding the writer lock (always fresh).
    fn load_locked(&self, guard: &StoreLockGuard<'_>) -> Result<Metadata> {
        Ok((*self.read_locked(guard)?).clone())
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
        let previous = self.read_locked(&guard)?;
        let mut meta = (*previous).clone();
        let result = change(&mut meta, &guard)?;
        meta.version = metadata::METADATA_VERSION;
        if meta == *previous {
            return after_commit(result, &guard);
        }
        let writing = guard.begin_write()?;
        meta.save(
            &previous,
            &self.metadata_path(),
            &self.volatile_metadata_path(),
        )?;
        meta.volatile_in_store = false;
        let generation = guard.end_write(writing)?;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.identity = Some(self.metadata_identity()?);
        cache.generation = Some(generation);
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

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
