//! Pushing to a real `docker-registry`: what we push, skopeo reads back with the same digest and
//! we pull back as the same image; a second push uploads nothing; a push to another repository
//! mounts the blobs; chunked uploads; a push without the right to push is a typed error; an
//! upload location on another host gets no credentials; a registry that stops reading an
//! upload times out.

mod common;

use common::registry::{busybox_registry, plain_pull, plain_push};
use libpod_storage::{RegistryFailure, StorageError};
use libpod_testutil::TempRoot;
use libpod_testutil::registry::{
    Fault, FaultProxy, LayerCompression, OciLayoutBuilder, Platform, RegistryOptions, TestRegistry,
    TokenServer, TokenServerOptions, busybox_oci_layout, inspect,
};
use std::time::{Duration, Instant};

#[test]
fn a_pushed_image_reads_back_the_same_and_repeated_pushes_upload_nothing() {
    let tmp = TempRoot::new().unwrap();
    let (registry, _, _) = busybox_registry(tmp.path(), "source/busybox:1", &[]);
    let store = common::store(&tmp, None);
    let source = format!("{}/source/busybox:1", registry.host());
    let image = store.pull_image(&source, &plain_pull(&tmp)).unwrap();
    let blobs = 1 + image.layers.len();

    // A fresh registry: every blob is uploaded, monolithically.
    let other = TestRegistry::start(RegistryOptions::default()).unwrap();
    let dest = format!("{}/pushed/busybox:2", other.host());
    let report = store.push_image(&source, &dest, &plain_push(&tmp)).unwrap();
    assert_eq!(report.uploaded.len(), blobs, "{report:?}");
    assert_eq!(report.manifest_digest, image.manifest_digest);
    let inspected: serde_json::Value =
        serde_json::from_str(&inspect(&other, "pushed/busybox:2", &[]).unwrap()).unwrap();
    assert_eq!(inspected["Digest"], image.manifest_digest.to_string());

    // Again: the registry has everything.
    let report = store.push_image(&source, &dest, &plain_push(&tmp)).unwrap();
    assert_eq!((report.existing.len(), report.uploaded.len()), (blobs, 0));

    // To another repository of the registry the image came from: mounted, not uploaded.
    let mounted = format!("{}/elsewhere/busybox:3", registry.host());
    let report = store
        .push_image(&source, &mounted, &plain_push(&tmp))
        .unwrap();
    assert_eq!(
        (report.mounted.len(), report.uploaded.len()),
        (blobs, 0),
        "{report:?}"
    );

    // Chunked, to a third registry; pulled back into an empty store, the same image.
    let third = TestRegistry::start(RegistryOptions::default()).unwrap();
    let chunked = format!("{}/chunked/busybox:4", third.host());
    let mut options = plain_push(&tmp);
    options.chunk_size = Some(64 << 10);
    let report = store
        .push_image(&image.id.hex(), &chunked, &options)
        .unwrap();
    assert_eq!(report.uploaded.len(), blobs);
    let back = common::store_at(&tmp.path().join("back"), None);
    let pulled = back.pull_image(&chunked, &plain_pull(&tmp)).unwrap();
    assert_eq!(
        (pulled.id, pulled.manifest_digest),
        (image.id, image.manifest_digest)
    );
}

