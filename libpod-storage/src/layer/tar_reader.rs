//! A streaming tar reader for hostile archives.
//!
//! It reads the formats layer tarballs come in (ustar, PAX, GNU with long names and old-style
//! sparse files, v7) the way Go's `archive/tar` does, which is what containers/storage
//! extracts layers with, so that both see the same entries in the same archive. Extension
//! headers (PAX records, GNU long names) are capped at 1 MiB as Go caps them: nothing an
//! archive says makes this reader hold more than that in memory.

use super::pax::{apply_pax, parse_pax};
use super::tar_header::{add_sparse_chunks, cut_nul, entry_type, numeric, verify_checksum};
use crate::error::{Result, StorageError};
use std::io::{self, Read};

/// The tar block size.
pub(crate) const BLOCK: usize = 512;

/// The largest extension header (PAX records, GNU long name) read into memory.
const EXTENSION_MAX: u64 = 1 << 20;

/// An entry's type, as far as extraction cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryType {
    Regular,
    Hardlink,
    Symlink,
    Char,
    Block,
    Directory,
    Fifo,
    /// Any other typeflag (contiguous files, GNU dumpdirs, volume labels, ...).
    Other(u8),
}

/// A time from a tar header or PAX record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

/// One archive member, with its extension headers applied.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The path as written (PAX `path`, GNU long name, or ustar prefix and name).
    pub(crate) path: Vec<u8>,
    /// The link target of hardlinks and symlinks.
    pub(crate) link: Vec<u8>,
    pub(crate) kind: EntryType,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) mtime: Timestamp,
    pub(crate) atime: Option<Timestamp>,
    pub(crate) dev_major: u64,
    pub(crate) dev_minor: u64,
    /// The file's size (its real size for a sparse file).
    pub(crate) size: u64,
    /// For an old GNU sparse file: the `(offset, length)` chunks its data fills, in order.
    pub(crate) sparse: Option<Vec<(u64, u64)>>,
    /// `SCHILY.xattr.*` PAX records, by xattr name.
    pub(crate) xattrs: Vec<(String, Vec<u8>)>,
}

/// Reads entries one by one from a tar stream.
pub(crate) struct TarReader<R> {
    inner: R,
    /// Bytes of the current entry's data not yet read.
    data_left: u64,
    /// Padding after the current entry's data.
    padding: u64,
    finished: bool,
}

fn malformed(reason: impl Into<String>) -> StorageError {
    StorageError::MalformedLayer {
        reason: reason.into(),
    }
}

fn read_error(err: io::Error) -> StorageError {
    malformed(format!("reading the layer stream: {err}"))
}

fn truncated() -> StorageError {
    malformed("the archive is truncated")
}

