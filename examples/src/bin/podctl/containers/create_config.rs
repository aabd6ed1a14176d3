//! `CreateFlags` to `CreateConfig` and the create options beyond it, with Podman's value
//! syntax (`--env KEY` takes the host's value, `--entrypoint '["sh","-c"]'`, `--memory-swap -1`).

use libpod_core::container::{
    CtrCreateOption, HealthCheck, with_conmon_pidfile, with_dependencies, with_healthcheck,
    with_healthcheck_on_failure, with_healthcheck_timer, with_startup_healthcheck, with_systemd,
};
use libpod_core::record::{HealthCheckOnFailureAction, NetworkAttachment, StartupHealthCheck};
use libpod_core::runtime::Runtime;
use libpod_spec::parse::parse_size;
use libpod_spec::{CreateConfig, ImageVolumeMode, NamespaceMode, NetworkMode};
use std::collections::BTreeMap;

use super::Result;
use super::create_flags::CreateFlags;
use crate::errors::{Exit, OWN_ERROR};

/// A size flag (`--memory 64m`) in bytes.
pub(super) fn size_flag(flag: &'static str, value: &Option<String>) -> Result<Option<i64>> {
    value
        .as_deref()
        .map(|v| {
            parse_size(flag, v)
                .map(u64::cast_signed)
                .map_err(|e| invalid(flag, v, e))
        })
        .transpose()
}

/// `--memory-swap`: a size, or -1 for unlimited.
pub(super) fn memory_swap_flag(value: &Option<String>) -> Result<Option<i64>> {
    match value.as_deref() {
        Some("-1") => Ok(Some(-1)),
        _ => size_flag("memory-swap", value),
    }
}

/// `--memory-swappiness`: 0 to 100, or -1 for the system's.
pub(super) fn swappiness_flag(value: i64) -> Result<Option<u64>> {
    match value {
        -1 => Ok(None),
        n @ 0..=100 => Ok(Some(n.unsigned_abs())),
        n => Err(invalid(
            "memory-swappiness",
            &n.to_string(),
            "must be in the range [0, 100]",
        )),
    }
}

/// A usage-level error naming the flag, with Podman's code.
fn invalid(flag: &str, value: &str, reason: impl std::fmt::Display) -> Box<dyn std::error::Error> {
    Exit::new(
        OWN_ERROR,
        format!("invalid argument {value:?} for \"--{flag}\" flag: {reason}"),
    )
    .into()
}

impl CreateFlags {
    /// The configuration these flags ask for, `image` naming the image to use (the pulled
    /// one's name when the flags' was resolved through registries.conf).
    pub fn to_create_config(&self, image: &str) -> Result<CreateConfig> {
        self.unsupported
            .check()
            .map_err(|message| Exit::new(OWN_ERROR, message))?;
        let mut c = CreateConfig::default();
        c.name = self.name.clone();
        c.pod = self.pod.clone();
        if !self.rootfs {
            c.image = Some(image.to_string());
        }
        if !self.command.is_empty() {
            c.command = Some(self.command.clone());
        }
        c.entrypoint = self.entrypoint.as_deref().map(entrypoint).transpose()?;
        c.env = self.environment()?;
        c.workdir = self.workdir.clone();
        c.labels = self.labels()?;
        c.annotations = pairs("annotation", &self.annotation)?;
        c.tty = self.tty;
        c.interactive = self.interactive;
        c.init = self.init;
        c.init_path = self.init_path.clone();
        c.stop_signal = self.stop_signal.clone();
        c.stop_timeout = self.stop_timeout;
        c.restart_policy = self.restart.clone();
        c.rm = self.rm;
        c.log_driver = self.log_driver.clone();
        c.log_opts = self.log_opt.clone();
        c.devices = self.device.clone();
        c.tmpfs = self.tmpfs.clone();
        c.volumes = self.volume.clone();
        c.mounts = self.mount.clone();
        c.image_volume_mode = match self.image_volume.as_str() {
            "bind" => ImageVolumeMode::Bind,
            "tmpfs" => ImageVolumeMode::Tmpfs,
            "ignore" => ImageVolumeMode::Ignore,
            other => return Err(invalid("image-volume", other, "use bind, tmpfs or ignore")),
        };
        c.cgroup_parent = self.cgroup_parent.clone();
        self.resources(&mut c)?;
        c.security.cap_add = self.cap_add.clone();
        c.security.cap_drop = self.cap_drop.clone();
        c.security.privileged = self.privileged;
        c.security.security_opts = self.security_opt.clone();
        c.security.read_only_rootfs = self.read_only;
        c.security.read_only_tmpfs = self.read_only_tmpfs.unwrap_or(true);
        c.security.sysctl = pairs("sysctl", &self.sysctl)?;
        c.user.user = self.user.clone();
        c.user.group_add = self.group_add.clone();
        c.uts.hostname = self.hostname.clone();
        c.uts.add_hosts = self.add_host.clone();
        c.uts.no_hosts = self.no_hosts;
        // No --network: the library applies containers.conf's `netns` (bridge, as Podman's).
        if let Some(mode) = &self.network {
            c.network.mode = network(mode)?;
        }
        c.network.dns_servers = self.dns.clone();
        c.network.dns_options = self.dns_option.clone();
        c.network.dns_search = self.dns_search.clone();
        if let Some(mode) = &self.uts {
            c.uts.mode = namespace("uts", mode)?;
        }
        if let Some(mode) = &self.pid {
            c.pid = namespace("pid", mode)?;
        }
        if let Some(mode) = &self.ipc {
            c.ipc = namespace("ipc", mode)?;
        }
        c.cgroupns = self
            .cgroupns
            .as_deref()
            .map(|m| namespace("cgroupns", m))
            .transpose()?;
        c.userns = match self.userns.as_deref() {
            None | Some("") => None,
            Some(mode) => Some(namespace("userns", mode)?),
        };
        Ok(c)
    }

