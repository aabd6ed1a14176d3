//! `pod ps` (`ls`, `list`), as Podman 4.3's: `--ctr-names`, `--ctr-ids`, `--ctr-status`,
//! `--ns` choose the default columns; `-f/--filter` (filters.rs), `--format` (json: the
//! `ListPodsReport`s; Go templates over the `ListPodReporter` fields: `Id`/`ID`, `Name`,
//! `Status`, `Created` (human), `InfraId`/`InfraID`, `NumberOfContainers`, `Cgroup`,
//! `Namespace`, `Labels`, `Networks`, `ContainerNames`, `ContainerIds`, `ContainerStatuses`,
//! `Containers`), `--sort`, `-q` (whole IDs, as Podman 4.3's), `--no-trunc`,
//! `-n/--noheading`, `-l/--latest`.

use super::Result;
use super::filters::PodFilters;
use super::row::PodRow;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::runtime::Runtime;
use serde_json::{Value, json};

#[derive(Args)]
pub struct PsArgs {
    /// Display the container names.
    #[arg(long)]
    ctr_names: bool,
    /// Display the container UUIDs. If no-trunc is not set they will be truncated.
    #[arg(long)]
    ctr_ids: bool,
    /// Display the container status.
    #[arg(long)]
    ctr_status: bool,
    /// Filter output based on conditions given.
    #[arg(short, long)]
    filter: Vec<String>,
    /// Pretty-print pods to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Act on the latest pod podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Display namespace information of the pod.
    #[arg(long)]
    ns: bool,
    /// Do not truncate pod and container IDs.
    #[arg(long)]
    no_trunc: bool,
    /// Do not print headers.
    #[arg(short, long)]
    noheading: bool,
    /// Print the numeric IDs of the pods only.
    #[arg(short, long)]
    quiet: bool,
    /// Sort output by created, id, name, number, or status.
    #[arg(long, default_value = "created")]
    sort: String,
}

/// Column titles, by field.
const HEADERS: [(&str, &str); 15] = [
    ("Id", "POD ID"),
    ("ID", "POD ID"),
    ("Name", "NAME"),
    ("Status", "STATUS"),
    ("Labels", "LABELS"),
    ("NumberOfContainers", "# OF CONTAINERS"),
    ("Created", "CREATED"),
    ("InfraID", "INFRA ID"),
    ("InfraId", "INFRA ID"),
    ("ContainerIds", "IDS"),
    ("ContainerNames", "NAMES"),
    ("ContainerStatuses", "STATUS"),
    ("Cgroup", "CGROUP"),
    ("Namespace", "NAMESPACES"),
    // Podman's header map has no `Networks`: its template prints Go's missing value.
    ("Networks", "<no value>"),
];

