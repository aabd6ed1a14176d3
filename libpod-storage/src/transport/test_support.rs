//! Hand-made layouts for the transport tests.

use crate::Digest;
use crate::manifest::{OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR, OCI_MANIFEST};
use serde_json::{Value, json};
use std::fs;
use std::io::Read;
use std::path::Path;

/// Writes `bytes` as a blob of the layout at `dir` and returns its descriptor JSON.
pub(super) fn put_blob(dir: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let digest = Digest::of(bytes);
    let blobs = dir.join("blobs/sha256");
    fs::create_dir_all(&blobs).unwrap();
    fs::write(blobs.join(digest.hex()), bytes).unwrap();
    json!({"mediaType": media_type, "digest": digest.to_string(), "size": bytes.len()})
}

/// A one-file layer tar.
pub(super) fn layer_tar(content: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, "hello", content.as_bytes())
        .unwrap();
    builder.into_inner().unwrap()
}

/// Writes a config, a layer and a manifest for `arch` into the layout; returns the manifest's
/// descriptor JSON (without platform).
pub(super) fn put_image(dir: &Path, arch: &str) -> Value {
    let layer = layer_tar(&format!("hello from {arch}\n"));
    let diff_id = Digest::of(&layer).to_string();
    let config = json!({
        "architecture": arch, "os": "linux",
        "config": {"Cmd": ["/hello"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    });
    let config = put_blob(dir, OCI_CONFIG, &serde_json::to_vec(&config).unwrap());
    let layer = put_blob(dir, OCI_LAYER_TAR, &layer);
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": config, "layers": [layer],
    });
    put_blob(dir, OCI_MANIFEST, &serde_json::to_vec(&manifest).unwrap())
}

/// `descriptor` with a platform.
pub(super) fn with_platform(mut descriptor: Value, arch: &str, variant: Option<&str>) -> Value {
    descriptor["platform"] = json!({"os": "linux", "architecture": arch});
    if let Some(variant) = variant {
        descriptor["platform"]["variant"] = json!(variant);
    }
    descriptor
}

/// `descriptor` with a ref name.
pub(super) fn tagged(mut descriptor: Value, tag: &str) -> Value {
    descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    descriptor
}

/// Writes an index blob listing `manifests`; returns its descriptor JSON.
pub(super) fn put_index(dir: &Path, manifests: Vec<Value>) -> Value {
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
    put_blob(dir, OCI_INDEX, &serde_json::to_vec(&index).unwrap())
}

/// Writes `oci-layout` and an `index.json` listing `entries`.
pub(super) fn write_layout(dir: &Path, entries: Vec<Value>) {
    fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": entries});
    fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// The digest string of a descriptor JSON.
pub(super) fn digest_of(descriptor: &Value) -> Digest {
    descriptor["digest"].as_str().unwrap().parse().unwrap()
}

/// Reads a blob through `source` and checks it hashes to its digest.
pub(super) fn assert_blob_reads_back(source: &dyn super::ImageSource, digest: &Digest) {
    let mut bytes = Vec::new();
    source
        .blob(digest)
        .unwrap_or_else(|err| panic!("blob {digest}: {err}"))
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(
        Digest::of(&bytes),
        *digest,
        "blob content does not match its digest"
    );
}
