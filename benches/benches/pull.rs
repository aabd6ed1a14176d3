//! Pulling the ~200 MB, 5-layer gzip image from a registry on 127.0.0.1 into an empty store,
//! side by side in one run with `podman pull` and `skopeo copy` to an OCI directory, and with
//! the floor of just decompressing its layers. Prints the ratios at the end.
//!
//! The image is the `unpack` bench's layout, pushed with skopeo into the host's
//! `docker-registry` (plain HTTP). Measured, each into an empty store or directory, after one
//! warm-up run of each, as medians of interleaved runs (and ratios as medians of per-round
//! ratios):
//! - libpod-rs in process (`Store::pull_image`), and `podctl pull -q` as a whole process;
//! - `podman pull -q` into an empty private store (overlay driver);
//! - `skopeo copy docker://... oci:DIR` (blobs kept compressed: a download, no unpacking);
//! - the decompress floor as the reference measurements define it: `gzip -d` of the 5 layer
//!   blobs one after the other; and, for comparison, gunzip to nowhere in process with flate2's
//!   zlib-rs backend (which our pull uses), sequentially, in parallel with one thread per core,
//!   and in parallel with both digests a pull must check.
//!
//! The stores go on the bench's own fresh filesystem (see `BenchFs`: this VM's journal-less
//! ext4 made file creation several times slower for minutes after any big deletion), every
//! store is kept until all runs are done (deleting one run's ~8000 files would slow the next
//! run in the same way on such a filesystem), and the page cache is written back (`sync`)
//! before each run. `LIBPOD_BENCH_FS=tmpdir` measures in `$TMPDIR` instead (on tmpfs:
//! `TMPDIR=/dev/shm/pb`, short, as Podman refuses a run root longer than 50 characters).
//!
//! Run with `cargo xtask bench` (or `cargo bench -p libpod-benches --bench pull`), as root,
//! after `cargo build --release -p libpod-examples --bin podctl`.

use criterion::Criterion;
use libpod_benches::{median, median_ratio};
use libpod_storage::digest::HashingReader;
use libpod_storage::registry::{AuthFiles, PullOptions, RegistryOptions};
use libpod_storage::{RegistriesConfig, Store, StoreOptions};
use libpod_testutil::registry::{RegistryOptions as ServerOptions, TestRegistry, copy_to_registry};
use libpod_testutil::{Podman, TempRoot};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Interleaved runs of each variant after the warm-up; the medians give the ratios.
const RUNS: usize = 5;

/// Podman's engine configuration for a private store (as the lifecycle bench has it).
const PODMAN_CONF: &str = "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n";

fn fixture_cache() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("bench-fixtures")
}

/// What every variant needs: the registry holding the image, its reference there, and files
/// that keep the host's credentials and signature policy out of the runs.
struct Setup {
    /// Kept running until the end of the bench.
    _registry: TestRegistry,
    reference: String,
    layer_blobs: Vec<PathBuf>,
    /// An auth file with no credentials.
    empty_auth: PathBuf,
    /// A signature policy accepting anything, for skopeo.
    policy: PathBuf,
    podctl: PathBuf,
    /// Where the stores go (on the bench's own filesystem).
    stores: PathBuf,
    _dir: TempRoot,
}

impl Setup {
    fn new(layout: &Path, stores: &Path) -> Setup {
        let dir = TempRoot::new().unwrap();
        let registry = TestRegistry::start(ServerOptions::default()).expect("start a registry");
        copy_to_registry(
            &format!("oci:{}:big", layout.display()),
            &registry,
            "big:latest",
            &[],
        )
        .expect("push the image");
        let empty_auth = dir.path().join("empty-auth.json");
        std::fs::write(&empty_auth, r#"{"auths":{}}"#).unwrap();
        let policy = dir.path().join("policy.json");
        std::fs::write(
            &policy,
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )
        .unwrap();
        let podctl = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/podctl");
        assert!(
            podctl.exists(),
            "build podctl first: cargo build --release -p libpod-examples --bin podctl"
        );
        Setup {
            reference: format!("{}/big:latest", registry.host()),
            _registry: registry,
            layer_blobs: layer_blobs(layout).expect("read the layout's manifest"),
            empty_auth,
            policy,
            podctl,
            stores: stores.to_path_buf(),
            _dir: dir,
        }
    }

    /// As the registry tests pull: plain HTTP, no registries.conf, no host auth files.
    fn pull_options(&self) -> PullOptions {
        PullOptions {
            registry: RegistryOptions {
                credentials: None,
                auth_files: Some(AuthFiles::explicit(self.empty_auth.clone())),
                tls_verify: Some(false),
                certs_dirs: Vec::new(),
                ..RegistryOptions::default()
            },
            registries_conf: Some(Arc::new(RegistriesConfig::default())),
            ..PullOptions::default()
        }
    }
}

/// The layout's layer blobs, in manifest order.
fn layer_blobs(layout: &Path) -> io::Result<Vec<PathBuf>> {
    let read_json = |path: PathBuf| -> io::Result<serde_json::Value> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    };
    let blob_path = |digest: &serde_json::Value| {
        let digest = digest.as_str().unwrap_or_default().replace(':', "/");
        layout.join("blobs").join(digest)
    };
    let index = read_json(layout.join("index.json"))?;
    let manifest = read_json(blob_path(&index["manifests"][0]["digest"]))?;
    let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
    Ok(layers.iter().map(|l| blob_path(&l["digest"])).collect())
}

