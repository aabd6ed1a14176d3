use super::*;
use crate::layer::pax::parse_pax;
use crate::layer::tar_header::numeric;
use crate::layer::test_support::{RawEntry, append_raw, header, raw_tar, set_checksum};

fn entries(tar: &[u8]) -> Result<Vec<Entry>> {
    let mut reader = TarReader::new(tar);
    let mut entries = Vec::new();
    while let Some(entry) = reader.next_entry()? {
        entries.push(entry);
    }
    Ok(entries)
}

fn paths(tar: &[u8]) -> Vec<String> {
    entries(tar)
        .unwrap()
        .iter()
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .collect()
}

#[test]
fn numeric_fields_are_octal_or_base_256() {
    assert_eq!(numeric(b"0000644\0"), Some(0o644));
    assert_eq!(numeric(b"  644 \0"), Some(0o644));
    assert_eq!(numeric(b"12\0garbage"), Some(0o12));
    assert_eq!(numeric(b"\0\0\0\0\0\0\0\0"), Some(0));
    assert_eq!(numeric(b"        "), Some(0));
    assert_eq!(numeric(b"0000009\0"), None);
    assert_eq!(numeric(b"-000001\0"), None);
    assert_eq!(numeric(&[0x80, 0, 0, 0, 0, 0, 0x01, 0x00]), Some(256));
    assert_eq!(numeric(&[0xff; 8]), Some(-1));
    assert_eq!(
        numeric(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
        Some(-2)
    );
    // Base-256 values beyond 63 bits do not fit.
    assert_eq!(numeric(&[0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
}

#[test]
fn checksums_may_be_signed_and_must_match() {
    let mut block = header("é".as_bytes(), b'0', 0, &RawEntry::file(b"", b""));
    // The test helper sums unsigned; recompute as an old signed-char writer did.
    block[148..156].fill(b' ');
    let signed: i64 = block
        .iter()
        .map(|b| i64::from(i8::from_ne_bytes([*b])))
        .sum();
    block[148..156].copy_from_slice(format!("{signed:07o}\0").as_bytes());
    let tar = [block.to_vec(), vec![0u8; 1024]].concat();
    assert_eq!(paths(&tar), ["é"]);
    let mut bad = raw_tar(&[RawEntry::file(b"a", b"")]);
    bad[148] ^= 1;
    assert!(matches!(
        entries(&bad),
        Err(StorageError::MalformedLayer { .. })
    ));
}

#[test]
fn header_only_types_carry_no_data_whatever_their_size_says() {
    // A directory that claims 1024 bytes is followed directly by the next header, as Go reads it.
    let mut tar = header(b"dir/", b'5', 1024, &RawEntry::dir(b"")).to_vec();
    append_raw(&mut tar, &RawEntry::file(b"dir/f", b"x"));
    tar.extend_from_slice(&[0u8; 1024]);
    assert_eq!(paths(&tar), ["dir/", "dir/f"]);
}

#[test]
fn the_archive_ends_at_zero_blocks_or_at_the_end_of_the_stream() {
    let tar = raw_tar(&[RawEntry::file(b"a", b"x")]);
    assert_eq!(
        paths(&tar[..1024]),
        ["a"],
        "no end-of-archive blocks at all"
    );
    assert_eq!(paths(&tar[..1536]), ["a"], "a single zero block");
    let mut late = tar[..1536].to_vec();
    append_raw(&mut late, &RawEntry::file(b"b", b""));
    assert!(entries(&late).is_err(), "a zero block then a header");
    let mut reader = TarReader::new(&tar[..]);
    reader.next_entry().unwrap();
    assert!(reader.next_entry().unwrap().is_none());
    assert!(reader.next_entry().unwrap().is_none(), "stays at the end");
}

#[test]
fn old_style_regular_files_ending_in_a_slash_are_directories() {
    let tar = raw_tar(&[
        RawEntry::file(b"old/", b"").with_typeflag(0),
        RawEntry::file(b"file", b"").with_typeflag(0),
    ]);
    let kinds: Vec<EntryType> = entries(&tar)
        .unwrap()
        .iter()
        .map(|entry| entry.kind)
        .collect();
    assert_eq!(kinds, [EntryType::Directory, EntryType::Regular]);
}

fn gnu_extension(typeflag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = header(
        b"././@LongLink",
        typeflag,
        value.len() as u64,
        &RawEntry::file(b"", b""),
    )
    .to_vec();
    out.extend_from_slice(value);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

#[test]
fn gnu_long_names_and_links_apply_to_the_next_entry_and_pax_wins() {
    let long_link = "t".repeat(300);
    let mut tar = gnu_extension(b'L', b"long/name\0");
    tar.extend(gnu_extension(b'K', long_link.as_bytes()));
    append_raw(&mut tar, &RawEntry::symlink(b"short", b"x"));
    tar.extend(gnu_extension(b'L', b"gnu-name"));
    append_raw(
        &mut tar,
        &RawEntry::file(b"short", b"").with_pax("path", b"pax-name"),
    );
    tar.extend_from_slice(&[0u8; 1024]);
    let read = entries(&tar).unwrap();
    assert_eq!(
        (read[0].path.as_slice(), read[0].link.as_slice()),
        (&b"long/name"[..], long_link.as_bytes())
    );
    assert_eq!(read[1].path, b"pax-name");
    let mut twice = gnu_extension(b'L', b"one");
    twice.extend(gnu_extension(b'L', b"two"));
    append_raw(&mut twice, &RawEntry::file(b"x", b""));
    assert!(entries(&twice).is_err());
    let dangling = [gnu_extension(b'L', b"orphan"), vec![0u8; 1024]].concat();
    assert!(
        entries(&dangling).is_err(),
        "an extension header with no entry after it"
    );
}

#[test]
fn global_pax_headers_are_skipped() {
    let mut tar = header(b"global", b'g', 16, &RawEntry::file(b"", b"")).to_vec();
    tar.extend_from_slice(b"16 path=ignored\n");
    tar.resize(1024, 0);
    append_raw(&mut tar, &RawEntry::file(b"real", b""));
    tar.extend_from_slice(&[0u8; 1024]);
    assert_eq!(paths(&tar), ["real"]);
}

#[test]
fn ustar_and_star_prefixes_join_the_name() {
    let mut block = header(b"name", b'0', 0, &RawEntry::file(b"", b""));
    block[345..351].copy_from_slice(b"prefix");
    set_checksum(&mut block);
    assert_eq!(
        paths(&[block.to_vec(), vec![0u8; 1024]].concat()),
        ["prefix/name"]
    );
    // star keeps times right after a 131-byte prefix and marks itself with a trailer.
    block[345..476].fill(b'p');
    block[476..488].copy_from_slice(b"12345670123\0");
    block[508..512].copy_from_slice(b"tar\0");
    set_checksum(&mut block);
    let expected = format!("{}/name", "p".repeat(131));
    assert_eq!(
        paths(&[block.to_vec(), vec![0u8; 1024]].concat()),
        [expected]
    );
}

#[test]
fn pax_records_are_parsed_strictly() {
    let records = parse_pax(b"12 path=a/b\n20 SCHILY.xattr.k=v\n").unwrap();
    assert_eq!(
        records,
        [
            ("path".to_string(), b"a/b".to_vec()),
            ("SCHILY.xattr.k".to_string(), b"v".to_vec())
        ]
    );
    let binary = parse_pax(b"12 k=\x00\n=\xffab\n").unwrap();
    assert_eq!(binary[0].1, b"\x00\n=\xffab");
    for bad in [
        &b"13 path=a/b"[..],
        b"99 path=a/b\n",
        b"x path=a\n",
        b"7 =abc\n",
        b"8 noeq_\n",
        b"3 a\n",
    ] {
        assert!(
            parse_pax(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn pax_times_keep_their_fraction() {
    let time = |text: &str| {
        let tar = raw_tar(&[RawEntry::file(b"f", b"").with_pax("mtime", text.as_bytes())]);
        entries(&tar).map(|entries| (entries[0].mtime.secs, entries[0].mtime.nanos))
    };
    assert_eq!(time("1234").unwrap(), (1234, 0));
    assert_eq!(time("1.5").unwrap(), (1, 500_000_000));
    assert_eq!(time("1.1234567891").unwrap(), (1, 123_456_789));
    assert_eq!(time("-1.25").unwrap(), (-2, 750_000_000));
    assert_eq!(time("-3").unwrap(), (-3, 0));
    for bad in ["", ".5", "1.x", "abc", "--1"] {
        assert!(time(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn pax_records_override_the_header_and_later_xattrs_win() {
    let tar = raw_tar(&[RawEntry::file(b"f", b"")
        .with_pax("uid", b"70000")
        .with_pax("linkpath", b"l")
        .with_pax("SCHILY.xattr.user.a", b"1")
        .with_pax("SCHILY.xattr.user.a", b"2")
        .with_pax("comment", b"ignored")]);
    let entry = &entries(&tar).unwrap()[0];
    assert_eq!((entry.uid, entry.link.as_slice()), (70_000, &b"l"[..]));
    assert_eq!(entry.xattrs, [("user.a".to_string(), b"2".to_vec())]);
    let bad = raw_tar(&[RawEntry::file(b"f", b"").with_pax("path", b"a\0b")]);
    assert!(entries(&bad).is_err());
    let bad = raw_tar(&[RawEntry::file(b"f", b"").with_pax("size", b"-1")]);
    assert!(entries(&bad).is_err());
}

#[test]
fn entry_data_stops_at_the_entry_and_reports_truncation() {
    let tar = raw_tar(&[
        RawEntry::file(b"a", b"hello"),
        RawEntry::file(b"b", b"world"),
    ]);
    let mut reader = TarReader::new(&tar[..]);
    reader.next_entry().unwrap();
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut reader.data(), &mut data).unwrap();
    assert_eq!(data, b"hello");
    let second = reader.next_entry().unwrap().unwrap();
    assert_eq!(second.path, b"b");
    let mut reader = TarReader::new(&tar[..512 + 3]);
    reader.next_entry().unwrap();
    let mut data = Vec::new();
    let error = std::io::Read::read_to_end(&mut reader.data(), &mut data).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
}

#[test]
fn absurd_sizes_end_in_errors_not_overflows() {
    let mut tar = Vec::new();
    append_raw(
        &mut tar,
        &RawEntry::file(b"f", b"").with_pax("size", b"18446744073709551615"),
    );
    let mut reader = TarReader::new(&tar[..]);
    assert_eq!(reader.next_entry().unwrap().unwrap().size, u64::MAX);
    assert!(matches!(
        reader.next_entry(),
        Err(StorageError::MalformedLayer { .. })
    ));
}
