//! The `libcontainer` OCI runtime: youki's libcontainer with libpod-libcontainer's monitor,
//! offered beside conmon + runc in every podctl call (each container keeps the runtime it was
//! created with; `--runtime libcontainer` picks it for new ones). podctl serves the monitor
//! itself, as the hidden verb `libcontainer-monitor` (answered in `main` before any runtime
//! opens, so the process holds one thread, as libcontainer needs), the way it serves
//! conmon's exit command as `container cleanup`.

use libpod_core::runtime::RuntimeBuilder;
use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
use std::path::Path;
use std::sync::Arc;

/// The hidden verb that runs the monitor.
pub const MONITOR_VERB: &str = "libcontainer-monitor";

/// `builder` offering the libcontainer runtime under `run_root`, its monitor podctl (`exe`).
pub fn add_runtime(
    builder: RuntimeBuilder,
    run_root: &Path,
    exe: &Path,
) -> libpod_core::Result<RuntimeBuilder> {
    let monitor = MonitorCommand::new(exe).args([MONITOR_VERB]);
    let oci = LibcontainerRuntime::new(LibcontainerConfig::new(run_root, monitor))?;
    Ok(builder.add_oci_runtime(Arc::new(oci)))
}
