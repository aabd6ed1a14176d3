//! Comparing a root filesystem we unpacked with one a tool we did not write unpacked.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::process::Command;

/// What we compare about one path.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    kind: &'static str,
    mode: u32,
    uid: u32,
    gid: u32,
    content: String,
}

pub fn tree(root: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let ft = meta.file_type();
            let (kind, content) = if ft.is_dir() {
                stack.push(path.clone());
                ("dir", String::new())
            } else if ft.is_symlink() {
                (
                    "symlink",
                    fs::read_link(&path).unwrap().display().to_string(),
                )
            } else if ft.is_file() {
                (
                    "file",
                    format!(
                        "{:?}",
                        libpod_storage::Digest::of(&fs::read(&path).unwrap())
                    ),
                )
            } else if ft.is_char_device() {
                ("char", format!("{}", meta.rdev()))
            } else if ft.is_block_device() {
                ("block", format!("{}", meta.rdev()))
            } else if ft.is_fifo() {
                ("fifo", String::new())
            } else {
                ("other", String::new())
            };
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            out.insert(
                rel,
                Entry {
                    kind,
                    mode: meta.mode() & 0o7777,
                    uid: meta.uid(),
                    gid: meta.gid(),
                    content,
                },
            );
        }
    }
    out
}

pub fn compare(ours: &Path, theirs: &Path, what: &str, min_entries: usize) {
    let (a, b) = (tree(ours), tree(theirs));
    let mut diffs = Vec::new();
    for (path, entry) in &a {
        match b.get(path) {
            Some(other) if other == entry => {}
            Some(other) => diffs.push(format!("{path}: ours {entry:?} / umoci's {other:?}")),
            None => diffs.push(format!("{path}: only ours")),
        }
    }
    for path in b.keys().filter(|p| !a.contains_key(*p)) {
        diffs.push(format!("{path}: only umoci's"));
    }
    assert!(
        diffs.is_empty(),
        "{what}: {} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert!(
        a.len() > min_entries,
        "{what}: the tree has only {} entries",
        a.len()
    );
}

pub fn umoci_unpack(layout: &Path, tag: &str, out: &Path) {
    let status = Command::new("umoci")
        .args(["raw", "unpack", "--image"])
        .arg(format!("{}:{tag}", layout.display()))
        .arg(out)
        .status()
        .expect("umoci runs");
    assert!(status.success(), "umoci raw unpack failed");
}
