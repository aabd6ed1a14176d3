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

/// The runtime matrix: podctl's end-to-end tests (examples/tests) that run a second time with
/// every container they make under libcontainer instead of conmon + runc
/// (`LIBPOD_TEST_RUNTIME=libcontainer`, which their `common::podctl` turns into `--runtime`).
/// The others need what libcontainer does not do yet (ARCHITECTURE.md, libpod-libcontainer).
pub const LIBCONTAINER_MATRIX: [&str; 18] = [
    "podctl_attach",
    "podctl_auto_update",
    "podctl_broken",
    "podctl_containers",
    "podctl_cp",
    "podctl_create_flags",
    "podctl_events",
    "podctl_exec_parity",
    "podctl_exit_codes",
    "podctl_healthcheck",
    "podctl_network",
    "podctl_output",
    "podctl_pods",
    "podctl_rename",
    "podctl_restart",
    "podctl_stats",
    "podctl_update",
    "podctl_volumes",
];

/// libpod-core's integration tests (libpod-core/tests) in the runtime matrix: their
/// `tests/common/oci.rs` gives the runtimes they open libcontainer for new containers, and the
/// crash harness serves the monitor itself ([`MATRIX_CRASH_TRIALS`] trials). Not in it:
/// checkpoint and checkpoint_tcp (checkpoint/restore: `RuntimeUnsupported` by design).
pub const LIBCONTAINER_CORE_MATRIX: [&str; 15] = [
    "attach",
    "cleanup",
    "crash_harness",
    "exec",
    "healthcheck",
    "lifecycle",
    "network",
    "network_ipam",
    "permissions",
    "pod_network",
    "pods",
    "recovery",
    "restart",
    "stop_unlocked",
    "update",
];

/// The crash harness's trials in the core matrix (`LIBPOD_CRASH_TRIALS`, unless the caller
/// sets it): about a minute under libcontainer, as the same count takes under runc in the
/// workspace's tests.
const MATRIX_CRASH_TRIALS: &str = "100";

/// The monitor program of libpod-core's libtest tests under libcontainer (found beside them).
const MONITOR_BIN: &str = "libpod-libcontainer-monitor";

/// Ensures host packages, a working CRIU and the rustfmt and clippy components, then runs
/// fmt, clippy, the libraries' docs (warnings denied), the tests, and the runtime matrix's
/// tests again under libcontainer, stopping at the first failure; `extra` goes to `cargo test`.
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
    let mut matrix = libcontainer_matrix(extra);
    let mut core_matrix = libcontainer_core_matrix(extra);
    if let Some(dir) = criu {
        test.env("PATH", crate::criu::path_with(&dir));
        matrix.env("PATH", crate::criu::path_with(&dir));
        core_matrix.env("PATH", crate::criu::path_with(&dir));
    }
    step(&mut test)?;
    println!("==> the runtime matrix: LIBPOD_TEST_RUNTIME=libcontainer");
    step(&mut matrix)?;
    // libpod-core's libtest tests find the monitor program beside them (tests/common/oci.rs).
    step(cargo().args(["build", "-p", "libpod-libcontainer", "--bin", MONITOR_BIN]))?;
    step(&mut core_matrix)
}

/// `cargo test` of the runtime matrix's tests with their containers under libcontainer.
fn libcontainer_matrix(extra: &[String]) -> Command {
    matrix_command("libpod-examples", &LIBCONTAINER_MATRIX, extra)
}

/// `cargo test` of libpod-core's matrix tests with their containers under libcontainer.
fn libcontainer_core_matrix(extra: &[String]) -> Command {
    let mut command = matrix_command("libpod-core", &LIBCONTAINER_CORE_MATRIX, extra);
    if std::env::var_os("LIBPOD_CRASH_TRIALS").is_none() {
        command.env("LIBPOD_CRASH_TRIALS", MATRIX_CRASH_TRIALS);
    }
    command
}

/// `cargo test -p PACKAGE --test NAME...` with `LIBPOD_TEST_RUNTIME=libcontainer`.
fn matrix_command(package: &str, tests: &[&str], extra: &[String]) -> Command {
    let mut command = cargo();
    command.args(["test", "-p", package]);
    for name in tests {
        command.args(["--test", name]);
    }
    command.args(extra);
    command.env("LIBPOD_TEST_RUNTIME", "libcontainer");
    command
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_names_podctls_tests() {
        let dir = crate::workspace_root().join("examples/tests");
        for name in LIBCONTAINER_MATRIX {
            assert!(dir.join(format!("{name}.rs")).is_file(), "{name}");
        }
        let command = libcontainer_matrix(&["--".into(), "--nocapture".into()]);
        let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(args[..3], ["test", "-p", "libpod-examples"]);
        // Every file of the matrix, each once, then the caller's arguments as given.
        let tests: Vec<_> = args
            .windows(2)
            .filter(|pair| pair[0] == "--test")
            .map(|pair| pair[1].to_string())
            .collect();
        assert_eq!(tests, LIBCONTAINER_MATRIX);
        assert_eq!(args[args.len() - 2..], ["--", "--nocapture"]);
        let command = libcontainer_matrix(&[]);
        let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args.last().map(|a| a.as_ref()),
            LIBCONTAINER_MATRIX.last().copied()
        );
        assert!(
            command
                .get_envs()
                .any(|(k, v)| k == "LIBPOD_TEST_RUNTIME" && v == Some("libcontainer".as_ref()))
        );
    }

    #[test]
    fn the_core_matrix_names_libpod_cores_tests() {
        let dir = crate::workspace_root().join("libpod-core/tests");
        for name in LIBCONTAINER_CORE_MATRIX {
            assert!(dir.join(format!("{name}.rs")).is_file(), "{name}");
        }
        // What stays out is named: every other test file is checkpoint's.
        let mut left_out: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".rs")
                    .map(String::from)
            })
            .filter(|name| !LIBCONTAINER_CORE_MATRIX.contains(&name.as_str()))
            .collect();
        left_out.sort();
        assert_eq!(left_out, ["checkpoint", "checkpoint_tcp"]);
        let command = libcontainer_core_matrix(&[]);
        let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(args[..3], ["test", "-p", "libpod-core"]);
        assert_eq!(
            args.last().map(|a| a.as_ref()),
            LIBCONTAINER_CORE_MATRIX.last().copied()
        );
        let tests = args.iter().filter(|a| *a == "--test").count();
        assert_eq!(tests, LIBCONTAINER_CORE_MATRIX.len());
        assert!(
            command
                .get_envs()
                .any(|(k, v)| k == "LIBPOD_TEST_RUNTIME" && v == Some("libcontainer".as_ref()))
        );
        if std::env::var_os("LIBPOD_CRASH_TRIALS").is_none() {
            assert!(command.get_envs().any(
                |(k, v)| k == "LIBPOD_CRASH_TRIALS" && v == Some(MATRIX_CRASH_TRIALS.as_ref())
            ));
        }
    }
}
