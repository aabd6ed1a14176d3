//! OciLayoutWriter: layout creation, blob storage, index.json updates.

use super::test_support::*;
use super::{ImageSource, OciLayout, OciLayoutWriter};
use crate::manifest::{ANNOTATION_REF_NAME, Platform};
use crate::{Digest, StorageError};
use oci_spec::image::{Descriptor, MediaType};
use std::fs;
use std::io::{self, Read};
use std::path::Path;

fn index_entries(dir: &Path) -> Vec<serde_json::Value> {
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
    index["manifests"].as_array().unwrap().clone()
}

fn tags(dir: &Path) -> Vec<Option<String>> {
    index_entries(dir)
        .iter()
        .map(|e| {
            e["annotations"][ANNOTATION_REF_NAME]
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// Copies the image tagged `src_tag` in the layout `from` with the writer, as `tag`.
fn copy_image(from: &Path, src_tag: Option<&str>, writer: &mut OciLayoutWriter, tag: Option<&str>) {
    let source = OciLayout::open(from, src_tag, &Platform::host()).unwrap();
    let resolved = source.manifest().unwrap();
    for descriptor in std::iter::once(&resolved.config).chain(&resolved.layers) {
        let digest = Digest::try_from(descriptor.digest()).unwrap();
        writer
            .put_blob(&digest, source.blob(&digest).unwrap())
            .unwrap();
    }
    writer
        .put_blob(&resolved.digest, &resolved.bytes[..])
        .unwrap();
    let descriptor = Descriptor::new(
        MediaType::from(resolved.media_type.as_str()),
        resolved.bytes.len() as u64,
        &resolved.digest,
    );
    writer.add_manifest(descriptor, tag).unwrap();
}

fn no_temp_files(dir: &Path) -> bool {
    let names = |d: &Path| {
        fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    names(dir)
        .into_iter()
        .chain(names(&dir.join("blobs/sha256")))
        // Temporary files are hidden: `.NAME.tmp-...`.
        .all(|n| !n.starts_with('.'))
}

#[test]
fn creates_the_layout_skeleton() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new/layout");
    OciLayoutWriter::create(&dir).unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("oci-layout")).unwrap(),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );
    assert!(dir.join("blobs/sha256").is_dir());
    // No index.json until an image is added; reopening works.
    OciLayoutWriter::create(&dir).unwrap();
}

#[test]
fn refuses_a_layout_of_another_version() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"9"}"#,
    )
    .unwrap();
    assert!(matches!(
        OciLayoutWriter::create(tmp.path()),
        Err(StorageError::InvalidLayout { .. })
    ));
}

#[test]
fn put_blob_verifies_and_keeps_existing_blobs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = OciLayoutWriter::create(tmp.path()).unwrap();
    let digest = Digest::of(b"content");
    writer.put_blob(&digest, &b"content"[..]).unwrap();
    let path = tmp.path().join("blobs/sha256").join(digest.hex());
    assert_eq!(fs::read(&path).unwrap(), b"content");
    // Present: the reader is not even consulted.
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("should not be read"))
        }
    }
    writer.put_blob(&digest, Failing).unwrap();
    // Wrong content: refused, nothing left behind.
    let other = Digest::of(b"other");
    let err = writer.put_blob(&other, &b"not other"[..]).unwrap_err();
    assert!(
        matches!(err, StorageError::DigestMismatch { what: "blob", .. }),
        "{err:?}"
    );
    assert!(!tmp.path().join("blobs/sha256").join(other.hex()).exists());
    // A failing reader leaves nothing either.
    assert!(writer.put_blob(&other, Failing).is_err());
    assert!(no_temp_files(tmp.path()));
}

#[test]
fn add_manifest_replaces_same_tag_and_keeps_others() {
    let src = tempfile::tempdir().unwrap();
    let a = put_image(src.path(), "amd64");
    let b = put_image(src.path(), "arm64");
    write_layout(
        src.path(),
        vec![tagged(a.clone(), "a"), tagged(b.clone(), "b")],
    );
    let dst = tempfile::tempdir().unwrap();
    let mut writer = OciLayoutWriter::create(dst.path()).unwrap();
    copy_image(src.path(), Some("a"), &mut writer, Some("a"));
    copy_image(src.path(), Some("b"), &mut writer, Some("b"));
    assert_eq!(tags(dst.path()), [Some("a".into()), Some("b".into())]);
    // Tag "a" now names b's manifest: replaced in place.
    copy_image(src.path(), Some("b"), &mut writer, Some("a"));
    let entries = index_entries(dst.path());
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["digest"], b["digest"]);
    assert_eq!(tags(dst.path()), [Some("a".into()), Some("b".into())]);
    // Untagged twice: one entry.
    copy_image(src.path(), Some("a"), &mut writer, None);
    copy_image(src.path(), Some("a"), &mut writer, None);
    assert_eq!(tags(dst.path()), [Some("a".into()), Some("b".into()), None]);
    assert!(no_temp_files(dst.path()));
    // A new writer on the same layout sees the entries.
    let mut again = OciLayoutWriter::create(dst.path()).unwrap();
    copy_image(src.path(), Some("a"), &mut again, Some("c"));
    // The untagged entry of the same manifest takes the tag.
    assert_eq!(
        tags(dst.path()),
        [Some("a".into()), Some("b".into()), Some("c".into())]
    );
    let index: serde_json::Value =
        serde_json::from_slice(&fs::read(dst.path().join("index.json")).unwrap()).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(index["mediaType"], crate::manifest::OCI_INDEX);
}

#[test]
fn written_layout_reads_back() {
    let src = tempfile::tempdir().unwrap();
    let a = put_image(src.path(), "amd64");
    write_layout(src.path(), vec![a.clone()]);
    let dst = tempfile::tempdir().unwrap();
    let mut writer = OciLayoutWriter::create(dst.path()).unwrap();
    copy_image(src.path(), None, &mut writer, Some("latest"));
    let original = OciLayout::open(src.path(), None, &Platform::host()).unwrap();
    let copy = OciLayout::open(dst.path(), Some("latest"), &Platform::host()).unwrap();
    assert_eq!(copy.manifest().unwrap(), original.manifest().unwrap());
}

#[test]
fn add_manifest_needs_the_blob_with_its_size() {
    let tmp = tempfile::tempdir().unwrap();
    let mut writer = OciLayoutWriter::create(tmp.path()).unwrap();
    let digest = Digest::of(b"{}");
    let descriptor = Descriptor::new(MediaType::ImageManifest, 2, &digest);
    assert!(matches!(
        writer.add_manifest(descriptor.clone(), Some("t")),
        Err(StorageError::Io { .. })
    ));
    writer.put_blob(&digest, &b"{}"[..]).unwrap();
    let wrong_size = Descriptor::new(MediaType::ImageManifest, 3, &digest);
    assert!(writer.add_manifest(wrong_size, Some("t")).is_err());
    assert!(
        writer
            .add_manifest(descriptor.clone(), Some("bad tag"))
            .is_err()
    );
    assert!(!tmp.path().join("index.json").exists());
    writer.add_manifest(descriptor, Some("t")).unwrap();
    assert_eq!(tags(tmp.path()), [Some("t".into())]);
}
