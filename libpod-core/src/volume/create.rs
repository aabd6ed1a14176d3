//! `volume create`: a new named volume, its options checked as Podman 4.3's local driver
//! checks them, its directory made and its row added under an intent (a kill leaves it
//! whole or absent: see `repair.rs`).

use super::{Volume, local};
use crate::error::{CoreError, Result};
use crate::events::{Event, EventStatus};
use crate::record::{VolumeConfig, VolumeState};
use crate::runtime::intents::Intent;
use crate::runtime::{Runtime, now_rfc3339};
use std::fmt;

/// The volume being made, as options change it.
#[derive(Debug)]
struct VolumeDraft {
    config: VolumeConfig,
    /// Driver options as given (`-o KEY=VALUE`), checked once every option has applied.
    options: Vec<(String, String)>,
}

type Apply = Box<dyn FnOnce(&mut VolumeDraft) -> Result<()> + Send>;

/// One setting of a new volume (libpod's `VolumeCreateOption`), built by the `with_volume_*`
/// functions and applied in order by [`Runtime::new_volume`].
pub struct VolumeCreateOption(Apply);

impl fmt::Debug for VolumeCreateOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VolumeCreateOption")
    }
}

/// The volume's name (without one, a random 64-digit hex name, as Podman gives).
pub fn with_volume_name(name: impl Into<String>) -> VolumeCreateOption {
    let name = name.into();
    VolumeCreateOption(Box::new(move |draft| {
        libpod_spec::parse::check_name("volume name", &name)?;
        draft.config.name = name;
        Ok(())
    }))
}

/// The volume's driver: only `local` is built in (Podman's plugins are not supported).
pub fn with_volume_driver(driver: impl Into<String>) -> VolumeCreateOption {
    let driver = driver.into();
    VolumeCreateOption(Box::new(move |draft| {
        if driver != "local" {
            return Err(CoreError::VolumeOption {
                name: draft.config.name.clone(),
                option: "driver".into(),
                reason: format!("volume driver {driver:?} is not supported, only \"local\""),
            });
        }
        draft.config.driver = driver;
        Ok(())
    }))
}

/// Labels, added to those already given.
pub fn with_volume_labels<K: Into<String>, V: Into<String>>(
    labels: impl IntoIterator<Item = (K, V)>,
) -> VolumeCreateOption {
    let labels: Vec<(String, String)> = labels
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    VolumeCreateOption(Box::new(move |draft| {
        draft.config.labels.extend(labels);
        Ok(())
    }))
}

/// Driver options (`-o type=tmpfs`, `-o device=/srv/x`, `-o o=size=64m,uid=1000`), as
/// Podman's local driver takes them: `type`, `device` and `o`; in `o`, `uid=` and `gid=` give
/// the data directory's owner (and turn off the chown at first use), `size=` and `inodes=`
/// only with `type=tmpfs` (Podman's quota is not supported). With `type` or `device` the
/// volume is mounted (`mount -t TYPE -o O DEVICE`) while containers use it.
pub fn with_volume_options<K: Into<String>, V: Into<String>>(
    options: impl IntoIterator<Item = (K, V)>,
) -> VolumeCreateOption {
    let options: Vec<(String, String)> = options
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    VolumeCreateOption(Box::new(move |draft| {
        draft.options.extend(options);
        Ok(())
    }))
}

/// Marks the volume anonymous: made for one container, removed with it by `rm -v`.
pub(crate) fn with_volume_anonymous() -> VolumeCreateOption {
    VolumeCreateOption(Box::new(|draft| {
        draft.config.anonymous = true;
        Ok(())
    }))
}

impl VolumeDraft {
    fn refuse(&self, option: &str, reason: impl Into<String>) -> CoreError {
        CoreError::VolumeOption {
            name: self.config.name.clone(),
            option: option.into(),
            reason: reason.into(),
        }
    }

