//! Workers' failures (the earliest entry's error, a prompt stop) and random layers, applied
//! serially and with workers.

use super::parallel_tests::{FREE, HELD, SERIAL, files_in, layer, same_as_serial};
use super::pool::Shared;
use super::*;
use crate::layer::test_support::{RawEntry, Sandbox, raw_tar};
use libpod_testutil::require_root;
use std::fs;

/// A `security.capability` value the kernel refuses: setting it fails in the worker.
fn failing(name: &[u8]) -> RawEntry {
    RawEntry::file(name, b"data").with_pax("SCHILY.xattr.security.capability", b"bad")
}

#[test]
fn the_first_failing_file_is_the_error_and_the_rest_stops() {
    require_root();
    let entries = vec![
        RawEntry::dir(b"a"),
        RawEntry::dir(b"b"),
        RawEntry::file(b"a/before", b"before"),
        failing(b"a/first"),
        RawEntry::file(b"a/skipped", b"skipped"),
        RawEntry::file(b"b/other", b"other"),
        failing(b"b/second"),
        // A directory replaced: the reading thread waits for the workers here.
        RawEntry::file(b"b", b"b"),
        RawEntry::file(b"after", b"after"),
    ];
    let (sandbox, got) = same_as_serial(&entries);
    let err = got.unwrap_err();
    assert!(err.contains("<root>/a/first"), "{err}");
    let root = sandbox.root();
    assert_eq!(fs::read(root.join("a/before")).unwrap(), b"before");
    // The failing file's worker skipped what came after it.
    assert!(!root.join("a/skipped").exists());
    // The reading thread stopped where it waited.
    assert!(root.join("b").is_dir());
    assert!(!root.join("after").exists());
}

#[test]
fn a_failed_file_comes_before_a_later_entry_s_refusal() {
    require_root();
    for later in [
        RawEntry::file(b"../climb", b""),
        RawEntry::symlink(b"a", b"x").with_typeflag(b'V'),
        RawEntry::file(b"x", b"x").with_pax("SCHILY.xattr.trusted.overlay.opaque", b"y"),
    ] {
        let entries = layer(vec![vec![failing(b"first")], files_in("d", 2), vec![later]]);
        let (_, got) = same_as_serial(&entries);
        let err = got.unwrap_err();
        assert!(
            err.contains("set an xattr") && err.contains("<root>/first"),
            "{err}"
        );
    }
    // And before a truncated archive.
    let mut tar = raw_tar(&[failing(b"first"), RawEntry::file(b"second", &[1; 5000])]);
    tar.truncate(3 * 512 + 2048);
    for options in [SERIAL, HELD, FREE] {
        let sandbox = Sandbox::new();
        let err = apply_with(&tar[..], &sandbox.root(), &Shared::new(options)).unwrap_err();
        assert!(
            err.to_string().contains("set an xattr"),
            "{options:?}: {err}"
        );
    }
}

/// Makes a directory immutable (`chattr +i`: even root cannot create in it) until dropped.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(dir: &std::path::Path) -> Immutable {
        let status = std::process::Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status();
        assert!(status.unwrap().success(), "chattr +i {}", dir.display());
        Immutable(dir.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_truncated_file_whose_creation_fails_reports_the_creation() {
    require_root();
    let mut tar = raw_tar(&[RawEntry::file(b"d/x", &[1; 5000])]);
    tar.truncate(512 + 1024);
    for options in [SERIAL, HELD, FREE] {
        let sandbox = Sandbox::new();
        fs::create_dir(sandbox.root().join("d")).unwrap();
        let _immutable = Immutable::set(&sandbox.root().join("d"));
        match apply_with(&tar[..], &sandbox.root(), &Shared::new(options)) {
            Err(StorageError::Io { op: "create", .. }) => {}
            other => panic!("{options:?}: expected the creation's error, got {other:?}"),
        }
    }
}

/// Serves an archive, pausing at `gate` until a worker has failed (at most ten seconds).
struct GatedReader<'a> {
    data: &'a [u8],
    position: usize,
    gate: usize,
    shared: &'a Shared,
}

impl Read for GatedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.position == self.gate {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !self.shared.failed() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        let end = if self.position < self.gate {
            self.gate
        } else {
            self.data.len()
        };
        let n = buf.len().min(end - self.position);
        buf[..n].copy_from_slice(&self.data[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[test]
fn the_reading_thread_stops_at_the_next_entry_once_a_worker_failed() {
    require_root();
    let head = raw_tar(&[failing(b"first")]);
    // Without its end-of-archive blocks: the next header follows.
    let gate = head.len() - 1024;
    let tar = [&head[..gate], &raw_tar(&[RawEntry::dir(b"later")])[..]].concat();
    let sandbox = Sandbox::new();
    let shared = Shared::new(FREE);
    let reader = GatedReader {
        data: &tar,
        position: 0,
        gate,
        shared: &shared,
    };
    let err = apply_with(reader, &sandbox.root(), &shared).unwrap_err();
    assert!(err.to_string().contains("set an xattr"), "{err}");
    assert!(!sandbox.root().join("later").exists());
}

/// A small deterministic generator (xorshift), so that failures replay.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap()
    }

    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// A random layer over a tiny namespace (three names in six directories, two of them
/// reached through symlinks), so that entries collide all the time.
fn random_layer(random: &mut Random, count: usize) -> Vec<RawEntry> {
    const PARENTS: &[&[u8]] = &[b"", b"a/", b"a/b/", b"c/", b"s/", b"a/t/"];
    const NAMES: &[&[u8]] = &[b"x", b"y", b"z"];
    const DIRS: &[&[u8]] = &[b"a", b"a/b", b"c"];
    let mut entries = vec![
        RawEntry::dir(b"a"),
        RawEntry::dir(b"a/b"),
        RawEntry::dir(b"c"),
        RawEntry::symlink(b"s", b"a"),
        RawEntry::symlink(b"a/t", b"/c"),
    ];
    let mut files: Vec<Vec<u8>> = Vec::new();
    for i in 0..count {
        let (parent, last) = (random.pick(PARENTS), random.pick(NAMES));
        let path = [parent, last].concat();
        let entry = match random.below(100) {
            0..=54 => {
                files.push(path.clone());
                let content = format!("{i}").repeat(random.below(3000) + 1);
                RawEntry::file(&path, content.as_bytes())
                    .mode(0o600 + i as u64)
                    .mtime(5_000 + i as u64)
            }
            55..=64 => RawEntry::dir(random.pick(DIRS))
                .mode(0o700 + i as u64)
                .mtime(1_000 + i as u64),
            65..=74 if !files.is_empty() => {
                let target = files[random.below(files.len())].clone();
                RawEntry::hardlink(&path, &target).mtime(2_000 + i as u64)
            }
            75..=82 => RawEntry::file(&[parent, b".wh.", last].concat(), b""),
            83..=87 => RawEntry::file(&[parent, b".wh..wh..opq"].concat(), b""),
            88..=92 => RawEntry::device(&path, b'6', 0, 0).mtime(3_000 + i as u64),
            93..=97 => RawEntry::symlink(&path, random.pick(NAMES)),
            // Rarely a directory becomes a file (and what is under it fails until it is
            // a directory again).
            _ => RawEntry::file(random.pick(DIRS), b"not a directory"),
        };
        entries.push(entry);
    }
    entries
}

#[test]
fn random_layers_apply_as_they_do_one_by_one() {
    require_root();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for _ in 0..40 {
        let entries = random_layer(&mut random, 30);
        let _ = same_as_serial(&entries);
    }
}