fn padding_after(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

impl<R: Read> TarReader<R> {
    /// Reads a tar stream.
    pub(crate) fn new(inner: R) -> Self {
        TarReader {
            inner,
            data_left: 0,
            padding: 0,
            finished: false,
        }
    }

    /// The next entry, skipping what is left of the previous one; `None` at the end of the
    /// archive.
    pub(crate) fn next_entry(&mut self) -> Result<Option<Entry>> {
        if self.finished {
            return Ok(None);
        }
        self.skip(self.data_left.saturating_add(self.padding))?;
        self.data_left = 0;
        self.padding = 0;
        let mut pending = Extensions::default();
        let mut block = [0u8; BLOCK];
        loop {
            if !self.read_block(&mut block)? || self.is_end(&block)? {
                self.finished = true;
                if pending.is_some() {
                    return Err(malformed("extension headers are not followed by an entry"));
                }
                return Ok(None);
            }
            verify_checksum(&block)?;
            let size = numeric(&block[124..136])
                .and_then(|size| u64::try_from(size).ok())
                .ok_or_else(|| malformed("invalid size field"))?;
            match block[156] {
                b'x' => {
                    let data = self.read_extension(size, "PAX header")?;
                    pending.set_pax(parse_pax(&data)?)?;
                }
                // Global PAX headers are ignored, as containers/storage ignores them.
                b'g' => drop(self.read_extension(size, "global PAX header")?),
                b'L' => pending.set_long_name(cut_nul(&self.read_extension(size, "long name")?))?,
                b'K' => pending.set_long_link(cut_nul(&self.read_extension(size, "long link")?))?,
                _ => break,
            }
        }
        let (entry, data_size) = self.entry_from(&block, pending)?;
        self.data_left = data_size;
        self.padding = padding_after(data_size);
        Ok(Some(entry))
    }

    /// A reader of the current entry's data (for a sparse file, its chunks back to back).
    pub(crate) fn data(&mut self) -> EntryData<'_, R> {
        EntryData { reader: self }
    }

    fn entry_from(&mut self, block: &[u8; BLOCK], ext: Extensions) -> Result<(Entry, u64)> {
        let ustar = &block[257..263] == b"ustar\0";
        let gnu = &block[257..263] == b"ustar " && &block[263..265] == b" \0";
        let field = |range: std::ops::Range<usize>, what: &str| {
            numeric(&block[range]).ok_or_else(|| malformed(format!("invalid {what} field")))
        };
        let unsigned = |value: i64, what: &str| {
            u64::try_from(value).map_err(|_| malformed(format!("negative {what}")))
        };
        let mut path = cut_nul(&block[..100]);
        if ustar {
            // star archives keep atime and ctime in the end of the ustar prefix field.
            let prefix_end = if &block[508..512] == b"tar\0" {
                476
            } else {
                500
            };
            let prefix = cut_nul(&block[345..prefix_end]);
            if !prefix.is_empty() {
                path = [prefix, b"/".to_vec(), path].concat();
            }
        }
        let mut entry = Entry {
            path: ext.long_name.unwrap_or(path),
            link: ext.long_link.unwrap_or_else(|| cut_nul(&block[157..257])),
            kind: entry_type(block[156]),
            mode: u32::try_from(field(100..108, "mode")? & 0o7777_7777)
                .map_err(|_| malformed("invalid mode field"))?,
            uid: unsigned(field(108..116, "uid")?, "uid")?,
            gid: unsigned(field(116..124, "gid")?, "gid")?,
            mtime: Timestamp {
                secs: field(136..148, "mtime")?,
                nanos: 0,
            },
            atime: None,
            dev_major: 0,
            dev_minor: 0,
            size: unsigned(field(124..136, "size")?, "size")?,
            sparse: None,
            xattrs: Vec::new(),
        };
        if (ustar || gnu) && matches!(entry.kind, EntryType::Char | EntryType::Block) {
            entry.dev_major = unsigned(field(329..337, "device major")?, "device major")?;
            entry.dev_minor = unsigned(field(337..345, "device minor")?, "device minor")?;
        }
        if let Some(records) = ext.pax {
            apply_pax(&mut entry, records)?;
        }
        if block[156] == 0 && entry.path.ends_with(b"/") {
            entry.kind = EntryType::Directory;
        }
        let data_size = match entry.kind {
            // Header-only types carry no data whatever their size field says (as in Go).
            EntryType::Hardlink
            | EntryType::Symlink
            | EntryType::Char
            | EntryType::Block
            | EntryType::Directory
            | EntryType::Fifo => 0,
            _ => entry.size,
        };
        if block[156] == b'S' && gnu {
            let (chunks, real_size) = self.read_sparse_map(block, data_size)?;
            entry.sparse = Some(chunks);
            entry.size = real_size;
            entry.kind = EntryType::Regular;
        }
        Ok((entry, data_size))
    }

    /// The chunks of an old GNU sparse file (in its header and the extension blocks after
    /// it), checked against the file's real size and the data the archive holds for it.
    fn read_sparse_map(
        &mut self,
        block: &[u8; BLOCK],
        data_size: u64,
    ) -> Result<(Vec<(u64, u64)>, u64)> {
        let real_size = numeric(&block[483..495])
            .and_then(|size| u64::try_from(size).ok())
            .ok_or_else(|| malformed("invalid sparse file size"))?;
        let mut chunks = Vec::new();
        add_sparse_chunks(&mut chunks, &block[386..482])?;
        let mut extended = block[482] != 0;
        let mut ext_block = [0u8; BLOCK];
        while extended {
            if !self.read_block(&mut ext_block)? {
                return Err(truncated());
            }
            add_sparse_chunks(&mut chunks, &ext_block[..504])?;
            extended = ext_block[504] != 0;
        }
        let mut end = 0u64;
        let mut total = 0u64;
        for &(offset, length) in &chunks {
            let chunk_end = offset.checked_add(length);
            if offset < end || chunk_end.is_none_or(|chunk_end| chunk_end > real_size) {
                return Err(malformed("sparse file chunks overlap or exceed its size"));
            }
            end = chunk_end.unwrap_or(end);
            total = total.saturating_add(length);
        }
        if total != data_size {
            return Err(malformed("sparse file chunks do not add up to its data"));
        }
        Ok((chunks, real_size))
    }

    fn read_extension(&mut self, size: u64, what: &str) -> Result<Vec<u8>> {
        if size > EXTENSION_MAX {
            return Err(malformed(format!(
                "{what} of {size} bytes is larger than 1 MiB"
            )));
        }
        // Bounded by EXTENSION_MAX above.
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let read = (&mut self.inner)
            .take(size)
            .read_to_end(&mut data)
            .map_err(read_error)?;
        if read as u64 != size {
            return Err(truncated());
        }
        self.skip(padding_after(size))?;
        Ok(data)
    }

    /// Whether `block` ends the archive: a zero block, followed by another or by the end of
    /// the stream (a zero block followed by anything else is an error, as in Go).
    fn is_end(&mut self, block: &[u8; BLOCK]) -> Result<bool> {
        if block.iter().any(|b| *b != 0) {
            return Ok(false);
        }
        let mut next = [0u8; BLOCK];
        if self.read_block(&mut next)? && next.iter().any(|b| *b != 0) {
            return Err(malformed("a zero block is followed by a header"));
        }
        Ok(true)
    }

    /// Fills `block`; `false` if the stream ended before its first byte.
    fn read_block(&mut self, block: &mut [u8; BLOCK]) -> Result<bool> {
        let mut filled = 0;
        while filled < BLOCK {
            match self.inner.read(&mut block[filled..]) {
                Ok(0) if filled == 0 => return Ok(false),
                Ok(0) => return Err(truncated()),
                Ok(n) => filled += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(read_error(err)),
            }
        }
        Ok(true)
    }

    fn skip(&mut self, count: u64) -> Result<()> {
        let skipped =
            io::copy(&mut (&mut self.inner).take(count), &mut io::sink()).map_err(read_error)?;
        if skipped != count {
            return Err(truncated());
        }
        Ok(())
    }
}

