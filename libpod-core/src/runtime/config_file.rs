//! One containers.conf file applied over a configuration, key by key.

use super::EngineConfig;
use crate::error::{CoreError, Result};
use libpod_spec::NetworkMode;
use libpod_spec::parse::{parse_size, parse_ulimit};
use std::fmt::Display;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// containers/common's `OCIBufSize`: a positive `log_size_max` must be at least conmon's
/// read buffer.
const OCI_BUF_SIZE: i64 = 8192;

/// The `*.conf` files directly in `dir`, sorted by name; none when it does not exist (or is
/// not a directory).
pub(super) fn drop_ins(dir: &Path) -> Result<Vec<PathBuf>> {
    use std::io::ErrorKind;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(Vec::new());
        }
        Err(err) => return Err(CoreError::io("read configuration directory", dir, err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|err| CoreError::io("read configuration directory", dir, err))?;
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if !is_dir && entry.file_name().as_encoded_bytes().ends_with(b".conf") {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// Applies the text of `origin` to `config`.
pub(super) fn apply(config: &mut EngineConfig, origin: &Path, text: &str) -> Result<()> {
    let table: Table = text
        .parse()
        .map_err(|err: toml::de::Error| CoreError::Config {
            path: origin.to_path_buf(),
            reason: syntax_reason(text, &err),
        })?;
    for (key, value) in &table {
        match key.as_str() {
            "containers" => containers(config, &Section::new(origin, "containers", value)?)?,
            "engine" => engine(config, &Section::new(origin, "engine", value)?)?,
            "network" => network(config, &Section::new(origin, "network", value)?)?,
            _ => tracing::debug!("{origin:?}: ignoring [{key}]"),
        }
    }
    Ok(())
}

fn containers(config: &mut EngineConfig, section: &Section<'_>) -> Result<()> {
    if let Some(caps) = section.strings("default_capabilities")? {
        config.default_capabilities = caps.iter().map(|cap| normalize_capability(cap)).collect();
    }
    if let Some(ulimits) = section.strings("default_ulimits")? {
        for ulimit in &ulimits {
            parse_ulimit(ulimit).map_err(|err| section.error("default_ulimits", err))?;
        }
        config.default_ulimits = ulimits;
    }
    section.set_strings("default_sysctls", &mut config.default_sysctls)?;
    section.set_strings("env", &mut config.env)?;
    section.set_strings("dns_servers", &mut config.dns_servers)?;
    section.set_strings("dns_searches", &mut config.dns_searches)?;
    section.set_strings("dns_options", &mut config.dns_options)?;
    if let Some(size) = section.string("shm_size")? {
        config.shm_size =
            parse_size("shm_size", size).map_err(|err| section.error("shm_size", err))?;
    }
    if let Some(limit) = section.integer("pids_limit")? {
        config.pids_limit = limit;
    }
    if let Some(umask) = section.string("umask")? {
        let valid =
            (1..=4).contains(&umask.len()) && umask.bytes().all(|b| matches!(b, b'0'..=b'7'));
        config.umask = u32::from_str_radix(umask, 8)
            .ok()
            .filter(|_| valid)
            .ok_or_else(|| section.error("umask", format!("invalid umask {umask:?}")))?;
    }
    if let Some(flag) = section.boolean("no_new_privileges")? {
        config.no_new_privileges = flag;
    }
    if let Some(profile) = section.string("seccomp_profile")? {
        config.seccomp_profile = (!profile.is_empty()).then(|| PathBuf::from(profile));
    }
    if let Some(flag) = section.boolean("init")? {
        config.init = flag;
    }
    if let Some(path) = section.string("init_path")? {
        config.init_path = (!path.is_empty()).then(|| PathBuf::from(path));
        config.init_path_from_containers = config.init_path.is_some();
    }
    if let Some(driver) = section.string("log_driver")? {
        config.log_driver = driver.to_string();
    }
    if let Some(max) = section.integer("log_size_max")? {
        if (0..OCI_BUF_SIZE).contains(&max) {
            let reason = format!("log size max should be negative or >= {OCI_BUF_SIZE}");
            return Err(section.error("log_size_max", reason));
        }
        config.log_size_max = max;
    }
    if let Some(tag) = section.string("log_tag")? {
        config.log_tag = tag.to_string();
    }
    if let Some(netns) = section.string("netns")? {
        config.netns = netns_mode(netns).map_err(|reason| section.error("netns", reason))?;
    }
    section.ignore_others(&[
        "default_capabilities",
        "default_ulimits",
        "default_sysctls",
        "env",
        "dns_servers",
        "dns_searches",
        "dns_options",
        "shm_size",
        "pids_limit",
        "umask",
        "no_new_privileges",
        "seccomp_profile",
        "init",
        "init_path",
        "log_driver",
        "log_size_max",
        "log_tag",
        "netns",
    ]);
    Ok(())
}

/// `[containers] netns` as Podman 4.3's `ParseNetworkFlag` reads it as root: a mode, or the
/// names of networks to join in bridge mode.
fn netns_mode(text: &str) -> std::result::Result<NetworkMode, String> {
    match text {
        // Podman's "private" network namespace is the bridge for root.
        "" | "default" | "private" | "bridge" => Ok(NetworkMode::Bridge(Vec::new())),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        _ if text.starts_with("slirp4netns") || text.starts_with("pasta") => Err(format!(
            "network mode {text:?} is rootless networking, which libpod-rs does not have"
        )),
        _ if text.starts_with("container:") || text.starts_with("ns:") => text
            .parse()
            .map_err(|err: libpod_spec::SpecError| err.to_string()),
        _ if text.contains(':') => Err(format!(
            "{text:?}: per-network options are not supported in containers.conf"
        )),
        names => Ok(NetworkMode::Bridge(
            names.split(',').map(str::to_string).collect(),
        )),
    }
}

/// `[network]`: where network configs live, the default network, the firewall driver.
fn network(config: &mut EngineConfig, section: &Section<'_>) -> Result<()> {
    let text = |value: Option<&str>| value.filter(|v| !v.is_empty()).map(str::to_string);
    if let Some(dir) = section.string("network_config_dir")? {
        config.network_config_dir = text(Some(dir)).map(PathBuf::from);
    }
    if let Some(name) = section.string("default_network")? {
        config.default_network = text(Some(name));
    }
    if let Some(subnet) = section.string("default_subnet")? {
        config.default_subnet = text(Some(subnet));
    }
    if let Some(driver) = section.string("firewall_driver")? {
        config.firewall_driver = text(Some(driver));
    }
    section.ignore_others(&[
        "network_config_dir",
        "default_network",
        "default_subnet",
        "firewall_driver",
    ]);
    Ok(())
}

fn engine(config: &mut EngineConfig, section: &Section<'_>) -> Result<()> {
    if let Some(runtime) = section.string("runtime")? {
        config.runtime = runtime.to_string();
    }
    if let Some(runtimes) = section.table("runtimes")? {
        for (name, paths) in runtimes {
            let key = format!("runtimes.{name}");
            let paths = section.strings_of(&key, paths)?;
            let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
            match config.runtimes.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => *existing = paths,
                None => config.runtimes.push((name.clone(), paths)),
            }
        }
    }
    section.set_strings("runtime_supports_json", &mut config.runtime_supports_json)?;
    if let Some(paths) = section.strings("conmon_path")? {
        config.conmon_path = paths.into_iter().map(PathBuf::from).collect();
    }
    section.set_strings("conmon_env_vars", &mut config.conmon_env_vars)?;
    if let Some(dirs) = section.strings("hooks_dir")? {
        config.hooks_dir = dirs.into_iter().map(PathBuf::from).collect();
        config.hooks_dir_explicit = true;
    }
    if let Some(manager) = section.string("cgroup_manager")? {
        if !matches!(manager, "cgroupfs" | "systemd") {
            let reason = format!("invalid cgroup manager {manager:?}: cgroupfs or systemd");
            return Err(section.error("cgroup_manager", reason));
        }
        config.cgroup_manager = manager.to_string();
    }
    if let Some(timeout) = section.integer("stop_timeout")? {
        config.stop_timeout = u64::try_from(timeout)
            .map_err(|_| section.error("stop_timeout", format!("{timeout} is negative")))?;
    }
    if let Some(dir) = section.string("tmp_dir")? {
        config.tmp_dir = PathBuf::from(dir);
    }
    events(config, section)?;
    if let Some(path) = section.string("init_path")?
        && !config.init_path_from_containers
    {
        config.init_path = (!path.is_empty()).then(|| PathBuf::from(path));
    }
    section.ignore_others(&[
        "runtime",
        "runtimes",
        "runtime_supports_json",
        "conmon_path",
        "conmon_env_vars",
        "hooks_dir",
        "cgroup_manager",
        "stop_timeout",
        "tmp_dir",
        "init_path",
        "events_logger",
        "events_logfile_path",
        "events_logfile_max_size",
    ]);
    Ok(())
}

/// The `[engine]` keys of the event log.
fn events(config: &mut EngineConfig, section: &Section<'_>) -> Result<()> {
    if let Some(logger) = section.string("events_logger")? {
        if !matches!(logger, "file" | "journald" | "none") {
            let reason = format!("invalid events backend {logger:?}: file, journald or none");
            return Err(section.error("events_logger", reason));
        }
        config.events_logger = logger.to_string();
    }
    if let Some(path) = section.string("events_logfile_path")? {
        config.events_logfile_path = (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let size = match section.table.get("events_logfile_max_size") {
        Some(Value::Integer(bytes)) => Some(u64::try_from(*bytes).map_err(|_| {
            section.error("events_logfile_max_size", format!("{bytes} is negative"))
        })?),
        // Podman reads an empty string as "unset".
        Some(Value::String(text)) if text.is_empty() => None,
        Some(Value::String(text)) => Some(decimal_size(text).ok_or_else(|| {
            section.error("events_logfile_max_size", format!("invalid size {text:?}"))
        })?),
        Some(other) => {
            return Err(section.mismatch("events_logfile_max_size", "a string", other));
        }
        None => None,
    };
    if let Some(size) = size {
        config.events_logfile_max_size = size;
    }
    Ok(())
}

/// go-units' `FromHumanSize`: a number with an optional decimal unit (`k`, `m`, `g`, `t`,
/// `p`, any case, then an optional `i` and `b`, which change nothing): `1m` is 1,000,000.
fn decimal_size(text: &str) -> Option<u64> {
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..digits].parse().ok()?;
    let mut unit = text[digits..].strip_prefix(' ').unwrap_or(&text[digits..]);
    let power = match unit.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some(c @ ('k' | 'm' | 'g' | 't' | 'p')) => {
            unit = &unit[1..];
            "kmgtp".find(c).map_or(0, |i| i + 1)
        }
        _ => 0,
    };
    let unit = unit.strip_prefix(['i', 'I']).unwrap_or(unit);
    let unit = unit.strip_prefix(['b', 'B']).unwrap_or(unit);
    if !unit.is_empty() {
        return None;
    }
    let bytes = number * 1000f64.powi(i32::try_from(power).ok()?);
    if !bytes.is_finite() || bytes >= 1.8e19 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0 <= bytes < 2^64 was checked; go-units truncates the fraction too"
    )]
    Some(bytes as u64)
}

