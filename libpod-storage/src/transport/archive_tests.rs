//! OCI archives: round trips, determinism and hostile archives.

use super::test_support::*;
use super::{ImageSource, OciArchive, OciLayout, unpack_archive, write_oci_archive};
use crate::StorageError;
use crate::manifest::Platform;
use std::fs;
use std::io::Write;
use std::path::Path;

fn host() -> Platform {
    Platform::host()
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).unwrap().next().is_none()
}

/// A layout with one image tagged `t`, and its archive.
fn layout_and_archive(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let layout = tmp.join("layout");
    let manifest = put_image(&layout, "amd64");
    write_layout(&layout, vec![tagged(manifest, "t")]);
    let archive = tmp.join("image.tar");
    write_oci_archive(&layout, &archive).unwrap();
    (layout, archive)
}

#[test]
fn archive_round_trip_gives_the_same_image_and_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let (layout, archive) = layout_and_archive(tmp.path());
    let unpack_dir = tmp.path().join("unpack");
    fs::create_dir(&unpack_dir).unwrap();
    let opened = OciArchive::open(&archive, &unpack_dir, Some("t"), &host()).unwrap();
    let resolved = opened.manifest().unwrap();
    let direct = OciLayout::open(&layout, Some("t"), &host()).unwrap();
    assert_eq!(resolved, direct.manifest().unwrap());
    for layer in &resolved.layers {
        assert_blob_reads_back(&opened, &crate::Digest::try_from(layer.digest()).unwrap());
    }
    assert!(!is_empty_dir(&unpack_dir));
    drop(opened);
    assert!(is_empty_dir(&unpack_dir), "unpacked archive left behind");
}

#[test]
fn archives_are_deterministic_and_owned_by_root_at_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let (layout, archive) = layout_and_archive(tmp.path());
    let again = tmp.path().join("again.tar");
    write_oci_archive(&layout, &again).unwrap();
    assert_eq!(fs::read(&archive).unwrap(), fs::read(&again).unwrap());
    let bytes = fs::read(&archive).unwrap();
    let mut reader = tar::Archive::new(&bytes[..]);
    let mut paths = Vec::new();
    for entry in reader.entries().unwrap() {
        let entry = entry.unwrap();
        let header = entry.header();
        assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
        assert_eq!(header.mtime().unwrap(), 0);
        paths.push(entry.path().unwrap().display().to_string());
    }
    assert_eq!(paths[..2], ["blobs/", "blobs/sha256/"]);
    assert_eq!(paths[paths.len() - 2..], ["index.json", "oci-layout"]);
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    // No temporary file (hidden, `.NAME.tmp-...`) left next to the archive.
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().starts_with('.')),
        "{names:?}"
    );
}

#[test]
fn gzip_compressed_archives_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, archive) = layout_and_archive(tmp.path());
    let gz = tmp.path().join("image.tar.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    encoder.write_all(&fs::read(&archive).unwrap()).unwrap();
    encoder.finish().unwrap();
    OciArchive::open(&gz, tmp.path(), None, &host()).unwrap();
}

#[test]
fn zstd_archives_are_unpacked_and_links_in_any_archive_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, archive) = layout_and_archive(tmp.path());
    let zst = tmp.path().join("image.tar.zst");
    fs::write(
        &zst,
        zstd::encode_all(&fs::read(&archive).unwrap()[..], 0).unwrap(),
    )
    .unwrap();
    let dest = tmp.path().join("unpacked");
    fs::create_dir(&dest).unwrap();
    unpack_archive(&zst, &dest).unwrap();
    assert!(dest.join("index.json").is_file());
    OciArchive::open(&zst, tmp.path(), None, &host()).unwrap();

    // A symlink (a checkpoint archive's `config.dump -> /etc/shadow`) is refused, not made.
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, "config.dump", tar::EntryType::Symlink, b"");
    let evil = tmp.path().join("evil.tar");
    fs::write(&evil, builder.into_inner().unwrap()).unwrap();
    let dest = tmp.path().join("evil-unpacked");
    fs::create_dir(&dest).unwrap();
    match unpack_archive(&evil, &dest) {
        Err(StorageError::InvalidLayout { path, reason }) => {
            assert_eq!(path, evil);
            assert!(reason.contains("config.dump"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        fs::symlink_metadata(dest.join("config.dump")).is_err(),
        "a link was made"
    );
}

#[test]
fn write_refuses_layouts_with_links() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = tmp.path().join("layout");
    write_layout(&layout, vec![put_image(&layout, "amd64")]);
    std::os::unix::fs::symlink("/etc/passwd", layout.join("blobs/sha256/passwd")).unwrap();
    let archive = tmp.path().join("out.tar");
    assert!(matches!(
        write_oci_archive(&layout, &archive),
        Err(StorageError::InvalidLayout { .. })
    ));
    assert!(!archive.exists());
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "temporary file left"
    );
}

