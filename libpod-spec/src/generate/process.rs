//! The container's process: arguments, environment, working directory, user, rlimits.

use super::defaults::{CONTAINER_ENV_VALUE, CONTAINER_INIT_PATH, RLIMIT_DEFAULT_VALUE};
use super::linux::Hostname;
use super::security::CapabilitySets;
use super::{SpecContext, SpecDefaults, built};
use crate::ImageConfig;
use crate::config::CreateConfig;
use crate::error::{Result, SpecError};
use crate::parse::{Ulimit, parse_ulimit};
use crate::user::{ExecUser, resolve_group, resolve_user as resolve_in_rootfs};
use oci_spec::runtime::{PosixRlimit, PosixRlimitBuilder, PosixRlimitType, Process, User};
use std::str::FromStr;

/// The user the process runs as, with everything derived from the `--user` string.
#[derive(Debug)]
pub(super) struct ResolvedUser {
    /// The `--user` string in effect (the user's, else the image's, else empty for root).
    pub spec: String,
    /// What it resolved to inside the rootfs.
    pub exec: ExecUser,
    /// Additional groups: the primary group when a user was named, `--group-add`, then the
    /// user's supplementary groups when no group was named; without duplicates.
    pub additional_gids: Vec<u32>,
}

impl ResolvedUser {
    /// Whether the process runs as root, by name or number, as Podman decides capabilities.
    pub fn is_root(&self) -> bool {
        let name = self.spec.split(':').next().unwrap_or_default();
        name.is_empty() || name == "root" || name == "0"
    }
}

pub(super) fn resolve_user(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    ctx: &SpecContext,
) -> Result<ResolvedUser> {
    let spec = config
        .user
        .user
        .clone()
        .or_else(|| image.and_then(|i| i.user().clone()))
        .unwrap_or_default();
    let exec = resolve_in_rootfs(&ctx.rootfs, &spec)?;
    let mut gids = Vec::new();
    if !spec.is_empty() {
        gids.push(exec.gid);
    }
    for group in &config.user.group_add {
        gids.push(resolve_group(&ctx.rootfs, group)?);
    }
    if !spec.contains(':') {
        gids.extend(&exec.supplementary_gids);
    }
    let mut additional_gids = Vec::with_capacity(gids.len());
    for gid in gids {
        if !additional_gids.contains(&gid) {
            additional_gids.push(gid);
        }
    }
    Ok(ResolvedUser {
        spec,
        exec,
        additional_gids,
    })
}

pub(super) fn build(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    defaults: &SpecDefaults,
    user: &ResolvedUser,
    caps: &CapabilitySets,
    hostname: &Hostname,
) -> Result<Process> {
    let mut process = Process::default();
    process.set_terminal(config.tty.then_some(true));
    process.set_args(Some(command(config, image, defaults)?));
    process.set_env(Some(environment(config, image, defaults, user, hostname)));
    process.set_cwd(
        config
            .workdir
            .clone()
            .or_else(|| image.and_then(|i| i.working_dir().clone()))
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".to_string())
            .into(),
    );
    let mut spec_user = User::default();
    spec_user.set_uid(user.exec.uid);
    spec_user.set_gid(user.exec.gid);
    spec_user.set_umask(Some(defaults.umask));
    spec_user.set_additional_gids(
        (!user.additional_gids.is_empty()).then(|| user.additional_gids.clone()),
    );
    process.set_user(spec_user);
    process.set_capabilities(Some(caps.to_oci()?));
    process.set_rlimits(Some(rlimits(config, defaults)?));
    let no_new_privileges = config.security.no_new_privileges
        || defaults.no_new_privileges
        || super::security::no_new_privileges_opt(&config.security.security_opts)?;
    process.set_no_new_privileges(no_new_privileges.then_some(true));
    if let Some(adj) = config.resources.oom_score_adj {
        if !(-1000..=1000).contains(&adj) {
            return Err(SpecError::invalid(
                "oom-score-adj",
                adj.to_string(),
                "must be between -1000 and 1000",
            ));
        }
        process.set_oom_score_adj(Some(adj));
    }
    Ok(process)
}

