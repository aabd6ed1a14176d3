//! Shared helpers of the storage integration tests.
#![allow(dead_code)]

pub mod registry;
pub mod tree;

use libpod_storage::transport::{ImageSource, ResolvedManifest};
use libpod_storage::{Digest, Result, StorageError, Store, StoreOptions, driver::DriverKind};
use libpod_testutil::TempRoot;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// A store in a temp dir, with empty registries configuration.
pub fn store(tmp: &TempRoot, driver: Option<DriverKind>) -> Store {
    store_at(tmp.path(), driver)
}

pub fn store_at(dir: &Path, driver: Option<DriverKind>) -> Store {
    let mut options = StoreOptions::new(dir.join("root"), dir.join("run"));
    options.driver = driver;
    options.registries = Some(libpod_storage::RegistriesConfig::default());
    Store::open(options).expect("open store")
}

/// What an operation killed before its commit leaves in `tmp/`: its staging directory and its
/// lock file, which nobody holds any more. The dirty mark that makes the next open repair.
pub fn plant_abandoned_staging(root: &Path) {
    let dir = root.join("tmp/KILLEDOPERATION01");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("blob-partial"), b"half").unwrap();
    std::fs::write(root.join("tmp/KILLEDOPERATION01.lock"), b"").unwrap();
}

/// A tar with the given regular files (path, content).
pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

/// An image held in memory: a config, layers as uncompressed tars.
pub struct MemorySource {
    pub manifest: ResolvedManifest,
    pub blobs: BTreeMap<Digest, Vec<u8>>,
}

impl MemorySource {
    pub fn new(layers: Vec<Vec<u8>>) -> Self {
        let mut blobs = BTreeMap::new();
        let diff_ids: Vec<String> = layers.iter().map(|l| Digest::of(l).to_string()).collect();
        let config = serde_json::to_vec(&json!({
            "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .unwrap();
        let config_digest = Digest::of(&config);
        let layer_descs: Vec<_> = layers
            .iter()
            .map(|l| json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest::of(l).to_string(), "size": l.len()}))
            .collect();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.to_string(), "size": config.len()},
            "layers": layer_descs,
        }))
        .unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        let resolved = ResolvedManifest {
            digest: Digest::of(&manifest),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            config: serde_json::from_value(parsed["config"].clone()).unwrap(),
            layers: serde_json::from_value(parsed["layers"].clone()).unwrap(),
            bytes: manifest,
        };
        blobs.insert(config_digest, config);
        for l in layers {
            blobs.insert(Digest::of(&l), l);
        }
        MemorySource {
            manifest: resolved,
            blobs,
        }
    }
}

impl ImageSource for MemorySource {
    fn manifest(&self) -> Result<ResolvedManifest> {
        Ok(self.manifest.clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        match self.blobs.get(digest) {
            Some(b) => Ok(Box::new(std::io::Cursor::new(b.clone()))),
            None => Err(StorageError::InvalidValue {
                field: "blob",
                value: digest.to_string(),
                reason: "not here".into(),
            }),
        }
    }
}
