//! Hostile layers, part two: whiteouts, overlay xattrs and malformed or oversized streams.

use super::*;
use crate::layer::test_support::{RawEntry, Sandbox, assert_hostile, header, raw_tar, xattrs_of};
use libpod_testutil::require_root;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

#[track_caller]
fn assert_malformed(result: Result<AppliedLayer>, reason_part: &str) {
    match result {
        Err(StorageError::MalformedLayer { reason }) => {
            assert!(
                reason.contains(reason_part),
                "reason {reason:?} lacks {reason_part:?}"
            );
        }
        other => panic!("expected a malformed layer error, got {other:?}"),
    }
}

#[test]
fn whiteouts_of_dot_dot_dot_and_nothing_are_refused() {
    require_root();
    for name in [
        &b".wh..."[..],
        b".wh..",
        b".wh.",
        b"d/.wh...",
        b"d/.wh.",
        b".wh../x",
    ] {
        let sandbox = Sandbox::new();
        let result = sandbox.apply(&[RawEntry::dir(b"d"), RawEntry::file(name, b"")]);
        if name == b".wh../x" {
            // `.wh..` is a directory name on the way here, not a whiteout.
            result.unwrap();
            assert!(sandbox.root().join(".wh../x").exists());
        } else {
            assert_hostile(result, "whites out");
        }
        sandbox.assert_outside_untouched();
    }
}

#[test]
fn whiteouts_through_symlinks_out_never_reach_outside() {
    require_root();
    let sandbox = Sandbox::new();
    let outside = sandbox.outside().as_os_str().as_bytes().to_vec();
    for link in [outside.clone(), b"../outside".to_vec()] {
        let entries = [
            RawEntry::symlink(b"d", &link),
            RawEntry::file(b"d/.wh.sentinel", b""),
        ];
        assert_hostile(sandbox.apply(&entries), "symlink to nothing");
        let entries = [
            RawEntry::symlink(b"d", &link),
            RawEntry::file(b"d/.wh..wh..opq", b""),
        ];
        assert_hostile(sandbox.apply(&entries), "symlink to nothing");
    }
    // Through a symlink to `/`, the opaque marker lands on the root.
    let entries = [
        RawEntry::symlink(b"d", b"/"),
        RawEntry::file(b"d/.wh..wh..opq", b""),
    ];
    sandbox.apply(&entries).unwrap();
    assert!(xattrs_of(&sandbox.root()).contains_key(OVERLAY_OPAQUE));
    assert!(!xattrs_of(&sandbox.outside()).contains_key(OVERLAY_OPAQUE));
    sandbox.assert_outside_untouched();
}

#[test]
fn overlay_xattrs_in_the_archive_are_refused() {
    require_root();
    for key in [
        "trusted.overlay.redirect",
        "trusted.overlay.opaque",
        "trusted.overlay.metacopy",
        "user.overlay.redirect",
    ] {
        let sandbox = Sandbox::new();
        let entry = RawEntry::dir(b"d").with_pax(&format!("SCHILY.xattr.{key}"), b"/etc");
        assert_hostile(sandbox.apply(&[entry]), "overlayfs xattr");
        assert!(
            !sandbox.root().join("d").exists(),
            "{key}: nothing is created"
        );
        sandbox.assert_outside_untouched();
    }
}

#[test]
fn owners_beyond_32_bits_are_refused() {
    require_root();
    let sandbox = Sandbox::new();
    let entry = RawEntry::file(b"f", b"").with_pax("uid", b"4294967296");
    assert_hostile(sandbox.apply(&[entry]), "out of range");
    sandbox.assert_outside_untouched();
}

#[test]
fn empty_symlink_targets_and_unknown_entry_types_are_refused() {
    require_root();
    let sandbox = Sandbox::new();
    assert_hostile(sandbox.apply(&[RawEntry::symlink(b"l", b"")]), "empty");
    for typeflag in [b'7', b'D', b'V', b'M', b'Z'] {
        let entry = RawEntry::file(b"odd", b"data").with_typeflag(typeflag);
        match sandbox.apply(&[entry]) {
            Err(StorageError::Unsupported { reason, .. }) => assert!(reason.contains("odd")),
            other => panic!("type {typeflag}: expected unsupported, got {other:?}"),
        }
    }
    let sparse = RawEntry::file(b"s", b"").with_pax("GNU.sparse.major", b"1");
    assert!(matches!(
        sandbox.apply(&[sparse]),
        Err(StorageError::Unsupported { .. })
    ));
    sandbox.assert_outside_untouched();
}

