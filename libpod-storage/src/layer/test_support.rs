//! Test helpers: raw tar archives (names the tar crate refuses to write), sandboxes with
//! sentinels outside the layer root, and snapshots of trees for comparisons.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// One header field's octal text, NUL-terminated, right-aligned in `width` bytes.
fn octal(value: u64, width: usize) -> Vec<u8> {
    let mut text = format!("{value:0w$o}", w = width - 1).into_bytes();
    text.push(0);
    text
}

/// A raw tar entry; every field is written as given, unchecked.
#[derive(Clone, Debug)]
pub(crate) struct RawEntry {
    pub(crate) name: Vec<u8>,
    pub(crate) typeflag: u8,
    pub(crate) mode: u64,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    pub(crate) mtime: u64,
    pub(crate) link: Vec<u8>,
    pub(crate) data: Vec<u8>,
    pub(crate) dev: (u64, u64),
    /// PAX records written in an `x` header before the entry.
    pub(crate) pax: Vec<(String, Vec<u8>)>,
}

impl RawEntry {
    fn new(name: &[u8], typeflag: u8, mode: u64) -> RawEntry {
        RawEntry {
            name: name.to_vec(),
            typeflag,
            mode,
            uid: 0,
            gid: 0,
            mtime: 1_600_000_000,
            link: Vec::new(),
            data: Vec::new(),
            dev: (0, 0),
            pax: Vec::new(),
        }
    }

    pub(crate) fn file(name: &[u8], data: &[u8]) -> RawEntry {
        RawEntry {
            data: data.to_vec(),
            ..RawEntry::new(name, b'0', 0o644)
        }
    }

    pub(crate) fn dir(name: &[u8]) -> RawEntry {
        RawEntry::new(name, b'5', 0o755)
    }

    pub(crate) fn symlink(name: &[u8], target: &[u8]) -> RawEntry {
        RawEntry {
            link: target.to_vec(),
            ..RawEntry::new(name, b'2', 0o777)
        }
    }

    pub(crate) fn hardlink(name: &[u8], target: &[u8]) -> RawEntry {
        RawEntry {
            link: target.to_vec(),
            ..RawEntry::new(name, b'1', 0o644)
        }
    }

    pub(crate) fn device(name: &[u8], typeflag: u8, major: u64, minor: u64) -> RawEntry {
        RawEntry {
            dev: (major, minor),
            ..RawEntry::new(name, typeflag, 0o600)
        }
    }

    pub(crate) fn with_pax(mut self, key: &str, value: &[u8]) -> RawEntry {
        self.pax.push((key.to_string(), value.to_vec()));
        self
    }

    pub(crate) fn owned(mut self, uid: u64, gid: u64) -> RawEntry {
        self.uid = uid;
        self.gid = gid;
        self
    }

    pub(crate) fn mode(mut self, mode: u64) -> RawEntry {
        self.mode = mode;
        self
    }

    pub(crate) fn with_typeflag(mut self, typeflag: u8) -> RawEntry {
        self.typeflag = typeflag;
        self
    }

    pub(crate) fn mtime(mut self, mtime: u64) -> RawEntry {
        self.mtime = mtime;
        self
    }
}

/// A ustar header block for the given fields (name truncated to 100 bytes).
pub(crate) fn header(name: &[u8], typeflag: u8, size: u64, fields: &RawEntry) -> [u8; 512] {
    let mut block = [0u8; 512];
    let name = &name[..name.len().min(100)];
    block[..name.len()].copy_from_slice(name);
    block[100..108].copy_from_slice(&octal(fields.mode, 8));
    block[108..116].copy_from_slice(&octal(fields.uid, 8));
    block[116..124].copy_from_slice(&octal(fields.gid, 8));
    block[124..136].copy_from_slice(&octal(size, 12));
    block[136..148].copy_from_slice(&octal(fields.mtime, 12));
    block[156] = typeflag;
    let link = &fields.link[..fields.link.len().min(100)];
    block[157..157 + link.len()].copy_from_slice(link);
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[329..337].copy_from_slice(&octal(fields.dev.0, 8));
    block[337..345].copy_from_slice(&octal(fields.dev.1, 8));
    set_checksum(&mut block);
    block
}

