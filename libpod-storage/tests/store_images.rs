//! Images in a real store: import, lookup, names, removal, garbage collection, save, and a
//! 100-layer image mounted with overlay.

mod common;

use common::{MemorySource, store, tar_of};
use libpod_storage::{ImageReference, StorageError, driver::DriverKind};
use libpod_testutil::{TempRoot, busybox_rootfs, require_root, serial, tar_directory};
use std::fs::File;

fn busybox_tar(tmp: &TempRoot) -> std::path::PathBuf {
    let rootfs = tmp.path().join("busybox");
    busybox_rootfs(&rootfs).unwrap();
    let tar = tmp.path().join("busybox.tar");
    tar_directory(&rootfs, &tar).unwrap();
    tar
}

#[test]
fn import_names_lookup_and_config_changes() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let store = store(&tmp, None);
    let tar = busybox_tar(&tmp);
    let name = libpod_storage::store::local_name("busybox").unwrap();
    let changes = vec![
        r#"CMD ["/bin/sh", "-c", "echo hi"]"#.to_string(),
        "ENV FOO=bar".into(),
        "WORKDIR /tmp".into(),
    ];
    let image = store
        .import_tarball(File::open(&tar).unwrap(), Some(&name), &changes)
        .unwrap();
    assert_eq!(image.names, ["localhost/busybox:latest"]);
    assert_eq!(image.layers.len(), 1);
    assert!(
        image.size > 1_000_000,
        "busybox is more than a megabyte: {}",
        image.size
    );

    // Lookup by short name, full name, full ID, ID prefix.
    for key in [
        "busybox",
        "localhost/busybox",
        "localhost/busybox:latest",
        &image.id.hex(),
        &image.id.hex()[..12],
        &image.id.to_string(),
    ] {
        assert_eq!(store.image(key).unwrap().id, image.id, "lookup by {key}");
    }
    assert!(matches!(
        store.image("nosuchimage"),
        Err(StorageError::ImageNotKnown(_))
    ));

    let config = store.image_config(&image).unwrap();
    let c = config.config().clone().unwrap();
    assert_eq!(c.cmd().clone().unwrap(), ["/bin/sh", "-c", "echo hi"]);
    assert!(c.env().clone().unwrap().contains(&"FOO=bar".to_string()));
    assert_eq!(c.working_dir().as_deref(), Some("/tmp"));
    assert_eq!(config.rootfs().diff_ids().len(), 1);

    // A second store handle (another process would see the same) finds it too.
    let again = common::store_at(tmp.path(), None);
    assert_eq!(again.image("busybox").unwrap().id, image.id);
}

#[test]
fn tag_untag_remove_and_garbage_collect() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let store = store(&tmp, None);
    let tar = busybox_tar(&tmp);
    let image = store
        .import_tarball(File::open(&tar).unwrap(), None, &[])
        .unwrap();
    assert!(image.names.is_empty());
    store.tag(&image.id.hex(), "first").unwrap();
    store
        .tag(&image.id.hex(), "quay.io/example/second:v1")
        .unwrap();
    assert_eq!(
        store.image("first").unwrap().names,
        ["localhost/first:latest", "quay.io/example/second:v1"]
    );

    // Removing by one of two names only untags it.
    let removed = store.remove_image("first", false).unwrap();
    assert!(!removed.deleted);
    assert_eq!(removed.untagged, ["localhost/first:latest"]);
    assert!(store.image("first").is_err());

    // In use by a container: refused without force.
    store
        .create_container("ctr1", Some("quay.io/example/second:v1"))
        .unwrap();
    assert!(matches!(
        store.remove_image("quay.io/example/second:v1", false),
        Err(StorageError::ImageInUse { .. })
    ));
    store.remove_container("ctr1").unwrap();

    let blob_count = store.blobs().list().unwrap().len();
    assert_eq!(blob_count, 3, "manifest, config, layer");
    let removed = store
        .remove_image("quay.io/example/second:v1", false)
        .unwrap();
    assert!(removed.deleted);
    assert!(store.images().unwrap().is_empty());
    assert!(store.blobs().list().unwrap().is_empty(), "blobs collected");
    assert_eq!(
        std::fs::read_dir(store.root().join("layers"))
            .unwrap()
            .count(),
        0,
        "layers collected"
    );
    assert_eq!(
        std::fs::read_dir(store.root().join("l")).unwrap().count(),
        0,
        "links collected"
    );

    // Untag a name the image does not have: an error naming it.
    let image = store
        .import_tarball(
            File::open(&tar).unwrap(),
            Some(&ImageReference::parse("localhost/x").unwrap()),
            &[],
        )
        .unwrap();
    let err = store.untag(&image.id.hex(), "y").unwrap_err();
    assert!(err.to_string().contains("localhost/y:latest"), "{err}");
    // Tagging moves a name from one image to another.
    let other = store
        .pull_from(&MemorySource::new(vec![tar_of(&[("f", b"1")])]), None)
        .unwrap();
    store.tag(&other.id.hex(), "localhost/x").unwrap();
    assert!(store.image(&image.id.hex()).unwrap().names.is_empty());
    // Prune removes the now dangling image.
    assert_eq!(store.prune_images().unwrap(), vec![image.id]);
}

