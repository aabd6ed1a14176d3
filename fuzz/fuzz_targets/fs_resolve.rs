//! Fuzzes libpod-fs's resolution beneath a root: the input builds a small tree of
//! directories, files and symlinks (relative, absolute, climbing with `..`, chained, aimed at
//! a directory outside the root), then names paths to resolve. Under both policies, whatever
//! resolves must be inside the root: a directory or file opened is checked by the path its
//! descriptor really has, and a read never returns the outside file's content.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_fs::{Policy, Root, open_at};
use nix::fcntl::OFlag;
use std::fs;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const OUTSIDE: &[u8] = b"OUTSIDE: never read through the root";
const NAMES: [&str; 4] = ["a", "b", "c", "secret"];
const PARTS: [&str; 7] = ["a", "b", "c", "secret", "..", ".", "missing"];

/// `/tmp/libpod-fuzz-fs-<pid>/`, holding `outside/` (with `secret` and `a/secret`) and,
/// during a run, `root/`.
fn sandbox() -> &'static PathBuf {
    static SANDBOX: OnceLock<PathBuf> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("libpod-fuzz-fs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("outside/a")).expect("creating the fuzz sandbox");
        fs::write(dir.join("outside/secret"), OUTSIDE).expect("writing the outside file");
        fs::write(dir.join("outside/a/secret"), OUTSIDE).expect("writing the outside file");
        dir.canonicalize().expect("resolving the fuzz sandbox")
    })
}

/// Reads one byte of input, or `None` at its end.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    /// A relative path of one to four parts, `..` and `.` included.
    fn path(&mut self) -> Option<String> {
        let count = usize::from(self.byte()? % 4) + 1;
        let mut parts = Vec::new();
        for _ in 0..count {
            parts.push(PARTS[usize::from(self.byte()?) % PARTS.len()]);
        }
        Some(parts.join("/"))
    }
}

/// A symlink's target: inside the tree, climbing out of it, or absolute.
fn link_target(kind: u8, rel: String, sandbox: &Path) -> String {
    let outside = sandbox.join("outside");
    match kind % 6 {
        0 => rel,
        1 => format!("/{rel}"),
        2 => format!("{}outside/{rel}", "../".repeat(usize::from(kind / 6 % 8))),
        3 => outside.join(&rel).display().to_string(),
        4 => outside.display().to_string(),
        _ => "../".repeat(usize::from(kind / 6 % 12)),
    }
}

/// The path the descriptor `fd` really names.
fn real_path(fd: impl AsFd) -> PathBuf {
    fs::read_link(format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd()))
        .expect("reading a descriptor's path")
}

fn build(input: &mut Input<'_>, root: &Path, sandbox: &Path) -> Option<()> {
    let entries = usize::from(input.byte()? % 12);
    for _ in 0..entries {
        let op = input.byte()?;
        let parent = root.join(input.path()?);
        let name = NAMES[usize::from(op / 4) % NAMES.len()];
        // The builder itself must not write outside through a link it made.
        if !parent
            .canonicalize()
            .is_ok_and(|real| real.starts_with(root))
        {
            continue;
        }
        // A failure (a name taken) just leaves the tree smaller.
        let _ = match op % 4 {
            0 | 1 => fs::create_dir(parent.join(name)),
            2 => fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(parent.join(name))
                .and_then(|mut file| std::io::Write::write_all(&mut file, b"inside")),
            _ => {
                let target = link_target(input.byte()?, input.path()?, sandbox);
                symlink(target, parent.join(name))
            }
        };
    }
    Some(())
}

fn check(root_dir: &Path, rel: &str) {
    let root = Root::open(root_dir).expect("opening the root");
    for policy in [Policy::InRoot, Policy::NoSymlinks] {
        if let Ok(dir) = root.open_dir(rel, policy) {
            let real = real_path(&dir);
            assert!(
                real.starts_with(root_dir),
                "{policy:?} {rel:?} opened {real:?}"
            );
        }
        if let Ok(bytes) = root.read_regular(rel, policy, 64) {
            assert_ne!(bytes, OUTSIDE, "{policy:?} {rel:?} read the outside file");
        }
        let flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
        if let Ok(fd) = open_at(root.as_fd(), Path::new(rel), flags, policy) {
            let real = real_path(&fd);
            assert!(
                real.starts_with(root_dir),
                "{policy:?} {rel:?} resolved to {real:?}"
            );
        }
        // Creating directories never follows a symlink out either.
        if policy == Policy::NoSymlinks {
            if let Ok(made) = root.ensure_dir(rel, 0o755) {
                let real = real_path(&made);
                assert!(
                    real.starts_with(root_dir),
                    "ensure_dir {rel:?} made {real:?}"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let sandbox = sandbox();
    let root = sandbox.join("root");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir(&root).expect("creating the root");
    let mut input = Input(data);
    if build(&mut input, &root, sandbox).is_some() {
        while let Some(rel) = input.path() {
            check(&root, &rel);
        }
    }
    // Nothing outside the root changed.
    assert_eq!(fs::read(sandbox.join("outside/secret")).unwrap(), OUTSIDE);
    let mut outside: Vec<_> = fs::read_dir(sandbox.join("outside"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    outside.sort();
    assert_eq!(outside, ["a", "secret"]);
    assert_eq!(fs::read_dir(sandbox.join("outside/a")).unwrap().count(), 1);
});
