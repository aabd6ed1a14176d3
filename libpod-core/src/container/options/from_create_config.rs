//! A whole [`CreateConfig`] as options, as Podman's `getContainerCreateOptions` makes them.
//!
//! The config is split here, once: what the spec generator reads stays in the container's
//! `spec`, the mount strings are parsed into its `mounts`, and each of the engine's facts
//! (name, image, labels, stop signal and timeout, logging, restart policy, `--rm`, stdin) is
//! taken out of the spec and given to the option that parses and validates it into its typed
//! field. Nothing is kept twice.

use super::{
    CtrCreateOption, invalid, with_auto_remove, with_labels, with_log_driver, with_log_path,
    with_log_size_max, with_log_tag, with_name, with_pod_named, with_restart_policy,
    with_rootfs_from_image, with_stdin, with_stop_signal, with_stop_timeout, with_volatile,
};
use crate::container::LogDriver;
use crate::error::Result;
use libpod_spec::CreateConfig;
use libpod_spec::parse::VolumeMount;

/// The whole of a [`CreateConfig`] at once: its spec-level settings (resources, security,
/// env, user...) and its mounts replace the draft's, and its other fields (name, image,
/// labels, restart policy, logging...) apply as [`options_from_create_config`] makes them;
/// options after it refine it.
pub fn with_create_config(config: CreateConfig) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        for option in options_from_create_config(&config)? {
            option.apply(d)?;
        }
        Ok(())
    })
}

/// Turns a high-level [`CreateConfig`] into options, as Podman's `getContainerCreateOptions`
/// does: the spec-level settings with the mounts parsed, then name, pod, image, labels, stdin,
/// stop signal and timeout, logging, restart policy, `--rm` (auto-remove and volatile
/// storage, as Podman's specgen). What can be checked without the runtime is checked here (the
/// mounts, the log driver and options, the restart policy); `--rm` with a restart policy is
/// refused when the container is created.
pub fn options_from_create_config(config: &CreateConfig) -> Result<Vec<CtrCreateOption>> {
    let mut spec = config.clone();
    let mounts = spec.parse_mounts()?;
    spec.volumes.clear();
    spec.mounts.clear();
    spec.tmpfs.clear();
    // The engine's facts leave the spec input for their typed homes.
    let name = spec.name.take();
    let pod = spec.pod.take();
    let image = spec.image.take();
    let labels = std::mem::take(&mut spec.labels);
    let interactive = std::mem::take(&mut spec.interactive);
    let stop_signal = spec.stop_signal.take();
    let stop_timeout = spec.stop_timeout.take();
    let log_driver = spec.log_driver.take();
    let log_opts = std::mem::take(&mut spec.log_opts);
    let restart_policy = spec.restart_policy.take();
    let rm = std::mem::take(&mut spec.rm);

    let mut options = vec![spec_input(spec, mounts)];
    options.extend(name.map(with_name));
    options.extend(pod.map(with_pod_named));
    options.extend(image.map(with_rootfs_from_image));
    if !labels.is_empty() {
        options.push(with_labels(labels));
    }
    if interactive {
        options.push(with_stdin());
    }
    options.extend(stop_signal.map(with_stop_signal));
    options.extend(stop_timeout.map(with_stop_timeout));
    if let Some(driver) = log_driver {
        options.push(with_log_driver(driver.parse::<LogDriver>()?));
    }
    for opt in &log_opts {
        options.push(log_opt(opt)?);
    }
    if let Some(policy) = restart_policy {
        let policy = libpod_spec::parse::parse_restart_policy(&policy)?;
        options.push(with_restart_policy(policy));
    }
    if rm {
        options.push(with_auto_remove());
        options.push(with_volatile());
    }
    Ok(options)
}

/// The spec input and the parsed mounts, replacing the draft's.
fn spec_input(spec: CreateConfig, mounts: Vec<VolumeMount>) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.spec = spec;
        d.config.mounts = mounts;
        Ok(())
    })
}

/// One `--log-opt`: `path=`, `tag=` or `max-size=`.
fn log_opt(opt: &str) -> Result<CtrCreateOption> {
    match opt.split_once('=') {
        Some(("path", path)) => Ok(with_log_path(path)),
        Some(("tag", tag)) => Ok(with_log_tag(tag)),
        Some(("max-size", size)) => Ok(with_log_size_max(libpod_spec::parse::parse_size(
            "log-opt max-size",
            size,
        )?)),
        _ => Err(invalid(
            "log-opt",
            format!("{opt:?}: use path=, tag= or max-size="),
        )),
    }
}
