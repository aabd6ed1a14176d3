//! `info`: Podman 4.3's `define.Info` for what podctl knows.

use super::host::{
    cgroup_controllers, cgroup_version, go_arch, meminfo, os_release, read_trimmed, version_of,
};
use super::{Fields, yaml};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::container::ContainerStatus;
use libpod_core::runtime::Runtime;
use serde_json::{Value, json};
use std::error::Error;
use std::path::Path;

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

#[derive(Args)]
pub struct InfoArgs {
    /// Change the output format to JSON or a Go template.
    #[arg(short, long)]
    format: Option<String>,
}

/// `info`: YAML by default, `--format json`, or a Go template over Podman's field names.
pub fn info(rt: &Runtime, args: InfoArgs) -> Result {
    let info = gather(rt)?;
    match args.format.as_deref() {
        Some("json") => println!("{}", serde_json::to_string_pretty(&info.json())?),
        Some(format) => print!(
            "{}",
            crate::format::render(format, &[info.template()])
                .map_err(|e| Exit::new(OWN_ERROR, e))?
        ),
        None => print!("{}", yaml(&info.json())),
    }
    Ok(())
}

fn gather(rt: &Runtime) -> Result<Fields> {
    Ok(Fields::default()
        .nested("Host", "host", host(rt))
        .nested("Store", "store", store(rt)?)
        .leaf("Registries", "registries", json!({}))
        .nested(
            "Plugins",
            "plugins",
            Fields::default()
                .leaf("Volume", "volume", json!(["local"]))
                .leaf("Network", "network", Value::Null)
                .leaf(
                    "Log",
                    "log",
                    json!(["k8s-file", "none", "passthrough", "journald"]),
                )
                .leaf("Authorization", "authorization", Value::Null),
        )
        .nested("Version", "version", super::version::client()))
}

fn host(rt: &Runtime) -> Fields {
    let engine = rt.engine_config();
    let conmon = engine.find_conmon().ok();
    let runtime_path = engine.find_runtime(rt.oci_runtime_name()).ok();
    let release = os_release();
    let os_field = |key: &str| release.get(key).cloned().unwrap_or_default();
    let mut distribution = Fields::default()
        .leaf("Distribution", "distribution", os_field("ID"))
        .leaf("Version", "version", os_field("VERSION_ID"));
    if let Some(variant) = release.get("VARIANT_ID") {
        distribution = distribution.leaf("Variant", "variant", variant.clone());
    }
    if let Some(codename) = release.get("VERSION_CODENAME") {
        distribution = distribution.leaf("Codename", "codename", codename.clone());
    }
    let uid = read_trimmed("/proc/self/status")
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(String::from))
        .unwrap_or_default();
    let capabilities: Vec<String> = engine
        .default_capabilities
        .iter()
        .map(|c| {
            if c.starts_with("CAP_") {
                c.clone()
            } else {
                format!("CAP_{c}")
            }
        })
        .collect();
    let seccomp = read_trimmed("/proc/self/status").contains("Seccomp:");
    Fields::default()
        .leaf("Arch", "arch", go_arch())
        .leaf("BuildahVersion", "buildahVersion", "")
        .leaf(
            "CgroupManager",
            "cgroupManager",
            engine.cgroup_manager.clone(),
        )
        .leaf("CgroupsVersion", "cgroupVersion", cgroup_version())
        .leaf(
            "CgroupControllers",
            "cgroupControllers",
            json!(cgroup_controllers()),
        )
        .nested(
            "Conmon",
            "conmon",
            program(
                conmon.as_deref(),
                conmon
                    .as_deref()
                    .map(version_of)
                    .unwrap_or_default()
                    .replacen('\n', ", ", 1),
            ),
        )
        .leaf(
            "CPUs",
            "cpus",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
        )
        .leaf("CPUUtilization", "cpuUtilization", Value::Null)
        .nested("Distribution", "distribution", distribution)
        // Podman's names: `file`, or `none` when events are off.
        .leaf(
            "EventLogger",
            "eventLogger",
            rt.events().log().map_or("none", |_| "file"),
        )
        .leaf(
            "Hostname",
            "hostname",
            read_trimmed("/proc/sys/kernel/hostname"),
        )
        .nested(
            "IDMappings",
            "idMappings",
            Fields::default()
                .leaf("GIDMap", "gidmap", Value::Null)
                .leaf("UIDMap", "uidmap", Value::Null),
        )
        .leaf(
            "Kernel",
            "kernel",
            read_trimmed("/proc/sys/kernel/osrelease"),
        )
        .leaf("LogDriver", "logDriver", engine.log_driver.clone())
        .leaf(
            "MemFree",
            "memFree",
            meminfo("MemAvailable")
                .or_else(|| meminfo("MemFree"))
                .unwrap_or(0),
        )
        .leaf("MemTotal", "memTotal", meminfo("MemTotal").unwrap_or(0))
        .leaf("NetworkBackend", "networkBackend", "")
        .nested(
            "OCIRuntime",
            "ociRuntime",
            program(
                runtime_path.as_deref(),
                runtime_path.as_deref().map(version_of).unwrap_or_default(),
            )
            .leaf("Name", "name", rt.oci_runtime_name()),
        )
        .leaf("OS", "os", std::env::consts::OS)
        .leaf("ServiceIsRemote", "serviceIsRemote", false)
        .nested(
            "Security",
            "security",
            Fields::default()
                .leaf(
                    "AppArmorEnabled",
                    "apparmorEnabled",
                    read_trimmed("/sys/module/apparmor/parameters/enabled") == "Y",
                )
                .leaf(
                    "DefaultCapabilities",
                    "capabilities",
                    capabilities.join(","),
                )
                .leaf("Rootless", "rootless", uid != "0")
                .leaf("SECCOMPEnabled", "seccompEnabled", seccomp)
                .leaf(
                    "SECCOMPProfilePath",
                    "seccompProfilePath",
                    engine
                        .seccomp_profile
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                )
                .leaf(
                    "SELinuxEnabled",
                    "selinuxEnabled",
                    std::path::Path::new("/sys/fs/selinux/enforce").exists(),
                ),
        )
        .nested(
            "Slirp4NetNS",
            "slirp4netns",
            Fields::default()
                .leaf("Executable", "executable", "")
                .leaf("Package", "package", "")
                .leaf("Version", "version", ""),
        )
        .leaf("SwapFree", "swapFree", meminfo("SwapFree").unwrap_or(0))
        .leaf("SwapTotal", "swapTotal", meminfo("SwapTotal").unwrap_or(0))
        .leaf("Uptime", "uptime", "")
        .leaf("Linkmode", "linkmode", "")
}