pub fn ps(rt: &Runtime, args: PsArgs) -> Result {
    if args.quiet && args.format.is_some() {
        return Err(Exit::new(OWN_ERROR, "quiet and format cannot be used together").into());
    }
    let filters = PodFilters::parse(&args.filter)?;
    let mut rows = Vec::new();
    for pod in rt.pods()? {
        match PodRow::of(&pod) {
            Ok(row) if filters.matches(&row) => rows.push(row),
            Ok(_) => {}
            // Removed since the listing.
            Err(err)
                if matches!(
                    err.downcast_ref::<libpod_core::CoreError>(),
                    Some(libpod_core::CoreError::PodNotFound(_))
                ) => {}
            Err(err) => return Err(err),
        }
    }
    if args.latest {
        rows.sort_by(|a, b| b.created.cmp(&a.created));
        rows.truncate(1);
    }
    sort(&mut rows, &args.sort)?;
    if args.format.as_deref() == Some("json") {
        let list: Vec<Value> = rows.iter().map(report).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    // Podman 4.3 prints whole IDs with -q, --no-trunc or not.
    if args.quiet {
        for row in &rows {
            println!("{}", row.id);
        }
        return Ok(());
    }
    let full = args.no_trunc;
    let format = match &args.format {
        Some(format) => format.clone(),
        None => default_format(&args),
    };
    let data: Vec<Value> = rows.iter().map(|r| reporter(r, full)).collect();
    let mut text = crate::format::render_with_headers(&format, &data, &HEADERS)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if args.noheading && format.starts_with("table") {
        text = crate::format::strip_header(&text);
    }
    print!("{text}");
    Ok(())
}

/// Podman's `podPsFormat`: the ID, name, status, age and infra ID, then the containers'
/// IDs, names or statuses when asked (else their count), the namespaces with `--ns`.
fn default_format(args: &PsArgs) -> String {
    let mut row = vec![
        "{{.Id}}",
        "{{.Name}}",
        "{{.Status}}",
        "{{.Created}}",
        "{{.InfraId}}",
    ];
    if args.ctr_ids {
        row.push("{{.ContainerIds}}");
    }
    if args.ctr_names {
        row.push("{{.ContainerNames}}");
    }
    if args.ctr_status {
        row.push("{{.ContainerStatuses}}");
    }
    if args.ns {
        row.extend(["{{.Cgroup}}", "{{.Namespace}}"]);
    }
    if !args.ctr_status && !args.ctr_names && !args.ctr_ids {
        row.push("{{.NumberOfContainers}}");
    }
    format!("table {}", row.join("\t"))
}

/// Podman's `sortPodPsOutput`.
fn sort(rows: &mut [PodRow], by: &str) -> Result {
    match by {
        "created" => rows.sort_by_key(|r| std::cmp::Reverse(r.created_time())),
        "id" => rows.sort_by(|a, b| a.id.cmp(&b.id)),
        "name" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "number" => rows.sort_by_key(|r| r.containers.len()),
        "status" => rows.sort_by(|a, b| a.status.as_str().cmp(b.status.as_str())),
        _ => {
            return Err(Exit::new(
                OWN_ERROR,
                // Podman 4.3's words (they name its key `names`, which it refuses).
                "invalid option for --sort, options are: id, names, or number",
            )
            .into());
        }
    }
    Ok(())
}

fn short(id: &str, full: bool) -> &str {
    super::short(id, full)
}

/// `--format json`'s object: Podman's `ListPodsReport`.
fn report(row: &PodRow) -> Value {
    json!({
        "Cgroup": row.cgroup_parent,
        "Containers": row.containers.iter().map(|c| json!({
            "Id": c.id, "Names": c.name, "Status": c.state,
        })).collect::<Vec<_>>(),
        "Created": row.created,
        "Id": row.id,
        "InfraId": row.infra_id,
        "Name": row.name,
        "Namespace": "",
        "Networks": row.networks,
        "Status": row.status.as_str(),
        "Labels": row.labels,
    })
}

/// A template's view: Podman's `ListPodReporter` (IDs cut to 12 unless `full`, `Created` as
/// "N seconds ago", the containers' fields joined with commas).
fn reporter(row: &PodRow, full: bool) -> Value {
    let mut view = report(row);
    let id = short(&row.id, full);
    let infra = short(&row.infra_id, full);
    let joined = |f: &dyn Fn(&super::row::PodMember) -> String| {
        row.containers.iter().map(f).collect::<Vec<_>>().join(",")
    };
    let fields = [
        ("Id", json!(id)),
        ("ID", json!(id)),
        ("InfraId", json!(infra)),
        ("InfraID", json!(infra)),
        (
            "Created",
            json!(
                row.created_time()
                    .map(crate::human::ago)
                    .unwrap_or_default()
            ),
        ),
        ("NumberOfContainers", json!(row.containers.len())),
        ("Networks", json!(row.networks.join(","))),
        (
            "ContainerIds",
            json!(joined(&|c| short(&c.id, full).to_string())),
        ),
        ("ContainerNames", json!(joined(&|c| c.name.clone()))),
        ("ContainerStatuses", json!(joined(&|c| c.state.to_string()))),
    ];
    for (key, value) in fields {
        view[key] = value;
    }
    view
}
