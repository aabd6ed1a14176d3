//! A mounted tree as the suite compares it: every path's kind, mode, owner and content (or a
//! symlink's target), and which paths are the same file.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// Every entry below `root` (without following symlinks): relative path ->
/// `kind mode uid:gid`, then a file's content or a symlink's target.
pub(super) fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let meta = fs::symlink_metadata(&path).expect("an entry's metadata");
            let kind = meta.file_type();
            let (name, content) = if kind.is_dir() {
                stack.push(path.clone());
                ("dir", None)
            } else if kind.is_symlink() {
                let target = fs::read_link(&path).expect("a symlink's target");
                ("symlink", Some(target.display().to_string()))
            } else if kind.is_file() {
                let content = fs::read(&path).expect("a file's content");
                ("file", Some(String::from_utf8_lossy(&content).into_owned()))
            } else if kind.is_char_device() {
                ("char", Some(meta.rdev().to_string()))
            } else {
                ("other", None)
            };
            let mut description = format!(
                "{name} {:o} {}:{}",
                meta.mode() & 0o7777,
                meta.uid(),
                meta.gid()
            );
            if let Some(content) = content {
                description = description + " " + &content;
            }
            let relative = path.strip_prefix(root).expect("below the root");
            out.insert(relative.display().to_string(), description);
        }
    }
    out
}

/// Whether `a` and `b` below `root` are the same file.
pub(super) fn same_file(root: &Path, a: &str, b: &str) -> bool {
    let identity = |path: &str| {
        let meta = fs::symlink_metadata(root.join(path)).expect("a hardlink's metadata");
        (meta.dev(), meta.ino())
    };
    identity(a) == identity(b)
}

/// Whether `path` is a mount point (in this process's mount namespace).
pub(super) fn is_mount_point(path: &Path) -> bool {
    let mounts = fs::read_to_string("/proc/self/mountinfo").expect("mountinfo");
    let path = path.to_string_lossy();
    mounts
        .lines()
        .any(|line| line.split(' ').nth(4) == Some(&*path))
}
