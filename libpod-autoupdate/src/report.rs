//! What an auto-update reports per container, with Podman's fields (`entities.AutoUpdateReport`).

use serde::Serialize;
use std::fmt;

/// What happened to one container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Updated {
    /// Updated: it runs the new image.
    #[serde(rename = "true")]
    True,
    /// Nothing newer: left alone.
    #[serde(rename = "false")]
    False,
    /// The update failed (the error says why); the container runs what it ran.
    #[serde(rename = "failed")]
    Failed,
    /// A dry run found a newer image.
    #[serde(rename = "pending")]
    Pending,
    /// Updated, found failing, and put back on its previous image.
    #[serde(rename = "rolled back")]
    RolledBack,
}

impl Updated {
    /// Podman's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Updated::True => "true",
            Updated::False => "false",
            Updated::Failed => "failed",
            Updated::Pending => "pending",
            Updated::RolledBack => "rolled back",
        }
    }
}

impl fmt::Display for Updated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One container's line in the report (JSON names as Podman's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Report {
    /// The container's ID (before the update: an update gives the container a new one).
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    /// The container's name.
    pub container_name: String,
    /// The image name the container was created with.
    pub image_name: String,
    /// `registry` or `local`.
    pub policy: String,
    /// The systemd unit, or empty when the container was restarted in process.
    pub systemd_unit: String,
    /// What happened.
    pub updated: Updated,
}
