//! `CtrCreateOption`: values that each change and validate a container's draft config, built by
//! `with_*` functions and applied in order, as libpod's functional options. A fluent
//! [`ContainerBuilder`] is sugar over the same options.

use super::{Container, ContainerConfig, HealthCheck, LogDriver, RootfsSource};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use libpod_spec::{CreateConfig, NamespaceMode, NetworkMode, RestartPolicy};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// The draft an option changes: the config being built, and the runtime it is for.
pub struct Draft<'r> {
    /// The config so far.
    pub config: ContainerConfig,
    /// The runtime the container is created in (for image and container lookups).
    pub runtime: &'r Runtime,
}

type Apply = Box<dyn for<'r> FnOnce(&mut Draft<'r>) -> Result<()> + Send>;

/// One create option; see the `with_*` functions.
pub struct CtrCreateOption(Apply);

impl CtrCreateOption {
    /// An option from a closure that changes the draft.
    pub fn new(apply: impl for<'r> FnOnce(&mut Draft<'r>) -> Result<()> + Send + 'static) -> Self {
        CtrCreateOption(Box::new(apply))
    }

    pub(crate) fn apply(self, draft: &mut Draft<'_>) -> Result<()> {
        (self.0)(draft)
    }
}

impl fmt::Debug for CtrCreateOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CtrCreateOption")
    }
}

fn invalid(option: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidOption {
        option,
        reason: reason.into(),
    }
}

/// Checks a container name as Podman does: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && name.len() <= 253;
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "name",
            format!("{name:?} does not match [a-zA-Z0-9][a-zA-Z0-9_.-]*"),
        ))
    }
}

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
        let config = d.runtime.storage().image_config(&record)?;
        d.config.image_config = config.config().clone();
        if let Some(signal) = d
            .config
            .image_config
            .as_ref()
            .and_then(|c| c.stop_signal().clone())
        {
            d.config.stop_signal = libpod_spec::parse::parse_signal(&signal)?;
        }
        d.config.spec.image = Some(image.clone());
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
        d.config.labels.extend(labels.clone());
        d.config.spec.labels.extend(labels);
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
        d.config.spec.stop_signal = Some(signal);
        Ok(())
    })
}

/// Seconds between the stop signal and SIGKILL.
pub fn with_stop_timeout(seconds: u32) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.stop_timeout = seconds;
        d.config.spec.stop_timeout = Some(seconds);
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
        d.config.spec.interactive = true;
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
        d.config.spec.rm = true;
        Ok(())
    })
}

/// Mount the root filesystem without syncs (overlay's `volatile`): faster to write and
/// unmount, and its changes are not to be trusted after a host crash. Podman sets it for
/// `--rm` containers, as [`options_from_create_config`] does.
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

/// Containers that must run before this one starts.
pub fn with_dependencies(containers: &[&Container]) -> CtrCreateOption {
    let ids: Vec<String> = containers.iter().map(|c| c.id().to_string()).collect();
    CtrCreateOption::new(move |d| {
        d.config.dependencies.extend(ids);
        Ok(())
    })
}

/// The pod to join; pods come with a later issue, so naming one is an error for now.
pub fn with_pod(pod: impl Into<String>) -> CtrCreateOption {
    let pod = pod.into();
    CtrCreateOption::new(move |_| {
        Err(invalid(
            "pod",
            format!("pod {pod:?} not found: pods are not supported yet"),
        ))
    })
}

/// Bind-mount volumes (`-v SRC:DEST[:OPTS]`, or a name for a named volume).
pub fn with_user_volumes<S: Into<String>>(volumes: impl IntoIterator<Item = S>) -> CtrCreateOption {
    let volumes: Vec<String> = volumes.into_iter().map(Into::into).collect();
    CtrCreateOption::new(move |d| {
        for v in &volumes {
            libpod_spec::parse::parse_volume(v)?;
        }
        d.config.spec.volumes.extend(volumes);
        Ok(())
    })
}

/// Named volumes: (name, destination, options).
pub fn with_named_volumes(volumes: Vec<(String, String, Vec<String>)>) -> CtrCreateOption {
    with_user_volumes(volumes.into_iter().map(|(name, dest, opts)| {
        if opts.is_empty() {
            format!("{name}:{dest}")
        } else {
            format!("{name}:{dest}:{}", opts.join(","))
        }
    }))
}

/// The network mode (`none`, `host`, `private`, `ns:PATH`); bridge networking comes with
/// libpod-net.
pub fn with_network_mode(mode: NetworkMode) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        if let NetworkMode::Bridge(_) = mode {
            return Err(invalid(
                "network",
                "bridge networking is not supported yet: use none, host or container:ID",
            ));
        }
        d.config.spec.network.mode = mode;
        Ok(())
    })
}