/// The current entry's data; reading past the end of the stream is an error.
pub(crate) struct EntryData<'a, R> {
    reader: &'a mut TarReader<R>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.reader.data_left;
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.reader.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the archive ends inside an entry",
            ));
        }
        self.reader.data_left -= n as u64;
        Ok(n)
    }
}

/// Extension headers read before an entry.
#[derive(Default)]
struct Extensions {
    pax: Option<Vec<(String, Vec<u8>)>>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
}

impl Extensions {
    fn is_some(&self) -> bool {
        self.pax.is_some() || self.long_name.is_some() || self.long_link.is_some()
    }

    // Two extensions of one kind for one entry make the archive ambiguous (readers disagree
    // on which wins), so they are refused.
    fn set_pax(&mut self, records: Vec<(String, Vec<u8>)>) -> Result<()> {
        set_once(&mut self.pax, records, "PAX header")
    }

    fn set_long_name(&mut self, name: Vec<u8>) -> Result<()> {
        set_once(&mut self.long_name, name, "GNU long name")
    }

    fn set_long_link(&mut self, link: Vec<u8>) -> Result<()> {
        set_once(&mut self.long_link, link, "GNU long link")
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, what: &str) -> Result<()> {
    if slot.is_some() {
        return Err(malformed(format!("two {what}s for one entry")));
    }
    *slot = Some(value);
    Ok(())
}

#[cfg(test)]
#[path = "tar_reader_tests.rs"]
mod tests;