/// Podman's `ConmonInfo`/`OCIRuntimeInfo` fields of a program: its package (unknown), path
/// and version.
fn program(path: Option<&Path>, version: String) -> Fields {
    Fields::default()
        .leaf("Package", "package", "")
        .leaf(
            "Path",
            "path",
            path.map(|p| p.display().to_string()).unwrap_or_default(),
        )
        .leaf("Version", "version", version)
}

fn store(rt: &Runtime) -> Result<Fields> {
    let storage = rt.storage();
    let (mut paused, mut running, mut stopped) = (0, 0, 0);
    let containers = rt.containers()?;
    for ctr in &containers {
        match ctr.state().map(|s| s.status) {
            Ok(ContainerStatus::Paused) => paused += 1,
            Ok(ContainerStatus::Running) => running += 1,
            _ => stopped += 1,
        }
    }
    Ok(Fields::default()
        .leaf("ConfigFile", "configFile", "")
        .nested(
            "ContainerStore",
            "containerStore",
            Fields::default()
                .leaf("Number", "number", containers.len())
                .leaf("Paused", "paused", paused)
                .leaf("Running", "running", running)
                .leaf("Stopped", "stopped", stopped),
        )
        .leaf(
            "GraphDriverName",
            "graphDriverName",
            storage.driver().name(),
        )
        .leaf("GraphOptions", "graphOptions", json!({}))
        .leaf(
            "GraphRoot",
            "graphRoot",
            storage.root().display().to_string(),
        )
        .leaf("GraphRootAllocated", "graphRootAllocated", 0)
        .leaf("GraphRootUsed", "graphRootUsed", 0)
        .leaf("GraphStatus", "graphStatus", Value::Null)
        .leaf("ImageCopyTmpDir", "imageCopyTmpDir", "")
        .nested(
            "ImageStore",
            "imageStore",
            Fields::default().leaf("Number", "number", storage.images()?.len()),
        )
        .leaf("RunRoot", "runRoot", rt.run_root().display().to_string())
        .leaf(
            "VolumePath",
            "volumePath",
            rt.root().join("volumes").display().to_string(),
        ))
}
