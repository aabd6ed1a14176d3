//! Fuzzes applying a layer tarball: arbitrary bytes (plain, gzip or zstd, as their magic
//! says) are applied into a fresh directory. Nothing may panic, and nothing may appear or
//! change outside that directory: its parent holds only it and a sentinel file, checked
//! after every run. A layer that applied must also write back out as a tar.
//!
//! Run as root (as CI does), so that owners, device nodes and trusted xattrs are exercised.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::layer::{TarOptions, apply_layer, write_tar};
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

const SENTINEL: &str = "sentinel: nothing may change this";

/// `/tmp/libpod-fuzz-layer-<pid>/`, holding `sentinel` and, during a run, `root/`.
fn sandbox() -> &'static PathBuf {
    static SANDBOX: OnceLock<PathBuf> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("libpod-fuzz-layer-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("creating the fuzz sandbox");
        fs::write(dir.join("sentinel"), SENTINEL).expect("writing the sentinel");
        dir
    })
}

fn listing(dir: &PathBuf) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("listing the fuzz sandbox")
        .map(|entry| entry.expect("reading the fuzz sandbox").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fuzz_target!(|data: &[u8]| {
    let sandbox = sandbox();
    let root = sandbox.join("root");
    fs::create_dir(&root).expect("creating the layer root");

    let applied = apply_layer(data, &root);
    if applied.is_ok() {
        write_tar(&root, std::io::sink(), &TarOptions::overlay()).expect("an applied layer writes back out");
    }

    assert_eq!(listing(sandbox), ["root", "sentinel"], "something was created outside the root");
    assert_eq!(fs::read_to_string(sandbox.join("sentinel")).expect("reading the sentinel"), SENTINEL);
    assert!(fs::symlink_metadata(&root).expect("the root is still there").is_dir());
    // remove_dir_all does not follow symlinks: whatever the layer made, only the root goes.
    fs::remove_dir_all(&root).expect("removing the layer root");
});
