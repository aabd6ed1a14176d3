//! Pulling from a real `docker-registry` on 127.0.0.1: plain HTTP, zstd layers, a
//! multi-architecture index, pull by digest, pull policies, and what we unpack equals
//! `umoci raw unpack` of the layout skopeo pushed.

mod common;

use common::registry::{assert_nothing_committed, busybox_registry, plain_pull, push_layout};
use libpod_storage::manifest::Platform;
use libpod_storage::registry::{PullPolicy, remote_digest};
use libpod_storage::{Digest, ImageReference, RegistryFailure, StorageError};
use libpod_testutil::registry::{
    RegistryOptions, TestRegistry, busybox_oci_layout, inspect, multi_arch_layout, zstd_oci_layout,
};
use libpod_testutil::{TempRoot, require_root};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The pulled image's root filesystem equals umoci's unpacking of the layout.
fn assert_same_as_umoci(store: &libpod_storage::Store, image: &str, layout: &Path, tag: &str) {
    let tmp = TempRoot::new().unwrap();
    let theirs = tmp.path().join("umoci");
    common::tree::umoci_unpack(layout, tag, &theirs);
    let ours = store.mount_image(image).unwrap();
    common::tree::compare(&ours, &theirs, image, 100);
    store.unmount_image(image, true).unwrap();
}

#[test]
fn a_plain_http_pull_equals_umoci_and_keeps_the_registry_digest() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let (registry, layout, layout_digest) = busybox_registry(tmp.path(), "team/busybox:1", &[]);

    let store = common::store(&tmp, None);
    let name = format!("{}/team/busybox:1", registry.host());
    let image = store.pull_image(&name, &plain_pull(&tmp)).unwrap();
    assert_eq!(image.names, std::slice::from_ref(&name));
    assert_eq!(image.manifest_digest.to_string(), layout_digest);
    assert_same_as_umoci(&store, &name, &layout, "latest");
    assert_eq!(store.check().unwrap(), []);

    // The same image by digest, and the remote digest as auto-update asks for it.
    let by_digest = format!("{}/team/busybox@{layout_digest}", registry.host());
    let again = store.pull_image(&by_digest, &plain_pull(&tmp)).unwrap();
    assert_eq!(again.id, image.id);
    let remote = remote_digest(&ImageReference::parse(&name).unwrap(), &plain_pull(&tmp));
    assert_eq!(remote.unwrap().to_string(), layout_digest);
    assert!(!store.remote_differs(&name, &plain_pull(&tmp)).unwrap());
}

#[test]
fn docker_schema2_images_pull_with_progress_for_every_layer() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let layout = tmp.path().join("layout");
    busybox_oci_layout(&layout, "latest").unwrap();
    push_layout(
        &registry,
        &layout,
        "latest",
        "docker/busybox:1",
        &["--format", "v2s2"],
    );
    let raw = inspect(&registry, "docker/busybox:1", &["--raw"]).unwrap();
    assert!(
        raw.contains(libpod_storage::manifest::DOCKER_MANIFEST),
        "{raw}"
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut options = plain_pull(&tmp);
    let record = Arc::clone(&seen);
    options.progress = Some(Arc::new(move |p| record.lock().unwrap().push(p)));
    let store = common::store(&tmp, None);
    let name = format!("{}/docker/busybox:1", registry.host());
    let image = store.pull_image(&name, &options).unwrap();
    assert_eq!(
        image.manifest_media_type,
        libpod_storage::manifest::DOCKER_MANIFEST
    );
    assert_same_as_umoci(&store, &name, &layout, "latest");

    // Progress for the one layer (not the config): increasing, ending at its size.
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 1, "{} progress calls", seen.len());
    assert!(seen.iter().all(|p| p.digest == image.layer_blobs[0]));
    assert!(
        seen.windows(2).all(|w| w[0].done < w[1].done),
        "{:?}",
        seen.iter().map(|p| p.done).collect::<Vec<_>>()
    );
    let last = seen.last().unwrap();
    assert_eq!(last.done, last.total);
}

