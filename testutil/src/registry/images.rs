//! Ready-made images for the registry tests, as OCI layouts.

use super::layout::{LayerCompression, OciLayoutBuilder, Platform, tar_of_files};
use crate::{TempRoot, busybox_rootfs, tar_directory};
use std::fs;
use std::io;
use std::path::Path;

/// The busybox rootfs of [`busybox_rootfs`] as one uncompressed layer tarball.
fn busybox_layer() -> io::Result<Vec<u8>> {
    let tmp = TempRoot::new()?;
    let rootfs = tmp.path().join("rootfs");
    busybox_rootfs(&rootfs)?;
    let tar = tmp.path().join("rootfs.tar");
    tar_directory(&rootfs, &tar)?;
    fs::read(tar)
}

/// Writes a one-layer busybox image (gzip layer, the host's platform, `Cmd ["sh"]`) into
/// the OCI layout `dir` under `tag`. Returns the manifest digest.
///
/// # Errors
/// When busybox or tar is missing, or on any I/O error.
///
/// ```no_run
/// let digest = libpod_testutil::registry::busybox_oci_layout(std::path::Path::new("/tmp/l"), "latest")?;
/// assert!(digest.starts_with("sha256:"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn busybox_oci_layout(dir: &Path, tag: &str) -> io::Result<String> {
    single_layer_busybox(dir, tag, LayerCompression::Gzip)
}

/// Like [`busybox_oci_layout`], with the layer compressed with zstd
/// (`application/vnd.oci.image.layer.v1.tar+zstd`). Returns the manifest digest.
///
/// # Errors
/// When busybox or tar is missing, or on any I/O error.
pub fn zstd_oci_layout(dir: &Path, tag: &str) -> io::Result<String> {
    single_layer_busybox(dir, tag, LayerCompression::Zstd)
}

fn single_layer_busybox(
    dir: &Path,
    tag: &str,
    compression: LayerCompression,
) -> io::Result<String> {
    let layout = OciLayoutBuilder::create(dir)?;
    let manifest =
        layout.add_image(&[busybox_layer()?], compression, &Platform::host(), &["sh"])?;
    layout.tag(&manifest, tag)?;
    Ok(digest_of(&manifest))
}

/// The platforms of [`multi_arch_layout`], in index order.
pub fn multi_arch_platforms() -> [Platform; 3] {
    [
        Platform::linux("amd64", None),
        Platform::linux("arm64", Some("v8")),
        Platform::linux("arm", Some("v7")),
    ]
}

/// Writes a multi-arch image into the OCI layout `dir` under `tag`: an index of three
/// manifests, linux/amd64, linux/arm64/v8 and linux/arm/v7, with platforms filled in.
/// Each has a layer holding `/etc/arch` naming its platform (`amd64`, `arm64/v8`,
/// `arm/v7`); the amd64 one also has the busybox layer below it, so it runs on the host.
/// Push it with `skopeo copy --all`. Returns the index digest.
///
/// # Errors
/// When busybox or tar is missing, or on any I/O error.
pub fn multi_arch_layout(dir: &Path, tag: &str) -> io::Result<String> {
    let layout = OciLayoutBuilder::create(dir)?;
    let mut manifests = Vec::new();
    for platform in multi_arch_platforms() {
        let name = match &platform.variant {
            Some(variant) => format!("{}/{variant}\n", platform.architecture),
            None => format!("{}\n", platform.architecture),
        };
        let arch_layer = tar_of_files(&[("etc/arch", name.as_bytes())])?;
        let layers = if platform.architecture == "amd64" {
            vec![busybox_layer()?, arch_layer]
        } else {
            vec![arch_layer]
        };
        manifests.push(layout.add_image(&layers, LayerCompression::Gzip, &platform, &["sh"])?);
    }
    let index = layout.add_index(&manifests)?;
    layout.tag(&index, tag)?;
    Ok(digest_of(&index))
}

fn digest_of(descriptor: &serde_json::Value) -> String {
    descriptor["digest"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
