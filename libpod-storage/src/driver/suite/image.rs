//! The suite's image: two layers with every kind of entry a driver must stack (modes, owners,
//! setuid, symlinks, hardlinks, whiteouts, an opaque directory), served from memory, and the
//! tree a container on it must show.

use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::reference::ImageReference;
use crate::store::{ImageRecord, Store};
use crate::transport::{ImageSource, ResolvedManifest};
use std::collections::BTreeMap;
use std::io::Read;

/// The name the suite gives its image.
pub(super) const IMAGE: &str = "localhost/driver-suite";

/// The tree a container on the image shows: path -> `kind mode uid:gid content-or-target`
/// (as [`super::tree::tree`] describes each entry).
pub(super) const EXPECTED: &[(&str, &str)] = &[
    ("abs", "symlink 777 0:0 /etc/passwd"),
    ("bin", "dir 755 0:0"),
    ("bin/sh", "symlink 777 0:0 tool"),
    ("bin/tool", "file 4755 0:0 #!/bin/sh\n"),
    ("bin/tool-link", "file 4755 0:0 #!/bin/sh\n"),
    ("data", "dir 750 1000:1000"),
    ("data/old", "file 600 1000:1000 old"),
    ("etc", "dir 755 0:0"),
    ("etc/group", "file 644 0:0 root:x:0:\n"),
    ("etc/new", "file 644 0:0 new in layer 2\n"),
    ("etc/new-link", "file 644 0:0 new in layer 2\n"),
    ("etc/passwd", "file 640 0:0 root:x:0:0::/root:/bin/sh\n"),
    ("newdir", "dir 711 7:8"),
    ("opaque", "dir 710 0:0"),
    ("opaque/upper-only", "file 644 0:0 upper"),
    ("secret", "file 400 0:0 s"),
];

/// The pairs of paths that are one file (hardlinks), in the image and so in every container.
pub(super) const HARDLINKS: &[(&str, &str)] =
    &[("bin/tool", "bin/tool-link"), ("etc/new", "etc/new-link")];

/// One tar entry.
enum Entry<'a> {
    Dir(&'a str, u32, u64),
    File(&'a str, u32, u64, &'a [u8]),
    Symlink(&'a str, &'a str),
    /// Path, target, and the target's mode (as tar writers repeat it).
    Hardlink(&'a str, &'a str, u32),
}

/// The bottom layer.
const BASE: &[Entry<'static>] = &[
    Entry::Dir("bin", 0o755, 0),
    Entry::File("bin/tool", 0o4755, 0, b"#!/bin/sh\n"),
    Entry::Hardlink("bin/tool-link", "bin/tool", 0o4755),
    Entry::Symlink("bin/sh", "tool"),
    Entry::Symlink("abs", "/etc/passwd"),
    Entry::Dir("data", 0o750, 1000),
    Entry::File("data/old", 0o600, 1000, b"old"),
    Entry::Dir("data/sub", 0o755, 1000),
    Entry::File("data/sub/deep", 0o644, 1000, b"deep"),
    Entry::Dir("etc", 0o755, 0),
    Entry::File("etc/group", 0o644, 0, b"root:x:0:\n"),
    Entry::File("etc/passwd", 0o644, 0, b"root:x:0:0::/root:/bin/ash\n"),
    Entry::File("gone", 0o644, 0, b"to be deleted"),
    Entry::Dir("opaque", 0o755, 0),
    Entry::File("opaque/lower-only", 0o644, 0, b"lower"),
    Entry::File("secret", 0o400, 0, b"s"),
];

/// The top layer: deletes (whiteouts), hides a directory's lower content (opaque), replaces
/// a file and a directory's mode, adds files, a hardlink and a directory.
const TOP: &[Entry<'static>] = &[
    Entry::Dir("data", 0o750, 1000),
    Entry::File("data/.wh.sub", 0o644, 0, b""),
    Entry::File(".wh.gone", 0o644, 0, b""),
    Entry::Dir("etc", 0o755, 0),
    Entry::File("etc/passwd", 0o640, 0, b"root:x:0:0::/root:/bin/sh\n"),
    Entry::File("etc/new", 0o644, 0, b"new in layer 2\n"),
    Entry::Hardlink("etc/new-link", "etc/new", 0o644),
    Entry::Dir("newdir", 0o711, 7),
    Entry::Dir("opaque", 0o710, 0),
    Entry::File("opaque/.wh..wh..opq", 0o644, 0, b""),
    Entry::File("opaque/upper-only", 0o644, 0, b"upper"),
];