#[test]
fn a_digest_the_registry_does_not_have_is_a_typed_not_found() {
    let tmp = TempRoot::new().unwrap();
    let (registry, _, _) = busybox_registry(tmp.path(), "busybox:1", &[]);
    let store = common::store(&tmp, None);
    for missing in [
        format!("{}/busybox@{}", registry.host(), Digest::of(b"nothing")),
        format!("{}/busybox:nope", registry.host()),
        format!("{}/nobody/here:1", registry.host()),
    ] {
        let err = store.pull_image(&missing, &plain_pull(&tmp)).unwrap_err();
        let StorageError::Registry {
            registry: host,
            reference,
            failure: RegistryFailure::NotFound(_),
            ..
        } = &err
        else {
            panic!("{missing}: {err}")
        };
        assert_eq!(host, &registry.host());
        assert!(
            missing.ends_with(reference.as_str()) || reference.contains("nobody"),
            "{err}"
        );
        assert_nothing_committed(&store);
    }
}

#[test]
fn zstd_layers_pull_and_equal_umoci() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    // skopeo recompresses the gzip layer to zstd on the way in.
    let (registry, layout, _) = busybox_registry(
        tmp.path(),
        "zstd/recompressed:1",
        &["--dest-compress-format", "zstd"],
    );
    let zstd_layout = tmp.path().join("zstd-layout");
    zstd_oci_layout(&zstd_layout, "latest").unwrap();
    push_layout(&registry, &zstd_layout, "latest", "zstd/built:1", &[]);

    // umoci 0.4 cannot read zstd: both images hold the same busybox tree as the gzip layout.
    let store = common::store(&tmp, None);
    for repo in ["zstd/recompressed:1", "zstd/built:1"] {
        let raw = inspect(&registry, repo, &["--raw"]).unwrap();
        assert!(raw.contains("tar+zstd"), "{repo}: {raw}");
        let name = format!("{}/{repo}", registry.host());
        store.pull_image(&name, &plain_pull(&tmp)).unwrap();
        assert_same_as_umoci(&store, &name, &layout, "latest");
    }
}

#[test]
fn the_platform_is_chosen_from_a_multi_arch_index() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let registry = TestRegistry::start(RegistryOptions::default()).unwrap();
    let layout = tmp.path().join("layout");
    let index_digest = multi_arch_layout(&layout, "multi").unwrap();
    push_layout(&registry, &layout, "multi", "multi:1", &["--all"]);
    let name = format!("{}/multi:1", registry.host());

    let store = common::store(&tmp, None);
    let mut ids = Vec::new();
    for (platform, arch_file) in [
        (None, "amd64\n"),
        (Some("linux/arm64"), "arm64/v8\n"),
        (Some("linux/aarch64"), "arm64/v8\n"),
        (Some("linux/arm/v7"), "arm/v7\n"),
    ] {
        let mut options = plain_pull(&tmp);
        options.platform = platform.map(|p| Platform::parse(p).unwrap());
        let image = store.pull_image(&name, &options).unwrap();
        let root = store.mount_image(&image.id.hex()).unwrap();
        let found = std::fs::read_to_string(root.join("etc/arch")).unwrap();
        store.unmount_image(&image.id.hex(), true).unwrap();
        assert_eq!(found, arch_file, "{platform:?}");
        ids.push(image.id);
        // The image is the platform's manifest, not the index.
        assert_ne!(image.manifest_digest.to_string(), index_digest);
    }
    assert_ne!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);

    let mut options = plain_pull(&tmp);
    options.platform = Some(Platform::parse("linux/s390x").unwrap());
    let err = store.pull_image(&name, &options).unwrap_err();
    assert!(
        matches!(
            err,
            StorageError::Unsupported {
                what: "platform",
                ..
            }
        ),
        "{err}"
    );
    // The remote digest of a multi-arch tag is the index's, as `podman inspect` shows it.
    let remote = remote_digest(&ImageReference::parse(&name).unwrap(), &plain_pull(&tmp));
    assert_eq!(remote.unwrap().to_string(), index_digest);

    // The same as a Docker manifest list of schema 2 manifests.
    push_layout(
        &registry,
        &layout,
        "multi",
        "list:1",
        &["--all", "--format", "v2s2"],
    );
    let raw = inspect(&registry, "list:1", &["--raw"]).unwrap();
    assert!(raw.contains(libpod_storage::manifest::DOCKER_LIST), "{raw}");
    let mut options = plain_pull(&tmp);
    options.platform = Some(Platform::parse("linux/arm/v7").unwrap());
    let list = format!("{}/list:1", registry.host());
    let image = store.pull_image(&list, &options).unwrap();
    // The same config as the arm/v7 image pulled above: the same image, now known by the
    // schema 2 manifest's digest too.
    assert_eq!(image.id, ids[3]);
    assert_eq!(image.digests.len(), 2, "{:?}", image.digests);
    let root = store.mount_image(&image.id.hex()).unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("etc/arch")).unwrap(),
        "arm/v7\n"
    );
    store.unmount_image(&image.id.hex(), true).unwrap();
}

