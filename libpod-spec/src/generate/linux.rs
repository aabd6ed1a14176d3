//! The `linux` section: namespaces, cgroup resources, devices, sysctls, masked paths.

use super::security::masked_and_readonly_paths;
use super::{CgroupManager, SpecContext, SpecDefaults, built};
use crate::config::{CreateConfig, NamespaceKind, NamespaceMode, NetworkMode};
use crate::error::{Result, SpecError};
use crate::parse::{
    DeviceRequest, SysctlNamespaces, host_device, parse_device, parse_throttle_device,
    parse_weight_device, privileged_host_devices, validate_sysctl,
};
use oci_spec::runtime::{
    Linux, LinuxBlockIo, LinuxCpu, LinuxDevice, LinuxDeviceCgroup, LinuxDeviceCgroupBuilder,
    LinuxMemory, LinuxNamespace, LinuxNamespaceBuilder, LinuxNamespaceType, LinuxPidsBuilder,
    LinuxResources, LinuxSeccomp,
};
use std::collections::HashMap;
use std::path::PathBuf;

/// The namespaces of the container, in Podman's order, each new (no path) or joined (a path).
pub(super) type Namespaces = Vec<(NamespaceKind, Option<PathBuf>)>;

pub(super) fn namespaces(
    config: &CreateConfig,
    ctx: &SpecContext,
    defaults: &SpecDefaults,
) -> Result<Namespaces> {
    let joined = |kind: NamespaceKind, id: &str| -> Result<Option<PathBuf>> {
        ctx.namespace_paths
            .get(&kind)
            .cloned()
            .map(Some)
            .ok_or_else(|| SpecError::MissingNamespacePath {
                kind: kind.name(),
                container: id.to_string(),
            })
    };
    let mode = |kind: NamespaceKind, mode: &NamespaceMode| -> Result<Option<Option<PathBuf>>> {
        Ok(match mode {
            NamespaceMode::Private => Some(None),
            NamespaceMode::Host => None,
            NamespaceMode::Container(id) => Some(joined(kind, id)?),
            NamespaceMode::Path(p) => Some(Some(p.clone())),
        })
    };
    let network = match &config.network.mode {
        NetworkMode::Host => None,
        NetworkMode::Default
        | NetworkMode::None
        | NetworkMode::Private
        | NetworkMode::Bridge(_) => Some(ctx.netns_path.clone()),
        NetworkMode::Container(id) => Some(joined(NamespaceKind::Network, id)?),
        NetworkMode::Path(p) => Some(Some(p.clone())),
    };
    let userns = config.userns.clone().unwrap_or(NamespaceMode::Host);
    if userns == NamespaceMode::Private {
        return Err(SpecError::invalid(
            "userns",
            "private",
            "user namespaces with ID mappings are not supported yet",
        ));
    }
    let cgroupns = config.cgroupns.clone().unwrap_or(if defaults.cgroup_v2 {
        NamespaceMode::Private
    } else {
        NamespaceMode::Host
    });
    let mut out = Vec::new();
    let mut push = |kind, ns: Option<Option<PathBuf>>| {
        if let Some(path) = ns {
            out.push((kind, path));
        }
    };
    push(NamespaceKind::Pid, mode(NamespaceKind::Pid, &config.pid)?);
    push(NamespaceKind::Network, network);
    push(NamespaceKind::Ipc, mode(NamespaceKind::Ipc, &config.ipc)?);
    push(
        NamespaceKind::Uts,
        mode(NamespaceKind::Uts, &config.uts.mode)?,
    );
    push(NamespaceKind::Mount, Some(None));
    push(NamespaceKind::User, mode(NamespaceKind::User, &userns)?);
    push(
        NamespaceKind::Cgroup,
        mode(NamespaceKind::Cgroup, &cgroupns)?,
    );
    Ok(out)
}

fn has_private(namespaces: &Namespaces, kind: NamespaceKind) -> bool {
    namespaces
        .iter()
        .any(|(k, path)| *k == kind && path.is_none())
}

fn has_own(namespaces: &Namespaces, kind: NamespaceKind) -> bool {
    namespaces.iter().any(|(k, _)| *k == kind)
}