/// A layer tarball of `entries`. Owners: `uid` for both IDs, but 7:8 for uid 7.
fn layer(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_ustar();
        header.set_mtime(1_700_000_000);
        let (path, mode, uid) = match *entry {
            Entry::Dir(path, mode, uid) => {
                header.set_entry_type(tar::EntryType::Directory);
                (path, mode, uid)
            }
            Entry::File(path, mode, uid, _) => (path, mode, uid),
            Entry::Symlink(path, _) => {
                header.set_entry_type(tar::EntryType::Symlink);
                (path, 0o777, 0)
            }
            Entry::Hardlink(path, _, mode) => {
                header.set_entry_type(tar::EntryType::Link);
                (path, mode, 0)
            }
        };
        header.set_mode(mode);
        header.set_uid(uid);
        header.set_gid(if uid == 7 { 8 } else { uid });
        let appended = match *entry {
            Entry::File(path, _, _, content) => {
                header.set_size(content.len().try_into().expect("a small file"));
                builder.append_data(&mut header, path, content)
            }
            Entry::Symlink(path, target) | Entry::Hardlink(path, target, _) => {
                builder.append_link(&mut header, path, target)
            }
            Entry::Dir(..) => {
                header.set_size(0);
                builder.append_data(&mut header, path, std::io::empty())
            }
        };
        appended.expect("a tar entry in memory");
    }
    builder.into_inner().expect("a tar in memory")
}

/// The image, served from memory.
struct MemorySource {
    manifest: ResolvedManifest,
    blobs: BTreeMap<Digest, Vec<u8>>,
}

impl MemorySource {
    fn new(layers: Vec<Vec<u8>>) -> MemorySource {
        let diff_ids: Vec<String> = layers.iter().map(|l| Digest::of(l).to_string()).collect();
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .expect("a config");
        let descriptor = |media_type: &str, blob: &[u8]| {
            serde_json::json!({
                "mediaType": media_type, "digest": Digest::of(blob).to_string(), "size": blob.len(),
            })
        };
        let layer_descriptors: Vec<_> = layers
            .iter()
            .map(|l| descriptor("application/vnd.oci.image.layer.v1.tar", l))
            .collect();
        let config_descriptor = descriptor("application/vnd.oci.image.config.v1+json", &config);
        let bytes = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_descriptor, "layers": layer_descriptors,
        }))
        .expect("a manifest");
        let manifest = ResolvedManifest {
            digest: Digest::of(&bytes),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            config: serde_json::from_value(config_descriptor).expect("a descriptor"),
            layers: serde_json::from_value(layer_descriptors.into()).expect("descriptors"),
            bytes,
        };
        let mut blobs: BTreeMap<Digest, Vec<u8>> =
            layers.into_iter().map(|l| (Digest::of(&l), l)).collect();
        blobs.insert(Digest::of(&config), config);
        MemorySource { manifest, blobs }
    }
}

impl ImageSource for MemorySource {
    fn manifest(&self) -> Result<ResolvedManifest> {
        Ok(self.manifest.clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        let blob = self.blobs.get(digest).ok_or_else(|| {
            StorageError::invalid("blob", digest.to_string(), "not in the suite's image")
        })?;
        Ok(Box::new(std::io::Cursor::new(blob.clone())))
    }
}

/// Pulls the suite's image into `store`.
pub(super) fn pull(store: &Store) -> ImageRecord {
    let source = MemorySource::new(vec![layer(BASE), layer(TOP)]);
    let name = ImageReference::parse(IMAGE).expect("the image's name");
    store
        .pull_from(&source, Some(&name))
        .unwrap_or_else(|err| panic!("pull the suite's image: {err}"))
}
