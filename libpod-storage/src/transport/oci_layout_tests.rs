//! OciLayout against hand-made (and hostile) layouts.

use super::test_support::*;
use super::{ImageSource, MAX_INDEX_DEPTH, OciLayout};
use crate::manifest::{MAX_MANIFEST_SIZE, OCI_MANIFEST, Platform};
use crate::{Digest, StorageError};
use serde_json::json;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

fn amd64() -> Platform {
    Platform::parse("linux/amd64").unwrap()
}

fn open(dir: &Path, tag: Option<&str>) -> crate::Result<OciLayout> {
    OciLayout::open(dir, tag, &amd64())
}

fn expect_layout_error(result: crate::Result<OciLayout>, needle: &str) {
    match result {
        Err(err @ StorageError::InvalidLayout { .. }) => {
            assert!(err.to_string().contains(needle), "{err} lacks {needle:?}")
        }
        other => panic!("expected InvalidLayout containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn opens_the_tagged_or_only_image_and_reads_its_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = put_image(tmp.path(), "amd64");
    write_layout(tmp.path(), vec![tagged(manifest.clone(), "t")]);
    for tag in [None, Some("t")] {
        let layout = open(tmp.path(), tag).unwrap();
        let resolved = layout.manifest().unwrap();
        assert_eq!(resolved.digest, digest_of(&manifest));
        assert_eq!(resolved.media_type, OCI_MANIFEST);
        assert_eq!(Digest::of(&resolved.bytes), resolved.digest);
        assert_eq!(resolved.layers.len(), 1);
        let config = Digest::try_from(resolved.config.digest()).unwrap();
        assert_blob_reads_back(&layout, &config);
        assert_blob_reads_back(
            &layout,
            &Digest::try_from(resolved.layers[0].digest()).unwrap(),
        );
    }
}

#[test]
fn several_images_need_a_tag_and_unknown_tags_are_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let a = put_image(tmp.path(), "amd64");
    let b = put_image(tmp.path(), "arm64");
    write_layout(tmp.path(), vec![tagged(a, "first"), b]);
    expect_layout_error(open(tmp.path(), None), "first, (untagged sha256:");
    match open(tmp.path(), Some("nope")) {
        Err(StorageError::ImageNotKnown(what)) => assert!(what.contains("nope"), "{what}"),
        other => panic!("expected ImageNotKnown, got {other:?}"),
    }
    assert!(open(tmp.path(), Some("first")).is_ok());
}

#[test]
fn empty_index_has_no_image() {
    let tmp = tempfile::tempdir().unwrap();
    write_layout(tmp.path(), vec![]);
    expect_layout_error(open(tmp.path(), None), "lists no image");
}

#[test]
fn layout_version_is_required() {
    let tmp = tempfile::tempdir().unwrap();
    write_layout(tmp.path(), vec![put_image(tmp.path(), "amd64")]);
    fs::write(
        tmp.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    expect_layout_error(open(tmp.path(), None), "2.0.0");
    fs::remove_file(tmp.path().join("oci-layout")).unwrap();
    assert!(matches!(
        open(tmp.path(), None),
        Err(StorageError::Io { .. })
    ));
}

#[test]
fn tagged_entry_with_an_unsupported_media_type_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let mut entry = tagged(put_image(tmp.path(), "amd64"), "t");
    entry["mediaType"] = json!("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
    write_layout(tmp.path(), vec![entry]);
    match open(tmp.path(), Some("t")) {
        Err(StorageError::Unsupported { reason, .. }) => {
            assert!(reason.contains("helm"), "{reason}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn missing_manifest_blob_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = put_image(tmp.path(), "amd64");
    write_layout(tmp.path(), vec![manifest.clone()]);
    let digest = digest_of(&manifest);
    fs::remove_file(tmp.path().join("blobs/sha256").join(digest.hex())).unwrap();
    let err = open(tmp.path(), None).unwrap_err();
    assert!(matches!(err, StorageError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains(&digest.hex()), "{err}");
}

#[test]
fn manifest_content_must_match_digest_and_size() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = put_image(tmp.path(), "amd64");
    write_layout(tmp.path(), vec![manifest.clone()]);
    let path = tmp
        .path()
        .join("blobs/sha256")
        .join(digest_of(&manifest).hex());
    let mut bytes = fs::read(&path).unwrap();
    // Same size, different content.
    bytes[0] = b' ';
    fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        open(tmp.path(), None),
        Err(StorageError::DigestMismatch {
            what: "manifest",
            ..
        })
    ));
    bytes.push(b' ');
    fs::write(&path, &bytes).unwrap();
    expect_layout_error(open(tmp.path(), None), "larger than");
    bytes.truncate(10);
    fs::write(&path, &bytes).unwrap();
    expect_layout_error(open(tmp.path(), None), "descriptor says");
}

#[test]
fn symlinked_blobs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = put_image(tmp.path(), "amd64");
    write_layout(tmp.path(), vec![manifest.clone()]);
    let layout = open(tmp.path(), None).unwrap();
    let config = Digest::try_from(layout.manifest().unwrap().config.digest()).unwrap();
    let config_path = tmp.path().join("blobs/sha256").join(config.hex());
    fs::remove_file(&config_path).unwrap();
    symlink("/etc/passwd", &config_path).unwrap();
    let err = layout.blob(&config).err().expect("symlink accepted");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    // The manifest itself as a symlink makes open fail.
    let manifest_path = tmp
        .path()
        .join("blobs/sha256")
        .join(digest_of(&manifest).hex());
    fs::rename(&manifest_path, tmp.path().join("elsewhere")).unwrap();
    symlink(tmp.path().join("elsewhere"), &manifest_path).unwrap();
    expect_layout_error(open(tmp.path(), None), "symbolic link");
}

#[test]
fn symlinked_blob_directories_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    let manifest = put_image(&real, "amd64");
    let layout_dir = tmp.path().join("layout");
    write_layout(&layout_dir, vec![manifest]);
    fs::remove_dir(layout_dir.join("blobs/sha256")).unwrap();
    symlink(real.join("blobs/sha256"), layout_dir.join("blobs/sha256")).unwrap();
    expect_layout_error(open(&layout_dir, None), "blobs/sha256 is a symbolic link");
    fs::remove_dir_all(layout_dir.join("blobs")).unwrap();
    symlink(real.join("blobs"), layout_dir.join("blobs")).unwrap();
    expect_layout_error(open(&layout_dir, None), "symbolic link");
}

#[test]
fn special_files_are_refused_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = put_image(tmp.path(), "amd64");
    write_layout(tmp.path(), vec![manifest.clone()]);
    let path = tmp
        .path()
        .join("blobs/sha256")
        .join(digest_of(&manifest).hex());
    fs::remove_file(&path).unwrap();
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    expect_layout_error(open(tmp.path(), None), "not a regular file");
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    expect_layout_error(open(tmp.path(), None), "not a regular file");
    // index.json as a symlink to a file outside is refused as well.
    fs::remove_file(tmp.path().join("index.json")).unwrap();
    symlink("/etc/passwd", tmp.path().join("index.json")).unwrap();
    expect_layout_error(open(tmp.path(), None), "index.json is a symbolic link");
}

