//! Restarters: how a group of containers is brought onto the images now behind their names.
//!
//! - [`SystemdRestarter`]: the unit the containers run in is restarted over D-Bus (its
//!   `ExecStart` recreates them, as a unit from `podman generate systemd --new` does).
//! - [`DirectRestarter`]: no systemd; each container is recreated in process on its image
//!   ([`Runtime::recreate_container`](libpod_core::runtime::Runtime::recreate_container)).

mod direct;
mod systemd;

pub use direct::DirectRestarter;
pub use systemd::{SystemdBus, SystemdRestarter};

use crate::check::Group;
use crate::error::Result;
use libpod_core::runtime::Runtime;

/// Brings a group's containers onto the images now behind their image names.
pub trait Restarter: Send + Sync {
    /// Restarts `group`; returns once its containers run again (or the restart failed).
    fn restart(&self, rt: &Runtime, group: &Group) -> Result<()>;
}