#[test]
fn a_push_the_token_does_not_allow_is_a_typed_error() {
    let tmp = TempRoot::new().unwrap();
    let tokens = TokenServer::start(
        TokenServerOptions::default()
            .credentials("reader", "pw")
            .granted_actions(&["pull"]),
    )
    .unwrap();
    let registry = TestRegistry::start(RegistryOptions::default().token(&tokens)).unwrap();
    let store = common::store(&tmp, None);
    let layout = tmp.path().join("layout");
    busybox_oci_layout(&layout, "latest").unwrap();
    let source = libpod_storage::transport::OciLayout::open(
        &layout,
        Some("latest"),
        &libpod_storage::manifest::Platform::host(),
    )
    .unwrap();
    let image = store.pull_from(&source, None).unwrap();
    let mut options = plain_push(&tmp);
    options.registry.credentials = Some(libpod_storage::registry::Credentials {
        username: "reader".into(),
        password: "pw".into(),
        identity_token: None,
    });
    let dest = format!("{}/readonly/busybox:1", registry.host());
    let err = store
        .push_image(&image.id.hex(), &dest, &options)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StorageError::Registry {
                failure: RegistryFailure::Unauthorized(_) | RegistryFailure::Denied(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("readonly/busybox"), "{err}");
}

#[test]
fn an_upload_location_on_another_host_gets_no_credentials() {
    let tmp = TempRoot::new().unwrap();
    let registry =
        TestRegistry::start(RegistryOptions::default().htpasswd("alice", "s3cret")).unwrap();
    // Both proxies lead to the same registry; the first moves upload locations to the second,
    // another port of 127.0.0.1: another origin.
    let elsewhere = FaultProxy::start(registry.addr(), Fault::None).unwrap();
    let front = FaultProxy::start(
        registry.addr(),
        Fault::MoveUploads {
            to: elsewhere.addr(),
        },
    )
    .unwrap();
    let store = common::store(&tmp, None);
    let layout = tmp.path().join("layout");
    busybox_oci_layout(&layout, "latest").unwrap();
    let source = libpod_storage::transport::OciLayout::open(
        &layout,
        Some("latest"),
        &libpod_storage::manifest::Platform::host(),
    )
    .unwrap();
    let image = store.pull_from(&source, None).unwrap();
    let mut options = plain_push(&tmp);
    options.registry.credentials = Some(libpod_storage::registry::Credentials {
        username: "alice".into(),
        password: "s3cret".into(),
        identity_token: None,
    });
    let dest = format!("{}/moved/busybox:1", front.host());
    // Without credentials the registry behind the other host refuses the upload.
    let err = store
        .push_image(&image.id.hex(), &dest, &options)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            StorageError::Registry {
                failure: RegistryFailure::Unauthorized(_),
                operation: "push blob",
                ..
            }
        ),
        "{err}"
    );
    assert!(front.stats().faults_injected > 0, "no upload was moved");
    let uploads = elsewhere.requests();
    assert!(!uploads.is_empty(), "nothing reached the other host");
    for request in &uploads {
        assert_eq!(request.header("authorization"), None, "{request:?}");
    }
    // The registry's own origin did get them.
    assert!(
        front.requests().iter().any(|r| r
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))),
        "{:?}",
        front.requests()
    );
}

#[test]
fn a_registry_that_stops_reading_an_upload_times_out() {
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let proxy = FaultProxy::start(registry.addr(), Fault::StallUploads).unwrap();
    // An uncompressed 32 MiB layer: far more than the socket buffers hold, so the upload's
    // writes block once the proxy stops reading.
    let layout = tmp.path().join("big");
    let builder = OciLayoutBuilder::create(&layout).unwrap();
    let big = common::tar_of(&[("big", &vec![7u8; 32 << 20])]);
    let manifest = builder
        .add_image(&[big], LayerCompression::None, &Platform::host(), &["/big"])
        .unwrap();
    builder.tag(&manifest, "latest").unwrap();
    let store = common::store(&tmp, None);
    let source = libpod_storage::transport::OciLayout::open(
        &layout,
        Some("latest"),
        &libpod_storage::manifest::Platform::host(),
    )
    .unwrap();
    let image = store.pull_from(&source, None).unwrap();
    let mut options = plain_push(&tmp);
    options.registry.io_timeout = Duration::from_millis(500);
    options.registry.retries = 0;
    let dest = format!("{}/stalled/big:1", proxy.host());
    let started = Instant::now();
    let err = store
        .push_image(&image.id.hex(), &dest, &options)
        .unwrap_err();
    let elapsed = started.elapsed();
    // The small config passes; the layer's upload blocks writing.
    assert!(
        matches!(
            &err,
            StorageError::Registry {
                failure: RegistryFailure::Timeout(which),
                ..
            } if which == "per write"
        ),
        "{err:?}"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert_eq!(proxy.stats().faults_injected, 1);
}