/// What a run leaves until the end of the bench: its store (removed on drop).
type Kept = Box<dyn std::any::Any>;

fn ours(setup: &Setup) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(&setup.stores).unwrap();
    let mut options = StoreOptions::new(tmp.path().join("root"), tmp.path().join("run"));
    options.registries = Some(Default::default());
    let store = Store::open(options).unwrap();
    let pull_options = setup.pull_options();
    let start = Instant::now();
    store.pull_image(&setup.reference, &pull_options).unwrap();
    (start.elapsed(), Box::new(tmp))
}

fn timed(mut command: Command) -> Duration {
    let start = Instant::now();
    let output = command.stdout(Stdio::null()).output().unwrap();
    let elapsed = start.elapsed();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn podctl(setup: &Setup) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(&setup.stores).unwrap();
    let mut command = Command::new(&setup.podctl);
    command
        .arg("--root")
        .arg(tmp.path().join("root"))
        .arg("--runroot")
        .arg(tmp.path().join("run"))
        .args(["pull", "-q", "--tls-verify=false", "--authfile"])
        .arg(&setup.empty_auth)
        .arg(&setup.reference);
    (timed(command), Box::new(tmp))
}

fn podman(setup: &Setup) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(&setup.stores).unwrap();
    let podman = Podman::new(tmp.path(), PODMAN_CONF);
    let mut command = podman.command();
    command
        .args(["pull", "-q", "--tls-verify=false", "--authfile"])
        .arg(&setup.empty_auth)
        .arg(&setup.reference);
    // Podman's cleanup (rmi, unmounts) runs before the directory goes: dropped in that order.
    (timed(command), Box::new((podman, tmp)))
}

fn skopeo(setup: &Setup) -> (Duration, Kept) {
    let tmp = TempRoot::new_in(&setup.stores).unwrap();
    let mut command = Command::new("skopeo");
    command
        .arg("--policy")
        .arg(&setup.policy)
        .args(["copy", "-q", "--src-tls-verify=false", "--authfile"])
        .arg(&setup.empty_auth)
        .arg(format!("docker://{}", setup.reference))
        .arg(format!("oci:{}:big", tmp.path().join("oci").display()));
    (timed(command), Box::new(tmp))
}

/// `gzip -d` of each layer blob in turn, output dropped: the reference measurements' floor.
fn gzip_d(setup: &Setup) -> (Duration, Kept) {
    let start = Instant::now();
    for blob in &setup.layer_blobs {
        let mut command = Command::new("gzip");
        command.arg("-dc").stdin(std::fs::File::open(blob).unwrap());
        timed(command);
    }
    (start.elapsed(), Box::new(()))
}

/// Gunzips one blob to nowhere; returns the uncompressed size.
fn gunzip(blob: &Path) -> u64 {
    let file = std::fs::File::open(blob).unwrap();
    let mut decoder = flate2::read::GzDecoder::new(io::BufReader::with_capacity(1 << 17, file));
    io::copy(&mut decoder, &mut io::sink()).unwrap()
}

/// Gunzips one blob to nowhere, hashing it and its uncompressed stream as a pull must (blob
/// digest and diff ID); returns the uncompressed size.
fn gunzip_verified(blob: &Path) -> u64 {
    let file = HashingReader::new(std::fs::File::open(blob).unwrap());
    let decoder = flate2::read::GzDecoder::new(io::BufReader::with_capacity(1 << 17, file));
    let mut plain = HashingReader::new(decoder);
    let size = io::copy(&mut plain, &mut io::sink()).unwrap();
    let _diff_id = plain.digest();
    let _blob_digest = plain.into_inner().into_inner().into_inner().digest();
    size
}

