//! Identity, process, logging and lifecycle options.

use super::{CtrCreateOption, invalid, validate_name};
use crate::container::{HealthCheck, LogDriver, RootfsSource};
use libpod_spec::RestartPolicy;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The container's name.
pub fn with_name(name: impl Into<String>) -> CtrCreateOption {
    let name = name.into();
    CtrCreateOption::new(move |d| {
        validate_name(&name)?;
        d.config.name = name;
        Ok(())
    })
}

/// The root filesystem from an image in the store (by name or ID); its config (entrypoint,
/// cmd, env, user, workdir, volumes, stop signal) becomes the base of the container's.
pub fn with_rootfs_from_image(image: impl Into<String>) -> CtrCreateOption {
    let image = image.into();
    CtrCreateOption::new(move |d| {
        let record = d.runtime.storage().image(&image)?;
        // Read once as JSON: the OCI type drops Docker's `Healthcheck`.
        let raw = d.runtime.storage().image_config_json(&record)?;
        let config: oci_spec::image::ImageConfiguration = serde_json::from_value(raw.clone())
            .map_err(|e| invalid("image", format!("{image}: its config does not decode: {e}")))?;
        d.config.image_config = config.config().clone();
        // The user's healthcheck wins over the image's, whichever option came first.
        if d.config.healthcheck.is_none() {
            d.config.healthcheck = raw
                .get("config")
                .and_then(|c| c.get("Healthcheck"))
                .and_then(HealthCheck::from_image_config);
        }
        // The user's stop signal wins over the image's, whichever option came first.
        if let Some(signal) = d
            .config
            .image_config
            .as_ref()
            .and_then(|c| c.stop_signal().clone())
            .filter(|_| !d.stop_signal_given)
        {
            d.config.stop_signal = libpod_spec::parse::parse_signal(&signal)?;
        }
        d.config.rootfs = Some(RootfsSource::Image {
            id: record.id.hex(),
            name: image,
        });
        Ok(())
    })
}

/// The root filesystem from a directory on the host, used as is (`--rootfs`).
pub fn with_rootfs_path(path: impl Into<PathBuf>) -> CtrCreateOption {
    let path = path.into();
    CtrCreateOption::new(move |d| {
        if !path.is_absolute() || !path.is_dir() {
            return Err(invalid(
                "rootfs",
                format!("{} is not an absolute path to a directory", path.display()),
            ));
        }
        d.config.rootfs = Some(RootfsSource::Path(path));
        Ok(())
    })
}

/// The command (replaces the image's `Cmd`).
pub fn with_command<S: Into<String>>(command: impl IntoIterator<Item = S>) -> CtrCreateOption {
    let command: Vec<String> = command.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        d.config.spec.command = Some(command);
        Ok(())
    })
}

/// The entrypoint (replaces the image's; empty clears it).
pub fn with_entrypoint<S: Into<String>>(
    entrypoint: impl IntoIterator<Item = S>,
) -> CtrCreateOption {
    let entrypoint: Vec<String> = entrypoint.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        d.config.spec.entrypoint = Some(entrypoint);
        Ok(())
    })
}

/// Environment variables, over the image's.
pub fn with_env<K: Into<String>, V: Into<String>>(
    env: impl IntoIterator<Item = (K, V)>,
) -> CtrCreateOption {
    let env: Vec<(String, String)> = env.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    CtrCreateOption::new(move |d| {
        for (k, v) in env {
            if k.is_empty() || k.contains('=') {
                return Err(invalid("env", format!("{k:?} is not a variable name")));
            }
            d.config.spec.env.insert(k, v);
        }
        Ok(())
    })
}

/// The working directory.
pub fn with_workdir(dir: impl Into<String>) -> CtrCreateOption {
    let dir = dir.into();
    CtrCreateOption::new(move |d| {
        if !dir.starts_with('/') {
            return Err(invalid("workdir", format!("{dir:?} is not absolute")));
        }
        d.config.spec.workdir = Some(dir);
        Ok(())
    })
}

/// The user (`name`, `uid`, `name:group`, `uid:gid`), resolved in the image at init.
pub fn with_user(user: impl Into<String>) -> CtrCreateOption {
    let user = user.into();
    CtrCreateOption::new(move |d| {
        d.config.spec.user.user = Some(user);
        Ok(())
    })
}

/// Supplementary groups (`--group-add`).
pub fn with_group_add<S: Into<String>>(groups: impl IntoIterator<Item = S>) -> CtrCreateOption {
    let groups: Vec<String> = groups.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        d.config.spec.user.group_add.extend(groups);
        Ok(())
    })
}

