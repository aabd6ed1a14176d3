//! `pod inspect [--format FMT] NAME`: Podman 4.3's `InspectPodData` (one pod: one JSON
//! object, as Podman 4.3 prints it), with its JSON keys and omissions; templates see its Go
//! field names (`.ID`, `.InfraConfig.Networks`, `.CPUQuota`, `.Created` as Go prints a time).

use super::Result;
use super::row::PodRow;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::{Pod, PodExitPolicy, PodResources};
use libpod_core::runtime::Runtime;
use libpod_spec::NetworkMode;
use serde_json::{Map, Value, json};

#[derive(Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// Act on the latest pod podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The pod (name or ID).
    #[arg(required_unless_present = "latest")]
    pod: Option<String>,
}

pub fn inspect(rt: &Runtime, args: InspectArgs) -> Result {
    let pod = match &args.pod {
        Some(name) => match rt.pod(name) {
            Ok(pod) => pod,
            Err(libpod_core::CoreError::PodNotFound(_)) => {
                // Podman 4.3 prints an empty list first.
                println!("[]");
                return Err(
                    Exit::new(OWN_ERROR, format!("inspecting object: no such pod {name}")).into(),
                );
            }
            Err(err) => return Err(err.into()),
        },
        None => latest(rt)?,
    };
    let value = inspect_value(&pod)?;
    if args.format == "json" {
        print!("{}", go_json(&value)?);
        return Ok(());
    }
    // Docker's `{{.Id}}`, as Podman takes it when it is the whole format.
    let format = if args.format == "{{.Id}}" {
        "{{.ID}}"
    } else {
        &args.format
    };
    let text = crate::format::render(format, &[template_view(&value)])
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    print!("{text}");
    Ok(())
}

/// The pod created last.
fn latest(rt: &Runtime) -> Result<Pod> {
    rt.pods()?
        .into_iter()
        .max_by(|a, b| a.config().created.cmp(&b.config().created))
        .ok_or_else(|| Exit::new(OWN_ERROR, "no pods to inspect: no such pod").into())
}

/// JSON as Podman's `inspect` encodes it: indented by five spaces, with a newline after.
fn go_json(value: &Value) -> Result<String> {
    use serde::Serialize;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"     ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(String::from_utf8(out)?)
}

