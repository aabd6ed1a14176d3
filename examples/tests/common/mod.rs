//! Running podctl in the examples' end-to-end tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// podctl with `--root ROOT/root --runroot ROOT/run` and `args`.
pub fn podctl(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(args)
        .output()
        .unwrap()
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
