//! Running podctl in the examples' end-to-end tests.
#![allow(dead_code)]

pub mod pair;

use std::path::Path;
use std::process::{Command, Output};

/// The environment variable naming the OCI runtime podctl's new containers get in these
/// tests: `libcontainer` runs them under youki's libcontainer (`cargo xtask test` runs the
/// runtime matrix's tests once more with it); unset or `runc`, conmon + runc.
pub const RUNTIME_ENV: &str = "LIBPOD_TEST_RUNTIME";

/// The OCI runtime this test run gives new containers (`--runtime`), when not the default.
pub fn test_runtime() -> Option<String> {
    std::env::var(RUNTIME_ENV)
        .ok()
        .filter(|name| !name.is_empty() && name != "runc")
}

/// `--runtime NAME` for [`test_runtime`], unless `args` choose a runtime themselves (the
/// tests that compare the runtimes).
pub fn runtime_args(args: &[&str]) -> Vec<String> {
    match test_runtime() {
        Some(name) if !args.contains(&"--runtime") => vec!["--runtime".into(), name],
        _ => Vec::new(),
    }
}

/// podctl with `--root ROOT/root --runroot ROOT/run` and `args`, where a container's `run`
/// or `create` that names no network and no pod gets `--network none` ([`offline`]): bridge
/// is podctl's default, as Podman's, and the tests of other things need no network (a default
/// network's bridge is shared by every store on the host). [`podctl_as_given`] leaves the
/// arguments alone. Both pass `--runtime` from [`RUNTIME_ENV`] first.
pub fn podctl(root: &Path, args: &[&str]) -> Output {
    podctl_as_given(root, &offline(args))
}

/// podctl with `--root ROOT/root --runroot ROOT/run` and `args` exactly (after `--runtime`
/// from [`RUNTIME_ENV`]).
pub fn podctl_as_given(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_podctl"))
        .arg("--root")
        .arg(root.join("root"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(runtime_args(args))
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

/// Asserts that container `name` of the store at `root` runs under this test run's runtime
/// ([`test_runtime`], else runc): the runtime matrix checks what it claims to test.
pub fn assert_test_runtime(root: &Path, name: &str) {
    let expected = test_runtime().unwrap_or_else(|| "runc".into());
    let runtime = ok(root, &["inspect", "--format", "{{.OCIRuntime}}", name]);
    assert_eq!(runtime.trim(), expected, "{name}'s OCI runtime");
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
/// left beneath it (Podman leaves its `conmon` cgroup there), after killing the processes
/// still in them: a container a test left running (thawed first, if paused) would outlive
/// the test, with either runtime (TempRoot ends its monitor, not the container).
pub struct Cgroup(pub String);

impl Drop for Cgroup {
    fn drop(&mut self) {
        libpod_testutil::remove_cgroup_parent(&self.0);
    }
}
