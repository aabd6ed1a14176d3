//! Fuzzes credentials files (auth.json, config.json, .dockercfg): no file may panic, and for
//! any file that is accepted, looking up credentials for fixed registries and repositories
//! must not panic either, and never returns an empty credential.
//!
//! Input: the file's bytes; the first byte chooses the legacy `.dockercfg` format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_storage::registry::AuthFileContent;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&format, bytes)) = data.split_first() else {
        return;
    };
    let legacy = format & 1 == 1;
    let Ok(content) = AuthFileContent::parse(Path::new("fuzz/auth.json"), bytes, legacy) else {
        return;
    };
    for (registry, repository) in [
        ("docker.io", "library/busybox"),
        ("docker.io", ""),
        ("quay.io", "podman/stable"),
        ("localhost:5000", "a/b/c"),
        ("r.example", "ns/repo"),
        ("", ""),
    ] {
        if let Ok(Some(credentials)) = content.find(registry, repository) {
            assert!(
                !credentials.username.is_empty()
                    || !credentials.password.is_empty()
                    || credentials.identity_token.is_some(),
                "empty credentials for {registry}/{repository}"
            );
            assert!(!credentials.password.starts_with('\0') && !credentials.password.ends_with('\0'));
        }
    }
});
