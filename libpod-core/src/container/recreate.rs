//! `recreate`: a container made again from its stored config on another image, under its name
//! (what a systemd unit written by `podman generate systemd --new` does on every restart, and
//! what auto-update and its rollback need without systemd).
//!
//! The new container keeps the name, labels, mounts and volumes, pod membership, restart
//! policy, logging and every other setting of the old; it gets a new ID, the new image and
//! that image's config (entrypoint, cmd, env... as a fresh create from that image would),
//! and the new image's healthcheck unless the old one's was the user's own. It is started
//! when the old one was running.
//!
//! Crash safety: the old container is removed before the new one can take its name, so a
//! plan is recorded first: `ROOT/recreate-intents/OLD-ID` (JSON: the old and new configs and
//! whether to start), synced, and flock'd by its maker while it works. An open that finds a
//! plan whose maker is gone finishes it: the new container if it exists, else the old one if
//! it still runs (the kill came before its stop), else the old one's removal finished and the
//! new one created from the plan; then started if the plan says so. A kill at any point leaves the container running on the old or the new image, never
//! gone (`libpod-autoupdate/tests/kill.rs` SIGKILLs recreates at random points).

use super::{Container, ContainerConfig, ContainerState, ContainerStatus, RemoveOptions};
use super::{HealthCheck, RootfsSource, new_id};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::{Runtime, held, now_rfc3339};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

const INTENT_DIR: &str = "recreate-intents";

/// What a recreate does, recorded before it starts.
#[derive(Debug, Serialize, Deserialize)]
struct Plan {
    old: ContainerConfig,
    new: ContainerConfig,
    start: bool,
}

impl Runtime {
    /// Recreates `ctr` on `image` (a name or ID in the store) under the same name, and starts
    /// the new container when the old one was running; returns the new container. The old
    /// one is stopped (with its stop timeout) and removed, its volumes kept. A container
    /// others depend on is refused, as its removal would be.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let web = rt.container("web")?;
    /// let web = rt.recreate_container(&web, "quay.io/example/web:2")?;
    /// assert_eq!(web.name(), "web");
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn recreate_container(&self, ctr: &Container, image: &str) -> Result<Container> {
        let old = self.state().container_config(ctr.id())?;
        let record = self.storage().image(image)?;
        let image_config = self.storage().image_config(&record)?.config().clone();
        let status = ctr.status()?;
        let mut new = recreated_config(&old, record.id.hex(), image_config, new_id()?);
        new.healthcheck = healthcheck_after(
            old.healthcheck.as_ref(),
            self.image_healthcheck(&image_id(&old)).ok().as_ref(),
            self.image_healthcheck(&record.id.hex())?,
        );
        let plan = Plan {
            new,
            start: matches!(status, ContainerStatus::Running | ContainerStatus::Paused),
            old,
        };
        let intent = HeldPlan::record(self, &plan)?;
        tracing::info!(
            container = %plan.old.name, old = %plan.old.id, new = %plan.new.id, image,
            "recreating"
        );
        match self.carry_out(ctr, &plan) {
            Ok(ctr) => {
                intent.clear();
                Ok(ctr)
            }
            Err(err) => {
                // Whatever failed, the name is not left without a container.
                match finish(self, &plan) {
                    Ok(()) => intent.clear(),
                    Err(again) => tracing::warn!(%again, "recreate left for the next open"),
                }
                Err(err)
            }
        }
    }

    fn carry_out(&self, ctr: &Container, plan: &Plan) -> Result<Container> {
        self.remove_container(ctr, RemoveOptions::default().force(true))?;
        let new = self.add_recreated(&plan.new)?;
        if plan.start {
            new.start()?;
        }
        Ok(new)
    }

    /// The healthcheck image `id`'s config defines (Docker's `Healthcheck`, which the OCI
    /// config type drops).
    fn image_healthcheck(&self, id: &str) -> Result<Option<HealthCheck>> {
        let record = self.storage().image(id)?;
        let raw = self.storage().image_config_json(&record)?;
        Ok(raw
            .get("config")
            .and_then(|c| c.get("Healthcheck"))
            .and_then(HealthCheck::from_image_config))
    }

    /// Stores a recreated container (its storage and row, as a create does).
    pub(crate) fn add_recreated(&self, config: &ContainerConfig) -> Result<Container> {
        let mut config = config.clone();
        crate::volume::image::name_volumes(self, &mut config)?;
        let Some(RootfsSource::Image { id: image, .. }) = &config.rootfs else {
            return Err(CoreError::InvalidOption {
                option: "rootfs",
                reason: "only a container made from an image can be recreated".into(),
            });
        };
        let state = ContainerState {
            status: ContainerStatus::Configured,
            ..ContainerState::default()
        };
        self.add_with_storage(&config, &state, &image.clone())?;
        self.events().container(&config, EventStatus::Create);
        Container::load(self, &config.id)
    }
}

/// The old config with a new ID, creation time and image; the exit command, which ends with
/// the ID, follows it.
fn recreated_config(
    old: &ContainerConfig,
    image_id: String,
    image_config: Option<libpod_spec::ImageConfig>,
    id: String,
) -> ContainerConfig {
    let mut new = old.clone();
    if new.exit_command.last() == Some(&old.id) {
        new.exit_command.pop();
        new.exit_command.push(id.clone());
    }
    new.id = id;
    new.created = now_rfc3339();
    new.image_config = image_config;
    let name = match &old.rootfs {
        Some(RootfsSource::Image { name, .. }) => name.clone(),
        _ => image_id.clone(),
    };
    new.rootfs = Some(RootfsSource::Image { id: image_id, name });
    new
}