#[test]
fn oversized_index_json_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_layout(tmp.path(), vec![put_image(tmp.path(), "amd64")]);
    let mut index = fs::read(tmp.path().join("index.json")).unwrap();
    index.resize(MAX_MANIFEST_SIZE + 1, b' ');
    fs::write(tmp.path().join("index.json"), index).unwrap();
    expect_layout_error(open(tmp.path(), None), "index.json is larger than");
}

#[test]
fn malformed_index_json_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    write_layout(tmp.path(), vec![]);
    fs::write(
        tmp.path().join("index.json"),
        b"{\"schemaVersion\":2,\"manifests\":[{]}",
    )
    .unwrap();
    expect_layout_error(open(tmp.path(), None), "index.json");
}

#[test]
fn multi_arch_index_selects_by_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let amd = put_image(tmp.path(), "amd64");
    let arm = put_image(tmp.path(), "arm64");
    let index = put_index(
        tmp.path(),
        vec![
            with_platform(amd.clone(), "amd64", None),
            with_platform(arm.clone(), "arm64", Some("v8")),
        ],
    );
    write_layout(tmp.path(), vec![tagged(index, "multi")]);
    let pick = |wanted: &str| {
        OciLayout::open(tmp.path(), Some("multi"), &Platform::parse(wanted).unwrap())
            .map(|l| l.manifest().unwrap().digest)
    };
    assert_eq!(pick("linux/amd64").unwrap(), digest_of(&amd));
    assert_eq!(pick("linux/arm64/v8").unwrap(), digest_of(&arm));
    assert_eq!(pick("linux/aarch64").unwrap(), digest_of(&arm));
    match pick("linux/s390x") {
        Err(StorageError::Unsupported {
            what: "platform",
            reason,
        }) => {
            assert!(reason.contains("linux/amd64, linux/arm64/v8"), "{reason}")
        }
        other => panic!("expected no platform match, got {other:?}"),
    }
}

#[test]
fn nested_indexes_are_followed_to_a_bounded_depth() {
    let tmp = tempfile::tempdir().unwrap();
    let mut top = with_platform(put_image(tmp.path(), "amd64"), "amd64", None);
    // MAX_INDEX_DEPTH indexes below index.json still resolve...
    for _ in 0..MAX_INDEX_DEPTH {
        top = with_platform(put_index(tmp.path(), vec![top]), "amd64", None);
    }
    write_layout(tmp.path(), vec![top.clone()]);
    assert!(open(tmp.path(), None).is_ok());
    // ... one more does not.
    let bomb = with_platform(put_index(tmp.path(), vec![top]), "amd64", None);
    write_layout(tmp.path(), vec![bomb]);
    expect_layout_error(open(tmp.path(), None), "nested more than");
}

#[test]
fn foreign_layers_are_unsupported() {
    let tmp = tempfile::tempdir().unwrap();
    let config = put_blob(tmp.path(), crate::manifest::OCI_CONFIG, b"{}");
    let mut layer = put_blob(tmp.path(), "x", b"layer");
    layer["mediaType"] = json!("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    let manifest =
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]});
    let entry = put_blob(
        tmp.path(),
        OCI_MANIFEST,
        &serde_json::to_vec(&manifest).unwrap(),
    );
    write_layout(tmp.path(), vec![entry]);
    match open(tmp.path(), None) {
        Err(StorageError::Unsupported { reason, .. }) => {
            assert!(reason.contains("foreign"), "{reason}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn missing_blob_reads_fail() {
    let tmp = tempfile::tempdir().unwrap();
    write_layout(tmp.path(), vec![put_image(tmp.path(), "amd64")]);
    let layout = open(tmp.path(), None).unwrap();
    assert!(matches!(
        layout.blob(&Digest::of(b"absent")),
        Err(StorageError::Io { .. })
    ));
}