fn gunzip_sequential(setup: &Setup) -> (Duration, Kept) {
    let start = Instant::now();
    for blob in &setup.layer_blobs {
        gunzip(blob);
    }
    (start.elapsed(), Box::new(()))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `each` over the layer blobs on one thread per core, each taking the next blob not yet
/// taken.
fn parallel(setup: &Setup, each: fn(&Path) -> u64) -> Duration {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores().min(setup.layer_blobs.len()) {
            scope.spawn(|| {
                while let Some(blob) = setup.layer_blobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    each(blob);
                }
            });
        }
    });
    start.elapsed()
}

fn gunzip_parallel(setup: &Setup) -> (Duration, Kept) {
    (parallel(setup, gunzip), Box::new(()))
}

fn gunzip_verified_parallel(setup: &Setup) -> (Duration, Kept) {
    (parallel(setup, gunzip_verified), Box::new(()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

type Variant = (&'static str, fn(&Setup) -> (Duration, Kept));

const VARIANTS: [Variant; 8] = [
    ("libpod-rs pull_image", ours),
    ("podctl pull", podctl),
    ("podman pull", podman),
    ("skopeo copy to oci", skopeo),
    ("gzip -d, one by one", gzip_d),
    ("gunzip sequential", gunzip_sequential),
    ("gunzip parallel", gunzip_parallel),
    ("gunzip+sha256 parallel", gunzip_verified_parallel),
];

/// Writes the page cache back, so that no run pays for the last one's writeback.
fn settle() {
    let status = Command::new("sync").status().unwrap();
    assert!(status.success());
}

fn main() {
    let layout =
        libpod_benches::big_image_layout(&fixture_cache()).expect("build the big image layout");
    let fs = libpod_benches::BenchFs::new().expect("make the bench filesystem");
    let setup = Setup::new(&layout, fs.path());
    let compressed: u64 = setup
        .layer_blobs
        .iter()
        .map(|b| std::fs::metadata(b).unwrap().len())
        .sum();
    let uncompressed: u64 = setup.layer_blobs.iter().map(|b| gunzip(b)).sum();
    // Every store made stays until the end (see the module docs).
    let mut kept: Vec<Kept> = Vec::new();

    // Whole operations, interleaved so that all see the same machine; one warm-up run each.
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); VARIANTS.len()];
    for run in 0..=RUNS {
        for ((_, variant), samples) in VARIANTS.iter().zip(&mut times) {
            settle();
            let (elapsed, store) = variant(&setup);
            kept.push(store);
            if run > 0 {
                samples.push(elapsed);
            }
        }
    }

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15))
        .configure_from_args();
    let mut group = criterion.benchmark_group("pull 200 MB image from a loopback registry");
    group.bench_function("libpod-rs pull_image", |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| {
                    let (elapsed, store) = ours(&setup);
                    kept.push(store);
                    elapsed
                })
                .sum()
        })
    });
    group.bench_function("gunzip layers, parallel", |b| {
        b.iter_custom(|n| (0..n).map(|_| parallel(&setup, gunzip)).sum())
    });
    group.finish();
    criterion.final_summary();

    let ratio = |a: usize, b: usize| median_ratio(&times[a], &times[b]);
    let (ours, podctl, podman, skopeo, gzip, parallel, verified) = (0, 1, 2, 3, 4, 6, 7);
    println!(
        "pull: {} ({} layers, {:.0} MB compressed, {:.0} MB uncompressed), stores on {}, medians of {RUNS} interleaved runs:",
        setup.reference,
        setup.layer_blobs.len(),
        compressed as f64 / 1e6,
        uncompressed as f64 / 1e6,
        fs.describe()
    );
    for ((name, _), samples) in VARIANTS.iter().zip(&times) {
        println!("pull:   {name:<24} {:>8.0} ms", ms(median(samples.clone())));
    }
    println!(
        "pull: podman pull / ours = {:.2}x in process, {:.2}x podctl (target >= 2x)",
        ratio(podman, ours),
        ratio(podman, podctl)
    );
    println!(
        "pull: ours / skopeo copy = {:.2}x in process, {:.2}x podctl (skopeo only stores the compressed blobs)",
        ratio(ours, skopeo),
        ratio(podctl, skopeo)
    );
    println!(
        "pull: ours / decompress floor (gzip -d, one layer after another) = {:.2}x in process, {:.2}x podctl (target <= 1.5x)",
        ratio(ours, gzip),
        ratio(podctl, gzip)
    );
    println!(
        "pull: ours / zlib-rs gunzip in parallel ({} threads) = {:.2}x in process, {:.2}x podctl; with both digests checked {:.2}x, {:.2}x",
        cores(),
        ratio(ours, parallel),
        ratio(podctl, parallel),
        ratio(ours, verified),
        ratio(podctl, verified)
    );
    drop(kept);
    drop(setup);
    drop(fs);
}