/// The healthcheck of a container recreated on another image: the new image's when the old
/// container's is the one its image defined (`old_image`: `None` when that image is gone),
/// as a create with the same options on the new image would give; one of the user's own
/// stays. An update whose new version defines a failing check is then found unhealthy.
fn healthcheck_after(
    current: Option<&HealthCheck>,
    old_image: Option<&Option<HealthCheck>>,
    new_image: Option<HealthCheck>,
) -> Option<HealthCheck> {
    match old_image {
        Some(from_image) if from_image.as_ref() == current => new_image,
        _ => current.cloned(),
    }
}

/// Brings an interrupted plan to its end (see the module docs).
fn finish(rt: &Runtime, plan: &Plan) -> Result<()> {
    let exists = |id: &str| match rt.state().container_config(id) {
        Ok(_) => Ok(true),
        Err(CoreError::ContainerNotFound(_)) => Ok(false),
        Err(e) => Err(e),
    };
    let ctr = if exists(&plan.new.id)? {
        Container::load(rt, &plan.new.id)?
    } else if exists(&plan.old.id)? && old_is_whole(rt, &plan.old.id) {
        Container::load(rt, &plan.old.id)?
    } else {
        if exists(&plan.old.id)? {
            let old = Container::load(rt, &plan.old.id)?;
            rt.remove_container(&old, RemoveOptions::default().force(true))?;
        }
        match rt.storage().image(&image_id(&plan.new)) {
            Ok(_) => rt.add_recreated(&plan.new)?,
            // The new image went (removed meanwhile): the old config on the old image.
            Err(_) => rt.add_recreated(&recreated_config(
                &plan.old,
                image_id(&plan.old),
                plan.old.image_config.clone(),
                new_id()?,
            ))?,
        }
    };
    if plan.start {
        start_after_kill(&ctr)?;
    }
    Ok(())
}

/// Starts a container an interrupted recreate left stopped. When the kill came during its
/// init, the killed process's conmon may still be creating it in the runtime after the open
/// looked for leftovers ("already exists"): the next init deletes that leftover, so the start
/// is tried again a few times, a second apart.
fn start_after_kill(ctr: &Container) -> Result<()> {
    let mut attempt = 0;
    loop {
        if matches!(
            ctr.status()?,
            ContainerStatus::Running | ContainerStatus::Paused
        ) {
            return Ok(());
        }
        match ctr.start() {
            Ok(()) => return Ok(()),
            Err(err) if attempt < 3 => {
                tracing::warn!(container = %ctr.id(), %err, "start after an interrupted recreate: trying again");
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            Err(err) => return Err(err),
        }
    }
}

/// Whether the old container still runs as it did before the plan (the kill came before
/// its stop): then it stays. Once its stop or removal has begun, the plan goes forward.
fn old_is_whole(rt: &Runtime, id: &str) -> bool {
    Container::load(rt, id)
        .and_then(|ctr| ctr.status())
        .is_ok_and(|s| matches!(s, ContainerStatus::Running | ContainerStatus::Paused))
}

fn image_id(config: &ContainerConfig) -> String {
    match &config.rootfs {
        Some(RootfsSource::Image { id, .. }) => id.clone(),
        _ => String::new(),
    }
}

/// A plan on disk, flock'd while its maker lives.
struct HeldPlan {
    path: PathBuf,
    _file: File,
}

impl HeldPlan {
    /// Writes the plan under a temporary name, synced and locked, then renames it into
    /// place (the lock goes with the file): an open never finds a plan half written, nor one
    /// its maker does not hold yet.
    fn record(rt: &Runtime, plan: &Plan) -> Result<HeldPlan> {
        let dir = rt.root().join(INTENT_DIR);
        let path = dir.join(&plan.old.id);
        let json = serde_json::to_vec(plan)
            .map_err(|e| CoreError::io("encode", &path, std::io::Error::other(e)))?;
        match held::create_file("record recreate intent", &dir, &plan.old.id, &json, true) {
            Ok(file) => Ok(HeldPlan { path, _file: file }),
            Err(CoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                Err(CoreError::InvalidOption {
                    option: "recreate",
                    reason: format!("container {} is being recreated already", plan.old.id),
                })
            }
            Err(err) => Err(err),
        }
    }

    fn clear(self) {
        if let Err(err) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %err, "recreate intent left for the next open");
        }
    }
}

/// Finishes the recreates whose maker is gone (called by the open). Failures are logged; the
/// next open tries again.
pub(crate) fn repair_interrupted(rt: &Runtime) {
    let Ok(entries) = std::fs::read_dir(rt.root().join(INTENT_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if held::is_temporary(&name) {
            // A plan not yet in place (nothing was changed for it): its maker's, unless that
            // process is gone.
            if held::abandoned(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
            continue;
        }
        if let Err(err) = repair_one(rt, &entry.path()) {
            tracing::warn!(path = %entry.path().display(), %err, "interrupted recreate not finished");
        }
    }
}

fn repair_one(rt: &Runtime, path: &Path) -> Result<()> {
    let file = File::open(path).map_err(|e| CoreError::io("open", path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        // Its maker is at work.
        Err(std::fs::TryLockError::WouldBlock) => return Ok(()),
        Err(std::fs::TryLockError::Error(e)) => return Err(CoreError::io("lock", path, e)),
    }
    let text = std::fs::read(path).map_err(|e| CoreError::io("read", path, e))?;
    let plan: Plan = serde_json::from_slice(&text)
        .map_err(|e| CoreError::io("decode", path, std::io::Error::other(e)))?;
    tracing::info!(container = %plan.old.name, "finishing an interrupted recreate");
    finish(rt, &plan)?;
    std::fs::remove_file(path).map_err(|e| CoreError::io("remove", path, e))
}

#[cfg(test)]
#[path = "recreate_tests.rs"]
mod tests;
