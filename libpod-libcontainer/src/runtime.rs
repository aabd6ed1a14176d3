//! [`LibcontainerRuntime`]: the `OciRuntime` implementation.

use crate::config::LibcontainerConfig;
use crate::errors::{self, check_id};
use libpod_core::Result;
use libpod_core::oci::{
    CreateArgs, ExitFiles, ExitInfo, OciExec, OciRuntime, PendingCreate, RuntimeState,
};
use oci_spec::runtime::LinuxResources;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// youki's libcontainer as an [`OciRuntime`], with a monitor process per container (see the
/// [crate docs](crate)).
///
/// ```no_run
/// use libpod_core::oci::{CreateArgs, OciRuntime};
/// use libpod_libcontainer::{LibcontainerConfig, LibcontainerRuntime, MonitorCommand};
/// let monitor = MonitorCommand::new("/usr/libexec/libpod-libcontainer-monitor");
/// let rt = LibcontainerRuntime::new(LibcontainerConfig::new("/run/mine", monitor))?;
/// let bundle = std::path::Path::new("/run/mine/containers/abc");
/// let created = rt.create(&CreateArgs::new("abc", "abc", bundle, bundle))?;
/// rt.start("abc")?;
/// let exit = rt.wait_exit("abc", None)?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Debug)]
pub struct LibcontainerRuntime {
    pub(crate) config: LibcontainerConfig,
    pub(crate) exits: ExitFiles,
}

impl LibcontainerRuntime {
    /// A runtime with this configuration: checks that the monitor program is executable, makes
    /// the paths absolute and creates the state root, exits and persist directories (0700
    /// when new).
    pub fn new(config: LibcontainerConfig) -> Result<Self> {
        let mut config = config;
        for path in [
            &mut config.state_root,
            &mut config.exit_dir,
            &mut config.persist_dir,
        ] {
            let resolved = std::path::absolute(&*path)
                .map_err(|err| errors::io("resolving", path.as_path(), err))?;
            *path = resolved;
        }
        let program = config.monitor.program();
        let meta = std::fs::metadata(program).map_err(|err| errors::io("finding", program, err))?;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            return Err(libpod_core::CoreError::InvalidOption {
                option: "libcontainer monitor",
                reason: format!("{} is not an executable file", program.display()),
            });
        }
        for dir in [&config.state_root, &config.exit_dir, &config.persist_dir] {
            libpod_fs::create_private_dir(dir, libpod_fs::ExistingDir::Keep)?;
        }
        let exits = ExitFiles::new(&config.exit_dir, &config.persist_dir);
        Ok(LibcontainerRuntime { config, exits })
    }

    /// The configuration, with absolute paths.
    pub fn config(&self) -> &LibcontainerConfig {
        &self.config
    }

    /// Where the exits are recorded.
    pub fn exit_files(&self) -> &ExitFiles {
        &self.exits
    }

    /// Container `id`'s state directory.
    pub(crate) fn container_dir(&self, id: &str) -> PathBuf {
        self.config.state_root.join(id)
    }

    /// Whether libcontainer has a state directory for `id`.
    pub(crate) fn knows(&self, id: &str) -> bool {
        Path::exists(&self.container_dir(id))
    }
}

impl OciRuntime for LibcontainerRuntime {
    fn name(&self) -> &str {
        crate::RUNTIME_NAME
    }
    fn launch<'r>(&'r self, args: &CreateArgs<'_>) -> Result<Box<dyn PendingCreate + 'r>> {
        if args.restore.is_some() {
            return Err(libpod_core::CoreError::RuntimeUnsupported {
                id: args.id.to_string(),
                runtime: crate::RUNTIME_NAME.to_string(),
                what: "restore",
            });
        }
        Ok(Box::new(self.launch_monitor(args)?))
    }
    fn start(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.start_container(id)
    }
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        check_id(id)?;
        self.kill_container(id, signal, all)
    }
    fn delete(&self, id: &str, force: bool) -> Result<()> {
        check_id(id)?;
        self.delete_container(id, force)
    }
    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        check_id(id)?;
        self.container_state(id)
    }
    fn pause(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.pause_container(id)
    }
    fn resume(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.resume_container(id)
    }
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        check_id(id)?;
        self.update_container(id, resources)
    }
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        self.exits.read(id)
    }
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        self.exits.wait(id, timeout)
    }
    fn clear_exit(&self, id: &str) -> Result<()> {
        self.exits.clear(id)
    }
    fn exec_side(self: Arc<Self>) -> Option<Arc<dyn OciExec>> {
        Some(self)
    }
}