/// The hostname in the spec (only with a new UTS namespace) and in `HOSTNAME`.
pub(super) struct Hostname {
    pub in_spec: Option<String>,
    pub for_env: String,
}

/// Podman's `Hostname()`: `--hostname`; the joined container's with `--uts container:`; the
/// host's with `--uts host`; else the short ID.
pub(super) fn hostname(
    config: &CreateConfig,
    ctx: &SpecContext,
    namespaces: &Namespaces,
) -> Result<Hostname> {
    let name = if let Some(h) = &config.uts.hostname {
        if h.is_empty() || h.len() > 64 || h.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(SpecError::invalid(
                "hostname",
                h.clone(),
                "not a valid hostname",
            ));
        }
        h.clone()
    } else if let (NamespaceMode::Container(_), Some(joined)) =
        (&config.uts.mode, &ctx.joined_hostname)
    {
        joined.clone()
    } else if !has_own(namespaces, NamespaceKind::Uts) {
        nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_default()
    } else {
        ctx.short_id().to_string()
    };
    let in_spec = has_private(namespaces, NamespaceKind::Uts).then(|| name.clone());
    if config.uts.hostname.is_some() && !has_own(namespaces, NamespaceKind::Uts) {
        return Err(SpecError::Conflict {
            first: "hostname",
            second: "uts",
            reason: "cannot set the hostname when the UTS namespace is the host's".into(),
        });
    }
    Ok(Hostname {
        in_spec,
        for_env: name,
    })
}

pub(super) fn build(
    config: &CreateConfig,
    ctx: &SpecContext,
    defaults: &SpecDefaults,
    namespaces: Namespaces,
    seccomp: Option<LinuxSeccomp>,
) -> Result<Linux> {
    let mut linux = Linux::default();
    let (masked, readonly) = masked_and_readonly_paths(config)?;
    linux.set_masked_paths((!masked.is_empty()).then_some(masked));
    linux.set_readonly_paths((!readonly.is_empty()).then_some(readonly));
    linux.set_sysctl(sysctls(config, defaults, &namespaces)?);
    linux.set_namespaces(Some(
        namespaces
            .iter()
            .map(|(kind, path)| {
                let mut b = LinuxNamespaceBuilder::default().typ(namespace_type(*kind));
                if let Some(p) = path {
                    b = b.path(p.clone());
                }
                built("namespaces", b.build())
            })
            .collect::<Result<Vec<LinuxNamespace>>>()?,
    ));
    let (devices, device_rules) = devices(config)?;
    linux.set_devices((!devices.is_empty()).then_some(devices));
    linux.set_resources(Some(resources(config, defaults, device_rules)?));
    linux.set_cgroups_path(Some(cgroups_path(config, ctx, defaults).into()));
    linux.set_seccomp(seccomp);
    linux.set_uid_mappings(None);
    linux.set_gid_mappings(None);
    linux.set_rootfs_propagation(None);
    Ok(linux)
}

fn namespace_type(kind: NamespaceKind) -> LinuxNamespaceType {
    match kind {
        NamespaceKind::Pid => LinuxNamespaceType::Pid,
        NamespaceKind::Network => LinuxNamespaceType::Network,
        NamespaceKind::Ipc => LinuxNamespaceType::Ipc,
        NamespaceKind::Uts => LinuxNamespaceType::Uts,
        NamespaceKind::Mount => LinuxNamespaceType::Mount,
        NamespaceKind::User => LinuxNamespaceType::User,
        NamespaceKind::Cgroup => LinuxNamespaceType::Cgroup,
    }
}

/// Default sysctls apply where the container has the namespace (silently skipped where not);
/// the user's must be allowed.
fn sysctls(
    config: &CreateConfig,
    defaults: &SpecDefaults,
    ns: &Namespaces,
) -> Result<Option<HashMap<String, String>>> {
    let own = SysctlNamespaces {
        ipc: has_own(ns, NamespaceKind::Ipc),
        net: has_own(ns, NamespaceKind::Network),
        uts: has_own(ns, NamespaceKind::Uts),
    };
    let mut out = HashMap::new();
    for entry in &defaults.sysctls {
        let (name, value) = entry.split_once('=').ok_or_else(|| {
            SpecError::invalid("default_sysctls", entry.clone(), "expected NAME=VALUE")
        })?;
        if validate_sysctl(name, own).is_ok() {
            out.insert(name.to_string(), value.to_string());
        }
    }
    for (name, value) in &config.security.sysctl {
        validate_sysctl(name, own)?;
        out.insert(name.clone(), value.clone());
    }
    Ok((!out.is_empty()).then_some(out))
}

