//! Fields of tar header blocks.

use super::tar_reader::{BLOCK, EntryType};
use crate::error::{Result, StorageError};

/// The largest number of chunks an old GNU sparse file may list.
const SPARSE_CHUNKS_MAX: usize = 1 << 16;

fn malformed(reason: impl Into<String>) -> StorageError {
    StorageError::MalformedLayer {
        reason: reason.into(),
    }
}

pub(crate) fn entry_type(flag: u8) -> EntryType {
    match flag {
        b'0' | 0 => EntryType::Regular,
        b'1' => EntryType::Hardlink,
        b'2' => EntryType::Symlink,
        b'3' => EntryType::Char,
        b'4' => EntryType::Block,
        b'5' => EntryType::Directory,
        b'6' => EntryType::Fifo,
        other => EntryType::Other(other),
    }
}

/// The bytes of a field up to its first NUL.
pub(crate) fn cut_nul(field: &[u8]) -> Vec<u8> {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    field[..end].to_vec()
}

/// A numeric header field: octal text (padded with spaces or NULs, empty meaning 0) or
/// GNU base-256 (high bit set, negative when the next bit is set too).
pub(crate) fn numeric(field: &[u8]) -> Option<i64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let invert = if field[0] & 0x40 != 0 { 0xff } else { 0 };
        let mut value: u64 = 0;
        for (i, byte) in field.iter().enumerate() {
            let mut byte = byte ^ invert;
            if i == 0 {
                byte &= 0x7f;
            }
            if value >> 56 != 0 {
                return None;
            }
            value = (value << 8) | u64::from(byte);
        }
        let value = i64::try_from(value).ok()?;
        return Some(if invert == 0xff { !value } else { value });
    }
    let trimmed = trim(field, b" \0");
    let text = &trimmed[..trimmed
        .iter()
        .position(|b| *b == 0)
        .unwrap_or(trimmed.len())];
    if text.is_empty() {
        return Some(0);
    }
    let text = std::str::from_utf8(text).ok()?;
    u64::from_str_radix(text, 8)
        .ok()
        .and_then(|v| i64::try_from(v).ok())
}

fn trim<'a>(bytes: &'a [u8], chars: &[u8]) -> &'a [u8] {
    let start = bytes
        .iter()
        .position(|b| !chars.contains(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !chars.contains(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// Checks the header checksum, computed unsigned or signed (old writers used either).
pub(crate) fn verify_checksum(block: &[u8; BLOCK]) -> Result<()> {
    let stored = numeric(&block[148..156]).ok_or_else(|| malformed("invalid checksum field"))?;
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, byte) in block.iter().enumerate() {
        let byte = if (148..156).contains(&i) { b' ' } else { *byte };
        unsigned += i64::from(byte);
        signed += i64::from(i8::from_ne_bytes([byte]));
    }
    if stored != unsigned && stored != signed {
        return Err(malformed("header checksum mismatch"));
    }
    Ok(())
}

pub(crate) fn add_sparse_chunks(chunks: &mut Vec<(u64, u64)>, area: &[u8]) -> Result<()> {
    for chunk in area.chunks_exact(24) {
        // An offset field starting with NUL ends the list (as in Go).
        if chunk[0] == 0 {
            break;
        }
        if chunks.len() >= SPARSE_CHUNKS_MAX {
            return Err(malformed("sparse file lists too many chunks"));
        }
        let offset = numeric(&chunk[..12]).and_then(|v| u64::try_from(v).ok());
        let length = numeric(&chunk[12..]).and_then(|v| u64::try_from(v).ok());
        match (offset, length) {
            (Some(offset), Some(length)) => chunks.push((offset, length)),
            _ => return Err(malformed("invalid sparse file chunk")),
        }
    }
    Ok(())
}
