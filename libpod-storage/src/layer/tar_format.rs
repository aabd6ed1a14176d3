//! Writing tar headers: ustar, with a PAX header before an entry whose path, link, owner,
//! size or time does not fit a ustar field, or which has xattrs (as Go's `archive/tar`
//! writes them).

use super::tar_reader::BLOCK;
use std::io::{self, Write};

/// Largest values of ustar's octal fields.
const OCTAL_8_MAX: u64 = 0o7_777_777;
const OCTAL_12_MAX: u64 = 0o77_777_777_777;

/// What one entry's header says.
#[derive(Clone, Debug, Default)]
pub(crate) struct HeaderFields {
    /// The path (directories end with `/`).
    pub(crate) path: Vec<u8>,
    pub(crate) typeflag: u8,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    /// Seconds since the epoch.
    pub(crate) mtime: i64,
    pub(crate) size: u64,
    pub(crate) link: Vec<u8>,
    pub(crate) device: (u64, u64),
    /// Xattrs, written as `SCHILY.xattr.<name>` PAX records.
    pub(crate) xattrs: Vec<(String, Vec<u8>)>,
}

/// Writes the header (and PAX header, if needed) of an entry; its data, if any, and the
/// padding after it are the caller's.
pub(crate) fn write_header(out: &mut impl Write, fields: &HeaderFields) -> io::Result<()> {
    let mut records: Vec<(String, Vec<u8>)> = Vec::new();
    let mut block = [0u8; BLOCK];
    match split_ustar_path(&fields.path) {
        Some((prefix, name)) => {
            block[..name.len()].copy_from_slice(name);
            block[345..345 + prefix.len()].copy_from_slice(prefix);
        }
        None => {
            records.push(("path".into(), fields.path.clone()));
            let cut = fields.path.len().min(100);
            block[..cut].copy_from_slice(&fields.path[..cut]);
        }
    }
    if fields.link.len() <= 100 {
        block[157..157 + fields.link.len()].copy_from_slice(&fields.link);
    } else {
        records.push(("linkpath".into(), fields.link.clone()));
        block[157..257].copy_from_slice(&fields.link[..100]);
    }
    octal(&mut block[100..108], u64::from(fields.mode));
    for (range, key, value) in [(108..116, "uid", fields.uid), (116..124, "gid", fields.gid)] {
        if value > OCTAL_8_MAX {
            records.push((key.into(), value.to_string().into_bytes()));
        }
        octal(
            &mut block[range],
            if value > OCTAL_8_MAX { 0 } else { value },
        );
    }
    if fields.size > OCTAL_12_MAX {
        records.push(("size".into(), fields.size.to_string().into_bytes()));
    }
    octal(
        &mut block[124..136],
        if fields.size > OCTAL_12_MAX {
            0
        } else {
            fields.size
        },
    );
    match u64::try_from(fields.mtime) {
        Ok(mtime) if mtime <= OCTAL_12_MAX => octal(&mut block[136..148], mtime),
        _ => {
            records.push(("mtime".into(), fields.mtime.to_string().into_bytes()));
            octal(&mut block[136..148], 0);
        }
    }
    block[156] = fields.typeflag;
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    octal(&mut block[329..337], fields.device.0.min(OCTAL_8_MAX));
    octal(&mut block[337..345], fields.device.1.min(OCTAL_8_MAX));
    for (name, value) in &fields.xattrs {
        records.push((format!("SCHILY.xattr.{name}"), value.clone()));
    }
    if !records.is_empty() {
        write_pax_header(out, &fields.path, records)?;
    }
    set_checksum(&mut block);
    out.write_all(&block)
}

/// Writes the zero bytes that pad `size` bytes of data to a whole block.
pub(crate) fn write_padding(out: &mut impl Write, size: u64) -> io::Result<()> {
    // The remainder is below BLOCK, so it fits a usize.
    let partial = usize::try_from(size % BLOCK as u64).unwrap_or(0);
    out.write_all(&[0u8; BLOCK][..(BLOCK - partial) % BLOCK])
}

/// The two zero blocks that end an archive.
pub(crate) fn write_end(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&[0u8; 2 * BLOCK])
}

/// Splits a path into ustar's prefix and name fields (at a `/`, prefix up to 155 bytes,
/// name up to 100); a path of up to 100 bytes has no prefix. `None` if it cannot be split.
fn split_ustar_path(path: &[u8]) -> Option<(&[u8], &[u8])> {
    if path.len() <= 100 {
        return Some((&[], path));
    }
    // A directory's trailing `/` stays with the name.
    let search_end = (path.len() - 1).min(156);
    let slash = path[..search_end].iter().rposition(|b| *b == b'/')?;
    let (prefix, name) = (&path[..slash], &path[slash + 1..]);
    (slash > 0 && !name.is_empty() && name.len() <= 100 && prefix.len() <= 155)
        .then_some((prefix, name))
}

/// Writes a PAX header (records sorted by key) named `PaxHeaders.0/<base name>`.
fn write_pax_header(
    out: &mut impl Write,
    path: &[u8],
    mut records: Vec<(String, Vec<u8>)>,
) -> io::Result<()> {
    records.sort();
    let mut data = Vec::new();
    for (key, value) in &records {
        // The length counts itself: find the number of digits that makes it consistent.
        let rest = key.len() + value.len() + 3;
        let mut length = rest + 1;
        while length.to_string().len() + rest != length {
            length += 1;
        }
        data.extend_from_slice(format!("{length} {key}=").as_bytes());
        data.extend_from_slice(value);
        data.push(b'\n');
    }
    let trimmed = path.strip_suffix(b"/").unwrap_or(path);
    let base = trimmed.rsplit(|b| *b == b'/').next().unwrap_or(trimmed);
    let name = [&b"PaxHeaders.0/"[..], base].concat();
    let mut block = [0u8; BLOCK];
    let cut = name.len().min(100);
    block[..cut].copy_from_slice(&name[..cut]);
    octal(&mut block[100..108], 0o644);
    octal(&mut block[108..116], 0);
    octal(&mut block[116..124], 0);
    octal(&mut block[124..136], data.len() as u64);
    octal(&mut block[136..148], 0);
    block[156] = b'x';
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    set_checksum(&mut block);
    out.write_all(&block)?;
    out.write_all(&data)?;
    write_padding(out, data.len() as u64)
}

/// Writes `value` as zero-padded octal digits followed by a NUL, filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let text = format!("{value:0width$o}", width = field.len() - 1);
    let len = field.len();
    field[..len - 1].copy_from_slice(&text.as_bytes()[text.len() - (len - 1)..]);
    field[len - 1] = 0;
}

fn set_checksum(block: &mut [u8; BLOCK]) {
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
    octal(&mut block[148..155], u64::from(sum));
    block[155] = b' ';
}
