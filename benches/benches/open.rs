//! Opening a big store: `podctl ps -a` on a store with 1,000 images and 3,000 layers, side by
//! side with the same command on an empty store, in the same run. An open repairs only when a
//! dirty mark says an operation was interrupted, so its cost should not grow with the store:
//! the ratio printed at the end should stay within 1.2. It also prints what the skipped repair
//! scan costs on the big store.
//!
//! The big store is built once (tiny layers, through the library) under
//! `target/bench-fixtures/`, and copied onto the bench's own filesystem (see `BenchFs`).
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench open`), as root,
//! after `cargo build --release -p libpod-examples --bin podctl`.

use libpod_benches::{median, median_ratio};
use libpod_storage::transport::{ImageSource, ResolvedManifest};
use libpod_storage::{Digest, ImageReference, Result, Store, StoreOptions};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const IMAGES: usize = 1000;
const LAYERS_PER_IMAGE: usize = 3;
/// Interleaved runs of each variant.
const ROUNDS: usize = 41;

fn fixture_cache() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-fixtures")
}

/// An image in memory: a manifest, its config and its (tiny, uncompressed) layers.
struct TinyImage {
    manifest: ResolvedManifest,
    blobs: BTreeMap<Digest, Vec<u8>>,
}

impl TinyImage {
    /// Image `n`: three layers of one small file each, unique to it.
    fn new(n: usize) -> TinyImage {
        let mut blobs = BTreeMap::new();
        let mut layers = Vec::new();
        let mut diff_ids = Vec::new();
        for l in 0..LAYERS_PER_IMAGE {
            let mut builder = tar::Builder::new(Vec::new());
            let content = format!("image {n} layer {l}\n");
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, format!("layer-{l}"), content.as_bytes())
                .unwrap();
            let tar = builder.into_inner().unwrap();
            let digest = Digest::of(&tar);
            layers.push(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest.to_string(), "size": tar.len()}));
            diff_ids.push(digest.to_string());
            blobs.insert(digest, tar);
        }
        let config = serde_json::to_vec(&json!({
            "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .unwrap();
        let config_descriptor = json!({"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest::of(&config).to_string(), "size": config.len()});
        blobs.insert(Digest::of(&config), config);
        let bytes = serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config_descriptor, "layers": layers,
        }))
        .unwrap();
        TinyImage {
            manifest: ResolvedManifest {
                digest: Digest::of(&bytes),
                media_type: "application/vnd.oci.image.manifest.v1+json".into(),
                bytes,
                config: serde_json::from_value(config_descriptor).unwrap(),
                layers: serde_json::from_value(json!(layers)).unwrap(),
            },
            blobs,
        }
    }
}

impl ImageSource for TinyImage {
    fn manifest(&self) -> Result<ResolvedManifest> {
        Ok(self.manifest.clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(self.blobs[digest].clone())))
    }
}

/// The podctl root of the big store, built once: `ROOT/storage` holds the images.
fn big_store(cache: &Path) -> PathBuf {
    let dir = cache.join(format!("open-{IMAGES}"));
    if dir.join("complete").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let start = Instant::now();
    let mut options = StoreOptions::new(dir.join("root/storage"), dir.join("run/storage"));
    options.registries = Some(Default::default());
    let store = Store::open(options).unwrap();
    for n in 0..IMAGES {
        let name = ImageReference::parse(&format!("localhost/image-{n}:latest")).unwrap();
        store.pull_from(&TinyImage::new(n), Some(&name)).unwrap();
    }
    std::fs::write(dir.join("complete"), b"").unwrap();
    println!(
        "built the fixture: {IMAGES} images in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    dir
}

fn ps(podctl: &Path, dir: &Path) -> Command {
    let mut command = Command::new(podctl);
    command
        .arg("--root")
        .arg(dir.join("root"))
        .arg("--runroot")
        .arg(dir.join("run"))
        .args(["ps", "-a"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn timed(mut command: Command) -> Duration {
    let start = Instant::now();
    let status = command.status().unwrap();
    assert!(status.success(), "{command:?} failed");
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
    assert!(
        podctl.exists(),
        "build podctl first: cargo build --release -p libpod-examples --bin podctl"
    );
    let cache = fixture_cache();
    std::fs::create_dir_all(&cache).unwrap();
    let fixture = big_store(&cache);
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let big = fs.path().join("big");
    let empty = fs.path().join("empty");
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&fixture)
        .arg(&big)
        .status()
        .unwrap();
    assert!(copied.success());
    // A new run root: the first open of each repairs once (not timed).
    std::fs::remove_dir_all(big.join("run")).unwrap();
    timed(ps(&podctl, &big));
    timed(ps(&podctl, &empty));

    let (mut big_times, mut empty_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        big_times.push(timed(ps(&podctl, &big)));
        empty_times.push(timed(ps(&podctl, &empty)));
    }
    let ratio = median_ratio(&big_times, &empty_times);
    println!(
        "podctl ps -a: {IMAGES} images, {} layers {:.2} ms; empty store {:.2} ms (medians of {ROUNDS})",
        IMAGES * LAYERS_PER_IMAGE,
        ms(median(big_times)),
        ms(median(empty_times)),
    );
    println!("ratio big/empty: {ratio:.3} (target: within 1.2)");

    // What a clean open no longer does: the full repair scan (every open did it before).
    let mut options = StoreOptions::new(big.join("root/storage"), big.join("run/storage"));
    options.registries = Some(Default::default());
    let store = Store::open(options).unwrap();
    let repairs: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            store.repair().unwrap();
            start.elapsed()
        })
        .collect();
    println!(
        "a repair of the big store (only on a dirty mark): {:.2} ms",
        ms(median(repairs))
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&big);
    let _ = std::fs::remove_dir_all(&empty);
}