#[test]
fn truncated_archives_are_malformed() {
    require_root();
    let tar = raw_tar(&[
        RawEntry::file(b"a", b"first"),
        RawEntry::file(b"b", &[7u8; 2000]),
    ]);
    for cut in [1536 + 700, 1024 + 100, 1024 + 512 + 1] {
        let sandbox = Sandbox::new();
        let result = apply_layer(&tar[..cut], &sandbox.root());
        assert!(
            matches!(result, Err(StorageError::MalformedLayer { .. })),
            "cut at {cut}: {result:?}"
        );
        sandbox.assert_outside_untouched();
    }
    // A header that claims far more data than follows.
    let sandbox = Sandbox::new();
    let mut block = header(b"huge", b'0', 1 << 32, &RawEntry::file(b"huge", b""));
    crate::layer::test_support::set_checksum(&mut block);
    let result = apply_layer(
        &[block.to_vec(), vec![1u8; 4096]].concat()[..],
        &sandbox.root(),
    );
    assert_malformed(result, "ends inside an entry");
    sandbox.assert_outside_untouched();
}

#[test]
fn corrupt_headers_are_malformed() {
    require_root();
    let sandbox = Sandbox::new();
    let mut tar = raw_tar(&[RawEntry::file(b"a", b"x")]);
    tar[0] = b'b';
    assert_malformed(apply_layer(&tar[..], &sandbox.root()), "checksum");
    // A zero block followed by a header: readers would disagree on where the archive ends.
    let entry = raw_tar(&[RawEntry::file(b"late", b"x")]);
    let tar = [vec![0u8; 512], entry].concat();
    assert_malformed(apply_layer(&tar[..], &sandbox.root()), "zero block");
    // Two PAX headers for one entry.
    let mut tar = Vec::new();
    crate::layer::test_support::append_raw(
        &mut tar,
        &RawEntry::file(b"x", b"").with_pax("path", b"one"),
    );
    tar.truncate(1024);
    crate::layer::test_support::append_raw(
        &mut tar,
        &RawEntry::file(b"x", b"").with_pax("path", b"two"),
    );
    tar.extend_from_slice(&[0u8; 1024]);
    assert_malformed(apply_layer(&tar[..], &sandbox.root()), "two PAX headers");
    assert!(!sandbox.root().join("late").exists());
    sandbox.assert_outside_untouched();
}

/// The process's peak resident set size, in KiB.
fn peak_rss_kib() -> i64 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn oversized_extension_headers_are_refused_before_being_read() {
    require_root();
    let sandbox = Sandbox::new();
    for typeflag in [b'x', b'g', b'L', b'K'] {
        let fields = RawEntry::file(b"ext", b"");
        let tar = [
            header(b"ext", typeflag, 1 << 30, &fields).to_vec(),
            vec![b'1'; 1 << 20],
        ]
        .concat();
        assert_malformed(apply_layer(&tar[..], &sandbox.root()), "larger than 1 MiB");
    }
    sandbox.assert_outside_untouched();
}

#[test]
fn a_decompression_bomb_streams() {
    require_root();
    let sandbox = Sandbox::new();
    let gzip = |data: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    };
    let tar = raw_tar(&[RawEntry::file(b"small", b"x")]);
    let mut expected = crate::digest::Hasher::new();
    expected.update(&tar);
    // 32 gzip members of 1 MiB of zeros after the archive: 32 MiB that the diff ID covers.
    let zeros = vec![0u8; 1 << 20];
    let member = gzip(&zeros);
    let mut blob = gzip(&tar);
    for _ in 0..32 {
        blob.extend_from_slice(&member);
        expected.update(&zeros);
    }
    assert!(blob.len() < 1 << 20, "the bomb is {} bytes", blob.len());
    let before = peak_rss_kib();
    let applied = apply_layer(&blob[..], &sandbox.root()).unwrap();
    assert!(
        peak_rss_kib() - before < 16 * 1024,
        "the stream was buffered"
    );
    assert_eq!(applied.diff_id, expected.finish());
    assert_eq!(applied.size, 1);
    sandbox.assert_outside_untouched();
}

