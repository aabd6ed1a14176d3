//! What a directory tree holds, entry by entry, to compare a mounted image or a layer with
//! the tarballs it came from.

use libpod_storage::Digest;
use std::collections::BTreeMap;
use std::fmt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Arc;

/// One entry: its type with what identifies its content, its permission bits and owner.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// `st_mode & 0o7777`: permissions, setuid, setgid, sticky.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

/// An entry's type and content.
#[derive(Clone, PartialEq, Eq)]
pub enum Kind {
    Dir,
    /// The content itself: comparing bytes (memcmp) is far cheaper than hashing them in a
    /// debug build, and the images are small.
    File(Arc<[u8]>),
    Symlink(String),
    Other(&'static str),
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Dir => f.write_str("dir"),
            Kind::File(content) => write!(
                f,
                "file of {} bytes, {}",
                content.len(),
                Digest::of(content)
            ),
            Kind::Symlink(target) => write!(f, "symlink to {target:?}"),
            Kind::Other(kind) => f.write_str(kind),
        }
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} {:o} {}:{}",
            self.kind, self.mode, self.uid, self.gid
        )
    }
}

/// Every entry beneath a directory, by path relative to it ("." for the directory itself).
pub type Tree = BTreeMap<String, Entry>;

/// Reads the tree under `dir`, with every regular file's content. Symlinks are not followed.
pub fn read_tree(dir: &Path) -> std::io::Result<Tree> {
    let mut tree = Tree::new();
    walk(dir, ".", &mut tree)?;
    Ok(tree)
}

fn walk(path: &Path, name: &str, tree: &mut Tree) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    let file_type = meta.file_type();
    let kind = if file_type.is_dir() {
        Kind::Dir
    } else if file_type.is_file() {
        Kind::File(std::fs::read(path)?.into())
    } else if file_type.is_symlink() {
        Kind::Symlink(std::fs::read_link(path)?.to_string_lossy().into_owned())
    } else if file_type.is_char_device() {
        Kind::Other("char device")
    } else if file_type.is_block_device() {
        Kind::Other("block device")
    } else if file_type.is_fifo() {
        Kind::Other("fifo")
    } else {
        Kind::Other("socket")
    };
    tree.insert(
        name.to_string(),
        Entry {
            kind,
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
        },
    );
    if file_type.is_dir() {
        for child in std::fs::read_dir(path)? {
            let child = child?;
            let child_name = child.file_name().to_string_lossy().into_owned();
            let relative = if name == "." {
                child_name
            } else {
                format!("{name}/{child_name}")
            };
            walk(&child.path(), &relative, tree)?;
        }
    }
    Ok(())
}

/// `upper` applied over `lower`, as a layer without whiteouts is: its entries replace
/// those of the same path.
pub fn overlay(lower: &Tree, upper: &Tree) -> Tree {
    let mut merged = lower.clone();
    merged.extend(upper.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged
}

/// The differences between what `actual` holds and what `expected` says, described one per
/// line (counts of missing and unexpected entries first, then at most `limit` changed
/// entries); empty when they are equal.
pub fn differences(expected: &Tree, actual: &Tree, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let missing: Vec<&String> = expected
        .keys()
        .filter(|p| !actual.contains_key(*p))
        .collect();
    if let Some(first) = missing.first() {
        out.push(format!(
            "{} of {} entries missing (first: {first})",
            missing.len(),
            expected.len()
        ));
    }
    let extra: Vec<&String> = actual
        .keys()
        .filter(|p| !expected.contains_key(*p))
        .collect();
    if let Some(first) = extra.first() {
        out.push(format!(
            "{} unexpected entries (first: {first})",
            extra.len()
        ));
    }
    out.extend(
        expected
            .iter()
            .filter_map(|(path, want)| {
                let got = actual.get(path)?;
                (got != want).then(|| format!("{path}: expected {want:?}, found {got:?}"))
            })
            .take(limit),
    );
    out
}
