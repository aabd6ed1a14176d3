//! Fuzzes registries.conf parsing: no file may panic, and for any file that is accepted,
//! resolving short names and computing pull sources for fixed references must not panic
//! either.
//!
//! Input: the file, read as UTF-8 with replacement characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::{ImageReference, RegistriesConfig};
use std::path::Path;

const DIGEST: &str = "sha256:d366a4665ab44f0648d7a00ae3fae139d55e32f9712c67accd604bb55df9d05a";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = RegistriesConfig::from_toml_str(Path::new("fuzz/registries.conf"), &text)
    else {
        return;
    };
    for name in ["busybox", "busybox:1.36", "library/alpine", "quay.io/podman/stable"] {
        if let Ok(candidates) = config.resolve_short_name(name) {
            assert!(!candidates.is_empty(), "{name} resolved to nothing");
        }
    }
    let digested = format!("registry.example.com:5000/ns/img@{DIGEST}");
    for reference in [
        "docker.io/library/busybox:latest",
        "quay.io/podman/stable:v4",
        "localhost:5000/foo:bar",
        "a.b.example.com/x/y:1",
        digested.as_str(),
    ] {
        let reference = ImageReference::parse(reference).expect("a valid reference");
        if let Ok(sources) = config.pull_sources(&reference) {
            assert!(!sources.is_empty(), "no pull source for {reference}");
        }
        let _ = config.is_insecure(reference.registry());
    }
});
