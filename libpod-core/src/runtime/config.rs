//! containers.conf, read as Podman reads it: `$CONTAINERS_CONF` when set, else
//! /usr/share/containers/containers.conf, then /etc/containers/containers.conf, then the
//! drop-in directory /etc/containers/containers.conf.d (`*.conf` files in name order), later
//! values overriding earlier ones key by key.
//!
//! Podman 4.3.1 (containers/common 0.50) as root:
//! - `$CONTAINERS_CONF` (non-empty) names the only file read, which must exist; no drop-ins
//!   then. `$CONTAINERS_CONF_OVERRIDE` came with containers/common 0.51 and is ignored, as
//!   Podman 4.3.1 ignores it.
//! - The drop-ins are read only from /etc/containers/containers.conf.d, not from
//!   /usr/share/containers/containers.conf.d, and not from its subdirectories (all checked
//!   against Podman 4.3.1 on Debian 12).
//! - Each file overrides the keys it sets: arrays are replaced, not appended to; the
//!   `[engine.runtimes]` table is merged by runtime name.
//! - Unknown keys and tables are ignored (with a debug message); a known key with the wrong
//!   type is an error naming the file and the key, as are an invalid `shm_size`, `umask`,
//!   ulimit, `cgroup_manager`, and a `log_size_max` between 0 and 8191. (Podman type-checks
//!   every key it knows; keys this crate does not model are not checked.)
//! - The rootless locations ($HOME/.config/containers) are not read: libpod-rs runs as root.

#[path = "config_file.rs"]
mod file;
#[path = "config_find.rs"]
mod find;
#[path = "config_host.rs"]
mod host;

pub use host::HostFacts;