/// Recomputes a header block's checksum.
pub(crate) fn set_checksum(block: &mut [u8; 512]) {
    block[148..156].fill(b' ');
    let sum: u64 = block.iter().map(|b| u64::from(*b)).sum();
    block[148..156].copy_from_slice(&octal(sum, 8));
}

fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().div_ceil(512) * 512, 0);
}

/// PAX records encoded (`<length> <key>=<value>\n`).
pub(crate) fn pax_records(records: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        let body = key.len() + value.len() + 3;
        let mut length = body + 1;
        while format!("{length}").len() + body != length {
            length += 1;
        }
        out.extend_from_slice(format!("{length} {key}=").as_bytes());
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

/// Writes raw entries as a tar archive, ending with two zero blocks.
pub(crate) fn raw_tar(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        append_raw(&mut out, entry);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// Appends one raw entry (and its PAX header) without the end-of-archive blocks.
pub(crate) fn append_raw(out: &mut Vec<u8>, entry: &RawEntry) {
    if !entry.pax.is_empty() {
        let records = pax_records(&entry.pax);
        let fields = RawEntry::new(b"PaxHeader", b'x', 0o644);
        out.extend_from_slice(&header(b"PaxHeader", b'x', records.len() as u64, &fields));
        out.extend_from_slice(&records);
        pad(out);
    }
    out.extend_from_slice(&header(
        &entry.name,
        entry.typeflag,
        entry.data.len() as u64,
        entry,
    ));
    out.extend_from_slice(&entry.data);
    pad(out);
}

/// A temporary directory holding the layer `root` and, next to it, `outside/` with a
/// sentinel file: what a hostile layer must never reach.
pub(crate) struct Sandbox {
    pub(crate) dir: tempfile::TempDir,
    before: BTreeMap<PathBuf, Node>,
    passwd: (u64, i64),
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("libpod-layer-test-")
            .tempdir()
            .expect("temp dir");
        fs::create_dir(dir.path().join("root")).unwrap();
        fs::create_dir(dir.path().join("outside")).unwrap();
        fs::write(dir.path().join("outside/sentinel"), "sentinel").unwrap();
        fs::create_dir(dir.path().join("outside/etc")).unwrap();
        fs::write(
            dir.path().join("outside/etc/passwd"),
            "root:x:0:0::/:/bin/sh\n",
        )
        .unwrap();
        let before = snapshot_outside(dir.path());
        Sandbox {
            dir,
            before,
            passwd: host_passwd(),
        }
    }

    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// The absolute path of the directory outside the root, for symlink targets.
    pub(crate) fn outside(&self) -> PathBuf {
        self.dir.path().join("outside")
    }

    /// [`Sandbox::outside`] as bytes, for an absolute path inside an archive.
    pub(crate) fn outside_bytes(&self) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        self.outside().as_os_str().as_bytes().to_vec()
    }

    /// Applies a raw archive of `entries` into the root.
    pub(crate) fn apply(&self, entries: &[RawEntry]) -> crate::Result<super::AppliedLayer> {
        super::apply_layer(&raw_tar(entries)[..], &self.root())
    }

    /// Asserts that nothing outside the root changed: the sandbox listing, the sentinels
    /// (content, mode, mtime, link count) and the host's `/etc/passwd`.
    pub(crate) fn assert_outside_untouched(&self) {
        assert_eq!(
            snapshot_outside(self.dir.path()),
            self.before,
            "outside the root changed"
        );
        assert_eq!(host_passwd(), self.passwd, "the host's /etc/passwd changed");
    }
}

fn host_passwd() -> (u64, i64) {
    let meta = fs::symlink_metadata("/etc/passwd").unwrap();
    (meta.nlink(), meta.mtime())
}

