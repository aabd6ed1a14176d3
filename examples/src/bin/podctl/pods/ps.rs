//! `pod ps [--format FMT] [--no-trunc] [--noheading] [-q]`: Podman 4.3's `ListPodReporter`
//! fields (`Id`, `Name`, `Status`, `Created`, `InfraId`, `NumberOfContainers`, `Cgroup`,
//! `Labels`, `ContainerNames`, `ContainerIds`, `ContainerStatuses`).

use super::{Result, short};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::PodStatus;
use libpod_core::runtime::Runtime;
use serde_json::json;

#[derive(Args)]
pub struct PsArgs {
    /// Pretty-print pods to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Do not truncate pod and container IDs.
    #[arg(long)]
    no_trunc: bool,
    /// Do not print headers.
    #[arg(long)]
    noheading: bool,
    /// Print the numeric IDs of the pods only.
    #[arg(short, long)]
    quiet: bool,
}

/// Podman's default columns.
const DEFAULT: &str =
    "table {{.Id}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraId}}\t{{.NumberOfContainers}}";

pub fn ps(rt: &Runtime, args: PsArgs) -> Result {
    let format = match (&args.format, args.quiet) {
        (_, true) => "{{.Id}}".to_string(),
        (Some(format), false) => format.clone(),
        (None, false) => DEFAULT.to_string(),
    };
    let full = args.no_trunc || format == "json";
    let mut rows = Vec::new();
    let mut pods = rt.pods()?;
    // Newest first, as Podman lists them.
    pods.sort_by(|a, b| b.config().created.cmp(&a.config().created));
    for pod in pods {
        let statuses = pod.container_statuses()?;
        let status = PodStatus::of(&statuses.iter().map(|(_, s)| *s).collect::<Vec<_>>());
        let infra = pod.infra_container_id()?.unwrap_or_default();
        let names: Vec<String> = statuses
            .iter()
            .map(|(id, _)| {
                rt.container(id)
                    .map(|c| c.name().to_string())
                    .unwrap_or_default()
            })
            .collect();
        let created = chrono::DateTime::parse_from_rfc3339(&pod.config().created)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        rows.push(if format == "json" {
            json!({
                "Cgroup": pod.cgroup_path()?.unwrap_or_default(),
                "Containers": statuses.iter().zip(&names).map(|((id, s), n)| json!({"Id": id, "Names": n, "Status": s.as_str()})).collect::<Vec<_>>(),
                "Created": pod.config().created,
                "Id": pod.id(),
                "InfraId": infra,
                "Name": pod.name(),
                "Namespace": "",
                "Networks": [],
                "Status": status.as_str(),
                "Labels": pod.config().labels,
            })
        } else {
            json!({
                "Id": short(pod.id(), full),
                "Name": pod.name(),
                "Status": status.as_str(),
                "Created": crate::human::ago(created),
                "InfraId": short(&infra, full),
                "NumberOfContainers": statuses.len(),
                "Cgroup": pod.cgroup_path()?.unwrap_or_default(),
                "Labels": pod.config().labels,
                "ContainerNames": names.join(","),
                "ContainerIds": statuses.iter().map(|(id, _)| short(id, full)).collect::<Vec<_>>().join(","),
                "ContainerStatuses": statuses.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(","),
            })
        });
    }
    if format == "json" {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let headers = [
        ("Id", "POD ID"),
        ("Name", "NAME"),
        ("Status", "STATUS"),
        ("Created", "CREATED"),
        ("InfraId", "INFRA ID"),
        ("NumberOfContainers", "# OF CONTAINERS"),
        ("Cgroup", "CGROUP"),
        ("ContainerNames", "NAMES"),
        ("ContainerIds", "IDS"),
        ("ContainerStatuses", "STATUS"),
    ];
    let mut text = crate::format::render_with_headers(&format, &rows, &headers)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if args.noheading && format.starts_with("table") {
        text = crate::format::strip_header(&text);
    }
    print!("{text}");
    Ok(())
}
