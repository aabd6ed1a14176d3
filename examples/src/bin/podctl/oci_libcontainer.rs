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

/// The environment variable naming another monitor program for new libcontainer containers
/// (as Podman's `--conmon` names conmon), such as libpod-libcontainer's own
/// `libpod-libcontainer-monitor`: a smaller program than podctl, so a smaller resident set
/// per container. It must be built from the same libpod-libcontainer as podctl.
pub const MONITOR_ENV: &str = "PODCTL_LIBCONTAINER_MONITOR";

/// `builder` offering the libcontainer runtime under `run_root`, its monitor podctl (`exe`)
/// unless [`MONITOR_ENV`] names another program.
pub fn add_runtime(
    builder: RuntimeBuilder,
    run_root: &Path,
    exe: &Path,
) -> libpod_core::Result<RuntimeBuilder> {
    let monitor = match std::env::var_os(MONITOR_ENV) {
        Some(program) if !program.is_empty() => MonitorCommand::new(program),
        _ => MonitorCommand::new(exe).args([MONITOR_VERB]),
    };
    let oci = LibcontainerRuntime::new(LibcontainerConfig::new(run_root, monitor))?;
    Ok(builder.add_oci_runtime(Arc::new(oci)))
}