/// The sandbox without the root: top-level names, and everything under `outside/`.
fn snapshot_outside(dir: &Path) -> BTreeMap<PathBuf, Node> {
    let mut nodes = snapshot(&dir.join("outside"));
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name();
        nodes.insert(PathBuf::from("..").join(name), Node::default());
    }
    nodes
}

/// What a snapshot records of one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Node {
    pub(crate) kind: &'static str,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) mtime: i64,
    pub(crate) rdev: u64,
    pub(crate) content: Vec<u8>,
    pub(crate) link: Option<PathBuf>,
    pub(crate) xattrs: BTreeMap<String, Vec<u8>>,
    /// The first path (in order) sharing this node's inode, for hardlinks.
    pub(crate) inode_of: Option<PathBuf>,
}

/// Every node under `root` (not `root` itself), by relative path, without following
/// symlinks.
pub(crate) fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    let mut nodes = BTreeMap::new();
    let mut inodes = BTreeMap::new();
    walk(root, Path::new(""), &mut nodes, &mut inodes);
    nodes
}

fn walk(
    root: &Path,
    relative: &Path,
    nodes: &mut BTreeMap<PathBuf, Node>,
    inodes: &mut BTreeMap<u64, PathBuf>,
) {
    let mut names: Vec<_> = fs::read_dir(root.join(relative))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    names.sort();
    for name in names {
        let path = relative.join(&name);
        let full = root.join(&path);
        let meta = fs::symlink_metadata(&full).unwrap();
        let kind = meta.file_type();
        let mut node = Node {
            kind: if kind.is_dir() {
                "dir"
            } else if kind.is_symlink() {
                "symlink"
            } else if kind.is_char_device() {
                "char"
            } else if kind.is_block_device() {
                "block"
            } else if kind.is_fifo() {
                "fifo"
            } else {
                "file"
            },
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            mtime: meta.mtime(),
            rdev: meta.rdev(),
            ..Node::default()
        };
        if kind.is_file() {
            node.content = fs::read(&full).unwrap();
        }
        if kind.is_symlink() {
            node.link = Some(fs::read_link(&full).unwrap());
        }
        node.xattrs = xattrs_of(&full);
        if !kind.is_dir() && meta.nlink() > 1 {
            node.inode_of = Some(inodes.entry(meta.ino()).or_insert(path.clone()).clone());
        }
        nodes.insert(path.clone(), node);
        if kind.is_dir() {
            walk(root, &path, nodes, inodes);
        }
    }
}

/// A node's xattrs (not following symlinks), through the crate's own reader.
pub(crate) fn xattrs_of(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let parent = super::fsutil::open_dir(path.parent().unwrap()).unwrap();
    let name = std::ffi::CString::new(path.file_name().unwrap().as_bytes()).unwrap();
    let node = super::xattr::Node::At(std::os::fd::AsFd::as_fd(&parent), &name);
    node.list()
        .unwrap()
        .into_iter()
        .filter_map(|key| node.get(&key).unwrap().map(|value| (key, value)))
        .collect()
}

/// Sets an xattr on a path without following it.
pub(crate) fn set_xattr(path: &Path, key: &str, value: &[u8]) {
    let parent = super::fsutil::open_dir(path.parent().unwrap()).unwrap();
    let name = std::ffi::CString::new(path.file_name().unwrap().as_bytes()).unwrap();
    super::xattr::Node::At(std::os::fd::AsFd::as_fd(&parent), &name)
        .set(key, value)
        .unwrap();
}

/// Asserts a [`HostileLayer`](crate::StorageError::HostileLayer) refusal whose reason mentions
/// `reason_part`.
#[track_caller]
pub(crate) fn assert_hostile(result: crate::Result<super::AppliedLayer>, reason_part: &str) {
    match result {
        Err(crate::StorageError::HostileLayer { reason, .. }) => {
            assert!(
                reason.contains(reason_part),
                "reason {reason:?} lacks {reason_part:?}"
            );
        }
        other => panic!("expected a hostile layer error, got {other:?}"),
    }
}