#[test]
fn a_hundred_layers_mount_in_one_overlay() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let store = store(&tmp, Some(DriverKind::Overlay));
    let layers: Vec<Vec<u8>> = (0..100)
        .map(|i| tar_of(&[(&format!("layer{i:03}"), format!("{i}").as_bytes())]))
        .collect();
    let source = MemorySource::new(layers);
    let image = store
        .pull_from(
            &source,
            Some(&ImageReference::parse("localhost/hundred").unwrap()),
        )
        .unwrap();
    assert_eq!(image.layers.len(), 100);
    store
        .create_container("hundred", Some("localhost/hundred"))
        .unwrap();
    let root = store.mount_container("hundred").unwrap();
    for i in [0, 50, 99] {
        assert_eq!(
            std::fs::read_to_string(root.join(format!("layer{i:03}"))).unwrap(),
            i.to_string()
        );
    }
    store.unmount_container("hundred", false).unwrap();
    store.remove_container("hundred").unwrap();
}

#[test]
fn pulling_twice_reuses_layers_and_a_bad_blob_commits_nothing() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let store = store(&tmp, None);
    let shared = tar_of(&[("shared", b"s")]);
    let a = MemorySource::new(vec![shared.clone(), tar_of(&[("a", b"a")])]);
    let b = MemorySource::new(vec![shared, tar_of(&[("b", b"b")])]);
    let ia = store.pull_from(&a, None).unwrap();
    let ib = store.pull_from(&b, None).unwrap();
    assert_eq!(
        ia.layers[0], ib.layers[0],
        "the shared bottom layer has one chain ID"
    );
    assert_eq!(
        std::fs::read_dir(store.root().join("layers"))
            .unwrap()
            .count(),
        3
    );

    // A layer whose bytes do not match the manifest's digest: nothing is committed.
    let mut bad = MemorySource::new(vec![tar_of(&[("c", b"c")])]);
    let digest: libpod_storage::Digest =
        bad.manifest.layers[0].digest().to_string().parse().unwrap();
    // Byte 512 is the file's content, right after its header.
    bad.blobs.get_mut(&digest).unwrap()[512] ^= 0xff;
    let before = store.images().unwrap().len();
    let err = store.pull_from(&bad, None).unwrap_err();
    assert!(matches!(err, StorageError::DigestMismatch { .. }), "{err}");
    assert_eq!(store.images().unwrap().len(), before);
    assert_eq!(
        std::fs::read_dir(store.root().join("layers"))
            .unwrap()
            .count(),
        3
    );
    assert_eq!(
        std::fs::read_dir(store.root().join("tmp")).unwrap().count(),
        0,
        "staging removed"
    );
}

#[test]
fn save_and_pull_back_keep_every_digest() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let store = store(&tmp, None);
    let tar = busybox_tar(&tmp);
    let image = store
        .import_tarball(
            File::open(&tar).unwrap(),
            Some(&ImageReference::parse("localhost/bb").unwrap()),
            &[],
        )
        .unwrap();
    let layout = tmp.path().join("layout");
    store
        .save_to_layout("localhost/bb", &layout, Some("localhost/bb:latest"))
        .unwrap();
    let archive = tmp.path().join("bb.tar");
    store
        .save_to_archive("localhost/bb", &archive, Some("localhost/bb:latest"))
        .unwrap();

    let other = common::store_at(&tmp.path().join("other"), None);
    let platform = libpod_storage::manifest::Platform::host();
    let from_layout = other
        .pull_from(
            &libpod_storage::transport::OciLayout::open(
                &layout,
                Some("localhost/bb:latest"),
                &platform,
            )
            .unwrap(),
            None,
        )
        .unwrap();
    assert_eq!(
        (from_layout.id, from_layout.manifest_digest),
        (image.id, image.manifest_digest)
    );
    std::fs::create_dir_all(tmp.path().join("scratch")).unwrap();
    let archive_source = libpod_storage::transport::OciArchive::open(
        &archive,
        &tmp.path().join("scratch"),
        Some("localhost/bb:latest"),
        &platform,
    )
    .unwrap();
    let third = common::store_at(&tmp.path().join("third"), None);
    let from_archive = third.pull_from(&archive_source, None).unwrap();
    assert_eq!(
        (from_archive.id, from_archive.manifest_digest),
        (image.id, image.manifest_digest)
    );
}

#[test]
fn concurrent_pulls_from_threads_and_handles() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let first = store(&tmp, None);
    std::thread::scope(|s| {
        for t in 0..4 {
            // Two threads per handle, two handles: the flock and the in-process lock both count.
            let store = if t % 2 == 0 {
                first.clone()
            } else {
                common::store_at(tmp.path(), None)
            };
            s.spawn(move || {
                for i in 0..5 {
                    let shared = tar_of(&[("shared", b"same in every image")]);
                    let own = tar_of(&[(&format!("t{t}-{i}"), format!("{t}/{i}").as_bytes())]);
                    let name = ImageReference::parse(&format!("localhost/t{t}:{i}")).unwrap();
                    store
                        .pull_from(&MemorySource::new(vec![shared, own]), Some(&name))
                        .unwrap();
                    // Readers always see whole images.
                    for image in store.images().unwrap() {
                        assert_eq!(image.layers.len(), 2);
                    }
                }
            });
        }
    });
    assert_eq!(first.images().unwrap().len(), 20);
    assert_eq!(
        std::fs::read_dir(first.root().join("layers"))
            .unwrap()
            .count(),
        21
    );
    assert_eq!(first.check().unwrap(), []);
}
