//! `/proc/self/mountinfo`: which paths are mount points in this process's mount namespace.
//!
//! The store checks a mount there before it trusts a mount count (an outside `umount`, a kill
//! between an unmount and the count's update, or a mount made in another mount namespace
//! leaves a count with nothing mounted). Parsing is bounded: a line longer than
//! [`MAX_LINE`] is an error, and the file is read up to [`MAX_MOUNTINFO`] bytes.
//!
//! ```
//! use libpod_storage::mountinfo::parse_line;
//! let line = br"36 35 98:0 / /mnt/my\040disk rw,noatime master:1 - ext4 /dev/vda rw";
//! let entry = parse_line(line)?;
//! assert_eq!(entry.mount_point, std::path::Path::new("/mnt/my disk"));
//! assert_eq!(entry.fs_type, "ext4");
//! # Ok::<(), libpod_storage::StorageError>(())
//! ```

use crate::error::{Result, StorageError};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// The longest line parsed: two escaped paths of `PATH_MAX` (4 bytes each) and options.
pub const MAX_LINE: usize = 64 << 10;
/// The most of `/proc/self/mountinfo` read.
pub const MAX_MOUNTINFO: u64 = 64 << 20;

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// One mount, as far as the store needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MountEntry {
    /// Where it is mounted (the fifth field), its octal escapes (`\040`) decoded.
    pub mount_point: PathBuf,
    /// The filesystem type (the first field after the ` - ` separator).
    pub fs_type: String,
}

/// Parses one line of mountinfo (without its newline).
pub fn parse_line(line: &[u8]) -> Result<MountEntry> {
    let bad = |reason: &str| {
        let shown = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
        StorageError::invalid("mountinfo line", shown, reason)
    };
    if line.len() > MAX_LINE {
        return Err(bad("too long"));
    }
    let mut fields = line.split(|&b| b == b' ');
    let mount_point = fields.nth(4).ok_or_else(|| bad("no mount point field"))?;
    let mount_point = unescape(mount_point);
    if mount_point.first() != Some(&b'/') {
        return Err(bad("the mount point is not absolute"));
    }
    // The mount options, then optional fields up to a lone `-`, then the type.
    fields.next().ok_or_else(|| bad("no mount options field"))?;
    let fs_type = fields
        .by_ref()
        .skip_while(|f| *f != b"-")
        .nth(1)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("no filesystem type after the separator"))?;
    Ok(MountEntry {
        mount_point: PathBuf::from(OsString::from_vec(mount_point)),
        fs_type: String::from_utf8_lossy(&unescape(fs_type)).into_owned(),
    })
}

/// Every entry of a mountinfo text, in order.
pub fn parse(text: &[u8]) -> impl Iterator<Item = Result<MountEntry>> + '_ {
    text.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(parse_line)
}

/// Whether `path` is a mount point in this process's mount namespace. `path` is compared as
/// the kernel reports it: resolve symlinks first.
pub fn is_mounted(path: &Path) -> Result<bool> {
    for entry in parse(&read_mountinfo()?) {
        if entry?.mount_point == path {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The mount points at or below `dir`, deepest first (the order to unmount them in).
pub fn mounts_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in parse(&read_mountinfo()?) {
        let point = entry?.mount_point;
        if point.starts_with(dir) {
            found.push(point);
        }
    }
    found.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    Ok(found)
}

fn read_mountinfo() -> Result<Vec<u8>> {
    let mut text = Vec::new();
    std::fs::File::open(MOUNTINFO)
        .and_then(|f| f.take(MAX_MOUNTINFO).read_to_end(&mut text))
        .map_err(|e| StorageError::io("read", MOUNTINFO, e))?;
    Ok(text)
}

/// Decodes the kernel's octal escapes (`\040` space, `\011` tab, `\012` newline, `\134`
/// backslash); a backslash not followed by three octal digits stays as it is.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(digits) if digits[0] <= b'3' => {
                out.push(digits.iter().fold(0u8, |v, d| v * 8 + (d - b'0')));
                i += 4;
            }
            _ => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "mountinfo_tests.rs"]
mod tests;
