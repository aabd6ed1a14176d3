//! Building a container's OCI spec from its [`CreateConfig`], its image's config and the
//! runtime's facts ([`SpecContext`]).
//!
//! [`SpecGenerator`] holds what every container shares and is costly to load (the defaults,
//! the parsed seccomp profile, the hooks); [`SpecGenerator::generate`] then does no I/O beyond
//! reading the image's /etc/passwd and /etc/group and, when asked for, host devices and
//! custom seccomp profiles.

mod annotations;
mod context;
pub mod defaults;
mod linux;
mod mounts;
mod process;
mod security;
mod update;

pub use context::SpecContext;
pub use mounts::image_volume_destination;
pub use update::update_resources;

use crate::ImageConfig;
use crate::config::CreateConfig;
use crate::error::{Result, SpecError};
use crate::hooks::{DEFAULT_HOOKS_DIRS, HookManager};
use crate::seccomp::{DEFAULT_PROFILE_PATH, SeccompHost, SeccompProfile};
use oci_spec::runtime::{RootBuilder, Spec, SpecBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Engine-wide defaults, as containers.conf sets them (`[containers]` and `[engine]`).
///
/// `Default` gives Podman's defaults as Debian's containers-common ships them, adjusted to this
/// host (cgroup version, where catatonit lives).
///
/// ```
/// use libpod_spec::SpecDefaults;
/// let d = SpecDefaults::default();
/// assert!(d.capabilities.contains(&"CAP_CHOWN".to_string()));
/// assert_eq!(d.pids_limit, 2048);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SpecDefaults {
    /// `default_capabilities`.
    pub capabilities: Vec<String>,
    /// `default_ulimits` (`nofile=1024:2048`, ...).
    pub ulimits: Vec<String>,
    /// `default_sysctls` (`NAME=VALUE`); skipped silently where the namespace is the host's.
    pub sysctls: Vec<String>,
    /// `env`: the base environment of every container.
    pub env: Vec<String>,
    /// `pids_limit`; 0 is unlimited.
    pub pids_limit: i64,
    /// `shm_size` in bytes.
    pub shm_size: u64,
    /// `umask` of the container's process.
    pub umask: u32,
    /// `no_new_privileges`.
    pub no_new_privileges: bool,
    /// `seccomp_profile`: the default profile; the embedded one is used when the file is missing.
    pub seccomp_profile: PathBuf,
    /// `init_path`: the init binary for `--init`.
    pub init_path: PathBuf,
    /// `hooks_dir`: OCI hooks directories, later ones overriding earlier ones.
    pub hooks_dirs: Vec<PathBuf>,
    /// Whether `hooks_dirs` was set explicitly, making a missing directory an error.
    pub hooks_dirs_explicit: bool,
    /// `cgroup_manager`.
    pub cgroup_manager: CgroupManager,
    /// Whether the host uses the unified cgroup v2 hierarchy.
    pub cgroup_v2: bool,
}

impl Default for SpecDefaults {
    fn default() -> Self {
        let init_path = ["/usr/libexec/podman/catatonit", "/usr/bin/catatonit"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("/usr/libexec/podman/catatonit"));
        SpecDefaults {
            capabilities: defaults::DEFAULT_CAPABILITIES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            ulimits: Vec::new(),
            sysctls: vec!["net.ipv4.ping_group_range=0 0".to_string()],
            env: vec![
                format!("PATH={}", defaults::DEFAULT_PATH),
                "TERM=xterm".to_string(),
            ],
            pids_limit: 2048,
            shm_size: 64 << 20,
            umask: 0o022,
            no_new_privileges: false,
            seccomp_profile: PathBuf::from(DEFAULT_PROFILE_PATH),
            init_path,
            hooks_dirs: DEFAULT_HOOKS_DIRS.iter().map(PathBuf::from).collect(),
            hooks_dirs_explicit: false,
            cgroup_manager: CgroupManager::Cgroupfs,
            cgroup_v2: Path::new("/sys/fs/cgroup/cgroup.controllers").exists(),
        }
    }
}

/// Who manages the containers' cgroups, deciding the form of `cgroupsPath`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum CgroupManager {
    /// runc writes cgroupfs directly: `/libpod_parent/libpod-ID`.
    #[default]
    Cgroupfs,
    /// systemd creates a scope: `machine.slice:libpod:ID`.
    Systemd,
}