/// `--device` entries, or every host device when privileged, with their cgroup rules.
fn devices(config: &CreateConfig) -> Result<(Vec<LinuxDevice>, Vec<LinuxDeviceCgroup>)> {
    let mut devices = Vec::new();
    let mut rules = Vec::new();
    if config.security.privileged {
        devices = privileged_host_devices()?;
        rules.push(built(
            "devices",
            LinuxDeviceCgroupBuilder::default()
                .allow(true)
                .access("rwm")
                .build(),
        )?);
        return Ok((devices, rules));
    }
    rules.push(built(
        "devices",
        LinuxDeviceCgroupBuilder::default()
            .allow(false)
            .access("rwm")
            .build(),
    )?);
    for text in &config.devices {
        let request: DeviceRequest = parse_device(text)?;
        for (device, rule) in host_device(&request)? {
            devices.push(device);
            rules.push(rule);
        }
    }
    Ok((devices, rules))
}

fn resources(
    config: &CreateConfig,
    defaults: &SpecDefaults,
    device_rules: Vec<LinuxDeviceCgroup>,
) -> Result<LinuxResources> {
    let r = &config.resources;
    let mut res = LinuxResources::default();
    res.set_devices(Some(device_rules));
    let pids = match r.pids_limit.unwrap_or(defaults.pids_limit) {
        n if n > 0 => n,
        _ => 0,
    };
    res.set_pids(Some(built(
        "pids",
        LinuxPidsBuilder::default().limit(pids).build(),
    )?));
    res.set_memory(memory(config)?);
    res.set_cpu(cpu(config)?);
    res.set_block_io(block_io(config)?);
    Ok(res)
}

pub(super) fn memory(config: &CreateConfig) -> Result<Option<LinuxMemory>> {
    let r = &config.resources;
    let mut m = LinuxMemory::default();
    let mut any = false;
    if let Some(limit) = r.memory {
        if limit <= 0 {
            return Err(SpecError::invalid(
                "memory",
                limit.to_string(),
                "must be a positive number of bytes",
            ));
        }
        m.set_limit(Some(limit));
        // As `podman create --memory` without `--memory-swap`: swap is as much again.
        if r.memory_swap.is_none() {
            m.set_swap(Some(2 * limit));
        }
        any = true;
    }
    if let Some(swap) = r.memory_swap {
        if swap != -1 && r.memory.is_some_and(|l| swap < l) {
            return Err(SpecError::invalid(
                "memory-swap",
                swap.to_string(),
                "must be at least the memory limit, or -1",
            ));
        }
        if r.memory.is_none() {
            return Err(SpecError::Conflict {
                first: "memory-swap",
                second: "memory",
                reason: "a swap limit needs a memory limit".into(),
            });
        }
        m.set_swap(Some(swap));
        any = true;
    }
    if let Some(res) = r.memory_reservation {
        m.set_reservation(Some(res));
        any = true;
    }
    if let Some(sw) = r.memory_swappiness {
        if sw > 100 {
            return Err(SpecError::invalid(
                "memory-swappiness",
                sw.to_string(),
                "must be between 0 and 100",
            ));
        }
        m.set_swappiness(Some(sw));
        any = true;
    }
    if r.disable_oom_killer {
        m.set_disable_oom_killer(Some(true));
        any = true;
    }
    Ok(any.then_some(m))
}

