//! Finding the work (Podman's `assembleTasks`) and the checks: is there a newer image for a
//! container, in its registry or behind its name in the store?

use crate::error::{AutoUpdateError, Result};
use crate::policy::{self, Policy};
use libpod_core::container::{ContainerConfig, ContainerStatus, RootfsSource, raw_image_name};
use libpod_core::runtime::Runtime;
use libpod_storage::registry::{PullOptions, remote_digest};
use libpod_storage::{Digest, ImageReference};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One container to keep up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Task {
    /// Its ID when the update began.
    pub container_id: String,
    /// Its name (kept across the update).
    pub container_name: String,
    /// The image name as the user wrote it at create (Podman's raw image name).
    pub raw_image: String,
    /// Its policy (never disabled here).
    pub policy: Policy,
    /// The systemd unit it runs in, if any.
    pub unit: Option<String>,
    /// The ID of the image it runs (its image before the update).
    pub image_id: String,
    /// The auth file for its checks and pulls.
    pub auth_file: Option<PathBuf>,
}

impl Task {
    /// The image name as the store and the registry take it (without `docker://`).
    pub fn store_name(&self) -> &str {
        self.raw_image
            .strip_prefix("docker://")
            .unwrap_or(&self.raw_image)
    }
}

/// Containers updated as one: those of one systemd unit, else those of one pod, else one
/// container. Their restart, probe and rollback are the group's: when one fails, all of
/// the group's updated containers go back to their previous images.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// The unit, if the containers run in one.
    pub unit: Option<String>,
    /// Its containers.
    pub tasks: Vec<Task>,
}

impl Group {
    /// A group of `tasks` in `unit`.
    pub fn new(unit: Option<String>, tasks: Vec<Task>) -> Group {
        Group { unit, tasks }
    }
}

/// The running containers with an auto-update policy whose image is in the store, grouped
/// per unit, else per pod, else per container, in a stable order; and the errors of those
/// that could not be taken (an unknown policy, an image gone, a pod that cannot be read),
/// which do not stop the others.
pub fn assemble(
    rt: &Runtime,
    default_auth: Option<&PathBuf>,
) -> (Vec<Group>, Vec<AutoUpdateError>) {
    let mut errors = Vec::new();
    let containers = match rt.containers() {
        Ok(containers) => containers,
        Err(e) => return (Vec::new(), vec![e.into()]),
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for ctr in containers {
        let config = ctr.config();
        if !config.labels.contains_key(policy::LABEL) {
            continue;
        }
        match ctr.status() {
            Ok(ContainerStatus::Running) => {}
            Ok(_) => continue,
            Err(e) => {
                errors.push(e.into());
                continue;
            }
        }
        let policy = match Policy::of_labels(&config.labels) {
            Ok(Policy::Disabled) => continue,
            Ok(policy) => policy,
            Err(source) => {
                errors.push(AutoUpdateError::Policy {
                    container: ctr.id().to_string(),
                    source: Box::new(source),
                });
                continue;
            }
        };
        let (Some(RootfsSource::Image { id, .. }), Some(raw_image)) =
            (&config.rootfs, raw_image_name(config))
        else {
            errors.push(AutoUpdateError::ImageNotFound {
                container: ctr.id().to_string(),
                image: "(a root filesystem path)".into(),
            });
            continue;
        };
        if rt.storage().image(id).is_err() {
            errors.push(AutoUpdateError::ImageNotFound {
                container: ctr.id().to_string(),
                image: id.clone(),
            });
            continue;
        }
        let unit = match systemd_unit(rt, config) {
            Ok(unit) => unit,
            Err(e) => {
                errors.push(e.into());
                continue;
            }
        };
        let key = match (&unit, &config.pod) {
            (Some(unit), _) => format!("unit:{unit}"),
            (None, Some(pod)) => format!("pod:{pod}"),
            (None, None) => format!("container:{}", ctr.name()),
        };
        let task = Task {
            container_id: ctr.id().to_string(),
            container_name: ctr.name().to_string(),
            raw_image: raw_image.to_string(),
            policy,
            unit: unit.clone(),
            image_id: id.clone(),
            auth_file: policy::auth_file(config, default_auth),
        };
        groups
            .entry(key)
            .or_insert_with(|| Group::new(unit, Vec::new()))
            .tasks
            .push(task);
    }
    (groups.into_values().collect(), errors)
}

/// The systemd unit a container runs in: a pod member's is its infra container's label
/// when that has one (the unit that made the pod restarts all of it, as Podman's
/// `systemdUnitForContainer`), else the container's own.
fn systemd_unit(rt: &Runtime, config: &ContainerConfig) -> libpod_core::Result<Option<String>> {
    if let Some(pod) = config.pod.as_deref().filter(|_| !config.is_infra)
        && let Some(infra) = rt.pod(pod)?.infra_container_id()?
        && let Some(unit) = policy::systemd_unit(rt.container(&infra)?.config())
    {
        return Ok(Some(unit.to_string()));
    }
    Ok(policy::systemd_unit(config).map(str::to_string))
}

/// Whether the registry's image behind the task's image name differs from the task's image
/// (Podman's `newerRemoteImageAvailable`): its manifest digest, asked without pulling.
pub fn newer_remote_image(rt: &Runtime, task: &Task, options: &PullOptions) -> Result<bool> {
    let check_failed = |source| AutoUpdateError::Check {
        policy: "registry",
        container: task.container_id.clone(),
        image: task.raw_image.clone(),
        source: Box::new(source),
    };
    let reference = ImageReference::parse(task.store_name()).map_err(check_failed)?;
    let remote = remote_digest(&reference, options).map_err(check_failed)?;
    let local = rt.storage().image(&task.image_id).map_err(check_failed)?;
    Ok(!has_digest(&local.digests, &local.manifest_digest, &remote))
}

fn has_digest(digests: &[Digest], manifest: &Digest, wanted: &Digest) -> bool {
    manifest == wanted || digests.contains(wanted)
}

/// Whether the image now behind the task's image name in the store is another than the
/// task's (Podman's `newerLocalImageAvailable`).
pub fn newer_local_image(rt: &Runtime, task: &Task) -> Result<bool> {
    let image = rt
        .storage()
        .image(task.store_name())
        .map_err(|source| AutoUpdateError::Check {
            policy: "locally",
            container: task.container_id.clone(),
            image: task.raw_image.clone(),
            source: Box::new(source),
        })?;
    Ok(image.id.hex() != task.image_id)
}