    fn resources(&self, c: &mut CreateConfig) -> Result {
        let size = size_flag;
        let r = &mut c.resources;
        r.memory = size("memory", &self.memory)?;
        r.memory_reservation = size("memory-reservation", &self.memory_reservation)?;
        r.memory_swap = memory_swap_flag(&self.memory_swap)?;
        r.memory_swappiness = swappiness_flag(self.memory_swappiness)?;
        r.disable_oom_killer = self.oom_kill_disable;
        r.oom_score_adj = self.oom_score_adj;
        r.cpus = self.cpus;
        r.cpu_shares = self.cpu_shares;
        r.cpu_period = self.cpu_period;
        r.cpu_quota = self.cpu_quota;
        r.cpu_rt_period = self.cpu_rt_period;
        r.cpu_rt_runtime = self.cpu_rt_runtime;
        r.cpuset_cpus = self.cpuset_cpus.clone();
        r.cpuset_mems = self.cpuset_mems.clone();
        r.pids_limit = self.pids_limit;
        r.blkio_weight = self.blkio_weight;
        r.blkio_weight_device = self.blkio_weight_device.clone();
        r.device_read_bps = self.device_read_bps.clone();
        r.device_read_iops = self.device_read_iops.clone();
        r.device_write_bps = self.device_write_bps.clone();
        r.device_write_iops = self.device_write_iops.clone();
        r.ulimit = self.ulimit.clone();
        r.shm_size = size("shm-size", &self.shm_size)?.map(i64::cast_unsigned);
        Ok(())
    }

    /// The options beyond the `CreateConfig`: healthcheck, conmon PID file, requirements,
    /// systemd mode.
    pub fn extra_options(&self, rt: &Runtime) -> Result<Vec<CtrCreateOption>> {
        let mut options = Vec::new();
        options.extend(self.health_options(rt)?);
        if let Some(path) = &self.conmon_pidfile {
            options.push(with_conmon_pidfile(path.clone()));
        }
        options.extend(self.network_options(rt)?);
        if !self.requires.is_empty() {
            let required = self
                .requires
                .iter()
                .map(|name| rt.container(name))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            options.push(with_dependencies(&required.iter().collect::<Vec<_>>()));
        }
        let init_command = self
            .command
            .first()
            .is_some_and(|c| c.ends_with("/init") || c.ends_with("systemd") || c == "init");
        match self.systemd.as_str() {
            "always" => options.push(with_systemd()),
            "true" if init_command => options.push(with_systemd()),
            "true" | "false" => {}
            other => return Err(invalid("systemd", other, "use true, false or always")),
        }
        Ok(options)
    }