pub(super) fn cpu(config: &CreateConfig) -> Result<Option<LinuxCpu>> {
    let r = &config.resources;
    let mut c = LinuxCpu::default();
    let mut any = false;
    if let Some(cpus) = r.cpus {
        if r.cpu_period.is_some() || r.cpu_quota.is_some() {
            return Err(SpecError::Conflict {
                first: "cpus",
                second: "cpu-period/cpu-quota",
                reason: "--cpus sets both".into(),
            });
        }
        if !(cpus.is_finite() && cpus > 0.0) {
            return Err(SpecError::invalid(
                "cpus",
                cpus.to_string(),
                "must be a positive number",
            ));
        }
        let period = 100_000u64;
        c.set_period(Some(period));
        c.set_quota(Some(cpu_quota(cpus, period)));
        any = true;
    }
    if let Some(p) = r.cpu_period {
        c.set_period(Some(p));
        any = true;
    }
    if let Some(q) = r.cpu_quota {
        c.set_quota(Some(q));
        any = true;
    }
    if let Some(p) = r.cpu_rt_period {
        c.set_realtime_period(Some(p));
        any = true;
    }
    if let Some(rt) = r.cpu_rt_runtime {
        c.set_realtime_runtime(Some(rt));
        any = true;
    }
    if let Some(s) = r.cpu_shares {
        c.set_shares(Some(s));
        any = true;
    }
    if let Some(set) = &r.cpuset_cpus {
        c.set_cpus(Some(set.clone()));
        any = true;
    }
    if let Some(set) = &r.cpuset_mems {
        c.set_mems(Some(set.clone()));
        any = true;
    }
    Ok(any.then_some(c))
}

pub(super) fn block_io(config: &CreateConfig) -> Result<Option<LinuxBlockIo>> {
    let r = &config.resources;
    let mut b = LinuxBlockIo::default();
    let mut any = false;
    if let Some(w) = r.blkio_weight {
        if !(10..=1000).contains(&w) {
            return Err(SpecError::invalid(
                "blkio-weight",
                w.to_string(),
                "must be between 10 and 1000",
            ));
        }
        b.set_weight(Some(w));
        any = true;
    }
    if !r.blkio_weight_device.is_empty() {
        b.set_weight_device(Some(
            r.blkio_weight_device
                .iter()
                .map(|d| parse_weight_device(d))
                .collect::<Result<_>>()?,
        ));
        any = true;
    }
    let throttles = |field: &'static str, list: &[String]| -> Result<Option<Vec<_>>> {
        if list.is_empty() {
            return Ok(None);
        }
        list.iter()
            .map(|d| parse_throttle_device(field, d))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    };
    let rbps = throttles("device-read-bps", &r.device_read_bps)?;
    let wbps = throttles("device-write-bps", &r.device_write_bps)?;
    let riops = throttles("device-read-iops", &r.device_read_iops)?;
    let wiops = throttles("device-write-iops", &r.device_write_iops)?;
    any |= rbps.is_some() || wbps.is_some() || riops.is_some() || wiops.is_some();
    b.set_throttle_read_bps_device(rbps);
    b.set_throttle_write_bps_device(wbps);
    b.set_throttle_read_iops_device(riops);
    b.set_throttle_write_iops_device(wiops);
    Ok(any.then_some(b))
}

/// `cgroupsPath`: `PARENT/libpod-ID` for cgroupfs, `SLICE:libpod:ID` for systemd.
fn cgroups_path(config: &CreateConfig, ctx: &SpecContext, defaults: &SpecDefaults) -> String {
    match defaults.cgroup_manager {
        CgroupManager::Cgroupfs => {
            let parent = config.cgroup_parent.as_deref().unwrap_or("/libpod_parent");
            format!(
                "{}/libpod-{}",
                parent.trim_end_matches('/'),
                ctx.container_id
            )
        }
        CgroupManager::Systemd => {
            let parent = config.cgroup_parent.as_deref().unwrap_or("machine.slice");
            format!("{parent}:libpod:{}", ctx.container_id)
        }
    }
}

/// The CFS quota for `cpus` CPUs over `period` microseconds, rounded as Podman rounds it.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a float to integer conversion saturates; --cpus beyond i64 microseconds is no real input"
)]
fn cpu_quota(cpus: f64, period: u64) -> i64 {
    (cpus * f64::from(u32::try_from(period).unwrap_or(u32::MAX))).round() as i64
}