use crate::error::{CoreError, Result};
use libpod_spec::{CgroupManager, NetworkMode, SpecDefaults};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The engine's configuration: what containers.conf sets, with Podman's defaults.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// `[containers] default_capabilities`, each with its `CAP_` prefix, upper case.
    pub default_capabilities: Vec<String>,
    /// `[containers] default_ulimits`.
    pub default_ulimits: Vec<String>,
    /// `[containers] default_sysctls`.
    pub default_sysctls: Vec<String>,
    /// `[containers] env`.
    pub env: Vec<String>,
    /// `[containers] dns_servers`.
    pub dns_servers: Vec<String>,
    /// `[containers] dns_searches`.
    pub dns_searches: Vec<String>,
    /// `[containers] dns_options`.
    pub dns_options: Vec<String>,
    /// `[containers] shm_size`, in bytes.
    pub shm_size: u64,
    /// `[containers] pids_limit`.
    pub pids_limit: i64,
    /// `[containers] umask` of the container's process.
    pub umask: u32,
    /// `[containers] no_new_privileges`.
    pub no_new_privileges: bool,
    /// `[containers] seccomp_profile`; `None` is the default profile.
    pub seccomp_profile: Option<PathBuf>,
    /// `[containers] init`: run an init process in every container.
    pub init: bool,
    /// `[containers] log_driver`.
    pub log_driver: String,
    /// `[containers] log_size_max` (-1 unlimited).
    pub log_size_max: i64,
    /// `[containers] log_tag`.
    pub log_tag: String,
    /// `[containers] init_path` (or, when that is unset, the older `[engine] init_path`);
    /// `None` when no file sets it.
    pub init_path: Option<PathBuf>,
    /// `[engine] runtime`: the OCI runtime's name (or a path). Our default is the first of
    /// runc, crun, kata, runsc found on the host (Podman tries crun first).
    pub runtime: String,
    /// `[engine.runtimes]`: candidate paths per runtime name.
    pub runtimes: Vec<(String, Vec<PathBuf>)>,
    /// `[engine] runtime_supports_json`: runtimes that can write errors as JSON.
    pub runtime_supports_json: Vec<String>,
    /// `[engine] conmon_path`: candidate paths.
    pub conmon_path: Vec<PathBuf>,
    /// `[engine] conmon_env_vars`: conmon's environment.
    pub conmon_env_vars: Vec<String>,
    /// `[engine] hooks_dir`.
    pub hooks_dir: Vec<PathBuf>,
    /// Whether a file set `hooks_dir` (a missing directory is then an error).
    pub hooks_dir_explicit: bool,
    /// `[engine] cgroup_manager`: `cgroupfs` or `systemd`.
    pub cgroup_manager: String,
    /// `[engine] stop_timeout`, in seconds.
    pub stop_timeout: u64,
    /// `[engine] tmp_dir`: the engine's volatile state.
    pub tmp_dir: PathBuf,
    /// `[engine] events_logger`: `file` (and `journald`, which libpod-rs also writes to the
    /// file: it has no journald writer) or `none` (no events).
    pub events_logger: String,
    /// `[engine] events_logfile_path`; `None`: `RUNROOT/events/events.log`.
    pub events_logfile_path: Option<PathBuf>,
    /// `[engine] events_logfile_max_size`, in bytes (go-units' decimal sizes: `1m` is
    /// 1,000,000, Podman's default); 0: never rotated.
    pub events_logfile_max_size: u64,
    /// `[containers] netns`: the network mode of a container whose options chose none
    /// ([`NetworkMode::Default`]), applied when it is created: bridge on the default network,
    /// as Podman's as root. `default` and `private` read as bridge, as Podman 4.3 reads them as
    /// root; `slirp4netns` and `pasta` are refused (rootless modes).
    pub netns: NetworkMode,
    /// `[network] network_config_dir`; `None`: `ROOT/networks` (Podman's is
    /// /etc/containers/networks: naming it shares Podman's networks).
    pub network_config_dir: Option<PathBuf>,
    /// `[network] default_network`; `None`: libpod-net's `libpod`, clear of Podman's.
    pub default_network: Option<String>,
    /// `[network] default_subnet`; `None`: the first free /16 of 10.80.0.0/13.
    pub default_subnet: Option<String>,
    /// `[network] firewall_driver`, passed to netavark as `NETAVARK_FW`.
    pub firewall_driver: Option<String>,
    /// The files this was read from, in order.
    pub sources: Vec<PathBuf>,
    /// `init_path` came from `[containers]`, which wins over `[engine]` whatever the order.
    init_path_from_containers: bool,
}

/// Where containers.conf files are looked for: the environment and the two standard files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigLocations {
    /// `$CONTAINERS_CONF`: when set (and not empty), the only file read.
    pub containers_conf: Option<PathBuf>,
    /// The distribution's file, /usr/share/containers/containers.conf.
    pub default_file: PathBuf,
    /// The administrator's file, /etc/containers/containers.conf; its drop-in directory is
    /// this path with `.d` appended.
    pub override_file: PathBuf,
}

impl ConfigLocations {
    /// The standard files, and `$CONTAINERS_CONF` from the process's environment.
    pub fn system() -> ConfigLocations {
        ConfigLocations::with_env(|name| std::env::var_os(name))
    }

    /// The standard files, and `CONTAINERS_CONF` as `lookup` gives it.
    ///
    /// ```
    /// use libpod_core::runtime::config::ConfigLocations;
    /// let locations = ConfigLocations::with_env(|name| {
    ///     (name == "CONTAINERS_CONF").then(|| "/tmp/test.conf".into())
    /// });
    /// assert_eq!(locations.containers_conf, Some("/tmp/test.conf".into()));
    /// ```
    pub fn with_env(lookup: impl Fn(&str) -> Option<OsString>) -> ConfigLocations {
        ConfigLocations {
            containers_conf: lookup("CONTAINERS_CONF")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            default_file: PathBuf::from("/usr/share/containers/containers.conf"),
            override_file: PathBuf::from("/etc/containers/containers.conf"),
        }
    }

