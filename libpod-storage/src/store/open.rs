//! Opening a store: its directories (private to their owner), its storage driver (decided once,
//! under the writer lock, and recorded), its records (written at the first open, so that a
//! missing `store.json` later is an error and not an empty store), and a repair only when a
//! dirty mark says that an operation was interrupted.
//!
//! An open of a store that needs no repair reads two small files (`driver` and the run root's
//! `boot-id`), lists `tmp/` and stats a few directories: it neither takes the writer lock nor
//! reads `store.json`, whatever the store holds.

use super::lock::{StagingDir, StoreLock};
use super::metadata::{METADATA_VERSION, Metadata};
use super::{Cached, Inner, Store, StoreOptions, repair};
use crate::blob::BlobStore;
use crate::driver::{DriverKind, decide_driver, driver_for};
use crate::error::{Result, StorageError};
use crate::fsutil::{atomic_write, create_private_dir, restrict_file};
use crate::registries::RegistriesConfig;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The directories under the root, each private.
const STORE_DIRS: [&str; 8] = [
    "blobs",
    "blobs/sha256",
    "layers",
    "l",
    "containers",
    "tmp",
    "image-mounts",
    "empty",
];

/// The file naming the store's driver: written after `store.json` recorded it, so that an
/// open learns the driver without reading every record.
const DRIVER_FILE: &str = "driver";

pub(super) fn open(options: StoreOptions) -> Result<Store> {
    // Absolute: overlay's mount options are resolved from another working directory.
    let absolute = |path: PathBuf| {
        std::path::absolute(&path).map_err(|e| StorageError::io("resolve", &path, e))
    };
    let root = absolute(options.root)?;
    let run_root = absolute(options.run_root)?;
    create_private_dir(&root)?;
    for dir in STORE_DIRS {
        create_private_dir(&root.join(dir))?;
    }
    create_private_dir(&run_root)?;
    create_private_dir(&run_root.join("mounts"))?;
    let registries = match options.registries {
        Some(r) => r,
        None => RegistriesConfig::load_default()?,
    };
    let lock = StoreLock::open(&root.join("storage.lock"))?;
    let kind = settle_driver(&root, &lock, options.driver)?;
    let store = Store {
        inner: Arc::new(Inner {
            driver: driver_for(kind, &root)?,
            blobs: BlobStore::new(root.join("blobs")),
            lock,
            registries,
            cache: Mutex::new(Cached::default()),
            events: std::sync::OnceLock::new(),
            run_root,
            root,
        }),
    };
    if repair::needed(&store)? {
        let guard = store.inner.lock.lock()?;
        // Another process may have repaired meanwhile.
        if repair::needed(&store)? {
            repair::repair(&store, &guard)?;
        }
    }
    Ok(store)
}

/// The store's driver: as recorded, or decided and recorded now (a new store, or one written
/// by an earlier version, whose layers get their completeness marks in the same commit).
/// Refuses a driver other than the recorded one.
fn settle_driver(
    root: &Path,
    lock: &StoreLock,
    requested: Option<DriverKind>,
) -> Result<DriverKind> {
    if let Some(recorded) = recorded_driver(root)? {
        return agree(root, recorded, requested);
    }
    let guard = lock.lock()?;
    if let Some(recorded) = recorded_driver(root)? {
        return agree(root, recorded, requested);
    }
    let path = root.join("store.json");
    let (mut meta, fresh) = match Metadata::load(&path) {
        Ok(meta) => (meta, false),
        Err(StorageError::RecordsMissing { .. }) if is_empty(root)? => {
            let empty = Metadata {
                layers_marked: true,
                ..Metadata::default()
            };
            (empty, true)
        }
        Err(e) => return Err(e),
    };
    let kind = match meta.driver {
        Some(recorded) => agree(root, recorded, requested)?,
        None => match requested.or_else(|| driver_in_use(root, &meta)) {
            Some(kind) => kind,
            None => {
                let probe = StagingDir::new(&root.join("tmp"))?;
                decide_driver(None, root, probe.path())
            }
        },
    };
    let legacy_layers = !meta.layers_marked;
    if legacy_layers {
        super::layers::mark_legacy_layers(root, &mut meta)?;
    }
    if fresh || legacy_layers || meta.driver.is_none() {
        tracing::info!(root = %root.display(), driver = kind.name(), "recording the storage driver");
        meta.driver = Some(kind);
        meta.version = METADATA_VERSION;
        let writing = guard.begin_write()?;
        meta.save_persistent(&path)?;
        guard.end_write(writing)?;
    }
    atomic_write(&root.join(DRIVER_FILE), kind.name().as_bytes())?;
    Ok(kind)
}

/// The driver named by the driver file, when the store's records are there too (their mode
/// tightened as the directories' are).
fn recorded_driver(root: &Path) -> Result<Option<DriverKind>> {
    let path = root.join(DRIVER_FILE);
    let name = match fs::read_to_string(&path) {
        Ok(name) => name,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StorageError::io("read", path, e)),
    };
    if !restrict_file(&root.join("store.json"))? {
        return Ok(None);
    }
    Ok(Some(name.trim().parse()?))
}

/// `recorded`, unless another driver was asked for.
fn agree(root: &Path, recorded: DriverKind, requested: Option<DriverKind>) -> Result<DriverKind> {
    match requested {
        Some(requested) if requested != recorded => Err(StorageError::DriverMismatch {
            root: root.to_path_buf(),
            recorded,
            requested,
        }),
        _ => Ok(recorded),
    }
}

/// The driver that made the containers of a store written by an earlier version (which kept
/// its choice in the run root): overlay leaves `upper`, vfs `rootfs`. Layers are the same
/// for both, so a store without containers can take either.
fn driver_in_use(root: &Path, meta: &Metadata) -> Option<DriverKind> {
    meta.containers.keys().find_map(|id| {
        let dir = root.join("containers").join(id);
        if dir.join("upper").is_dir() {
            Some(DriverKind::Overlay)
        } else if dir.join("rootfs").is_dir() {
            Some(DriverKind::Vfs)
        } else {
            None
        }
    })
}

/// Whether the store holds no layer, blob or container (so that records missing are those of
/// a store never used, or of an earlier version that wrote none before its first commit).
fn is_empty(root: &Path) -> Result<bool> {
    for dir in ["layers", "blobs/sha256", "containers"] {
        let path = root.join(dir);
        let mut entries =
            fs::read_dir(&path).map_err(|e| StorageError::io("read directory", &path, e))?;
        if entries.next().is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}
