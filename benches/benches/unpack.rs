//! Unpacking a ~200 MB, 5-layer gzip image from an OCI layout into an empty store (hashing,
//! blob copy, decompression and extraction, layers in parallel), side by side with
//! `umoci raw unpack` of the same layout in the same run. Prints the ratio at the end.
//!
//! The trees go on the bench's own filesystem (see `BenchFs`), each kept until the end, and
//! the page cache is written back before each interleaved run.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench unpack`), as root.

use criterion::Criterion;
use libpod_benches::{median, median_ratio};
use libpod_storage::manifest::Platform;
use libpod_storage::transport::OciLayout;
use libpod_storage::{Store, StoreOptions};
use libpod_testutil::TempRoot;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn fixture_cache() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-fixtures")
}

/// What a run leaves until the end of the bench (removed on drop).
type Kept = TempRoot;

fn ours(layout: &std::path::Path, stores: &std::path::Path) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(stores).unwrap();
    let mut options = StoreOptions::new(tmp.path().join("root"), tmp.path().join("run"));
    options.registries = Some(Default::default());
    let store = Store::open(options).unwrap();
    let start = Instant::now();
    let source = OciLayout::open(layout, Some("big"), &Platform::host()).unwrap();
    store.pull_from(&source, None).unwrap();
    (start.elapsed(), tmp)
}

fn umoci(layout: &std::path::Path, stores: &std::path::Path) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(stores).unwrap();
    let start = Instant::now();
    let status = Command::new("umoci")
        .args(["raw", "unpack", "--image"])
        .arg(format!("{}:big", layout.display()))
        .arg(tmp.path().join("rootfs"))
        .status()
        .expect("umoci runs");
    assert!(status.success());
    (start.elapsed(), tmp)
}

/// Writes the page cache back, so that no run pays for the last one's writeback.
fn settle() {
    assert!(Command::new("sync").status().unwrap().success());
}

fn main() {
    let layout =
        libpod_benches::big_image_layout(&fixture_cache()).expect("build the big image layout");
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let stores = fs.path().to_path_buf();
    let mut kept: Vec<Kept> = Vec::new();

    // The ratio from interleaved runs in this same process, so that both see the same machine.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        settle();
        let (elapsed, tree) = ours(&layout, &stores);
        a.push(elapsed);
        kept.push(tree);
        settle();
        let (elapsed, tree) = umoci(&layout, &stores);
        b.push(elapsed);
        kept.push(tree);
    }
    let ratio = median_ratio(&b, &a);
    let (ours_median, umoci_median) = (median(a), median(b));

    let mut criterion = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    let mut group = criterion.benchmark_group("unpack 200 MB image");
    let mut keep = |(elapsed, tree): (Duration, Kept)| {
        kept.push(tree);
        elapsed
    };
    group.bench_function("libpod-rs pull from oci layout", |b| {
        b.iter_custom(|n| (0..n).map(|_| keep(ours(&layout, &stores))).sum())
    });
    group.finish();
    criterion.final_summary();
    println!(
        "unpack: on {}: libpod-rs {:.0} ms, umoci {:.0} ms (medians of 5 interleaved runs): {:.2}x faster than umoci (median of the per-round ratios)",
        fs.describe(),
        ours_median.as_secs_f64() * 1000.0,
        umoci_median.as_secs_f64() * 1000.0,
        ratio
    );
    drop(kept);
    drop(fs);
}
