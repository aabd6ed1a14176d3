//! `cargo xtask test`: what CI runs.

use crate::{Result, cargo, step};
use std::process::{Command, Stdio};

/// The library crates, whose docs must build as docs.rs builds them.
const LIBRARIES: [&str; 7] = [
    "libpod-fs",
    "libpod-spec",
    "libpod-storage",
    "libpod-core",
    "libpod-net",
    "libpod-autoupdate",
    "libpod-libcontainer",
];

/// The features docs.rs documents (each crate's `package.metadata.docs.rs`).
const DOCS_RS_FEATURES: &str = "libpod-core/testsuite,libpod-storage/testsuite";

/// Ensures host packages, a working CRIU and the rustfmt and clippy components, then runs fmt, clippy, the
/// libraries' docs (warnings denied) and the tests, stopping at the first failure; `extra`
/// goes to `cargo test`.
pub fn run(extra: &[String]) -> Result {
    crate::host::ensure()?;
    let criu = crate::criu::ensure()?;
    ensure_components()?;
    step(cargo().args(["fmt", "--all", "--", "--check"]))?;
    step(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step(
        cargo()
            .args(["doc", "--no-deps", "--features", DOCS_RS_FEATURES])
            .args(LIBRARIES.iter().flat_map(|name| ["-p", name]))
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    let mut test = cargo();
    test.args(["test", "--workspace"]).args(extra);
    if let Some(dir) = criu {
        test.env("PATH", crate::criu::path_with(&dir));
    }
    step(&mut test)
}

/// Adds rustfmt and clippy with rustup when they are missing (a minimal-profile toolchain).
fn ensure_components() -> Result {
    let missing: Vec<&str> = [("fmt", "rustfmt"), ("clippy", "clippy")]
        .into_iter()
        .filter(|(subcommand, _)| !works(cargo().args([subcommand, "--version"])))
        .map(|(_, component)| component)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !works(Command::new("rustup").arg("--version")) {
        let list = missing.join(" and ");
        return Err(format!("cargo {list} missing, and no rustup to add them with").into());
    }
    step(
        Command::new("rustup")
            .args(["component", "add"])
            .args(&missing),
    )
}

/// Whether `command` runs and succeeds (its output discarded).
fn works(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