/// Appends an entry with a raw name (bypassing the tar crate's own path checks).
fn raw_entry(builder: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, data: &[u8]) {
    let mut header = tar::Header::new_old();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    if kind == tar::EntryType::Symlink || kind == tar::EntryType::Link {
        header.set_link_name("/etc/passwd").unwrap();
    }
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

/// An archive of the valid layout with one extra raw entry first.
fn hostile_archive(tmp: &Path, name: &str, kind: tar::EntryType) -> std::path::PathBuf {
    let (layout, _) = layout_and_archive(tmp);
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, name, kind, b"evil");
    builder.append_dir_all(".", &layout).unwrap();
    let path = tmp.join("hostile.tar");
    fs::write(&path, builder.into_inner().unwrap()).unwrap();
    path
}

#[test]
fn hostile_archives_are_refused_and_nothing_escapes() {
    use tar::EntryType;
    let cases = [
        (
            "../escaped",
            EntryType::Regular,
            "not a plain relative path",
        ),
        (
            "blobs/../../escaped",
            EntryType::Regular,
            "not a plain relative path",
        ),
        (
            "/tmp/escaped-absolute",
            EntryType::Regular,
            "not a plain relative path",
        ),
        (
            "link",
            EntryType::Symlink,
            "only regular files and directories",
        ),
        (
            "hard",
            EntryType::Link,
            "only regular files and directories",
        ),
        ("dev", EntryType::Char, "only regular files and directories"),
        (
            "blk",
            EntryType::Block,
            "only regular files and directories",
        ),
        (
            "fifo",
            EntryType::Fifo,
            "only regular files and directories",
        ),
    ];
    for (name, kind, needle) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        fs::create_dir(&work).unwrap();
        let archive = hostile_archive(&work, name, kind);
        let unpack_dir = tmp.path().join("unpack");
        fs::create_dir(&unpack_dir).unwrap();
        match OciArchive::open(&archive, &unpack_dir, Some("t"), &host()) {
            Err(err @ StorageError::InvalidLayout { .. }) => {
                assert!(err.to_string().contains(needle), "{name}: {err}")
            }
            other => panic!("{name}: expected InvalidLayout, got {other:?}"),
        }
        assert!(
            is_empty_dir(&unpack_dir),
            "{name}: unpacked files left behind"
        );
        assert!(!tmp.path().join("escaped").exists(), "{name} escaped");
        assert!(
            !Path::new("/tmp/escaped-absolute").exists(),
            "{name} escaped"
        );
    }
}

#[test]
fn duplicate_entries_and_garbage_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = hostile_archive(tmp.path(), "index.json", tar::EntryType::Regular);
    let err = OciArchive::open(&archive, tmp.path(), Some("t"), &host()).unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    let garbage = tmp.path().join("garbage.tar");
    fs::write(&garbage, vec![0x42; 2048]).unwrap();
    let err = OciArchive::open(&garbage, tmp.path(), None, &host()).unwrap_err();
    assert!(matches!(err, StorageError::InvalidLayout { .. }), "{err:?}");
    let missing = OciArchive::open(&tmp.path().join("absent.tar"), tmp.path(), None, &host());
    assert!(matches!(missing, Err(StorageError::Io { .. })));
}

#[test]
fn layout_errors_name_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, archive) = layout_and_archive(tmp.path());
    let unpack_dir = tmp.path().join("unpack");
    fs::create_dir(&unpack_dir).unwrap();
    let err = OciArchive::open(&archive, &unpack_dir, Some("absent"), &host()).unwrap_err();
    assert!(matches!(err, StorageError::ImageNotKnown(_)), "{err:?}");
    assert!(is_empty_dir(&unpack_dir));
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(&mut builder, "oci-layout", tar::EntryType::Regular, b"{}");
    let bad = tmp.path().join("bad.tar");
    fs::write(&bad, builder.into_inner().unwrap()).unwrap();
    match OciArchive::open(&bad, &unpack_dir, None, &host()) {
        Err(err @ StorageError::InvalidLayout { .. }) => {
            let text = err.to_string();
            assert!(
                text.contains("bad.tar") && text.contains("oci-layout"),
                "{text}"
            )
        }
        other => panic!("expected a malformed oci-layout, got {other:?}"),
    }
    // A missing file is reported against the archive, not the vanished directory.
    let mut builder = tar::Builder::new(Vec::new());
    raw_entry(
        &mut builder,
        "oci-layout",
        tar::EntryType::Regular,
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    );
    fs::write(&bad, builder.into_inner().unwrap()).unwrap();
    let err = OciArchive::open(&bad, &unpack_dir, None, &host()).unwrap_err();
    assert!(
        err.to_string().contains("bad.tar") && err.to_string().contains("index.json"),
        "{err}"
    );
}