    /// The files to read, in order: `containers_conf` alone (an error if it does not exist),
    /// or those of `default_file`, `override_file` and the drop-ins that exist.
    pub fn files(&self) -> Result<Vec<PathBuf>> {
        if let Some(path) = &self.containers_conf {
            std::fs::metadata(path)
                .map_err(|err| CoreError::io("CONTAINERS_CONF file", path, err))?;
            return Ok(vec![path.clone()]);
        }
        let mut files: Vec<PathBuf> = [&self.default_file, &self.override_file]
            .into_iter()
            .filter(|path| path.exists())
            .cloned()
            .collect();
        let mut dir = self.override_file.clone().into_os_string();
        dir.push(".d");
        files.extend(file::drop_ins(Path::new(&dir))?);
        Ok(files)
    }
}

impl EngineConfig {
    /// Podman's built-in defaults, before any file, on this host.
    ///
    /// These are what a Podman 4.3.1 user on Debian 12 gets with no configuration of their
    /// own, that is containers/common 0.50's compiled-in defaults overlaid with the
    /// /usr/share/containers/containers.conf that Debian ships (which is always read): 11
    /// capabilities (not the compiled-in 14 with AUDIT_WRITE, MKNOD and NET_RAW) and the
    /// `net.ipv4.ping_group_range=0 0` sysctl. See [`builtin_for`](Self::builtin_for).
    pub fn builtin() -> Self {
        Self::builtin_for(&HostFacts::probe())
    }

    /// [`builtin`](Self::builtin) for a host with these facts.
    pub fn builtin_for(host: &HostFacts) -> Self {
        let spec = SpecDefaults::default();
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let paths = |items: &[&str]| items.iter().map(PathBuf::from).collect::<Vec<_>>();
        let runtimes = find::builtin_runtimes()
            .iter()
            .map(|(name, candidates)| (name.to_string(), paths(candidates)))
            .collect();
        EngineConfig {
            default_capabilities: spec.capabilities,
            default_ulimits: Vec::new(),
            default_sysctls: spec.sysctls,
            env: spec.env,
            dns_servers: Vec::new(),
            dns_searches: Vec::new(),
            dns_options: Vec::new(),
            shm_size: 65536 * 1024,
            pids_limit: 2048,
            umask: 0o022,
            no_new_privileges: false,
            seccomp_profile: None,
            init: false,
            log_driver: if host.journald {
                "journald"
            } else {
                "k8s-file"
            }
            .to_string(),
            log_size_max: -1,
            log_tag: String::new(),
            init_path: None,
            runtime: host.runtime.clone(),
            runtimes,
            runtime_supports_json: strings(&["crun", "runc", "kata", "runsc", "krun"]),
            conmon_path: paths(find::BUILTIN_CONMON_PATHS),
            conmon_env_vars: strings(&[
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ]),
            hooks_dir: spec.hooks_dirs,
            hooks_dir_explicit: false,
            cgroup_manager: if host.systemd { "systemd" } else { "cgroupfs" }.to_string(),
            stop_timeout: 10,
            tmp_dir: PathBuf::from("/run/libpod"),
            events_logger: "file".to_string(),
            events_logfile_path: None,
            events_logfile_max_size: 1_000_000,
            netns: NetworkMode::Bridge(Vec::new()),
            network_config_dir: None,
            default_network: None,
            default_subnet: None,
            firewall_driver: None,
            sources: Vec::new(),
            init_path_from_containers: false,
        }
    }

    /// Reads the standard locations (see the module docs).
    pub fn load_default() -> Result<Self> {
        Self::load(&ConfigLocations::system(), &HostFacts::probe())
    }

    /// Reads the files `locations` gives over the defaults for `host`.
    pub fn load(locations: &ConfigLocations, host: &HostFacts) -> Result<Self> {
        let files = locations.files()?;
        let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        Self::load_files_over(Self::builtin_for(host), &files)
    }