#[test]
fn pull_policies_decide_when_the_registry_is_asked() {
    let tmp = TempRoot::new().unwrap();
    let (registry, _, _) = busybox_registry(tmp.path(), "app:1", &[]);
    let name = format!("{}/app:1", registry.host());
    let store = common::store(&tmp, None);
    let with = |policy| {
        let mut options = plain_pull(&tmp);
        options.policy = policy;
        options
    };

    let err = store
        .pull_image(&name, &with(PullPolicy::Never))
        .unwrap_err();
    assert!(matches!(err, StorageError::ImageNotKnown(_)), "{err}");
    let pulled = store.pull_image(&name, &with(PullPolicy::Missing)).unwrap();
    assert!(
        !store
            .remote_differs(&name, &with(PullPolicy::Always))
            .unwrap()
    );
    assert_eq!(
        store
            .pull_image(&name, &with(PullPolicy::Newer))
            .unwrap()
            .id,
        pulled.id
    );

    // A different image under the same tag: `newer` and `always` fetch it, `missing` and
    // `never` keep the local one.
    let second = tmp.path().join("second");
    let builder = libpod_testutil::registry::OciLayoutBuilder::create(&second).unwrap();
    let layer = common::tar_of(&[("hello", b"world")]);
    let manifest = builder
        .add_image(
            &[layer],
            libpod_testutil::registry::LayerCompression::Gzip,
            &libpod_testutil::registry::Platform::host(),
            &["/hello"],
        )
        .unwrap();
    builder.tag(&manifest, "latest").unwrap();
    push_layout(&registry, &second, "latest", "app:1", &[]);
    assert!(
        store
            .remote_differs(&name, &with(PullPolicy::Always))
            .unwrap()
    );
    assert_eq!(
        store
            .pull_image(&name, &with(PullPolicy::Missing))
            .unwrap()
            .id,
        pulled.id
    );
    assert_eq!(
        store
            .pull_image(&name, &with(PullPolicy::Never))
            .unwrap()
            .id,
        pulled.id
    );
    let newer = store.pull_image(&name, &with(PullPolicy::Newer)).unwrap();
    assert_ne!(newer.id, pulled.id);
    assert_eq!(newer.names, std::slice::from_ref(&name));
    assert!(store.image(&pulled.id.hex()).unwrap().names.is_empty());
    assert_eq!(
        store
            .pull_image(&name, &with(PullPolicy::Always))
            .unwrap()
            .id,
        newer.id
    );

    // With the registry gone, `missing` still answers from the store; `always` cannot.
    drop(registry);
    assert_eq!(
        store
            .pull_image(&name, &with(PullPolicy::Missing))
            .unwrap()
            .id,
        newer.id
    );
    let err = store
        .pull_image(&name, &with(PullPolicy::Always))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StorageError::Registry {
                failure: RegistryFailure::Connection(_),
                ..
            }
        ),
        "{err}"
    );
}
