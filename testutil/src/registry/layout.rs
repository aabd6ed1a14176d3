//! Writing OCI image layouts by hand, so tests control every byte: layers, compression,
//! platforms, indexes.

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// OCI media types the builder writes.
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerCompression {
    /// `application/vnd.oci.image.layer.v1.tar`.
    None,
    /// `application/vnd.oci.image.layer.v1.tar+gzip`.
    Gzip,
    /// `application/vnd.oci.image.layer.v1.tar+zstd`.
    Zstd,
}

impl LayerCompression {
    /// The layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            LayerCompression::None => "application/vnd.oci.image.layer.v1.tar",
            LayerCompression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            LayerCompression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    fn compress(self, tar: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            LayerCompression::None => Ok(tar.to_vec()),
            LayerCompression::Gzip => {
                let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
                encoder.write_all(tar)?;
                encoder.finish()
            }
            LayerCompression::Zstd => zstd::encode_all(tar, 3),
        }
    }
}

/// An image's platform, as in the config and the index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// `amd64`, `arm64`, `arm`, ...
    pub architecture: String,
    /// `linux`.
    pub os: String,
    /// `v8`, `v7`, ...
    pub variant: Option<String>,
}

impl Platform {
    /// `linux/ARCH` or `linux/ARCH/VARIANT`.
    pub fn linux(architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            architecture: architecture.to_string(),
            os: "linux".to_string(),
            variant: variant.map(str::to_string),
        }
    }

    /// The host's platform as Go names it (`amd64` for `x86_64`, `arm64` for `aarch64`).
    pub fn host() -> Platform {
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", Some("v8")),
            other => (other, None),
        };
        Platform::linux(arch, variant)
    }

    fn to_json(&self) -> Value {
        let mut platform = json!({"architecture": self.architecture, "os": self.os});
        if let Some(variant) = &self.variant {
            platform["variant"] = json!(variant);
        }
        platform
    }
}

/// Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) from layer
/// tarballs. Descriptors are `serde_json::Value`s (`mediaType`, `digest`, `size`, ...).
///
/// ```no_run
/// use libpod_testutil::registry::{LayerCompression, OciLayoutBuilder, Platform};
/// let layout = OciLayoutBuilder::create(std::path::Path::new("/tmp/layout"))?;
/// let tar = std::fs::read("/tmp/rootfs.tar")?;
/// let manifest = layout.add_image(&[tar], LayerCompression::Gzip, &Platform::host(), &["sh"])?;
/// layout.tag(&manifest, "latest")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct OciLayoutBuilder {
    dir: PathBuf,
}

impl OciLayoutBuilder {
    /// Creates (or opens) the layout in `dir`.
    ///
    /// # Errors
    /// On any I/O error.
    pub fn create(dir: &Path) -> io::Result<OciLayoutBuilder> {
        fs::create_dir_all(dir.join("blobs/sha256"))?;
        fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)?;
        let index = dir.join("index.json");
        if !index.exists() {
            fs::write(
                &index,
                json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": []}).to_string(),
            )?;
        }
        Ok(OciLayoutBuilder {
            dir: dir.to_path_buf(),
        })
    }

    /// The layout's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `data` as a blob and returns its descriptor.
    ///
    /// # Errors
    /// On any I/O error.
    pub fn write_blob(&self, media_type: &str, data: &[u8]) -> io::Result<Value> {
        let hex = hex::encode(Sha256::digest(data));
        fs::write(self.dir.join("blobs/sha256").join(&hex), data)?;
        Ok(json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": data.len()}))
    }

    /// Writes an image: each tarball in `layers` compressed as asked, a config for
    /// `platform` running `cmd`, and the manifest. Returns the manifest's descriptor, with
    /// its platform filled in (ready for an index).
    ///
    /// # Errors
    /// On any I/O error.
    pub fn add_image(
        &self,
        layers: &[Vec<u8>],
        compression: LayerCompression,
        platform: &Platform,
        cmd: &[&str],
    ) -> io::Result<Value> {
        let config = json!({
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": cmd,
        });
        self.add_image_with_config(layers, compression, platform, config)
    }

    /// Like [`add_image`](Self::add_image), with the image config's `config` object given
    /// whole (`Env`, `Cmd`, a Docker `Healthcheck`...).
    ///
    /// ```no_run
    /// # use libpod_testutil::registry::{LayerCompression, OciLayoutBuilder, Platform};
    /// # let layout = OciLayoutBuilder::create(std::path::Path::new("/tmp/layout"))?;
    /// let config = serde_json::json!({
    ///     "Cmd": ["sleep", "1000"],
    ///     "Healthcheck": {"Test": ["CMD-SHELL", "exit 1"], "Interval": 1_000_000_000u64},
    /// });
    /// let image = layout.add_image_with_config(&[], LayerCompression::Gzip, &Platform::host(), config)?;
    /// layout.tag(&image, "unhealthy")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    /// On any I/O error.
    pub fn add_image_with_config(
        &self,
        layers: &[Vec<u8>],
        compression: LayerCompression,
        platform: &Platform,
        config: Value,
    ) -> io::Result<Value> {
        let mut diff_ids = Vec::new();
        let mut layer_descriptors = Vec::new();
        for tar in layers {
            diff_ids.push(format!("sha256:{}", hex::encode(Sha256::digest(tar))));
            let blob = compression.compress(tar)?;
            layer_descriptors.push(self.write_blob(compression.media_type(), &blob)?);
        }
        let mut config = json!({
            "created": "2024-01-01T00:00:00Z",
            "architecture": platform.architecture,
            "os": platform.os,
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        if let Some(variant) = &platform.variant {
            config["variant"] = json!(variant);
        }
        let config = self.write_blob(CONFIG, config.to_string().as_bytes())?;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": config,
            "layers": layer_descriptors,
        });
        let mut descriptor = self.write_blob(MANIFEST, manifest.to_string().as_bytes())?;
        descriptor["platform"] = platform.to_json();
        Ok(descriptor)
    }

    /// Writes an image index listing `manifests` (descriptors with platforms) and returns
    /// its descriptor.
    ///
    /// # Errors
    /// On any I/O error.
    pub fn add_index(&self, manifests: &[Value]) -> io::Result<Value> {
        let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests});
        self.write_blob(INDEX, index.to_string().as_bytes())
    }

    /// Names `descriptor` `tag` in `index.json` (`org.opencontainers.image.ref.name`),
    /// replacing any entry with that tag.
    ///
    /// # Errors
    /// On any I/O error, or when `index.json` is not valid JSON.
    pub fn tag(&self, descriptor: &Value, tag: &str) -> io::Result<()> {
        let path = self.dir.join("index.json");
        let mut index: Value = serde_json::from_slice(&fs::read(&path)?)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        let mut entry = descriptor.clone();
        if let Some(object) = entry.as_object_mut() {
            // The top-level index names images; platforms belong to nested indexes.
            object.remove("platform");
        }
        entry["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
        let manifests = index["manifests"].as_array_mut().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "index.json: no manifests")
        })?;
        manifests.retain(|m| m["annotations"]["org.opencontainers.image.ref.name"] != tag);
        manifests.push(entry);
        fs::write(&path, index.to_string())
    }
}

/// An uncompressed tarball holding `files` (path, content), regular files with mode 0644
/// owned by root, mtime 0 (no directory entries: extraction creates parents).
///
/// # Errors
/// On any I/O error.
pub(crate) fn tar_of_files(files: &[(&str, &[u8])]) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, *content)?;
    }
    builder.into_inner()
}
