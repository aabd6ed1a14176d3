//! `cargo xtask demo`: the quickstart example.

use crate::{Result, cargo, step};

/// Ensures host packages, then builds and runs the quickstart example; fails with its exit
/// code.
pub fn run() -> Result {
    crate::host::ensure()?;
    step(cargo().args(["run", "--package", "libpod-examples", "--bin", "quickstart"]))
}
