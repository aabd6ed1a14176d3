//! Unpacking a ~200 MB, 5-layer gzip image from an OCI layout into an empty store (hashing,
//! blob copy, decompression and extraction, layers in parallel), side by side with
//! `umoci raw unpack` of the same layout in the same run. Prints the ratio at the end.
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench unpack`), as root.

use criterion::Criterion;
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

fn ours(layout: &std::path::Path) -> Duration {
    let tmp = TempRoot::new().unwrap();
    let mut options = StoreOptions::new(tmp.path().join("root"), tmp.path().join("run"));
    options.registries = Some(Default::default());
    let store = Store::open(options).unwrap();
    let start = Instant::now();
    let source = OciLayout::open(layout, Some("big"), &Platform::host()).unwrap();
    store.pull_from(&source, None).unwrap();
    start.elapsed()
}

fn umoci(layout: &std::path::Path) -> Duration {
    let tmp = TempRoot::new().unwrap();
    let start = Instant::now();
    let status = Command::new("umoci")
        .args(["raw", "unpack", "--image"])
        .arg(format!("{}:big", layout.display()))
        .arg(tmp.path().join("rootfs"))
        .status()
        .expect("umoci runs");
    assert!(status.success());
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let layout =
        libpod_benches::big_image_layout(&fixture_cache()).expect("build the big image layout");
    let mut criterion = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    let mut group = criterion.benchmark_group("unpack 200 MB image");
    group.bench_function("libpod-rs pull from oci layout", |b| {
        b.iter_custom(|n| (0..n).map(|_| ours(&layout)).sum())
    });
    group.bench_function("umoci raw unpack", |b| {
        b.iter_custom(|n| (0..n).map(|_| umoci(&layout)).sum())
    });
    group.finish();
    criterion.final_summary();

    // The ratio from interleaved runs in this same process, so that both see the same machine.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        a.push(ours(&layout));
        b.push(umoci(&layout));
    }
    let (ours_median, umoci_median) = (median(a), median(b));
    println!(
        "unpack: libpod-rs {:.0} ms, umoci {:.0} ms (medians of 5 interleaved runs): {:.2}x faster than umoci",
        ours_median.as_secs_f64() * 1000.0,
        umoci_median.as_secs_f64() * 1000.0,
        umoci_median.as_secs_f64() / ours_median.as_secs_f64()
    );
}
