//! `AutoUpdateError`: one enum; each variant names the container (and unit or image) it is
//! about, the cause chained as its source.

use libpod_core::CoreError;
use libpod_storage::StorageError;

/// What went wrong while auto-updating one container (or reading the containers at all).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AutoUpdateError {
    /// The engine failed (listing containers, a lookup, a recreate).
    #[error(transparent)]
    Core(Box<CoreError>),
    /// The store failed outside a container's check or pull.
    #[error(transparent)]
    Storage(Box<StorageError>),
    /// A container's policy label names no policy.
    #[error("auto-updating container {container:?}")]
    Policy {
        /// The container's ID.
        container: String,
        /// The lookup's error, listing the valid policies.
        #[source]
        source: Box<CoreError>,
    },
    /// The container's image is not in the store.
    #[error("auto-updating container {container:?}: no image found for ID {image}")]
    ImageNotFound {
        /// The container's ID.
        container: String,
        /// Its image's ID.
        image: String,
    },
    /// Comparing the container's image with the registry's or the local one failed.
    #[error("{policy} auto-updating container {container:?}: image check for {image:?} failed")]
    Check {
        /// `registry` or `locally`, as Podman words it.
        policy: &'static str,
        /// The container's ID.
        container: String,
        /// The image name checked.
        image: String,
        /// Why.
        #[source]
        source: Box<StorageError>,
    },
    /// Pulling the new image failed.
    #[error("registry auto-updating container {container:?}: image update for {image:?} failed")]
    Pull {
        /// The container's ID.
        container: String,
        /// The image name pulled.
        image: String,
        /// Why.
        #[source]
        source: Box<StorageError>,
    },
    /// Restarting (the unit, or the container in process) failed.
    #[error("auto-updating container {container:?}: restarting {target} failed: {reason}")]
    Restart {
        /// The container's ID.
        container: String,
        /// `systemd unit "NAME"` or `container "NAME"`.
        target: String,
        /// What went wrong (the job's result, the engine's error).
        reason: String,
    },
    /// The updated container failed its health probe (and no rollback was asked for).
    #[error("auto-updating container {container:?}: the updated container failed: {reason}")]
    Unhealthy {
        /// The container's ID.
        container: String,
        /// What the probe saw.
        reason: String,
    },
    /// Re-tagging the old image or restarting on it failed during a rollback.
    #[error("auto-updating container {container:?}: falling back to previous image: {reason}")]
    Rollback {
        /// The container's ID.
        container: String,
        /// What went wrong.
        reason: String,
    },
    /// Talking to systemd over D-Bus failed.
    #[error("talking to systemd over D-Bus")]
    DBus(#[source] Box<zbus::Error>),
}

impl From<CoreError> for AutoUpdateError {
    fn from(err: CoreError) -> Self {
        AutoUpdateError::Core(Box::new(err))
    }
}

impl From<StorageError> for AutoUpdateError {
    fn from(err: StorageError) -> Self {
        AutoUpdateError::Storage(Box::new(err))
    }
}

impl From<zbus::Error> for AutoUpdateError {
    fn from(err: zbus::Error) -> Self {
        AutoUpdateError::DBus(Box::new(err))
    }
}

/// The crate's result type.
pub type Result<T, E = AutoUpdateError> = std::result::Result<T, E>;