/// Labels.
pub fn with_labels<K: Into<String>, V: Into<String>>(
    labels: impl IntoIterator<Item = (K, V)>,
) -> CtrCreateOption {
    let labels: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    CtrCreateOption::new(move |d| {
        d.config.labels.extend(labels);
        Ok(())
    })
}

/// The restart policy.
pub fn with_restart_policy(policy: RestartPolicy) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.restart_policy = policy;
        Ok(())
    })
}

/// Restart retries; only with the `on-failure` policy, set before.
pub fn with_restart_retries(retries: u32) -> CtrCreateOption {
    CtrCreateOption::new(move |d| match d.config.restart_policy {
        RestartPolicy::OnFailure { .. } => {
            d.config.restart_policy = RestartPolicy::OnFailure {
                max_retries: retries,
            };
            Ok(())
        }
        other => Err(invalid(
            "restart retries",
            format!("only the on-failure restart policy takes retries, not {other}"),
        )),
    })
}

/// The stop signal (a name or number).
pub fn with_stop_signal(signal: impl Into<String>) -> CtrCreateOption {
    let signal = signal.into();
    CtrCreateOption::new(move |d| {
        d.config.stop_signal = libpod_spec::parse::parse_signal(&signal)?;
        d.stop_signal_given = true;
        Ok(())
    })
}

/// Seconds between the stop signal and SIGKILL.
pub fn with_stop_timeout(seconds: u32) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.stop_timeout = seconds;
        Ok(())
    })
}

/// The log driver.
pub fn with_log_driver(driver: LogDriver) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.log_driver = driver;
        Ok(())
    })
}

/// The k8s-file log's path.
pub fn with_log_path(path: impl Into<PathBuf>) -> CtrCreateOption {
    let path = path.into();
    CtrCreateOption::new(move |d| {
        if !path.is_absolute() {
            return Err(invalid(
                "log path",
                format!("{} is not absolute", path.display()),
            ));
        }
        d.config.log_path = Some(path);
        Ok(())
    })
}

/// The log tag.
pub fn with_log_tag(tag: impl Into<String>) -> CtrCreateOption {
    let tag = tag.into();
    CtrCreateOption::new(move |d| {
        d.config.log_tag = Some(tag);
        Ok(())
    })
}

/// The log's maximum size in bytes.
pub fn with_log_size_max(bytes: u64) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.log_size_max = Some(bytes);
        Ok(())
    })
}

/// Keep stdin open.
pub fn with_stdin() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.stdin = true;
        Ok(())
    })
}

/// Allocate a terminal.
pub fn with_tty() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.spec.tty = true;
        Ok(())
    })
}

/// Run systemd as init.
pub fn with_systemd() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.systemd = true;
        Ok(())
    })
}

/// Remove the container when it exits.
pub fn with_auto_remove() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.auto_remove = true;
        Ok(())
    })
}

/// Mount the root filesystem without syncs (overlay's `volatile`): faster to write and
/// unmount, and its changes are not to be trusted after a host crash. Podman sets it for
/// `--rm` containers, as [`options_from_create_config`](super::options_from_create_config)
/// does.
pub fn with_volatile() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.volatile = true;
        Ok(())
    })
}

/// Where conmon also writes its PID.
pub fn with_conmon_pidfile(path: impl Into<PathBuf>) -> CtrCreateOption {
    let path = path.into();
    CtrCreateOption::new(move |d| {
        d.config.conmon_pidfile = Some(path);
        Ok(())
    })
}

/// The command conmon runs when the container exits.
pub fn with_exit_command<S: Into<String>>(command: impl IntoIterator<Item = S>) -> CtrCreateOption {
    let command: Vec<String> = command.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        d.config.exit_command = command;
        Ok(())
    })
}

/// The size of /dev/shm in bytes.
pub fn with_shm_size(bytes: u64) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        if bytes == 0 {
            return Err(invalid("shm size", "must be more than 0"));
        }
        d.config.spec.resources.shm_size = Some(bytes);
        Ok(())
    })
}

/// The cgroup parent (`--cgroup-parent`).
pub fn with_cgroup_parent(parent: impl Into<String>) -> CtrCreateOption {
    let parent = parent.into();
    CtrCreateOption::new(move |d| {
        d.config.spec.cgroup_parent = Some(parent);
        Ok(())
    })
}

/// A healthcheck.
pub fn with_healthcheck(check: HealthCheck) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        if check.test.is_empty() {
            return Err(invalid("healthcheck", "the test is empty"));
        }
        d.config.healthcheck = Some(check);
        Ok(())
    })
}
