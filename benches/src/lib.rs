//! Benchmarks of libpod-rs's hot paths (`cargo xtask bench`), and the fixtures they share.
//!
//! The benches live in `benches/`:
//! - `spec_generate`: in-process OCI spec generation, the CPU part of container init;
//! - `unpack`: pulling a ~200 MB, 5-layer image from an OCI layout into an empty store, side by
//!   side with `umoci raw unpack` of the same layout, reported as a ratio;
//! - `lifecycle`: container create/start/wait/remove, in process and as `podctl run` beside
//!   `podman run`;
//! - `pull`: pulling that image from a loopback registry, beside `podman pull`, `skopeo copy`
//!   and the floor of decompressing its layers, reported as ratios;
//! - `exec`: exec sessions, the sessionless exec and healthchecks, in process and as
//!   `podctl exec`/`healthcheck run` beside Podman's;
//! - `pods`: a pod made, three containers created in it, started and force-removed, in
//!   process and as podctl commands beside Podman's.
//! - `network`: `podctl run --rm` on the default bridge beside `podman run --rm` on Podman's,
//!   and one container's network setup and teardown beside netavark's own.
//!
//! The stores of `unpack`, `lifecycle`, `pull` and `network` go on a fresh filesystem of their own
//! ([`BenchFs`]).

#![forbid(unsafe_code)]

mod scratch;