/// Builds OCI specs for containers; create one per engine and reuse it.
///
/// ```no_run
/// use libpod_spec::{CreateConfig, SpecContext, SpecDefaults, SpecGenerator};
/// # use std::path::Path;
/// let generator = SpecGenerator::new(SpecDefaults::default())?;
/// let mut config = CreateConfig::default();
/// config.command = Some(vec!["/bin/true".into()]);
/// let ctx = SpecContext::new(&"ab".repeat(32), Path::new("/rootfs"));
/// let spec = generator.generate(&config, None, &ctx)?;
/// println!("{}", serde_json::to_string_pretty(&spec).unwrap());
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
#[derive(Debug)]
pub struct SpecGenerator {
    defaults: SpecDefaults,
    seccomp: Arc<SeccompProfile>,
    seccomp_host: SeccompHost,
    hooks: HookManager,
}

impl SpecGenerator {
    /// Loads what all containers share: the default seccomp profile and the hooks.
    pub fn new(defaults: SpecDefaults) -> Result<Self> {
        let seccomp = Arc::new(SeccompProfile::load_default(&defaults.seccomp_profile)?);
        let hooks = HookManager::load(&defaults.hooks_dirs, defaults.hooks_dirs_explicit)?;
        Ok(SpecGenerator {
            defaults,
            seccomp,
            seccomp_host: SeccompHost::detect(),
            hooks,
        })
    }

    /// The defaults this generator applies.
    pub fn defaults(&self) -> &SpecDefaults {
        &self.defaults
    }

    /// Generates one container's spec, parsing `config`'s mounts (`volumes`, `mounts`,
    /// `tmpfs`) first; see [`generate_with_mounts`](Self::generate_with_mounts).
    pub fn generate(
        &self,
        config: &CreateConfig,
        image: Option<&ImageConfig>,
        ctx: &SpecContext,
    ) -> Result<Spec> {
        self.generate_with_mounts(config, &config.parse_mounts()?, image, ctx)
    }

    /// Generates one container's spec from mounts parsed already (an engine parses them once,
    /// when the container is created, with [`CreateConfig::parse_mounts`]): `config`'s own
    /// mount strings (`volumes`, `mounts`, `tmpfs`) are not read.
    ///
    /// Users and groups are resolved inside `ctx.rootfs`, which must be the container's mounted
    /// root filesystem. Every invalid option is reported as a [`SpecError`] naming it.
    pub fn generate_with_mounts(
        &self,
        config: &CreateConfig,
        mounts: &[crate::parse::VolumeMount],
        image: Option<&ImageConfig>,
        ctx: &SpecContext,
    ) -> Result<Spec> {
        let linux_ns = linux::namespaces(config, ctx, &self.defaults)?;
        let hostname = linux::hostname(config, ctx, &linux_ns)?;
        let user = process::resolve_user(config, image, ctx)?;
        let caps = security::capabilities(config, &self.defaults, &user)?;
        let process = process::build(config, image, &self.defaults, &user, &caps, &hostname)?;
        let mounts = mounts::build(config, mounts, image, ctx, &self.defaults)?;
        let linux = linux::build(
            config,
            ctx,
            &self.defaults,
            linux_ns,
            self.seccomp_for(config, &caps)?,
        )?;
        let mut root = built("root", RootBuilder::default().path(&ctx.rootfs).build())?;
        // Podman writes `readonly` only when true.
        root.set_readonly(config.security.read_only_rootfs.then_some(true));
        let mut spec = SpecBuilder::default()
            .version("1.0.2-dev")
            .root(root)
            .process(process)
            .mounts(mounts.mounts)
            .linux(linux)
            .annotations(annotations::build(config, image, ctx)?)
            .build()
            .map_err(|source| SpecError::Build {
                part: "spec",
                source,
            })?;
        spec.set_hostname(hostname.in_spec);
        self.hooks.apply(&mut spec, mounts.has_user_binds)?;
        Ok(spec)
    }

    fn seccomp_for(
        &self,
        config: &CreateConfig,
        caps: &security::CapabilitySets,
    ) -> Result<Option<oci_spec::runtime::LinuxSeccomp>> {
        match security::seccomp_choice(config)? {
            security::SeccompChoice::Unconfined => Ok(None),
            security::SeccompChoice::Default => self
                .seccomp
                .to_oci(&caps.bounding, &self.seccomp_host)
                .map(Some),
            security::SeccompChoice::Profile(path) => SeccompProfile::from_path(&path)?
                .to_oci(&caps.bounding, &self.seccomp_host)
                .map(Some),
        }
    }
}

/// Maps an oci-spec builder result into our error, naming the part being built.
pub(crate) fn built<T>(
    part: &'static str,
    result: std::result::Result<T, oci_spec::OciSpecError>,
) -> Result<T> {
    result.map_err(|source| SpecError::Build { part, source })
}

#[cfg(test)]
mod tests;
