//! Feeds arbitrary bytes to `libpod_storage::manifest::parse_manifest`, with no media type and
//! with each media type a transport may report, and selects platforms from every index it
//! accepts; none may panic.
//!
//! The first byte picks the media type (and, for indexes, the wanted platform); the rest is the
//! document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::manifest::{
    DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1, Manifest, OCI_INDEX, OCI_MANIFEST, Platform,
    descriptor_digest, parse_manifest, select_platform,
};

const MEDIA_TYPES: [Option<&str>; 7] = [
    None,
    Some(OCI_MANIFEST),
    Some(OCI_INDEX),
    Some(DOCKER_MANIFEST),
    Some(DOCKER_LIST),
    Some(DOCKER_SCHEMA1),
    Some("text/plain"),
];

const PLATFORMS: [&str; 8] = [
    "linux/amd64",
    "linux/amd64/v3",
    "linux/arm64",
    "linux/arm64/v8",
    "linux/arm/v7",
    "linux/armhf",
    "windows/amd64",
    "linux/s390x",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, document)) = data.split_first() else {
        return;
    };
    let media_type = MEDIA_TYPES[usize::from(selector) % MEDIA_TYPES.len()];
    let wanted = PLATFORMS[usize::from(selector >> 3) % PLATFORMS.len()];
    let mut platforms = vec![
        Platform::parse(wanted).expect("a valid platform"),
        Platform::host(),
    ];
    // The document's bytes, as text, are a platform string too.
    if let Ok(text) = std::str::from_utf8(document)
        && let Ok(parsed) = Platform::parse(text)
    {
        platforms.push(parsed);
    }
    match parse_manifest(document, media_type) {
        Ok(Manifest::Index { manifests }) => {
            for descriptor in &manifests {
                descriptor_digest(descriptor).expect("accepted index entries have sha256 digests");
            }
            for platform in &platforms {
                if let Ok(chosen) = select_platform(&manifests, platform) {
                    assert!(manifests.iter().any(|d| std::ptr::eq(d, chosen)));
                }
            }
        }
        Ok(Manifest::Image { config, layers }) => {
            descriptor_digest(&config).expect("accepted configs have sha256 digests");
            for layer in &layers {
                descriptor_digest(layer).expect("accepted layers have sha256 digests");
            }
        }
        Ok(_) | Err(_) => {}
    }
});
