//! `cargo xtask test`: what CI runs.

use crate::{Result, cargo, step};
use std::process::{Command, Stdio};

/// Ensures host packages and the rustfmt and clippy components, then runs fmt, clippy and
/// the tests, stopping at the first failure; `extra` goes to `cargo test`.
pub fn run(extra: &[String]) -> Result {
    crate::host::ensure()?;
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
    step(cargo().args(["test", "--workspace"]).args(extra))
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