/// A pod's inspect data with Podman's JSON keys, empty ones left out as its `omitempty`
/// leaves them.
pub fn inspect_value(pod: &Pod) -> Result<Value> {
    let config = pod.config();
    let state = pod.state()?;
    let row = PodRow::of(pod)?;
    let containers: Vec<Value> = row
        .containers
        .iter()
        .map(|c| json!({"Id": c.id, "Name": c.name, "State": c.state}))
        .collect();
    let mut value = json!({
        "Id": pod.id(),
        "Name": pod.name(),
        "Created": config.created,
        "CreateCommand": config.create_command,
        "ExitPolicy": match config.exit_policy {
            PodExitPolicy::Stop => "stop",
            _ => "continue",
        },
        "State": row.status.as_str(),
        "Hostname": config.hostname.clone().unwrap_or_default(),
        "Labels": config.labels,
        "CreateCgroup": config.uses_pod_cgroup,
        "CgroupParent": row.cgroup_parent,
        "CgroupPath": state.cgroup_path.clone().unwrap_or_default(),
        "CreateInfra": config.has_infra,
        "InfraContainerID": row.infra_id,
        "InfraConfig": if config.has_infra { infra_config(pod, &row) } else { Value::Null },
        "SharedNamespaces": config.shared_namespaces,
        "NumContainers": row.containers.len(),
        "Containers": containers,
    });
    if let Some(map) = value.as_object_mut() {
        if let Some(quota) = config.resources.cpu_quota() {
            map.insert("cpu_period".into(), json!(PodResources::CPU_PERIOD_US));
            map.insert("cpu_quota".into(), json!(quota));
        }
        if let Some(memory) = config.resources.memory {
            map.insert("memory_limit".into(), json!(memory));
        }
        // Go's omitempty on these.
        for key in [
            "Namespace",
            "CreateCommand",
            "ExitPolicy",
            "Labels",
            "CgroupParent",
            "CgroupPath",
            "InfraContainerID",
            "InfraConfig",
            "SharedNamespaces",
            "Containers",
        ] {
            if map.get(key).is_some_and(is_empty) {
                map.remove(key);
            }
        }
    }
    Ok(value)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Podman's `InspectPodInfraConfig`: the infra container's network settings and the pod's
/// namespaces.
fn infra_config(pod: &Pod, row: &PodRow) -> Value {
    let config = pod.config();
    let infra = pod.runtime().container(&row.infra_id).ok();
    let ports: Vec<libpod_core::network::PortMapping> = infra
        .as_ref()
        .map(|c| c.config().port_mappings.clone())
        .unwrap_or_default();
    let first = config.networks.first();
    let mut value = json!({
        "PortBindings": port_bindings(&ports),
        "HostNetwork": config.network_mode == NetworkMode::Host,
        "StaticIP": first.and_then(|a| a.static_ips.first()).map(ToString::to_string).unwrap_or_default(),
        "StaticMAC": first.and_then(|a| a.static_mac.clone()).unwrap_or_default(),
        "NoManageResolvConf": false,
        "DNSServer": list_or_null(&config.infra.dns_servers),
        "DNSSearch": list_or_null(&config.infra.dns_search),
        "DNSOption": list_or_null(&config.infra.dns_options),
        "NoManageHosts": false,
        "HostAdd": list_or_null(&config.infra.add_hosts),
        "Networks": if row.networks.is_empty() { Value::Null } else { json!(row.networks) },
        "NetworkOptions": null,
    });
    if let Some(map) = value.as_object_mut() {
        if let Some(quota) = config.resources.cpu_quota() {
            map.insert("cpu_period".into(), json!(PodResources::CPU_PERIOD_US));
            map.insert("cpu_quota".into(), json!(quota));
        }
        // The infra container's own namespaces (`--pid`, `--uts`; `--userns` is only ever
        // the host's).
        map.insert("pid_ns".into(), json!(config.infra.pid.to_string()));
        map.insert("userns".into(), json!("host"));
        map.insert("uts_ns".into(), json!(config.infra.uts.to_string()));
    }
    value
}

/// A Go slice as `encoding/json` writes it: `null` when nil (never given).
fn list_or_null(list: &[String]) -> Value {
    if list.is_empty() {
        Value::Null
    } else {
        json!(list)
    }
}

/// Podman's `makeInspectPortBindings`: `"80/tcp": [{"HostIp": "", "HostPort": "8080"}]`, a
/// range as one entry per port.
fn port_bindings(ports: &[libpod_core::network::PortMapping]) -> Value {
    let mut map = Map::new();
    for port in ports {
        for protocol in port.protocols().unwrap_or_default() {
            for i in 0..u32::from(port.range.max(1)) {
                let key = format!("{}/{protocol}", u32::from(port.container_port) + i);
                let binding = json!({
                    "HostIp": port.host_ip,
                    "HostPort": (u32::from(port.host_port) + i).to_string(),
                });
                if let Value::Array(list) = map.entry(key).or_insert_with(|| json!([])) {
                    list.push(binding);
                }
            }
        }
    }
    Value::Object(map)
}

/// The value templates see: Go's field names where the JSON keys differ, `.Created` as Go
/// prints a `time.Time`.
fn template_view(value: &Value) -> Value {
    let mut view = value.clone();
    let renames = [
        ("Id", "ID"),
        ("cpu_period", "CPUPeriod"),
        ("cpu_quota", "CPUQuota"),
        ("memory_limit", "MemoryLimit"),
        ("pid_ns", "PidNS"),
        ("userns", "UserNS"),
        ("uts_ns", "UtsNS"),
    ];
    rename(&mut view, &renames);
    if let Some(infra) = view.get_mut("InfraConfig") {
        rename(infra, &renames);
    }
    if let Some(Value::Array(containers)) = view.get_mut("Containers") {
        for c in containers {
            rename(c, &renames);
        }
    }
    if let Some(created) = value["Created"]
        .as_str()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
    {
        view["Created"] = json!(crate::human::go_time(created.with_timezone(&chrono::Utc)));
    }
    view
}

fn rename(value: &mut Value, renames: &[(&str, &str)]) {
    if let Some(map) = value.as_object_mut() {
        for (from, to) in renames {
            if let Some(v) = map.remove(*from) {
                map.insert((*to).to_string(), v);
            }
        }
    }
}