/// `chown`, `cap_chown` and `CAP_CHOWN` all become `CAP_CHOWN`.
fn normalize_capability(cap: &str) -> String {
    let upper = cap.to_ascii_uppercase();
    if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    }
}

/// `line L, column C: MESSAGE` for a TOML syntax error.
fn syntax_reason(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim();
    let Some(span) = err.span() else {
        return message.to_string();
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("line {line}, column {column}: {message}")
}

/// A table of the file, read with type checks.
struct Section<'a> {
    origin: &'a Path,
    name: &'static str,
    table: &'a Table,
}

impl<'a> Section<'a> {
    fn new(origin: &'a Path, name: &'static str, value: &'a Value) -> Result<Section<'a>> {
        match value {
            Value::Table(table) => Ok(Section {
                origin,
                name,
                table,
            }),
            other => Err(CoreError::Config {
                path: origin.to_path_buf(),
                reason: format!("{name}: expected a table, found {}", other.type_str()),
            }),
        }
    }

    fn error(&self, key: &str, reason: impl Display) -> CoreError {
        CoreError::Config {
            path: self.origin.to_path_buf(),
            reason: format!("{}.{key}: {reason}", self.name),
        }
    }

    fn mismatch(&self, key: &str, expected: &str, found: &Value) -> CoreError {
        self.error(
            key,
            format!("expected {expected}, found {}", found.type_str()),
        )
    }

    fn string(&self, key: &str) -> Result<Option<&'a str>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.mismatch(key, "a string", other)),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Integer(number)) => Ok(Some(*number)),
            Some(other) => Err(self.mismatch(key, "an integer", other)),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Boolean(flag)) => Ok(Some(*flag)),
            Some(other) => Err(self.mismatch(key, "a boolean", other)),
        }
    }

    fn table(&self, key: &str) -> Result<Option<&'a Table>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Table(table)) => Ok(Some(table)),
            Some(other) => Err(self.mismatch(key, "a table", other)),
        }
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        self.table
            .get(key)
            .map(|value| self.strings_of(key, value))
            .transpose()
    }

    /// Replaces `target` when the file sets `key`.
    fn set_strings(&self, key: &str, target: &mut Vec<String>) -> Result<()> {
        if let Some(values) = self.strings(key)? {
            *target = values;
        }
        Ok(())
    }

    fn strings_of(&self, key: &str, value: &Value) -> Result<Vec<String>> {
        let Value::Array(items) = value else {
            return Err(self.mismatch(key, "an array of strings", value));
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::String(text) => Ok(text.clone()),
                other => Err(self.mismatch(&format!("{key}[{index}]"), "a string", other)),
            })
            .collect()
    }

    /// Logs the keys this crate does not read.
    fn ignore_others(&self, known: &[&str]) {
        for key in self
            .table
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
        {
            tracing::debug!("{:?}: ignoring {}.{key}", self.origin, self.name);
        }
    }
}

#[cfg(test)]
#[path = "config_file_tests.rs"]
mod tests;