    /// `--env-host`, then `--env-file`s, then `--env`s, later ones winning, as Podman merges
    /// them.
    fn environment(&self) -> Result<BTreeMap<String, String>> {
        let mut env = BTreeMap::new();
        if self.env_host {
            env.extend(std::env::vars());
        }
        for file in &self.env_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("open {}: {}", file.display(), super::io_reason(&e)))?;
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    add_env(&mut env, line);
                }
            }
        }
        for e in &self.env {
            add_env(&mut env, e);
        }
        Ok(env)
    }

    /// `--label-file`s, then `--label`s.
    fn labels(&self) -> Result<BTreeMap<String, String>> {
        let mut lines = Vec::new();
        for file in &self.label_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("open {}: {}", file.display(), super::io_reason(&e)))?;
            lines.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from),
            );
        }
        lines.extend(self.label.iter().cloned());
        Ok(lines
            .iter()
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
                (k.to_string(), v.to_string())
            })
            .collect())
    }
}

/// `KEY=VALUE`, or `KEY` alone for the host's value (none when the host has none).
fn add_env(env: &mut BTreeMap<String, String>, entry: &str) {
    match entry.split_once('=') {
        Some((k, v)) => {
            env.insert(k.to_string(), v.to_string());
        }
        None => {
            if let Ok(v) = std::env::var(entry) {
                env.insert(entry.to_string(), v);
            }
        }
    }
}

/// `KEY=VALUE` pairs.
fn pairs(flag: &str, entries: &[String]) -> Result<BTreeMap<String, String>> {
    entries
        .iter()
        .map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| invalid(flag, e, "expected KEY=VALUE"))
        })
        .collect()
}

impl CreateFlags {
    /// `-p`, `--expose`, `-P`, and `--ip`, `--ip6`, `--mac-address`, `--network-alias` on the
    /// (one) network.
    fn network_options(&self, rt: &Runtime) -> Result<Vec<CtrCreateOption>> {
        let mut options = Vec::new();
        if let (Some(_), Some(value)) = (&self.pod, &self.network) {
            // In a pod, `--network` gives the container a network of its own (Podman's).
            options.push(libpod_core::container::with_network_mode(network(value)?));
        }
        let ports = self
            .publish
            .iter()
            .map(|value| libpod_net::parse::parse_publish(value))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Exit::new(OWN_ERROR, e.to_string()))?;
        if !ports.is_empty() {
            options.push(libpod_core::container::with_port_mappings(ports));
        }
        let exposed = libpod_net::parse::parse_expose(&self.expose)
            .map_err(|e| Exit::new(OWN_ERROR, e.to_string()))?;
        if !exposed.is_empty() {
            options.push(libpod_core::container::with_exposed_ports(exposed));
        }
        if self.publish_all {
            options.push(libpod_core::container::with_publish_all());
        }
        let per_network = self.ip.is_some()
            || self.ip6.is_some()
            || self.mac_address.is_some()
            || !self.network_alias.is_empty();
        if !per_network {
            return Ok(options);
        }
        let mode = match &self.network {
            Some(given) => network(given)?,
            None => rt.engine_config().netns.clone(),
        };
        let names = match mode {
            NetworkMode::Bridge(names) if names.is_empty() => {
                vec![rt.networks()?.default_network().to_string()]
            }
            NetworkMode::Bridge(names) => names,
            other => {
                return Err(invalid(
                    "network",
                    &other.to_string(),
                    "--ip, --ip6, --mac-address and --network-alias need bridge networking",
                ));
            }
        };
        let mut attachments: Vec<NetworkAttachment> =
            names.into_iter().map(NetworkAttachment::new).collect();
        let first = &mut attachments[0];
        for (flag, ip) in [("ip", &self.ip), ("ip6", &self.ip6)] {
            if let Some(ip) = ip {
                first
                    .static_ips
                    .push(ip.parse().map_err(|e| invalid(flag, ip, e))?);
            }
        }
        first.static_mac = self.mac_address.clone();
        first.aliases = self.network_alias.clone();
        options.push(libpod_core::container::with_networks(attachments));
        Ok(options)
    }
}

/// `--entrypoint`: a JSON array, or one string (empty: none).
fn entrypoint(value: &str) -> Result<Vec<String>> {
    if value.starts_with('[') {
        return serde_json::from_str(value).map_err(|e| invalid("entrypoint", value, e));
    }
    Ok(if value.is_empty() {
        vec![String::new()]
    } else {
        vec![value.to_string()]
    })
}