    /// Checks the driver options and records them (Podman's `parse.VolumeOptions`).
    fn apply_driver_options(&mut self) -> Result<()> {
        let given = std::mem::take(&mut self.options);
        let tmpfs = given
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("type") && v == "tmpfs");
        for (key, value) in given {
            match key.to_ascii_lowercase().as_str() {
                "type" | "device" => {
                    self.config.options.insert(key.to_ascii_lowercase(), value);
                }
                "o" => {
                    for part in value.split(',').filter(|p| !p.is_empty()) {
                        self.mount_option(part, tmpfs)?;
                    }
                    self.config.options.insert("o".into(), value);
                }
                _ => {
                    return Err(self.refuse(
                        &key,
                        "unrecognized volume option is not supported with the local driver",
                    ));
                }
            }
        }
        Ok(())
    }

    /// One `o=` member: `uid=`/`gid=` recorded, quota options refused unless a tmpfs.
    fn mount_option(&mut self, part: &str, tmpfs: bool) -> Result<()> {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.to_ascii_lowercase().as_str() {
            "uid" | "gid" => {
                let id: u32 = value
                    .parse()
                    .map_err(|_| self.refuse(part, "must be a number"))?;
                let upper = key.to_ascii_uppercase();
                self.config.options.insert(upper.clone(), id.to_string());
                if upper == "UID" {
                    self.config.uid = Some(id);
                } else {
                    self.config.gid = Some(id);
                }
            }
            "size" | "inodes" | "noquota" if !tmpfs => {
                return Err(self.refuse(
                    part,
                    "size and inodes need filesystem quotas, which are not supported \
                     (use type=tmpfs for a sized volume)",
                ));
            }
            "nocopy" => self.config.no_copy = true,
            _ => {}
        }
        Ok(())
    }
}

impl Runtime {
    /// Creates a named volume (Podman's `NewVolume`): refused if the name is taken
    /// ([`CoreError::VolumeExists`]) or an option is not the local driver's.
    ///
    /// ```no_run
    /// use libpod_core::volume::{with_volume_name, with_volume_options};
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let scratch = rt.new_volume([
    ///     with_volume_name("scratch"),
    ///     with_volume_options([("type", "tmpfs"), ("device", "tmpfs"), ("o", "size=64m")]),
    /// ])?;
    /// assert_eq!(scratch.inspect()?.options["type"], "tmpfs");
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn new_volume(
        &self,
        options: impl IntoIterator<Item = VolumeCreateOption>,
    ) -> Result<Volume> {
        let mut draft = VolumeDraft {
            config: VolumeConfig::new(""),
            options: Vec::new(),
        };
        for option in options {
            (option.0)(&mut draft)?;
        }
        if draft.config.name.is_empty() {
            // 64 random hex digits, as Podman names unnamed volumes (and as container IDs are).
            draft.config.name = crate::container::new_id()?;
        }
        draft.apply_driver_options()?;
        let mut config = draft.config;
        config.created = now_rfc3339();
        config.mount_point = local::data_dir(self, &config.name);
        let mut state = VolumeState::new();
        // An owner given at create replaces the chown to the first user.
        state.needs_chown = config.uid.is_none() && config.gid.is_none();
        self.add_volume(&config, &state)?;
        self.events()
            .emit(Event::volume(EventStatus::Create, &config.name));
        tracing::debug!(volume = %config.name, "created");
        Ok(Volume {
            runtime: self.clone(),
            config: std::sync::Arc::new(config),
        })
    }

    /// Makes the volume's directories, then its row, under its lock and an intent: a kill in
    /// between leaves directories that the next open removes.
    fn add_volume(&self, config: &VolumeConfig, state: &VolumeState) -> Result<()> {
        let name = config.name.as_str();
        let _lock = self.lock_volume(name)?;
        if self.volume_exists(name)? {
            return Err(CoreError::VolumeExists(name.to_string()));
        }
        let intent = Intent::volume(self, name)?;
        local::create_dirs(self, config)?;
        if let Err(e) = self.state().add_volume(config, state) {
            // Refused (another process's volume of that name would have been seen above).
            local::remove_dirs(self, name)?;
            intent.clear();
            return Err(e);
        }
        intent.clear();
        Ok(())
    }
}
