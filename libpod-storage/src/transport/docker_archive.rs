//! Docker archives, as `docker save` and `podman save` (its default format) write them: a tar
//! whose `manifest.json` lists each image's config file, names (`RepoTags`) and layer files.
//!
//! The archive is untrusted: it is unpacked (regular files and directories only) into a
//! private directory; its symbolic links (Podman writes `ID/layer.tar -> ../DIGEST.tar`) are
//! not created but resolved by name inside the archive; `manifest.json` and the image list
//! are bounded. Each image is read as an OCI manifest made from the list: the config and each
//! layer file are hashed, so the store checks them as it checks any blob.

use super::archive::{UnpackedDir, name_archive, refuse, safe_relative_path, tar_stream, unpack};
use super::{ImageSource, ResolvedManifest};
use crate::digest::{Digest, HashingReader};
use crate::error::{Result, StorageError};
use crate::manifest::{OCI_CONFIG, OCI_LAYER_GZIP, OCI_LAYER_TAR, OCI_LAYER_ZSTD, OCI_MANIFEST};
use oci_spec::image::{Descriptor, MediaType};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most `manifest.json` may hold.
const MAX_LIST_SIZE: u64 = 4 << 20;
/// The most images one archive may list, and layers one image may have.
const MAX_ENTRIES: usize = 1024;
/// How many symbolic links a name may go through.
const MAX_LINK_DEPTH: usize = 8;

/// A docker archive opened for reading: unpacked into a private temporary directory, removed
/// on drop.
#[derive(Debug)]
pub struct DockerArchive {
    file: PathBuf,
    images: Vec<ListedImage>,
    unpacked: UnpackedDir,
}

/// One entry of `manifest.json`, its paths resolved to regular files inside the archive.
#[derive(Clone, Debug)]
struct ListedImage {
    names: Vec<String>,
    config: PathBuf,
    layers: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

impl DockerArchive {
    /// Unpacks `file` (a tar, or a gzip-compressed tar) into a temporary directory under
    /// `tmp_dir` and reads its image list.
    ///
    /// ```no_run
    /// use libpod_storage::transport::DockerArchive;
    /// let archive = DockerArchive::open("busybox.tar".as_ref(), "/tmp".as_ref())?;
    /// for index in 0..archive.len() {
    ///     println!("{:?}", archive.names(index));
    /// }
    /// # Ok::<(), libpod_storage::StorageError>(())
    /// ```
    pub fn open(file: &Path, tmp_dir: &Path) -> Result<DockerArchive> {
        let unpacked = UnpackedDir::create(tmp_dir)?;
        let mut links = Vec::new();
        unpack(file, &unpacked.path, Some(&mut links))?;
        let links: BTreeMap<PathBuf, String> = links.into_iter().collect();
        let list = read_list(file, &unpacked.path)?;
        let resolve = |name: &str| resolve(file, &unpacked.path, &links, name);
        let mut images = Vec::new();
        for entry in list {
            if entry.layers.len() > MAX_ENTRIES {
                return Err(refuse(
                    file,
                    format!("an image has more than {MAX_ENTRIES} layers"),
                ));
            }
            images.push(ListedImage {
                names: entry.repo_tags.unwrap_or_default(),
                config: resolve(&entry.config)?,
                layers: entry
                    .layers
                    .iter()
                    .map(|layer| resolve(layer))
                    .collect::<Result<_>>()?,
            });
        }
        Ok(DockerArchive {
            file: file.to_path_buf(),
            images,
            unpacked,
        })
    }

    /// How many images the archive lists.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// The names (`RepoTags`) image `index` has in the archive.
    pub fn names(&self, index: usize) -> &[String] {
        self.images.get(index).map_or(&[], |i| i.names.as_slice())
    }

    /// Image `index` as a source to pull from: its config and layers hashed.
    pub fn image(&self, index: usize) -> Result<DockerArchiveImage<'_>> {
        let listed = self
            .images
            .get(index)
            .ok_or_else(|| refuse(&self.file, format!("no image {index} in the archive")))?;
        let mut blobs = BTreeMap::new();
        let mut describe = |rel: &Path, media_type: Option<&str>| -> Result<Descriptor> {
            let path = self.unpacked.path.join(rel);
            let (digest, size, magic) = hash_file(&path).map_err(|e| self.in_archive(e))?;
            let media_type = media_type.unwrap_or(match magic {
                Compression::Gzip => OCI_LAYER_GZIP,
                Compression::Zstd => OCI_LAYER_ZSTD,
                Compression::None => OCI_LAYER_TAR,
            });
            blobs.insert(digest, path);
            Ok(Descriptor::new(
                MediaType::from(media_type),
                size,
                oci_spec::image::Digest::try_from(digest.to_string()).map_err(|e| {
                    StorageError::invalid("digest", digest.to_string(), e.to_string())
                })?,
            ))
        };
        let config = describe(&listed.config, Some(OCI_CONFIG))?;
        let layers = listed
            .layers
            .iter()
            .map(|layer| describe(layer, None))
            .collect::<Result<Vec<_>>>()?;
        let bytes = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config,
            "layers": layers,
        }))
        .map_err(|e| StorageError::invalid("manifest", "docker archive", e.to_string()))?;
        Ok(DockerArchiveImage {
            manifest: ResolvedManifest {
                digest: Digest::of(&bytes),
                media_type: OCI_MANIFEST.to_string(),
                bytes,
                config,
                layers,
            },
            blobs,
            _archive: std::marker::PhantomData,
        })
    }

    fn in_archive(&self, err: StorageError) -> StorageError {
        name_archive(err, &self.file, &self.unpacked.path)
    }
}