fn ns_from(kind: libpod_spec::NamespaceKind, other: &Container) -> CtrCreateOption {
    let id = other.id().to_string();
    CtrCreateOption::new(move |d| {
        let mode = NamespaceMode::Container(id.clone());
        match kind {
            libpod_spec::NamespaceKind::Ipc => d.config.spec.ipc = mode,
            libpod_spec::NamespaceKind::Pid => d.config.spec.pid = mode,
            libpod_spec::NamespaceKind::Uts => d.config.spec.uts.mode = mode,
            libpod_spec::NamespaceKind::Network => {
                d.config.spec.network.mode = NetworkMode::Container(id.clone())
            }
            _ => {
                return Err(invalid(
                    "namespace",
                    format!("cannot join the {} namespace", kind.name()),
                ));
            }
        }
        d.config.namespaces_from.insert(kind.name().to_string(), id);
        Ok(())
    })
}

/// Join another container's IPC namespace (and its /dev/shm).
pub fn with_ipc_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(libpod_spec::NamespaceKind::Ipc, other)
}

/// Join another container's network namespace.
pub fn with_net_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(libpod_spec::NamespaceKind::Network, other)
}

/// Join another container's PID namespace.
pub fn with_pid_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(libpod_spec::NamespaceKind::Pid, other)
}

/// Join another container's UTS namespace (and take its hostname).
pub fn with_uts_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(libpod_spec::NamespaceKind::Uts, other)
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

/// The whole spec-level configuration (resources, security, mounts, env, user...) at once;
/// options after it refine it. See [`options_from_create_config`] for the rest of a
/// `CreateConfig` (name, restart policy, logging...).
pub fn with_create_config(config: CreateConfig) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.spec = config;
        Ok(())
    })
}

/// Turns a high-level [`CreateConfig`] into options, as Podman's `getContainerCreateOptions`
/// does: the spec-level settings, then name, image, stop signal and timeout, logging, restart
/// policy (with its validation), `--rm`.
pub fn options_from_create_config(config: &CreateConfig) -> Result<Vec<CtrCreateOption>> {
    let mut options = vec![with_create_config(config.clone())];
    if let Some(name) = &config.name {
        options.push(with_name(name.clone()));
    }
    if let Some(pod) = &config.pod {
        options.push(with_pod(pod.clone()));
    }
    if let Some(image) = &config.image {
        options.push(with_rootfs_from_image(image.clone()));
    }
    if !config.labels.is_empty() {
        // The container's own labels (inspect's `Labels`), not only the spec's copy.
        options.push(with_labels(config.labels.clone()));
    }
    if config.interactive {
        options.push(with_stdin());
    }
    if let Some(signal) = &config.stop_signal {
        options.push(with_stop_signal(signal.clone()));
    }
    if let Some(timeout) = config.stop_timeout {
        options.push(with_stop_timeout(timeout));
    }
    if let Some(driver) = &config.log_driver {
        let driver = match driver.as_str() {
            "k8s-file" => LogDriver::K8sFile,
            "none" => LogDriver::None,
            "journald" => LogDriver::Journald,
            "passthrough" => LogDriver::Passthrough,
            other => {
                return Err(invalid(
                    "log driver",
                    format!("{other:?}: use k8s-file, journald, none or passthrough"),
                ));
            }
        };
        options.push(with_log_driver(driver));
    }
    for opt in &config.log_opts {
        match opt.split_once('=') {
            Some(("path", path)) => options.push(with_log_path(path)),
            Some(("tag", tag)) => options.push(with_log_tag(tag)),
            Some(("max-size", size)) => options.push(with_log_size_max(
                libpod_spec::parse::parse_size("log-opt max-size", size)?,
            )),
            _ => {
                return Err(invalid(
                    "log-opt",
                    format!("{opt:?}: use path=, tag= or max-size="),
                ));
            }
        }
    }
    if let Some(policy) = &config.restart_policy {
        let policy = libpod_spec::parse::parse_restart_policy(policy)?;
        if config.rm && policy != RestartPolicy::No {
            return Err(invalid(
                "restart policy",
                "the --rm option conflicts with a restart policy",
            ));
        }
        options.push(with_restart_policy(policy));
    }
    if config.rm {
        // Podman's specgen: `--rm` containers are volatile too.
        options.push(with_auto_remove());
        options.push(with_volatile());
    }
    Ok(options)
}

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