/// The process's arguments, as Podman's `makeCommand`: the entrypoint (the user's, else the
/// image's), then the command (the user's, else the image's `Cmd` unless the user set an
/// entrypoint), behind the init binary with `--init`.
fn command(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    defaults: &SpecDefaults,
) -> Result<Vec<String>> {
    let entrypoint = match &config.entrypoint {
        Some(e) => e.clone(),
        None => image
            .and_then(|i| i.entrypoint().clone())
            .unwrap_or_default(),
    };
    let mut args = Vec::new();
    // `--entrypoint ''` arrives as [""]: it clears the entrypoint.
    if !(entrypoint.len() == 1 && entrypoint[0].is_empty()) {
        args.extend(entrypoint);
    }
    match &config.command {
        Some(cmd) if !cmd.is_empty() => args.extend(cmd.iter().cloned()),
        _ if config.entrypoint.is_none() => {
            args.extend(image.and_then(|i| i.cmd().clone()).unwrap_or_default())
        }
        _ => {}
    }
    if args.is_empty() {
        return Err(SpecError::invalid(
            "command",
            "",
            "no command or entrypoint provided, and no CMD or ENTRYPOINT from image",
        ));
    }
    if config.init {
        let init = config.init_path.as_deref().unwrap_or(&defaults.init_path);
        if init.as_os_str().is_empty() {
            return Err(SpecError::invalid(
                "init-path",
                "",
                "no path to an init binary",
            ));
        }
        args.splice(0..0, [CONTAINER_INIT_PATH.to_string(), "--".to_string()]);
    }
    Ok(args)
}

/// The environment, later sources overriding earlier ones in place: the engine's defaults,
/// `container=podman`, the image's, the user's; then HOME and HOSTNAME when not set.
fn environment(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    defaults: &SpecDefaults,
    user: &ResolvedUser,
    hostname: &Hostname,
) -> Vec<String> {
    let mut env: Vec<(String, String)> = Vec::new();
    let mut set = |key: &str, value: &str| match env.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value.to_string(),
        None => env.push((key.to_string(), value.to_string())),
    };
    let entries = defaults
        .env
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(""))
        .chain(
            image
                .and_then(|i| i.env().as_deref())
                .unwrap_or_default()
                .iter()
                .map(String::as_str),
        );
    for entry in entries {
        if entry.is_empty() {
            set("container", CONTAINER_ENV_VALUE);
        } else if let Some((key, value)) = entry.split_once('=') {
            set(key, value);
        }
    }
    for (key, value) in &config.env {
        set(key, value);
    }
    if let Some(home) = &user.exec.home
        && !env.iter().any(|(k, _)| k == "HOME")
    {
        env.push(("HOME".into(), home.clone()));
    }
    if !env.iter().any(|(k, _)| k == "HOSTNAME") {
        env.push(("HOSTNAME".into(), hostname.for_env.clone()));
    }
    env.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// The rlimits: the engine's defaults, each replaced by the user's of the same type; nofile and
/// nproc, when nothing sets them, at Podman's 1048576 capped by this process's hard limit
/// (Podman does not cap, and runc then fails on hosts with lower limits).
fn rlimits(config: &CreateConfig, defaults: &SpecDefaults) -> Result<Vec<PosixRlimit>> {
    let mut limits: Vec<Ulimit> = Vec::new();
    for text in defaults.ulimits.iter().chain(&config.resources.ulimit) {
        let ulimit = parse_ulimit(text)?;
        match limits.iter_mut().find(|l| l.kind == ulimit.kind) {
            Some(existing) => *existing = ulimit,
            None => limits.push(ulimit),
        }
    }
    for (kind, resource) in [
        ("RLIMIT_NOFILE", nix::sys::resource::Resource::RLIMIT_NOFILE),
        ("RLIMIT_NPROC", nix::sys::resource::Resource::RLIMIT_NPROC),
    ] {
        if !limits.iter().any(|l| l.kind == kind) {
            let hard = nix::sys::resource::getrlimit(resource)
                .map(|(_, hard)| hard)
                .unwrap_or(RLIMIT_DEFAULT_VALUE);
            let value = RLIMIT_DEFAULT_VALUE.min(hard);
            limits.push(Ulimit {
                kind: kind.to_string(),
                soft: value,
                hard: value,
            });
        }
    }
    limits
        .into_iter()
        .map(|l| {
            let typ = PosixRlimitType::from_str(&l.kind)
                .map_err(|_| SpecError::invalid("ulimit", l.kind.clone(), "unknown rlimit type"))?;
            built(
                "rlimits",
                PosixRlimitBuilder::default()
                    .typ(typ)
                    .soft(l.soft)
                    .hard(l.hard)
                    .build(),
            )
        })
        .collect()
}
