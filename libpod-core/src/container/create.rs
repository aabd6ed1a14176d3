//! `create`: a new container, Configured: its config validated and stored, its storage made.
//! A failure at any step leaves nothing behind.

use super::options::{ContainerBuilder, CtrCreateOption, Draft, validate_name};
use super::{Container, ContainerConfig, ContainerState, ContainerStatus, RootfsSource};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::intents::Intent;
use crate::runtime::{Runtime, now_rfc3339};
use std::io::Read;

impl Runtime {
    /// Creates a container from options, applied in order (libpod's `NewContainer`).
    ///
    /// ```no_run
    /// use libpod_core::container::{with_command, with_name, with_rootfs_from_image};
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.new_container([
    ///     with_name("web"),
    ///     with_rootfs_from_image("localhost/busybox"),
    ///     with_command(["sleep", "60"]),
    /// ])?;
    /// ctr.start()?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn new_container(
        &self,
        options: impl IntoIterator<Item = CtrCreateOption>,
    ) -> Result<Container> {
        let id = new_id()?;
        let engine = self.engine_config();
        let config = ContainerConfig {
            name: generated_name(&id),
            created: now_rfc3339(),
            // containers.conf's defaults; options may change them.
            log_driver: engine.log_driver.parse()?,
            log_size_max: u64::try_from(engine.log_size_max).ok().filter(|&m| m > 0),
            stop_timeout: u32::try_from(engine.stop_timeout).unwrap_or(u32::MAX),
            ..ContainerConfig::default()
        };
        let mut draft = Draft {
            config,
            runtime: self,
            stop_signal_given: false,
        };
        for option in options {
            option.apply(&mut draft)?;
        }
        let mut config = draft.config;
        config.id = id;
        if config.exit_command.is_empty()
            && let Some(command) = self.exit_handling().exit_command_for(&config.id)
        {
            // The runtime's cleanup program, unless an option named another (Podman's
            // `exit_command`, which ends with the ID as here).
            config.exit_command = command;
        }
        // The runtime of new containers, which this one keeps.
        config
            .oci_runtime
            .get_or_insert_with(|| self.oci_runtime_name().to_string());
        validate_name(&config.name)?;
        crate::pod::check_member(self, &config)?;
        // A systemd unit names itself to the containers it creates through the environment.
        super::auto_update::apply_at_create(
            &mut config,
            std::env::var(super::auto_update::SYSTEMD_UNIT_LABEL).ok(),
        )?;
        if let Some(field) = config.engine_fact_in_spec() {
            return Err(CoreError::InvalidOption {
                option: "create config",
                reason: format!(
                    "spec.{field} is kept in the container's config: set it with its option \
                     (or options_from_create_config), not in the spec"
                ),
            });
        }
        // Its networks named by their canonical names, with interfaces; free host ports.
        crate::network::attach::complete(self, &mut config)?;
        // Mount strings an option wrote into the spec are parsed now, once.
        config.parse_spec_mounts()?;
        if config.auto_remove && config.restart_policy != libpod_spec::RestartPolicy::No {
            return Err(CoreError::InvalidOption {
                option: "restart policy",
                reason: "auto-remove conflicts with a restart policy".into(),
            });
        }
        if config.startup_healthcheck.is_some()
            && config
                .healthcheck
                .as_ref()
                .and_then(|c| c.command())
                .is_none()
        {
            return Err(CoreError::InvalidOption {
                option: "health-startup-cmd",
                reason: "a startup healthcheck needs a regular healthcheck".into(),
            });
        }
        if config.rootfs.is_none() {
            return Err(CoreError::InvalidOption {
                option: "rootfs",
                reason: "a container needs an image or a root filesystem path".into(),
            });
        }
        let state = ContainerState {
            status: ContainerStatus::Configured,
            ..ContainerState::default()
        };
        // Its anonymous and image volumes named (made), its named volumes made if new: the
        // row links them all.
        let anonymous = crate::volume::image::name_volumes(self, &mut config)?;
        let added = match &config.rootfs {
            Some(RootfsSource::Image { id: image, .. }) => {
                self.add_with_storage(&config, &state, image)
            }
            _ => self.state().add_container(&config, &state),
        };
        if let Err(e) = added {
            crate::volume::image::remove_anonymous(self, &anonymous);
            return Err(e);
        }
        tracing::debug!(container = %config.id, name = %config.name, "created");
        self.events().container(&config, EventStatus::Create);
        Ok(Container {
            runtime: self.clone(),
            config: std::sync::Arc::new(config),
        })
    }

    /// Makes the container's storage and database row side by side (each an fsync or more),
    /// under the container's lock so that nobody acts on it half made; whichever fails, the
    /// other is undone. A create intent covers both (see `runtime/intents.rs`): cleared when
    /// they are made or undone, so that storage left by a kill in between is reclaimed.
    pub(crate) fn add_with_storage(
        &self,
        config: &ContainerConfig,
        state: &ContainerState,
        image: &str,
    ) -> Result<()> {
        let _lock = self.lock_container(&config.id)?;
        let intent = Intent::create(self, &config.id)?;
        let options = libpod_storage::ContainerOptions::default().volatile(config.volatile);
        let (storage, added) = crate::overlap::overlap(
            "create-storage",
            || {
                self.storage()
                    .create_container_with(&config.id, Some(image), &options)
            },
            || self.state().add_container(config, state),
        );
        let (result, undone) = match (storage, added) {
            (Ok(_), Ok(())) => (Ok(()), Ok(())),
            (Ok(_), Err(e)) => (
                Err(e),
                self.storage()
                    .remove_container(&config.id)
                    .map_err(CoreError::from),
            ),
            (Err(e), Ok(())) => (Err(e.into()), self.state().remove_container(&config.id)),
            // Both refused: nothing to undo; the database's reason (a name in use...) first.
            (Err(_), Err(e)) => (Err(e), Ok(())),
        };
        match (result, undone) {
            (Ok(()), _) => {
                intent.clear();
                Ok(())
            }
            (Err(e), Ok(())) => {
                intent.clear();
                Err(e)
            }
            // Left to the next open, which removes the storage or the row left alone.
            (Err(e), undone) => Err(with_cleanup(e, undone)),
        }
    }

    /// A fluent builder for a new container.
    pub fn build_container(&self) -> ContainerBuilder {
        ContainerBuilder::new(self.clone())
    }
}

/// `primary`, with the failure to undo what was made before it attached.
fn with_cleanup(primary: CoreError, undone: Result<()>) -> CoreError {
    match undone {
        Ok(()) => primary,
        Err(cleanup) => CoreError::WithCleanupFailure {
            primary: Box::new(primary),
            cleanup: cleanup.to_string(),
        },
    }
}

/// A new container ID: 64 random hex digits.
pub(crate) fn new_id() -> Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| CoreError::io("read", "/dev/urandom", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A name for a container created without one, from its ID, in Podman's `adjective_name` style.
fn generated_name(id: &str) -> String {
    const ADJECTIVES: [&str; 16] = [
        "brave", "calm", "eager", "fond", "gentle", "happy", "jolly", "keen", "lucid", "merry",
        "nifty", "proud", "quirky", "sharp", "vivid", "witty",
    ];
    const NAMES: [&str; 16] = [
        "babbage", "curie", "darwin", "euler", "fermat", "gauss", "hopper", "hypatia", "kepler",
        "lovelace", "noether", "pascal", "ritchie", "shannon", "turing", "wozniak",
    ];
    let byte = |i: usize| u8::from_str_radix(&id[i..i + 2], 16).unwrap_or(0) as usize;
    format!(
        "{}_{}_{}",
        ADJECTIVES[byte(0) % 16],
        NAMES[byte(2) % 16],
        &id[4..12]
    )
}
