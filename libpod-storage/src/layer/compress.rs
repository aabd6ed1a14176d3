//! Compression of layer blobs, detected by magic bytes.

use crate::error::{Result, StorageError};
use std::io::{self, BufRead, Cursor, Read};

/// A layer blob's compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Plain tar.
    None,
    /// gzip (possibly multi-member, as pigz writes).
    Gzip,
    /// zstd (also zstd:chunked).
    Zstd,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const BZIP2_MAGIC: &[u8] = b"BZh";
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// How many leading bytes tell the compression apart (the longest magic, xz's).
const MAGIC_LEN: usize = 6;

/// The compression that the first bytes of a stream announce. bzip2 and xz are recognised
/// and refused; anything without a known magic (including an empty stream) is plain tar.
fn classify(head: &[u8]) -> Result<Compression> {
    let refuse = |name: &str| StorageError::Unsupported {
        what: "layer compression",
        reason: format!("{name} layers are not supported (only gzip and zstd)"),
    };
    if head.starts_with(GZIP_MAGIC) {
        Ok(Compression::Gzip)
    } else if head.starts_with(ZSTD_MAGIC) {
        Ok(Compression::Zstd)
    } else if head.starts_with(BZIP2_MAGIC) {
        Err(refuse("bzip2"))
    } else if head.starts_with(XZ_MAGIC) {
        Err(refuse("xz"))
    } else {
        Ok(Compression::None)
    }
}

/// Looks at the first bytes of a stream (without consuming them) and tells its compression.
///
/// Only what one `fill_buf` returns is looked at, which for any real file or socket holds the
/// few bytes a magic needs; [`decompressing_reader`] reads them more patiently.
///
/// ```
/// use libpod_storage::layer::{Compression, detect_compression};
/// let mut gz = &[0x1f, 0x8b, 0x08, 0x00][..];
/// assert_eq!(detect_compression(&mut gz)?, Compression::Gzip);
/// assert_eq!(gz.len(), 4, "nothing was consumed");
/// let mut tar = &b"etc/passwd\0"[..];
/// assert_eq!(detect_compression(&mut tar)?, Compression::None);
/// assert!(detect_compression(&mut &b"BZh91AY&SY"[..]).is_err());
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn detect_compression(reader: &mut impl BufRead) -> Result<Compression> {
    let head = reader
        .fill_buf()
        .map_err(|err| StorageError::MalformedLayer {
            reason: format!("reading the layer stream: {err}"),
        })?;
    classify(&head[..head.len().min(MAGIC_LEN)])
}

/// Wraps `reader` in the decompressor its first bytes call for.
///
/// gzip goes through a multi-member decoder (pigz writes several members), zstd through
/// the streaming decoder; both stream, holding a bounded amount in memory.
///
/// ```
/// use libpod_storage::layer::{Compression, decompressing_reader};
/// use std::io::{Read, Write};
/// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
/// gz.write_all(b"layer")?;
/// let blob = gz.finish()?;
/// let (compression, mut plain) = decompressing_reader(&blob[..])?;
/// assert_eq!(compression, Compression::Gzip);
/// let mut text = String::new();
/// plain.read_to_string(&mut text)?;
/// assert_eq!(text, "layer");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decompressing_reader<'a>(
    reader: impl BufRead + Send + 'a,
) -> Result<(Compression, Box<dyn Read + Send + 'a>)> {
    let (compression, decoder) = Decoder::new(reader)?;
    Ok((compression, Box::new(decoder)))
}

/// A stream after the magic bytes were read off it and put back in front.
pub(crate) type Peeked<R> = io::Chain<Cursor<Vec<u8>>, R>;

/// A decompressor over a buffered stream, unboxed so that the stream can be taken back.
pub(crate) enum Decoder<R: BufRead> {
    Plain(Peeked<R>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<Peeked<R>>>),
    Zstd(Box<zstd::stream::read::Decoder<'static, Peeked<R>>>),
}

impl<R: BufRead> Decoder<R> {
    /// Reads the magic bytes off `reader` (waiting for as many as it takes) and sets up the
    /// matching decompressor.
    pub(crate) fn new(mut reader: R) -> Result<(Compression, Decoder<R>)> {
        let mut head = Vec::with_capacity(MAGIC_LEN);
        (&mut reader)
            .take(MAGIC_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|err| StorageError::MalformedLayer {
                reason: format!("reading the layer stream: {err}"),
            })?;
        let compression = classify(&head)?;
        let stream = Cursor::new(head).chain(reader);
        let decoder = match compression {
            Compression::None => Decoder::Plain(stream),
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(stream)))
            }
            Compression::Zstd => Decoder::Zstd(Box::new(
                zstd::stream::read::Decoder::with_buffer(stream).map_err(|err| {
                    StorageError::MalformedLayer {
                        reason: format!("starting the zstd decoder: {err}"),
                    }
                })?,
            )),
        };
        Ok((compression, decoder))
    }

    /// The compressed stream, positioned after what the decompressor consumed.
    pub(crate) fn into_inner(self) -> Peeked<R> {
        match self {
            Decoder::Plain(stream) => stream,
            Decoder::Gzip(decoder) => decoder.into_inner(),
            Decoder::Zstd(decoder) => decoder.finish(),
        }
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(stream) => stream.read(buf),
            Decoder::Gzip(decoder) => decoder.read(buf),
            Decoder::Zstd(decoder) => decoder.read(buf),
        }
    }
}

#[cfg(test)]
#[path = "compress_tests.rs"]
mod tests;
