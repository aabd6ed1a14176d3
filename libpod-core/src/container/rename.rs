//! `rename_container`: a new name for a container, as Podman's `RenameContainer`.

use super::Container;
use super::options::validate_name;
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::Runtime;

impl Runtime {
    /// Gives `ctr` the name `new_name` (in any state; a pod's infra container keeps its
    /// own) and returns the renamed handle. The name follows the one rule for names and must
    /// be free among containers and pods (`NameInUse`). Only the record changes, in one
    /// write: a running container's hostname and /etc/hosts keep the name it started with,
    /// as in Podman.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let web = rt.container("web")?;
    /// let web = rt.rename_container(&web, "web-old")?;
    /// assert_eq!(web.name(), "web-old");
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn rename_container(&self, ctr: &Container, new_name: &str) -> Result<Container> {
        validate_name(new_name)?;
        let locked = ctr.lock()?;
        // Read again under the lock: another rename may have rewritten it.
        let mut config = self.state().container_config(ctr.id())?;
        if config.is_infra && config.pod.is_some() {
            return Err(CoreError::InvalidOption {
                option: "name",
                reason: format!(
                    "container {} is its pod's infra container: it cannot be renamed",
                    ctr.id()
                ),
            });
        }
        config.name = new_name.to_string();
        self.state().rename_container(&config)?;
        self.events().container(&config, EventStatus::Rename);
        drop(locked);
        self.container(ctr.id())
    }
}
