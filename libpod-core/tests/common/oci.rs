//! The runtime matrix: `LIBPOD_TEST_RUNTIME=libcontainer` makes the runtimes these tests open
//! give their new containers libpod-libcontainer's runtime instead of conmon + runc (`cargo
//! xtask test` runs the files of its `LIBCONTAINER_CORE_MATRIX` so); unset or `runc`, conmon
//! + runc. The conmon one is offered too either way, as podctl offers both.
//!
//! libcontainer clones its caller, so its monitor is a fresh single-threaded process: a test
//! binary with its own `main` serves it itself ([`serve_monitor_if_asked`], first thing in
//! `main`); a libtest one uses libpod-libcontainer's `libpod-libcontainer-monitor`, built
//! beside the test binaries (`cargo build -p libpod-libcontainer --bin
//! libpod-libcontainer-monitor`; xtask builds it before the matrix).

use libpod_core::container::Container;
use libpod_core::runtime::RuntimeBuilder;
use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The environment variable naming the OCI runtime of the tests' new containers (podctl's
/// end-to-end tests read the same).
pub const RUNTIME_ENV: &str = "LIBPOD_TEST_RUNTIME";

/// The argument that makes a test binary with its own `main` the libcontainer monitor.
pub const MONITOR_ARG: &str = "libcontainer-monitor";

/// The monitor program's name, beside the test binaries' directory.
const MONITOR_BIN: &str = "libpod-libcontainer-monitor";

/// Set by [`serve_monitor_if_asked`]: this binary serves the monitor itself.
static SERVES_MONITOR: AtomicBool = AtomicBool::new(false);

/// The OCI runtime the tests' new containers get when not conmon + runc.
pub fn test_runtime() -> Option<String> {
    std::env::var(RUNTIME_ENV)
        .ok()
        .filter(|name| !name.is_empty() && name != "runc")
}

/// The name every container a test makes must record as its runtime.
pub fn expected_runtime() -> String {
    test_runtime().unwrap_or_else(|| "runc".into())
}

/// In a test binary with its own `main`, before any thread starts: run as
/// `BINARY libcontainer-monitor ...` it is a container's (or an exec session's) monitor and
/// exits here; otherwise it is from now on the monitor program of the runtimes it opens.
pub fn serve_monitor_if_asked() {
    if std::env::args().nth(1).as_deref() == Some(MONITOR_ARG) {
        let code = libpod_libcontainer::monitor::main();
        // ExitCode has no accessor: the monitor's codes are success and failure.
        std::process::exit(i32::from(code != std::process::ExitCode::SUCCESS));
    }
    SERVES_MONITOR.store(true, Ordering::Relaxed);
}

/// The monitor program: this binary ([`serve_monitor_if_asked`]) or
/// `libpod-libcontainer-monitor` from the target directory.
fn monitor_command() -> MonitorCommand {
    let exe = std::env::current_exe().unwrap();
    if SERVES_MONITOR.load(Ordering::Relaxed) {
        return MonitorCommand::new(exe).args([MONITOR_ARG]);
    }
    MonitorCommand::new(monitor_program(&exe))
}

/// `libpod-libcontainer-monitor` in the profile directory of the test binary `exe`
/// (`target/debug/deps/TEST-HASH`: `target/debug/`).
fn monitor_program(exe: &Path) -> PathBuf {
    let program = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(MONITOR_BIN))
        .filter(|path| path.is_file());
    program.unwrap_or_else(|| {
        panic!(
            "{RUNTIME_ENV}=libcontainer needs {MONITOR_BIN} beside the test binaries: \
             cargo build -p libpod-libcontainer --bin {MONITOR_BIN}"
        )
    })
}

/// `builder` (whose run root is `run_root`) offering the test runtime and making it the
/// runtime of new containers; unchanged without one.
pub fn with_test_runtime(builder: RuntimeBuilder, run_root: &Path) -> RuntimeBuilder {
    let builder = offering_test_runtime(builder, run_root);
    match test_runtime() {
        Some(name) => builder.oci_runtime(name),
        None => builder,
    }
}

/// `builder` offering the test runtime beside the conmon one without choosing it (a cleanup
/// process, an exit command, chooses by its flags); unchanged without one.
pub fn offering_test_runtime(builder: RuntimeBuilder, run_root: &Path) -> RuntimeBuilder {
    match test_runtime().as_deref() {
        None => builder,
        Some(libpod_libcontainer::RUNTIME_NAME) => {
            let config = LibcontainerConfig::new(run_root, monitor_command());
            builder.add_oci_runtime(Arc::new(LibcontainerRuntime::new(config).unwrap()))
        }
        Some(other) => panic!("{RUNTIME_ENV}={other}: only libcontainer or runc"),
    }
}

/// The test runtime's state root (runc's or libcontainer's: `RUN_ROOT/runtime/NAME`), where
/// each container it knows has its directory.
pub fn state_root(run_root: &Path) -> PathBuf {
    run_root.join("runtime").join(expected_runtime())
}

/// Asserts that `ctr` records the test run's runtime ([`expected_runtime`]): the matrix
/// tests what it claims to.
pub fn assert_test_runtime(ctr: &Container) {
    assert_eq!(
        ctr.config().oci_runtime.as_deref(),
        Some(expected_runtime().as_str()),
        "{}'s OCI runtime",
        ctr.name()
    );
}
