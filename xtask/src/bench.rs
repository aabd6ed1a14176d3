//! `cargo xtask bench`: the workspace's benchmarks.

use crate::{Result, cargo, show};

/// Runs `cargo bench --workspace` (with `extra`) when the workspace has bench targets, after
/// ensuring host packages; says so and succeeds when it has none yet.
pub fn run(extra: &[String]) -> Result {
    if !has_bench_targets()? {
        println!("xtask: no benchmarks found");
        return Ok(());
    }
    crate::host::ensure()?;
    // The lifecycle, pull, exec, network and runtimes benches run podctl as a whole command,
    // side by side with podman; runtimes also measures libpod-libcontainer's own monitor.
    crate::step(cargo().args([
        "build",
        "--release",
        "-p",
        "libpod-examples",
        "--bin",
        "podctl",
        "-p",
        "libpod-libcontainer",
        "--bin",
        "libpod-libcontainer-monitor",
    ]))?;
    crate::step(cargo().args(["bench", "--workspace"]).args(extra))
}

/// Whether any workspace package has a `bench` target, from `cargo metadata`.
fn has_bench_targets() -> Result<bool> {
    let mut command = cargo();
    command.args(["metadata", "--no-deps", "--format-version", "1"]);
    let output = command.output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("`{}` failed: {}", show(&command), stderr.trim()).into());
    }
    // Target kinds serialize as `"kind":["bench"]`; std has no JSON parser to ask properly.
    Ok(String::from_utf8_lossy(&output.stdout).contains(r#""kind":["bench"]"#))
}
