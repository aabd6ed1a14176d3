//! `--runtime libcontainer`: youki's libcontainer with libpod-libcontainer's monitor instead of
//! conmon + runc. podctl serves the monitor itself, as the hidden verb `libcontainer-monitor`
//! (answered in `main` before any runtime opens, so the process holds one thread, as
//! libcontainer needs), the way it serves conmon's exit command as `container cleanup`.

use libpod_core::runtime::RuntimeBuilder;
use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
use std::path::Path;
use std::sync::Arc;

/// The hidden verb that runs the monitor.
pub const MONITOR_VERB: &str = "libcontainer-monitor";

/// Whether `--runtime` names this runtime.
pub fn selected(runtime: Option<&str>) -> bool {
    runtime == Some(libpod_libcontainer::RUNTIME_NAME)
}

/// `builder` with the libcontainer runtime under `run_root`, its monitor podctl (`exe`).
pub fn with_runtime(
    builder: RuntimeBuilder,
    run_root: &Path,
    exe: &Path,
) -> libpod_core::Result<RuntimeBuilder> {
    let monitor = MonitorCommand::new(exe).args([MONITOR_VERB]);
    let oci = LibcontainerRuntime::new(LibcontainerConfig::new(run_root, monitor))?;
    Ok(builder
        .oci_runtime(libpod_libcontainer::RUNTIME_NAME)
        .with_oci(Arc::new(oci)))
}
