//! `pod inspect [--format FMT] NAME`: Podman 4.3's `InspectPodData` (one pod: one JSON
//! object, as Podman 4.3 prints it).

use super::{Result, lookup};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::Pod;
use libpod_core::runtime::Runtime;
use serde_json::{Value, json};

#[derive(Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// The pod (name or ID).
    pod: String,
}

pub fn inspect(rt: &Runtime, args: InspectArgs) -> Result {
    let pod = lookup(rt, &args.pod)?;
    let value = inspect_value(&pod)?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let text =
        crate::format::render(&args.format, &[value]).map_err(|e| Exit::new(OWN_ERROR, e))?;
    print!("{text}");
    Ok(())
}

/// A pod's inspect data, with Podman's field names.
pub fn inspect_value(pod: &Pod) -> Result<Value> {
    let config = pod.config();
    let state = pod.state()?;
    let statuses = pod.container_statuses()?;
    let mut containers = Vec::new();
    for (id, status) in &statuses {
        let name = pod
            .runtime()
            .container(id)
            .map(|c| c.name().to_string())
            .unwrap_or_default();
        containers.push(json!({"Id": id, "Name": name, "State": status.as_str()}));
    }
    let status =
        libpod_core::pod::PodStatus::of(&statuses.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    let mut value = json!({
        "Id": pod.id(),
        "Name": pod.name(),
        "Created": config.created,
        "CreateCommand": config.create_command,
        "ExitPolicy": match config.exit_policy {
            libpod_core::pod::PodExitPolicy::Stop => "stop",
            _ => "continue",
        },
        "State": status.as_str(),
        "Hostname": config.hostname.clone().unwrap_or_default(),
        "Labels": config.labels,
        "CreateCgroup": config.uses_pod_cgroup,
        "CgroupParent": config.cgroup_parent.clone().unwrap_or_else(|| "/libpod_parent".into()),
        "CgroupPath": state.cgroup_path.clone().unwrap_or_default(),
        "CreateInfra": config.has_infra,
        "InfraContainerID": state.infra_container_id.clone().unwrap_or_default(),
        "SharedNamespaces": config.shared_namespaces,
        "NumContainers": statuses.len(),
        "Containers": containers,
    });
    if let Some(map) = value.as_object_mut() {
        if let Some(quota) = config.resources.cpu_quota() {
            map.insert(
                "CPUPeriod".into(),
                json!(libpod_core::pod::PodResources::CPU_PERIOD_US),
            );
            map.insert("CPUQuota".into(), json!(quota));
        }
        if let Some(memory) = config.resources.memory {
            map.insert("MemoryLimit".into(), json!(memory));
        }
        // Podman leaves out the empty ones.
        map.retain(|_, v| !(v.is_null() || v == "" || v == &json!([]) || v == &json!({})));
    }
    Ok(value)
}
