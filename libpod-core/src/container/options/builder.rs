//! [`ContainerBuilder`]: a fluent way to create a container, sugar over the options.

use super::{
    CtrCreateOption, with_command, with_name, with_restart_policy, with_rootfs_from_image,
};
use crate::container::Container;
use crate::error::Result;
use crate::runtime::Runtime;
use libpod_spec::RestartPolicy;

/// A fluent way to create a container: sugar over [`CtrCreateOption`]s.
///
/// ```no_run
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let ctr = rt
///     .build_container()
///     .name("web")
///     .image("localhost/busybox")
///     .command(["sleep", "60"])
///     .create()?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[must_use]
pub struct ContainerBuilder {
    runtime: Runtime,
    options: Vec<CtrCreateOption>,
}

impl ContainerBuilder {
    pub(crate) fn new(runtime: Runtime) -> Self {
        ContainerBuilder {
            runtime,
            options: Vec::new(),
        }
    }

    /// Adds any option.
    pub fn option(mut self, option: CtrCreateOption) -> Self {
        self.options.push(option);
        self
    }

    /// [`with_name`].
    pub fn name(self, name: impl Into<String>) -> Self {
        self.option(with_name(name))
    }

    /// [`with_rootfs_from_image`].
    pub fn image(self, image: impl Into<String>) -> Self {
        self.option(with_rootfs_from_image(image))
    }

    /// [`with_command`].
    pub fn command<S: Into<String>>(self, command: impl IntoIterator<Item = S>) -> Self {
        self.option(with_command(command))
    }

    /// [`with_restart_policy`].
    pub fn restart_policy(self, policy: RestartPolicy) -> Self {
        self.option(with_restart_policy(policy))
    }

    /// Creates the container.
    pub fn create(self) -> Result<Container> {
        self.runtime.new_container(self.options)
    }
}
