//! Running podctl in the examples' end-to-end tests.
#![allow(dead_code)]

pub mod pair;

use std::path::Path;
use std::process::{Command, Output};

/// podctl with `--root ROOT/root --runroot ROOT/run` and `args`, where a container's `run`
/// or `create` that names no network and no pod gets `--network none` ([`offline`]): bridge
/// is podctl's default, as Podman's, and the tests of other things need no network (a default
/// network's bridge is shared by every store on the host). [`podctl_as_given`] leaves the
/// arguments alone.
pub fn podctl(root: &Path, args: &[&str]) -> Output {
    podctl_as_given(root, &offline(args))
}

/// podctl with `--root ROOT/root --runroot ROOT/run` and `args` exactly.
pub fn podctl_as_given(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(args)
        .output()
        .unwrap()
}

/// `args` with `--network none` after the verb when they are a container's `run` or `create`
/// (`container run|create` too) that names no network (`--network`, `--net`) and no pod.
pub fn offline<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let verb = match args {
        ["run" | "create", ..] => 1,
        ["container", "run" | "create", ..] => 2,
        _ => return args.to_vec(),
    };
    let chosen = args.iter().any(|arg| {
        ["--network", "--net", "--pod"]
            .iter()
            .any(|flag| *arg == *flag || arg.starts_with(&format!("{flag}=")))
    });
    let mut out = args.to_vec();
    if !chosen {
        out.splice(verb..verb, ["--network", "none"]);
    }
    out
}

/// Like [`podctl`], asserting success; returns standard output.
pub fn ok(root: &Path, args: &[&str]) -> String {
    let out = podctl(root, args);
    assert!(
        out.status.success(),
        "podctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Removes this test's cgroup parent from every hierarchy when dropped, with the cgroups
/// left beneath it (Podman leaves its `conmon` cgroup there).
pub struct Cgroup(pub String);

impl Drop for Cgroup {
    fn drop(&mut self) {
        for e in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .flatten()
        {
            remove_cgroup(&e.path().join(self.0.trim_start_matches('/')));
        }
    }
}

/// Removes the cgroup `dir` after the cgroups beneath it (each must hold no process).
fn remove_cgroup(dir: &Path) {
    for child in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if child.file_type().is_ok_and(|t| t.is_dir()) {
            remove_cgroup(&child.path());
        }
    }
    let _ = std::fs::remove_dir(dir);
}
