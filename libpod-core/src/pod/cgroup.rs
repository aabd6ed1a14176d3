//! The pod's cgroup, cgroupfs style: `<parent>/pod-<id>` (parent `/libpod_parent` unless
//! given), made in every hierarchy mounted (cgroup v1, as runc makes a container's in each,
//! the named `systemd` and a hybrid host's unified one included; or the one v2 tree), its
//! limits written on it, its containers' cgroups beneath it, removed with the pod.

use crate::error::{CoreError, Result};
use crate::record::{PodConfig, PodResources};
use std::path::{Path, PathBuf};

/// Podman's default cgroupfs parent.
const DEFAULT_PARENT: &str = "/libpod_parent";

const CPU_PERIOD_US: u64 = PodResources::CPU_PERIOD_US;

/// The pod's cgroup path, relative to each hierarchy's root.
pub(super) fn path_of(config: &PodConfig) -> String {
    let parent = config.cgroup_parent.as_deref().unwrap_or(DEFAULT_PARENT);
    format!("{}/pod-{}", parent.trim_end_matches('/'), config.id)
}

/// The mount points of the cgroup hierarchies, from /proc/self/mountinfo (each once).
fn hierarchies() -> Result<Vec<PathBuf>> {
    let info = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| CoreError::io("read", "/proc/self/mountinfo", e))?;
    let mut roots: Vec<PathBuf> = info
        .lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let fstype = after.split(' ').next()?;
            let mount_point = before.split(' ').nth(4)?;
            matches!(fstype, "cgroup" | "cgroup2").then(|| PathBuf::from(mount_point))
        })
        .collect();
    roots.sort();
    roots.dedup();
    Ok(roots)
}

fn cgroup_err(
    config: &PodConfig,
    path: &Path,
    op: &'static str,
) -> impl FnOnce(std::io::Error) -> CoreError {
    let id = config.id.clone();
    let path = path.to_path_buf();
    move |source| CoreError::PodCgroup {
        id,
        path,
        op,
        source,
    }
}

/// Makes the pod's cgroup in every hierarchy and writes its limits; returns its path.
pub(super) fn create(config: &PodConfig) -> Result<String> {
    let rel = path_of(config);
    for root in hierarchies()? {
        let dir = root.join(rel.trim_start_matches('/'));
        std::fs::create_dir_all(&dir).map_err(cgroup_err(config, &dir, "create"))?;
        if root.join("cpuset.cpus").exists() || root.ends_with("cpuset") {
            copy_cpuset(config, &root, &rel)?;
        }
    }
    set_limits(config, &rel, &config.resources)?;
    Ok(rel)
}

/// A v1 cpuset cgroup starts with no CPUs and memory nodes: each level made takes its
/// parent's (as runc does for its own).
fn copy_cpuset(config: &PodConfig, root: &Path, rel: &str) -> Result<()> {
    let mut dir = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        let parent = dir.clone();
        dir.push(part);
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let mine = dir.join(file);
            let Ok(current) = std::fs::read_to_string(&mine) else {
                continue;
            };
            if current.trim().is_empty() {
                let inherited = std::fs::read_to_string(parent.join(file)).map_err(cgroup_err(
                    config,
                    &parent,
                    "read cpuset",
                ))?;
                std::fs::write(&mine, inherited.trim()).map_err(cgroup_err(
                    config,
                    &mine,
                    "write cpuset",
                ))?;
            }
        }
    }
    Ok(())
}

/// Writes the limits: in v1 `cpu.cfs_quota_us` and `memory.limit_in_bytes`, in v2 `cpu.max`
/// and `memory.max` (the controllers enabled in the parent first).
fn set_limits(config: &PodConfig, rel: &str, resources: &PodResources) -> Result<()> {
    let rel = rel.trim_start_matches('/');
    let write = |path: PathBuf, value: String| {
        std::fs::write(&path, value).map_err(cgroup_err(config, &path, "set limit"))
    };
    let roots = hierarchies()?;
    // A hybrid host's unified tree holds no controllers: limits go in v1 there.
    let pure_v2 = roots.len() == 1;
    for root in roots {
        let dir = root.join(rel);
        let v2 = pure_v2 && root.join("cgroup.controllers").exists();
        if let Some(quota) = resources.cpu_quota() {
            if v2 {
                enable_controllers(config, &root, rel, "+cpu")?;
                write(dir.join("cpu.max"), format!("{quota} {CPU_PERIOD_US}"))?;
            } else if dir.join("cpu.cfs_quota_us").exists() {
                write(dir.join("cpu.cfs_period_us"), CPU_PERIOD_US.to_string())?;
                write(dir.join("cpu.cfs_quota_us"), quota.to_string())?;
            }
        }
        if let Some(memory) = resources.memory {
            if v2 {
                enable_controllers(config, &root, rel, "+memory")?;
                write(dir.join("memory.max"), memory.to_string())?;
            } else if dir.join("memory.limit_in_bytes").exists() {
                write(dir.join("memory.limit_in_bytes"), memory.to_string())?;
            }
        }
    }
    Ok(())
}

/// Enables `controller` (`+cpu`) in every v2 ancestor's subtree down to the pod's cgroup.
fn enable_controllers(config: &PodConfig, root: &Path, rel: &str, controller: &str) -> Result<()> {
    let mut dir = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        let control = dir.join("cgroup.subtree_control");
        std::fs::write(&control, controller).map_err(cgroup_err(
            config,
            &control,
            "enable controller",
        ))?;
        dir.push(part);
    }
    Ok(())
}

/// Removes the pod's cgroup from every hierarchy (what is left beneath it first: cgroups
/// with no process); one already gone is fine.
pub(super) fn remove(config: &PodConfig, rel: &str) -> Result<()> {
    let mut failures = Vec::new();
    for root in hierarchies()? {
        let dir = root.join(rel.trim_start_matches('/'));
        if let Err(e) = remove_tree(&dir) {
            failures.push(cgroup_err(config, &dir, "remove")(e));
        }
    }
    crate::container::combine_failures(failures)
}

/// rmdir of a cgroup and the cgroups beneath it, deepest first.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())?;
        }
    }
    match std::fs::remove_dir(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_the_parent_and_pod_id() {
        let mut config = PodConfig::new("ab".repeat(32), "p");
        assert_eq!(
            path_of(&config),
            format!("/libpod_parent/pod-{}", "ab".repeat(32))
        );
        config.cgroup_parent = Some("/mine/".into());
        assert_eq!(path_of(&config), format!("/mine/pod-{}", "ab".repeat(32)));
    }

    #[test]
    fn cpus_become_a_quota_over_100ms() {
        let resources = PodResources {
            cpus: Some(0.25),
            ..PodResources::default()
        };
        assert_eq!(resources.cpu_quota(), Some(25_000));
    }
}
