//! `inspect` (JSON with Podman's field names, for what we have) and `logs`.

use super::inspect_network::{network_mode, port_bindings};
use super::inspect_resources::host_resources;
use super::{Container, ContainerStatus, LogDriver, RootfsSource};
use crate::error::{CoreError, Result};
use crate::logs::{LogLine, LogOptions, read_log_until};
use serde_json::{Value, json};

/// Go's zero time, as Podman shows a time never set.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl Container {
    /// The container as `podman inspect` shows it: `Id`, `Name`, `Created`, `Path`, `Args`,
    /// `State` (`Status`, `Running`, `Paused`, `Restarting`, `OOMKilled`, `Pid`, `ConmonPid`,
    /// `ExitCode`, `StartedAt`, `FinishedAt`, `StoppedByUser` as Podman 5 shows it,
    /// `CheckpointedAt`, `RestoredAt`, and `Checkpointed`, `CheckpointPath`, `Restored` when
    /// true), `Image`, `ImageName`, `Rootfs`, `Pod` (its pod's ID, else empty),
    /// `OCIConfigPath`, `LogPath`, `RestartCount`, `ExecIDs`, `Config`, `HostConfig`
    /// (with the resource limits: `Memory`, `NanoCpus`, `CpuShares`, `PidsLimit`,
    /// `BlkioWeight`, ..., and `NetworkMode`, `PortBindings`), `NetworkSettings` (ports,
    /// networks, addresses).
    pub fn inspect(&self) -> Result<Value> {
        let state = self.state()?;
        let config = self.config();
        let spec = state
            .config_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let args: Vec<Value> = spec
            .as_ref()
            .and_then(|s| s["process"]["args"].as_array().cloned())
            .unwrap_or_default();
        let (image, image_name, rootfs) = match &config.rootfs {
            Some(RootfsSource::Image { id, name }) => (id.clone(), name.clone(), String::new()),
            Some(RootfsSource::Path(p)) => (String::new(), String::new(), p.display().to_string()),
            None => Default::default(),
        };
        // Podman shows a container between its exit and its cleanup as exited too, and one
        // not yet in the runtime as created (its `ContainerStateConfigured` prints so).
        let status = match state.status {
            ContainerStatus::Stopped => ContainerStatus::Exited,
            ContainerStatus::Configured => ContainerStatus::Created,
            other => other,
        };
        let mut inspect = json!({
            "Id": config.id,
            "Created": config.created,
            "Path": args.first().cloned().unwrap_or(Value::Null),
            "Args": args.iter().skip(1).cloned().collect::<Vec<_>>(),
            "State": {
                "OciVersion": "1.0.2-dev",
                "Status": status.as_str(),
                "Running": status == ContainerStatus::Running,
                "Paused": status == ContainerStatus::Paused,
                // A restart its policy called for that the cleanup has not made yet.
                "Restarting": state.restart_pending,
                "OOMKilled": state.oom_killed,
                "Dead": false,
                "Pid": state.pid.unwrap_or(0),
                "ConmonPid": state.conmon_pid.unwrap_or(0),
                "ExitCode": state.exit_code.unwrap_or(0),
                "StartedAt": state.started_at.clone().unwrap_or_default(),
                "FinishedAt": state.finished_at.clone().unwrap_or_default(),
                "StoppedByUser": state.stopped_by_user,
                "CheckpointedAt": state.checkpointed_at.as_deref().unwrap_or(ZERO_TIME),
                "RestoredAt": state.restored_at.as_deref().unwrap_or(ZERO_TIME),
            },
            "Image": image,
            "ImageName": image_name,
            "Rootfs": rootfs,
            "Name": config.name,
            "Pod": config.pod.clone().unwrap_or_default(),
            "RestartCount": state.restart_count,
            "Driver": self.runtime().storage().driver().name(),
            "OCIRuntime": self
                .config()
                .oci_runtime
                .as_deref()
                .unwrap_or_else(|| self.runtime().oci_runtime_name()),
            "OCIConfigPath": state.config_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            "LogPath": self.log_path().display().to_string(),
            "Mounts": [],
            "Dependencies": config.dependencies,
            // Its exec sessions, whatever their state, as Podman lists them.
            "ExecIDs": self.runtime().state().exec_sessions(self.id())?,
            "Config": {
                "Hostname": config.spec.uts.hostname.clone().unwrap_or_else(|| config.id[..12].to_string()),
                "User": config.spec.user.user.clone().unwrap_or_default(),
                "Env": spec.as_ref().map(|s| s["process"]["env"].clone()).unwrap_or(Value::Null),
                "Cmd": config.spec.command,
                "Entrypoint": config.spec.entrypoint,
                "Image": image_name,
                "WorkingDir": spec.as_ref().map(|s| s["process"]["cwd"].clone()).unwrap_or(Value::Null),
                "Labels": config.labels,
                "StopSignal": config.stop_signal,
                "StopTimeout": config.stop_timeout,
                "Tty": config.spec.tty,
                "OpenStdin": config.stdin,
            },
            "HostConfig": {
                "RestartPolicy": {
                    "Name": restart_name(&config.restart_policy),
                    "MaximumRetryCount": match config.restart_policy {
                        libpod_spec::RestartPolicy::OnFailure { max_retries } => max_retries,
                        _ => 0,
                    },
                },
                "AutoRemove": config.auto_remove,
                "NetworkMode": network_mode(config),
                "PortBindings": port_bindings(config),
                "LogConfig": {"Type": config.log_driver.name(), "Path": self.log_path().display().to_string()},
            },
        });
        inspect["Config"]["HealthcheckOnFailureAction"] =
            json!(config.healthcheck_on_failure.name());
        if let Some(check) = &config.healthcheck {
            inspect["Config"]["Healthcheck"] = schema2_health_config(check);
        }
        inspect["NetworkSettings"] = self.network_settings(&state)?;
        if let Some(health) = self.health()? {
            inspect["State"]["Health"] = json!(health);
        }
        // Podman omits these when false.
        if state.checkpointed {
            inspect["State"]["Checkpointed"] = json!(true);
            inspect["State"]["CheckpointPath"] = json!(self.checkpoint_path());
        }
        if state.restored {
            inspect["State"]["Restored"] = json!(true);
        }
        if let Some(host) = inspect["HostConfig"].as_object_mut() {
            let default_pids = self.runtime().engine_config().pids_limit;
            host.extend(host_resources(&config.spec.resources, default_pids));
        }
        Ok(inspect)
    }

    /// Reads the container's log (k8s-file), calling `emit` for each line; with
    /// `options.follow`, until the container stops.
    pub fn logs(&self, options: &LogOptions, emit: &mut dyn FnMut(&LogLine) -> bool) -> Result<()> {
        self.require_k8s_file()?;
        let path = self.log_path();
        if !path.exists() {
            return Ok(());
        }
        let conmon_exit = options.follow.then(|| self.conmon_exit()).flatten();
        read_log_until(&path, options, &|| self.running(), conmon_exit, emit)
    }

    /// Starts the container (initialising it first if needed) and follows its log from the
    /// first line until it stops: what a foreground `run` without the attach socket shows.
    /// The log is opened before the start, so that no output is lost when the container exits
    /// at once and its exit handling removes it, log and all (an auto-remove container, whose
    /// exit command may run in another process).
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.container("job")?;
    /// ctr.start_and_follow_logs(&mut |line| {
    ///     println!("{}", line.message);
    ///     true
    /// })?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn start_and_follow_logs(&self, emit: &mut dyn FnMut(&LogLine) -> bool) -> Result<()> {
        self.require_k8s_file()?;
        if self.status()? != ContainerStatus::Created {
            self.init()?;
        }
        let path = self.log_path();
        let opened = match std::fs::File::open(&path) {
            Ok(file) => Some(file),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(CoreError::io("open log file", &path, err)),
        };
        let conmon_exit = self.conmon_exit();
        self.start()?;
        let options = LogOptions {
            follow: true,
            ..LogOptions::default()
        };
        match opened {
            Some(file) => crate::logs::read_opened_log_until(
                &path,
                file,
                &options,
                &|| self.running(),
                conmon_exit,
                emit,
            ),
            None => read_log_until(&path, &options, &|| self.running(), conmon_exit, emit),
        }
    }

    fn require_k8s_file(&self) -> Result<()> {
        if self.config().log_driver == LogDriver::K8sFile {
            return Ok(());
        }
        Err(CoreError::InvalidOption {
            option: "log driver",
            reason: format!(
                "container {} logs with {}: only k8s-file logs can be read",
                self.id(),
                self.config().log_driver
            ),
        })
    }

    /// Whether its process may still write to the log.
    fn running(&self) -> bool {
        matches!(
            self.status(),
            Ok(ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping)
        )
    }

    /// conmon writes the log and exits right after it records the exit: its end is the
    /// container's, seen at once through a pidfd (not ours to reap, but ours to watch).
    fn conmon_exit(&self) -> Option<std::os::fd::OwnedFd> {
        let pid = self.state().ok()?.conmon_pid?;
        crate::oci::spawn::pidfd_open(pid).ok()
    }
}

/// A healthcheck as Docker's schema2 config and Podman's inspect show it (durations in
/// nanoseconds).
fn schema2_health_config(check: &crate::record::HealthCheck) -> Value {
    let nanos = |seconds: u64| seconds.saturating_mul(1_000_000_000);
    json!({
        "Test": check.test,
        "StartPeriod": nanos(check.start_period_seconds),
        "Interval": nanos(check.interval_seconds),
        "Timeout": nanos(check.timeout_seconds),
        "Retries": check.retries,
    })
}

fn restart_name(policy: &libpod_spec::RestartPolicy) -> String {
    match policy {
        libpod_spec::RestartPolicy::No => String::new(),
        other => other
            .to_string()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

#[cfg(test)]
#[path = "inspect_tests.rs"]
mod tests;
