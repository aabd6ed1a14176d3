//! Shared setup of the registry tests: pull options that ignore the host's configuration, and
//! what a store must look like after a failed pull.

use libpod_storage::registry::{AuthFiles, PullOptions, PushOptions, RegistryOptions};
use libpod_storage::{RegistriesConfig, Store};
use libpod_testutil::TempRoot;
use libpod_testutil::registry::{
    RegistryOptions as ServerOptions, TestRegistry, busybox_oci_layout, copy_to_registry,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options that read no host file: an empty registries.conf, an empty auth file in `tmp`, no
/// certs.d, and `tls_verify` as given.
pub fn registry_options(tmp: &TempRoot, tls_verify: Option<bool>) -> RegistryOptions {
    let auth = tmp.path().join("empty-auth.json");
    std::fs::write(&auth, r#"{"auths":{}}"#).unwrap();
    RegistryOptions {
        credentials: None,
        auth_files: Some(AuthFiles::explicit(auth)),
        tls_verify,
        certs_dirs: Vec::new(),
        ..RegistryOptions::default()
    }
}

/// Pull options for a plain-HTTP test registry.
pub fn plain_pull(tmp: &TempRoot) -> PullOptions {
    PullOptions {
        registry: registry_options(tmp, Some(false)),
        registries_conf: Some(Arc::new(RegistriesConfig::default())),
        ..PullOptions::default()
    }
}

/// Push options for a plain-HTTP test registry.
pub fn plain_push(tmp: &TempRoot) -> PushOptions {
    PushOptions {
        registry: registry_options(tmp, Some(false)),
        chunk_size: None,
        registries_conf: Some(Arc::new(RegistriesConfig::default())),
    }
}

/// A failed pull left nothing behind: no image, no layer, no blob, no staging, and the store
/// checks clean.
pub fn assert_nothing_committed(store: &Store) {
    assert!(store.images().unwrap().is_empty(), "an image was committed");
    assert!(
        store.blobs().list().unwrap().is_empty(),
        "blobs were committed"
    );
    assert_eq!(
        entries(&store.root().join("layers")),
        0,
        "layers were committed"
    );
    assert_eq!(
        entries(&store.root().join("tmp")),
        0,
        "staging was left behind"
    );
    assert_eq!(store.check().unwrap(), []);
}

fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

/// Pushes `tag` of the OCI layout `layout` to `registry` as `repo_tag` with skopeo, adding
/// `extra` skopeo flags.
pub fn push_layout(
    registry: &TestRegistry,
    layout: &Path,
    tag: &str,
    repo_tag: &str,
    extra: &[&str],
) {
    let source = format!("oci:{}:{tag}", layout.display());
    copy_to_registry(&source, registry, repo_tag, extra).unwrap();
}

/// A plain-HTTP registry holding busybox as `repo_tag` (pushed with `extra` skopeo flags),
/// the busybox layout under `dir` and its manifest digest.
pub fn busybox_registry(
    dir: &Path,
    repo_tag: &str,
    extra: &[&str],
) -> (TestRegistry, PathBuf, String) {
    let registry = TestRegistry::start(ServerOptions::default()).unwrap();
    let layout = dir.join("busybox-layout");
    let digest = busybox_oci_layout(&layout, "latest").unwrap();
    push_layout(&registry, &layout, "latest", repo_tag, extra);
    (registry, layout, digest)
}