/// One image of a [`DockerArchive`], readable as an [`ImageSource`].
#[derive(Debug)]
pub struct DockerArchiveImage<'a> {
    manifest: ResolvedManifest,
    blobs: BTreeMap<Digest, PathBuf>,
    // Ties the source to the archive, whose directory holds the blobs.
    _archive: std::marker::PhantomData<&'a DockerArchive>,
}

impl ImageSource for DockerArchiveImage<'_> {
    fn manifest(&self) -> Result<ResolvedManifest> {
        Ok(self.manifest.clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        let path = self.blobs.get(digest).ok_or_else(|| {
            StorageError::invalid("blob", digest.to_string(), "not in the docker archive")
        })?;
        let file = File::open(path).map_err(|e| StorageError::io("open", path, e))?;
        Ok(Box::new(file))
    }
}

/// `manifest.json`, bounded and parsed.
fn read_list(file: &Path, dir: &Path) -> Result<Vec<ListEntry>> {
    let path = dir.join("manifest.json");
    let opened = File::open(&path).map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => refuse(file, "no manifest.json: not a docker archive".into()),
        _ => StorageError::io("open", &path, err),
    })?;
    let mut bytes = Vec::new();
    opened
        .take(MAX_LIST_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StorageError::io("read", &path, e))?;
    if bytes.len() as u64 > MAX_LIST_SIZE {
        return Err(refuse(
            file,
            format!("manifest.json is larger than {MAX_LIST_SIZE} bytes"),
        ));
    }
    let list: Vec<ListEntry> = serde_json::from_slice(&bytes)
        .map_err(|e| refuse(file, format!("malformed manifest.json: {e}")))?;
    if list.is_empty() || list.len() > MAX_ENTRIES {
        return Err(refuse(
            file,
            format!(
                "manifest.json lists {} images (1 to {MAX_ENTRIES})",
                list.len()
            ),
        ));
    }
    Ok(list)
}

/// `name` as the path of a regular file unpacked from the archive, through the archive's own
/// symbolic links (relative to the link's directory, never leaving the archive).
fn resolve(
    file: &Path,
    dir: &Path,
    links: &BTreeMap<PathBuf, String>,
    name: &str,
) -> Result<PathBuf> {
    let bad = || {
        refuse(
            file,
            format!("manifest.json names {name:?}, not a file in the archive"),
        )
    };
    let mut rel = safe_relative_path(name).ok_or_else(bad)?;
    for _ in 0..MAX_LINK_DEPTH {
        let Some(target) = links.get(&rel) else {
            let meta = std::fs::symlink_metadata(dir.join(&rel)).map_err(|_| bad())?;
            return if meta.is_file() { Ok(rel) } else { Err(bad()) };
        };
        let base = rel.parent().unwrap_or(Path::new(""));
        rel = normalize(&base.join(target)).ok_or_else(bad)?;
    }
    Err(bad())
}

/// `path` with `.` and `..` applied, or `None` when it is absolute or leaves the top.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::Normal(name) => out.push(name),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// How a layer file is compressed, by its first bytes.
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// The file's digest, size and compression, in one read.
fn hash_file(path: &Path) -> Result<(Digest, u64, Compression)> {
    let opened = File::open(path).map_err(|e| StorageError::io("open", path, e))?;
    let mut reader = HashingReader::new(opened);
    let mut magic = [0u8; 4];
    let mut filled = 0;
    while filled < magic.len() {
        match reader.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StorageError::io("read", path, e)),
        }
    }
    io::copy(&mut reader, &mut io::sink()).map_err(|e| StorageError::io("read", path, e))?;
    let compression = match magic {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
        _ => Compression::None,
    };
    Ok((reader.digest(), reader.byte_count(), compression))
}

/// Whether `file` (a tar, or a gzip-compressed tar) is a docker archive rather than an OCI
/// one: the first of `manifest.json` and `oci-layout` among its entries decides, read without
/// unpacking anything; neither is an `InvalidLayout` error.
///
/// ```no_run
/// use libpod_storage::transport::is_docker_archive;
/// let docker = is_docker_archive("image.tar".as_ref())?;
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn is_docker_archive(file: &Path) -> Result<bool> {
    let mut archive = tar::Archive::new(tar_stream(file)?);
    let read_error = |err: io::Error| refuse(file, format!("not a readable tar archive: {err}"));
    for entry in archive.entries().map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let path = entry.path_bytes();
        match safe_relative_path(&String::from_utf8_lossy(&path)) {
            Some(rel) if rel == Path::new("manifest.json") => return Ok(true),
            Some(rel) if rel == Path::new("oci-layout") => return Ok(false),
            _ => {}
        }
    }
    Err(refuse(
        file,
        "neither manifest.json nor oci-layout: not a docker or OCI archive".into(),
    ))
}
