//! Fuzzes reading image archives: arbitrary bytes (a tar, or a gzip-compressed one) written
//! to a file and opened as a docker archive (its `manifest.json`, its symbolic links resolved
//! inside it, each image's manifest built) and as an OCI archive. Nothing may panic, and
//! nothing may be left beside the file: the unpacked directories go when dropped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::manifest::Platform;
use libpod_storage::transport::{DockerArchive, ImageSource, OciArchive};
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

/// `/tmp/libpod-fuzz-archive-<pid>/`, holding `archive.tar` and, during a run, `tmp/`.
fn sandbox() -> &'static PathBuf {
    static SANDBOX: OnceLock<PathBuf> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("libpod-fuzz-archive-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("tmp")).expect("creating the fuzz sandbox");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let sandbox = sandbox();
    let file = sandbox.join("archive.tar");
    let tmp = sandbox.join("tmp");
    fs::write(&file, data).expect("writing the archive");
    if let Ok(archive) = DockerArchive::open(&file, &tmp) {
        for index in 0..archive.len() {
            let _ = archive.names(index);
            if let Ok(image) = archive.image(index) {
                let _ = image.manifest();
            }
        }
    }
    if let Ok(archive) = OciArchive::open(&file, &tmp, None, &Platform::host()) {
        let _ = archive.manifest();
    }
    assert_eq!(fs::read_dir(&tmp).expect("listing tmp").count(), 0, "an unpacked directory was left");
});