/// `--network`: a mode, or network names (bridge mode on them), as Podman reads it as root
/// (`private` and `default` are the bridge there).
fn network(value: &str) -> Result<NetworkMode> {
    if matches!(value, "private" | "default") {
        return Ok(NetworkMode::Bridge(Vec::new()));
    }
    let known = ["none", "bridge", "host"];
    let is_mode = known.contains(&value)
        || ["bridge:", "container:", "ns:"]
            .iter()
            .any(|prefix| value.starts_with(prefix));
    if !is_mode {
        return Ok(NetworkMode::Bridge(
            value.split(',').map(str::to_string).collect(),
        ));
    }
    value.parse().map_err(|e| invalid("network", value, e))
}

fn namespace(flag: &str, value: &str) -> Result<NamespaceMode> {
    value.parse().map_err(|e| invalid(flag, value, e))
}

/// A Go duration with one unit (`30s`, `1m`, `0s`) in whole seconds.
impl CreateFlags {
    /// The healthcheck options: the check (or `NONE`), the startup check, the on-failure
    /// action, and podctl's timer mode as the timer command, so that the checks run with no
    /// podctl and no systemd (`podctl healthcheck timer`).
    fn health_options(&self, rt: &Runtime) -> Result<Vec<CtrCreateOption>> {
        let mut options = Vec::new();
        if self.no_healthcheck {
            let mut check = HealthCheck::default();
            check.test = vec!["NONE".into()];
            options.push(with_healthcheck(check));
        } else if let Some(cmd) = &self.health_cmd {
            let mut check = HealthCheck::default();
            check.test = health_test("health-cmd", cmd)?;
            check.interval_seconds = interval("health-interval", &self.health_interval)?;
            check.timeout_seconds = seconds("health-timeout", &self.health_timeout)?;
            check.start_period_seconds = seconds("health-start-period", &self.health_start_period)?;
            if self.health_retries < 1 {
                return Err(invalid(
                    "health-retries",
                    "0",
                    "healthcheck-retries must be greater than 0",
                ));
            }
            check.retries = self.health_retries;
            options.push(with_healthcheck(check));
        }
        if let Some(cmd) = &self.health_startup_cmd {
            let mut check = HealthCheck::default();
            check.test = health_test("health-startup-cmd", cmd)?;
            check.interval_seconds =
                interval("health-startup-interval", &self.health_startup_interval)?;
            check.timeout_seconds =
                seconds("health-startup-timeout", &self.health_startup_timeout)?;
            check.retries = self.health_startup_retries;
            let mut startup = StartupHealthCheck::new(check);
            startup.successes = self.health_startup_success;
            options.push(with_startup_healthcheck(startup));
        }
        let action: HealthCheckOnFailureAction = self.health_on_failure.parse()?;
        options.push(with_healthcheck_on_failure(action));
        if !self.no_healthcheck {
            let me = std::env::current_exe()?;
            options.push(with_healthcheck_timer(vec![
                me.display().to_string(),
                "--root".into(),
                rt.root().display().to_string(),
                "--runroot".into(),
                rt.run_root().display().to_string(),
                "healthcheck".into(),
                "timer".into(),
            ]));
        }
        Ok(options)
    }
}

/// A healthcheck test as Podman reads `--health-cmd`: `none`, a JSON array (`CMD` added
/// before a command of several words), or a shell command (`CMD-SHELL`).
fn health_test(flag: &str, cmd: &str) -> Result<Vec<String>> {
    if cmd.eq_ignore_ascii_case("none") {
        return Ok(vec!["NONE".into()]);
    }
    if cmd.starts_with('[') {
        let test: Vec<String> = serde_json::from_str(cmd).map_err(|e| invalid(flag, cmd, e))?;
        return Ok(match test.first().map(|t| t.to_ascii_uppercase()) {
            None => {
                return Err(invalid(
                    flag,
                    cmd,
                    "must define a healthcheck command for all healthchecks",
                ));
            }
            Some(first) if ["CMD", "CMD-SHELL", "NONE"].contains(&first.as_str()) => test,
            Some(_) if test.len() > 1 => [vec!["CMD".into()], test].concat(),
            Some(_) => vec!["CMD-SHELL".into(), test[0].clone()],
        });
    }
    Ok(vec!["CMD-SHELL".into(), cmd.to_string()])
}

/// An interval, `disable` being 0 (no timer).
fn interval(flag: &str, value: &str) -> Result<u64> {
    if value == "disable" {
        return Ok(0);
    }
    seconds(flag, value)
}

fn seconds(flag: &str, value: &str) -> Result<u64> {
    let (number, unit) = value.split_at(
        value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| invalid(flag, value, "not a duration"))?;
    Ok(match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "ms" => n / 1000,
        _ => return Err(invalid(flag, value, "not a duration")),
    })
}