pub use scratch::BenchFs;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A busybox root filesystem under `dir` and its tarball: `(rootfs, tarball)`.
pub fn busybox_tarball(dir: &Path) -> (PathBuf, PathBuf) {
    let rootfs = dir.join("busybox");
    libpod_testutil::busybox_rootfs(&rootfs).unwrap();
    let tar = dir.join("busybox.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    (rootfs, tar)
}

/// Imports `tarball` into `rt`'s store as `localhost/busybox`.
pub fn import_busybox(rt: &libpod_core::runtime::Runtime, tarball: &Path) {
    rt.storage()
        .import_tarball(
            std::fs::File::open(tarball).unwrap(),
            Some(&libpod_storage::ImageReference::parse("localhost/busybox").unwrap()),
            &[],
        )
        .unwrap();
}

/// A bundle for `runc run` and the in-process floors: a busybox rootfs under `dir/bundle-ID`
/// and our spec for `/bin/true` with `ulimits`; its path.
pub fn true_bundle(dir: &Path, id: &str, ulimits: &[&str]) -> PathBuf {
    use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
    let bundle = dir.join(format!("bundle-{id}"));
    libpod_testutil::busybox_rootfs(&bundle.join("rootfs")).unwrap();
    let mut defaults = SpecDefaults::default();
    defaults.ulimits = ulimits.iter().map(|s| s.to_string()).collect();
    let generator = SpecGenerator::new(defaults).unwrap();
    let mut config = CreateConfig::default();
    config.command = Some(vec!["/bin/true".into()]);
    let spec = generator
        .generate(
            &config,
            None,
            &SpecContext::new(&"f".repeat(64), &bundle.join("rootfs")),
        )
        .unwrap();
    std::fs::write(
        bundle.join("config.json"),
        serde_json::to_vec(&spec).unwrap(),
    )
    .unwrap();
    bundle
}

/// The median of some run times.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The median of the per-round ratios `a[i] / b[i]` of two variants run in turns: the
/// machine's speed drifts within a bench, and a ratio of two medians taken at different
/// moments carries that drift.
///
/// ```
/// use std::time::Duration;
/// let ms = |v: &[u64]| v.iter().map(|&m| Duration::from_millis(m)).collect::<Vec<_>>();
/// // The machine slows down over the rounds; b stays twice as fast as a.
/// let ratio = libpod_benches::median_ratio(&ms(&[20, 40, 80]), &ms(&[10, 20, 40]));
/// assert!((ratio - 2.0).abs() < 1e-9);
/// ```
pub fn median_ratio(a: &[Duration], b: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

use libpod_storage::Digest;
use libpod_storage::transport::OciLayoutWriter;
use serde_json::json;
use std::fs::File;
use std::io::{self, Write};

/// The host directories that make the big image's layers, as in the measurements of Podman
/// (busybox, then /usr/share/doc, Python's library and Perl's as three layers, then a small
/// layer with deletions).
const BIG_LAYER_SOURCES: &[&str] = &["/usr/share/doc", "/usr/lib/python3.11", "/usr/share/perl"];

/// Builds (once; reused from `cache`) an OCI layout holding the ~200 MB, 5-layer image
/// `big`, with gzip layers. Returns the layout's directory.
pub fn big_image_layout(cache: &Path) -> io::Result<PathBuf> {
    let layout = cache.join("big-layout");
    if layout.join("index.json").exists() {
        return Ok(layout);
    }
    let staging = cache.join("big-layout.tmp");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    let busybox = staging.join("busybox-rootfs");
    libpod_testutil::busybox_rootfs(&busybox)?;
    let mut layers: Vec<(PathBuf, Digest)> = Vec::new();
    layers.push(gzip_tar(
        &staging,
        "busybox",
        &[(busybox.as_path(), Path::new("."))],
    )?);
    for (i, source) in BIG_LAYER_SOURCES.iter().enumerate() {
        let inside = Path::new(source.trim_start_matches('/'));
        layers.push(gzip_tar(
            &staging,
            &format!("layer{i}"),
            &[(Path::new(source), inside)],
        )?);
    }
    // A last layer that deletes a file and makes a directory opaque.
    let last = staging.join("last");
    std::fs::create_dir_all(last.join("usr/share/perl"))?;
    File::create(last.join("usr/share/perl/.wh..wh..opq"))?;
    std::fs::create_dir_all(last.join("etc"))?;
    File::create(last.join("etc/.wh.group"))?;
    layers.push(gzip_tar(
        &staging,
        "last",
        &[(last.as_path(), Path::new("."))],
    )?);

    let mut writer = OciLayoutWriter::create(&layout).map_err(io::Error::other)?;
    let mut descriptors = Vec::new();
    let mut diff_ids = Vec::new();
    for (path, diff_id) in &layers {
        let bytes = std::fs::read(path)?;
        let digest = Digest::of(&bytes);
        writer
            .put_blob(&digest, &bytes[..])
            .map_err(io::Error::other)?;
        descriptors.push(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest.to_string(), "size": bytes.len()}));
        diff_ids.push(diff_id.to_string());
    }
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))?;
    let config_digest = Digest::of(&config);
    writer
        .put_blob(&config_digest, &config[..])
        .map_err(io::Error::other)?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.to_string(), "size": config.len()},
        "layers": descriptors,
    }))?;
    let manifest_digest = Digest::of(&manifest);
    writer
        .put_blob(&manifest_digest, &manifest[..])
        .map_err(io::Error::other)?;
    let descriptor: oci_spec::image::Descriptor = serde_json::from_value(json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest.to_string(), "size": manifest.len(),
    }))?;
    writer
        .add_manifest(descriptor, Some("big"))
        .map_err(io::Error::other)?;
    std::fs::remove_dir_all(&staging)?;
    Ok(layout)
}

/// Writes a gzip'ed tar of the given (source directory, path inside the layer) pairs; returns
/// its path and the digest of the uncompressed tar (the layer's diff ID).
fn gzip_tar(dir: &Path, name: &str, trees: &[(&Path, &Path)]) -> io::Result<(PathBuf, Digest)> {
    let path = dir.join(format!("{name}.tar.gz"));
    let file = File::create(&path)?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut hashing = libpod_storage::digest::HashingWriter::new(gz);
    {
        let mut builder = tar::Builder::new(&mut hashing);
        builder.follow_symlinks(false);
        for (source, inside) in trees {
            // Parent directories first, so the layer is complete on its own.
            let mut parent = PathBuf::new();
            for component in inside.parent().into_iter().flat_map(|p| p.components()) {
                parent.push(component);
                builder.append_dir(&parent, "/")?;
            }
            builder.append_dir_all(inside, source)?;
        }
        builder.finish()?;
    }
    let diff_id = hashing.digest();
    hashing.flush()?;
    hashing.into_inner().finish()?;
    Ok((path, diff_id))
}