#[test]
fn bzip2_and_xz_layers_are_unsupported() {
    let sandbox = Sandbox::new();
    for blob in [
        &b"BZh91AY&SY\x00\x00"[..],
        &[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 0][..],
    ] {
        let result = apply_layer(blob, &sandbox.root());
        assert!(matches!(
            result,
            Err(StorageError::Unsupported {
                what: "layer compression",
                ..
            })
        ));
    }
    assert_eq!(fs::read_dir(sandbox.root()).unwrap().count(), 0);
}

#[test]
fn garbage_after_a_gzip_stream_is_malformed() {
    let sandbox = Sandbox::new();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(&raw_tar(&[RawEntry::file(b"f", b"x")]))
        .unwrap();
    let mut blob = encoder.finish().unwrap();
    blob.extend_from_slice(b"not gzip");
    assert_malformed(
        apply_layer(&blob[..], &sandbox.root()),
        "reading the layer stream",
    );
}

#[test]
fn old_gnu_sparse_files_are_expanded() {
    require_root();
    let sandbox = Sandbox::new();
    let mut block =
        crate::layer::test_support::header(b"sparse", b'S', 6, &RawEntry::file(b"sparse", b""));
    block[257..265].copy_from_slice(b"ustar  \0");
    let chunk = |at: usize, offset: u64, length: u64| {
        (at, format!("{offset:011o}\0"), format!("{length:011o}\0"))
    };
    for (at, offset, length) in [chunk(386, 0, 2), chunk(410, 10_000, 4)] {
        block[at..at + 12].copy_from_slice(offset.as_bytes());
        block[at + 12..at + 24].copy_from_slice(length.as_bytes());
    }
    block[483..495].copy_from_slice(format!("{:011o}\0", 20_000).as_bytes());
    crate::layer::test_support::set_checksum(&mut block);
    let mut tar = block.to_vec();
    let mut data = b"ab1234".to_vec();
    data.resize(512, 0);
    tar.extend_from_slice(&data);
    tar.extend_from_slice(&[0u8; 1024]);
    let applied = apply_layer(&tar[..], &sandbox.root()).unwrap();
    let content = fs::read(sandbox.root().join("sparse")).unwrap();
    assert_eq!((content.len(), applied.size), (20_000, 20_000));
    assert_eq!(&content[..2], b"ab");
    assert_eq!(&content[10_000..10_004], b"1234");
    assert!(
        content[2..10_000]
            .iter()
            .chain(&content[10_004..])
            .all(|b| *b == 0)
    );
}

#[test]
fn digests_cover_the_compressed_blob_and_the_whole_uncompressed_stream() {
    require_root();
    let mut tar = raw_tar(&[RawEntry::file(b"f", b"content")]);
    tar.extend_from_slice(b"trailing bytes after the end of the archive");
    let gzip = |data: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, data).unwrap();
        encoder.finish().unwrap()
    };
    // pigz writes several members; all of them are one stream.
    let (first, second) = tar.split_at(700);
    let multi_member = [gzip(first), gzip(second)].concat();
    let zstd = zstd::stream::encode_all(&tar[..], 3).unwrap();
    for blob in [tar.clone(), gzip(&tar), multi_member, zstd] {
        let sandbox = Sandbox::new();
        let applied = apply_layer(&blob[..], &sandbox.root()).unwrap();
        assert_eq!(applied.diff_id, Digest::of(&tar));
        assert_eq!(applied.compressed_digest, Digest::of(&blob));
        assert_eq!(applied.compressed_size, blob.len() as u64);
        assert_eq!(applied.size, 7);
        assert_eq!(fs::read(sandbox.root().join("f")).unwrap(), b"content");
    }
}

#[test]
fn an_empty_stream_is_an_empty_layer() {
    let sandbox = Sandbox::new();
    let applied = apply_layer(&b""[..], &sandbox.root()).unwrap();
    assert_eq!((applied.size, applied.diff_id), (0, Digest::of(b"")));
    assert_eq!(fs::read_dir(sandbox.root()).unwrap().count(), 0);
}
