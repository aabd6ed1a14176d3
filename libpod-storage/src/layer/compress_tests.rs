use super::*;
use std::io::{BufReader, Write};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn decompressed(blob: &[u8]) -> (Compression, Vec<u8>) {
    let (compression, mut reader) = decompressing_reader(blob).unwrap();
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    (compression, out)
}

#[test]
fn magic_bytes_tell_the_compression_without_consuming_them() {
    let zstd = zstd::stream::encode_all(&b"x"[..], 1).unwrap();
    for (blob, expected) in [
        (gzip(b"x"), Compression::Gzip),
        (zstd, Compression::Zstd),
        (b"etc/passwd\0\0\0".to_vec(), Compression::None),
        (Vec::new(), Compression::None),
        (vec![0x1f], Compression::None),
    ] {
        let mut reader = &blob[..];
        assert_eq!(detect_compression(&mut reader).unwrap(), expected);
        assert_eq!(reader.len(), blob.len());
    }
    for refused in [
        &b"BZh91AY&SY"[..],
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x00][..],
    ] {
        match detect_compression(&mut &refused[..]) {
            Err(StorageError::Unsupported { what, .. }) => assert_eq!(what, "layer compression"),
            other => panic!("expected unsupported, got {other:?}"),
        }
    }
}

#[test]
fn gzip_members_and_zstd_frames_decompress_as_one_stream() {
    let data = b"the quick brown fox".repeat(100);
    let (first, second) = data.split_at(700);
    let multi_member = [gzip(first), gzip(second)].concat();
    assert_eq!(
        decompressed(&multi_member),
        (Compression::Gzip, data.clone())
    );
    let frames = [
        zstd::stream::encode_all(first, 3).unwrap(),
        zstd::stream::encode_all(second, 3).unwrap(),
    ]
    .concat();
    assert_eq!(decompressed(&frames), (Compression::Zstd, data.clone()));
    assert_eq!(decompressed(&data), (Compression::None, data.clone()));
}

/// A reader that hands out one byte per read.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((byte, rest)), Some(slot)) => {
                *slot = *byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn the_magic_is_read_patiently_from_slow_streams() {
    let blob = gzip(b"slow");
    let (compression, mut reader) =
        decompressing_reader(BufReader::with_capacity(1, Trickle(&blob))).unwrap();
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    assert_eq!(
        (compression, out.as_slice()),
        (Compression::Gzip, &b"slow"[..])
    );
    let xz = [0xfd, b'7', b'z', b'X', b'Z', 0x00, 0x01];
    assert!(decompressing_reader(BufReader::with_capacity(1, Trickle(&xz))).is_err());
}

#[test]
fn corrupt_compressed_data_is_an_error_not_a_panic() {
    let mut blob = gzip(&[7u8; 4096]);
    let middle = blob.len() / 2;
    blob[middle] ^= 0xff;
    let (_, mut reader) = decompressing_reader(&blob[..]).unwrap();
    assert!(reader.read_to_end(&mut Vec::new()).is_err());
    let (_, mut reader) = decompressing_reader(&[0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff][..]).unwrap();
    assert!(reader.read_to_end(&mut Vec::new()).is_err());
}