    /// Reads the given files in order over the built-in defaults (a missing file is an error).
    pub fn load_files(files: &[&Path]) -> Result<Self> {
        Self::load_files_over(Self::builtin(), files)
    }

    fn load_files_over(mut config: Self, files: &[&Path]) -> Result<Self> {
        for path in files {
            let text = std::fs::read_to_string(path)
                .map_err(|err| CoreError::io("read configuration", *path, err))?;
            config = Self::from_toml_str(path, &text, config)?;
            tracing::debug!("merged configuration {path:?}");
        }
        Ok(config)
    }

    /// Applies the containers.conf text `text` (read from `origin`, named in errors and added
    /// to [`sources`](Self::sources)) over `base`.
    ///
    /// ```
    /// use libpod_core::runtime::config::{EngineConfig, HostFacts};
    /// use std::path::Path;
    /// let base = EngineConfig::builtin_for(&HostFacts::default());
    /// let text = "[containers]\nshm_size = \"1g\"\ndefault_capabilities = [\"chown\"]\n";
    /// let config = EngineConfig::from_toml_str(Path::new("my.conf"), text, base).unwrap();
    /// assert_eq!(config.shm_size, 1 << 30);
    /// assert_eq!(config.default_capabilities, ["CAP_CHOWN"]);
    /// assert!(EngineConfig::from_toml_str(Path::new("bad.conf"), "[engine]\nruntime = 1", config)
    ///     .is_err());
    /// ```
    pub fn from_toml_str(origin: &Path, text: &str, base: Self) -> Result<Self> {
        let mut config = base;
        file::apply(&mut config, origin, text)?;
        config.sources.push(origin.to_path_buf());
        Ok(config)
    }

    /// The first existing path of the runtime named `name` (a name of
    /// [`runtimes`](Self::runtimes), else an absolute path), then `name` on `$PATH`, or
    /// [`CoreError::ProgramNotFound`] listing where it looked.
    pub fn find_runtime(&self, name: &str) -> Result<PathBuf> {
        find::runtime(self, name, std::env::var_os("PATH").as_deref())
    }

    /// The first existing conmon of [`conmon_path`](Self::conmon_path), then on `$PATH`, that
    /// reports version 2.0.1 or later (as Podman requires).
    pub fn find_conmon(&self) -> Result<PathBuf> {
        find::conmon(self, std::env::var_os("PATH").as_deref())
    }

    /// The spec generator's defaults that follow from this configuration: libpod-spec's
    /// defaults (which probe the host for cgroup v2 and catatonit) with what the files set.
    pub fn spec_defaults(&self) -> SpecDefaults {
        let mut spec = SpecDefaults::default();
        spec.capabilities = self.default_capabilities.clone();
        spec.ulimits = self.default_ulimits.clone();
        spec.sysctls = self.default_sysctls.clone();
        spec.env = self.env.clone();
        spec.pids_limit = self.pids_limit;
        spec.shm_size = self.shm_size;
        spec.umask = self.umask;
        spec.no_new_privileges = self.no_new_privileges;
        if let Some(profile) = &self.seccomp_profile {
            spec.seccomp_profile = profile.clone();
        }
        if let Some(init) = &self.init_path {
            spec.init_path = init.clone();
        }
        if self.hooks_dir_explicit {
            spec.hooks_dirs = self.hooks_dir.clone();
            spec.hooks_dirs_explicit = true;
        }
        spec.cgroup_manager = match self.cgroup_manager.as_str() {
            "systemd" => CgroupManager::Systemd,
            _ => CgroupManager::Cgroupfs,
        };
        spec
    }
}

/// The configuration of the unit tests that run the fake OCI runtime: the built-in defaults
/// with network mode `none`, so that they never set up a namespace nor run netavark unless a
/// test asks for bridge networking itself.
#[cfg(test)]
pub(crate) fn without_networking() -> EngineConfig {
    let mut engine = EngineConfig::builtin();
    engine.netns = NetworkMode::None;
    engine
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
